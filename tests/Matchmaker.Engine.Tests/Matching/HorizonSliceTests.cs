using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Matching;
using Matchmaker.Engine.Matching.Evaluation;
using Matchmaker.Engine.Text;

namespace Matchmaker.Engine.Tests.Matching;

/// <summary>
/// The Horizon Europe slice (196 projects of 2022-2024, CORDIS, European Commission; see its README) under the data's
/// protocol for test year 2024. Expected values were read off the slice's rows by hand, not by the code under test.
/// </summary>
public sealed class HorizonSliceFixture
{
    public const int TestYear = 2024;

    public HorizonSliceFixture()
    {
        Data = HorizonDataset.Load(Path.Combine(AppContext.BaseDirectory, "Data", "horizon-slice"));
        Before = Data.BuildSnapshot(TestYear, HandGraphs.Built);
        Queries = Data.Queries(Before, TestYear);
        Baselines = new HorizonBaselines(Before, Data);
    }

    public HorizonDataset Data { get; }
    public GraphSnapshot Before { get; }
    public IReadOnlyList<MatchQuery> Queries { get; }
    public HorizonBaselines Baselines { get; }
}

public class HorizonSliceTests(HorizonSliceFixture slice) : IClassFixture<HorizonSliceFixture>
{
    private MatchQuery Query(string id) => slice.Queries.Single(q => q.Id == id);

    private string[] Ids(IEnumerable<int> indexes) => indexes.Select(i => slice.Before.OrganizationIds[i]).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void The_loader_keeps_members_and_leaves_third_parties_out()
    {
        Assert.Equal(196, slice.Data.Projects.Count);
        var (projects, participations) = (slice.Data.Reports[0], slice.Data.Reports[1]);
        Assert.Equal(196, projects.Loaded);
        Assert.Equal(0, projects.SkippedCount);
        // 196 coordinator, 1,671 participant and 224 associatedPartner rows; 133 thirdParty rows are not members.
        Assert.Equal(196 + 1671 + 224, participations.Loaded);
        Assert.Equal(133, participations.Skipped["thirdParty, not a member"]);
        var project = slice.Data.Project("101135516")!;
        Assert.Equal(2024, project.StartYear);
        Assert.Equal("HORIZON.2.6", project.MainLegalBasis);
        Assert.Equal(["HORIZON-CL6-2023-CircBio-01-12"], project.Topics);
        Assert.Equal(["Optimising the sustainable production of wood and non-wood products in small forest properties and development of new forest-based value chains"],
            project.TopicTitles);
        Assert.Equal("973346404", project.Coordinator!.OrgId);
        Assert.Equal(10, project.Members.Count);
    }

    [Fact]
    public void The_graph_before_2024_holds_the_earlier_projects_with_their_texts()
    {
        Assert.Equal(184, slice.Before.ProjectCount);
        Assert.Equal(1244, slice.Before.OrganizationCount);
        Assert.All(slice.Before.ProjectYears, y => Assert.True(y < HorizonSliceFixture.TestYear));
        Assert.Equal(slice.Before.OrganizationIds.Order(StringComparer.Ordinal), slice.Before.OrganizationIds);
        Assert.All(slice.Before.ProjectTexts, t => Assert.False(string.IsNullOrEmpty(t!.Summary)));
    }

    [Fact]
    public void Queries_follow_the_protocol()
    {
        // 12 projects start in 2024; the coordinator of 101156960 is in no earlier project of the slice.
        Assert.Equal(
            ["101134997", "101135279", "101135516", "101137383", "101139070", "101157438", "101172928", "101180124", "101181915", "101189679", "101190021"],
            slice.Queries.Select(q => q.Id).Order(StringComparer.Ordinal));
        var q = Query("101135516");
        Assert.Equal("973346404", slice.Before.OrganizationIds[q.Organization]);
        Assert.Equal(["904781275", "957958033", "972141470", "999895789"], Ids(q.Relevant));
        Assert.Equal([slice.Before.SectorIndexOf("HORIZON.2.6")], q.Sectors);
        Assert.Equal(["HORIZON-CL6-2023-CircBio-01-12"], q.Topics);
        Assert.StartsWith("Optimising the sustainable production of wood", q.Text);
        Assert.Contains("Sustainable Management models and valUe chains foR small For", q.Text);
    }

    [Fact]
    public void Query_text_modes_carry_what_they_say()
    {
        var none = slice.Data.Queries(slice.Before, HorizonSliceFixture.TestYear, QueryTextMode.None).Single(q => q.Id == "101135516");
        Assert.Null(none.Text);
        Assert.Empty(none.Topics);
        var topic = slice.Data.Queries(slice.Before, HorizonSliceFixture.TestYear, QueryTextMode.Topic).Single(q => q.Id == "101135516");
        Assert.Equal("Optimising the sustainable production of wood and non-wood products in small forest properties and development of new forest-based value chains", topic.Text);
        Assert.Equal(["HORIZON-CL6-2023-CircBio-01-12"], topic.Topics);
    }

