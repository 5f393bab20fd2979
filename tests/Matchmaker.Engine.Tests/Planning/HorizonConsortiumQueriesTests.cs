using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Matching.Evaluation;
using Matchmaker.Engine.Planning;
using Matchmaker.Engine.Tests.Matching;

namespace Matchmaker.Engine.Tests.Planning;

/// <summary>
/// The consortium track's planner requests on the Horizon Europe slice (CORDIS, European Commission; see its README),
/// test year 2024. Members, activity types and who is known before 2024 were read off the slice's rows by hand.
/// </summary>
public class HorizonConsortiumQueriesTests(HorizonSliceFixture slice) : IClassFixture<HorizonSliceFixture>
{
    private ConsortiumQuery Query(string id, QueryTextMode text = QueryTextMode.Full) =>
        ConsortiumQueries.Horizon(slice.Data, slice.Before, HorizonSliceFixture.TestYear, text).Single(q => q.ProjectId == id);

    private static (ConsortiumRole Role, int Count, OrganizationKind[] Kinds)[] Shape(ConsortiumQuery q) =>
        q.Slots.Select(s => (s.Role, s.Count, s.Kinds!.ToArray())).ToArray();

    [Fact]
    public void The_queries_are_the_protocols()
    {
        // The 12 projects of 2024 but 101156960, whose coordinator is in no earlier project of the slice.
        Assert.Equal(
            ["101134997", "101135279", "101135516", "101137383", "101139070", "101157438", "101172928", "101180124", "101181915", "101189679", "101190021"],
            ConsortiumQueries.Horizon(slice.Data, slice.Before, HorizonSliceFixture.TestYear).Select(q => q.ProjectId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Slots_are_the_real_consortiums_activity_types_without_the_coordinator_and_third_parties()
    {
        // 101135516: coordinator 973346404 (REC); 2 HES, 3 OTH, 3 PRC and 1 REC participants; 5 third parties left out.
        var q = Query("101135516");
        Assert.Equal("973346404", q.Lead);
        Assert.Equal(["HORIZON.2.6"], q.Sectors);
        Assert.Equal(["HES", "OTH", "PRC", "REC"], q.SlotTypes);
        Assert.Equal(
            [
                (ConsortiumRole.Academia, 2, [OrganizationKind.University]), (ConsortiumRole.Platform, 3, [OrganizationKind.Platform]),
                (ConsortiumRole.Industry, 3, [OrganizationKind.Enterprise]), (ConsortiumRole.Research, 1, [OrganizationKind.ResearchInstitute]),
            ],
            Shape(q));
        Assert.Equal(
            new Dictionary<string, string> { ["904781275"] = "PRC", ["957958033"] = "PRC", ["972141470"] = "OTH", ["999895789"] = "HES" },
            q.KnownTypes.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary());
        Assert.Equal(new Dictionary<string, int> { ["HES"] = 1, ["OTH"] = 1, ["PRC"] = 2 }, q.KnownByType.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary());
    }

    [Fact]
    public void An_associated_partner_is_a_member_and_a_coordinator_of_a_slots_type_is_not_counted_in_it()
    {
        // 101139070: coordinator 889777703 (PRC); PRC 985390312, 997848022, 915041547; REC 884047428; OTH 984488212 and
        // the associated partner 897171237. Known before 2024: all but 884047428 and 915041547.
        var q = Query("101139070");
        Assert.Equal("889777703", q.Lead);
        Assert.Equal(["HORIZON.2.4"], q.Sectors);
        Assert.Equal(
            [
                (ConsortiumRole.Platform, 2, [OrganizationKind.Platform]), (ConsortiumRole.Industry, 3, [OrganizationKind.Enterprise]),
                (ConsortiumRole.Research, 1, [OrganizationKind.ResearchInstitute]),
            ],
            Shape(q));
        Assert.Equal(["897171237", "984488212", "985390312", "997848022"], q.KnownTypes.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_challenge_is_the_query_text_the_mode_allows()
    {
        const string topicTitle = "Optimising the sustainable production of wood and non-wood products in small forest properties and " +
                                  "development of new forest-based value chains";
        Assert.Null(Query("101135516", QueryTextMode.None).Challenge);
        Assert.Equal(topicTitle, Query("101135516", QueryTextMode.Topic).Challenge);
        var full = Query("101135516").Challenge!;
        Assert.StartsWith(topicTitle + "\n", full);
        // The project's title follows the topic's.
        Assert.Contains("Sustainable Management models and valUe chains foR small For", full);
        var request = Query("101135516").Request(ObjectiveWeights.Default);
        Assert.Equal(full, request.Challenge);
        Assert.Equal("973346404", request.LeadId);
        Assert.Equal(1, request.Alternatives);
    }

    [Fact]
    public void The_planner_fills_every_place_with_an_organization_of_the_slots_kind()
    {
        var q = Query("101135516");
        var planner = new ConsortiumPlanner(slice.Before, model: null, new PlannerOptions { MaxTeamSize = 1000 });
        var planned = planner.PlanTeams(q.Request(ObjectiveWeights.Default));
        Assert.Null(planned.Refusal);
        var team = planned.Teams[0];
        Assert.Equal(9, team.Members.Length);
        Assert.DoesNotContain(slice.Before.IndexOf("973346404"), team.Members);
        for (var i = 0; i < team.Members.Length; i++)
        {
            Assert.Equal(q.Slots[team.Slots[i]].Kinds![0], slice.Before.Kinds[team.Members[i]]);
        }
    }
}