    [Fact]
    public void The_new_partner_track_keeps_only_answers_without_a_joint_project()
    {
        var fresh = TimeSplit.NewPartnerQueries(slice.Before, slice.Queries);
        // Every answer of 101134997 already worked with its coordinator: that query leaves the track.
        Assert.Equal(10, fresh.Count);
        Assert.DoesNotContain(fresh, q => q.Id == "101134997");
        // 999984059 was a partner of 999706445 before 2024.
        Assert.Equal(["991720047", "998886116", "999513221", "999923240"], Ids(fresh.Single(q => q.Id == "101172928").Relevant));
    }

    [Fact]
    public void Reference_rankings_break_ties_by_activity_then_orgId()
    {
        // Previous partners of 999706445: one joint project each, so activity (53, 50, 9, 7, 7 projects) then PIC.
        AssertRanking(slice.Baselines.PreviousPartners, "101172928", ["999997930", "999984059", "999849326", "999655520", "999995893"], firstAnswer: 2);
        // HORIZON.2.6 projects, then HORIZON-CL6-2024-FARM2FORK ones (5, 5, 4, 4, 3 and none), then activity.
        AssertRanking(slice.Baselines.FieldPopularity, "101181915", ["999991043", "934887262", "999993953", "999520302", "999997930"], firstAnswer: 2);
        AssertRanking(slice.Baselines.AdamicAdar, "101135279", ["905551164", "999977754", "999986678", "999529420", "899132771"], firstAnswer: 26);
    }

    [Fact]
    public void Previous_partners_scores_as_computed_by_hand_on_both_tracks()
    {
        // Means over the slice's queries, computed from its rows outside this code base (Python, same protocol).
        var g = slice.Before;
        var all = ProtocolEvaluator.Evaluate(g.OrganizationCount, slice.Queries, slice.Baselines.PreviousPartners, threads: 1);
        Assert.Equal(11, all.Queries);
        Assert.Equal(0.212069, all.Ndcg10, 5);
        Assert.Equal(0.247403, all.Recall20, 5);
        Assert.Equal(0.367664, all.Mrr, 5);
        // New partners: previous partners removed, so the ranking is activity order.
        var fresh = ProtocolEvaluator.Evaluate(g.OrganizationCount, TimeSplit.NewPartnerQueries(g, slice.Queries), (q, s) =>
        {
            slice.Baselines.PreviousPartners(q, s);
            TimeSplit.RemovePreviousPartners(g, q, s);
        }, threads: 1);
        Assert.Equal(10, fresh.Queries);
        Assert.Equal(0.097169, fresh.Ndcg10, 5);
        Assert.Equal(0.161905, fresh.Recall20, 5);
        Assert.Equal(0.178040, fresh.Mrr, 5);
    }

    [Fact]
    public void Profile_and_project_scores_from_the_postings_arrays_are_the_bits_of_the_Lucene_search()
    {
        // The slice's queries and every project text of the graph as query texts, each term once and by its
        // frequency in the text (the two query weightings of the index).
        var texts = slice.Queries.Select(q => q.Text)
            .Concat(slice.Before.ProjectTexts.Select(t => t?.FullText))
            .OfType<string>().ToArray();
        Assert.True(texts.Length > 150);
        foreach (var options in new[] { new TextIndexOptions(), new TextIndexOptions { QueryTermFrequency = true, K1 = 0.9f, B = 0.4f } })
        {
            using var index = TextIndex.Build(slice.Before, options);
            var n = index.OrganizationCount;
            var (expected, actual) = (new float[n], new float[n]);
            var (matched, matchedProjects) = (0, 0);
            foreach (var text in texts)
            {
                var query = index.Analyze(text);
                index.ScoreOrganizationsWithLucene(query, expected);
                index.ScoreOrganizations(query, actual);
                for (var o = 0; o < n; o++)
                {
                    if (BitConverter.SingleToInt32Bits(expected[o]) != BitConverter.SingleToInt32Bits(actual[o]))
                    {
                        Assert.Fail($"'{text[..Math.Min(40, text.Length)]}', organization {o}: Lucene {expected[o]:R}, arrays {actual[o]:R}");
                    }
                    if (expected[o] > 0) matched++;
                }
                var (lucene, arrays) = (index.ProjectScoresWithLucene(query), index.ProjectScoresForTests(query));
                for (var p = 0; p < lucene.Length; p++)
                {
                    if (BitConverter.SingleToInt32Bits(lucene[p]) != BitConverter.SingleToInt32Bits(arrays[p]))
                    {
                        Assert.Fail($"'{text[..Math.Min(40, text.Length)]}', project {p}: Lucene {lucene[p]:R}, arrays {arrays[p]:R}");
                    }
                    if (lucene[p] > 0) matchedProjects++;
                }
            }
            Assert.True(matched > texts.Length * 10);
            Assert.True(matchedProjects > texts.Length * 10);
        }
    }

    private void AssertRanking(ProtocolEvaluator.FullScorer method, string queryId, string[] expectedTop, long firstAnswer)
    {
        var q = Query(queryId);
        var scores = new double[slice.Before.OrganizationCount];
        method(q, scores);
        var top = new int[expectedTop.Length];
        RankingMetrics.TopK(scores, top);
        Assert.Equal(expectedTop, top.Select(o => slice.Before.OrganizationIds[o]));
        Assert.Equal(firstAnswer, RankingMetrics.FirstRelevantRank(scores, q.Relevant));
    }
}
