using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Planning;

namespace Matchmaker.Engine.Tests.Planning;

/// <summary>Cohesion on a hand graph, every expected value worked out by hand from the projects below.</summary>
public sealed class TeamCohesionTests
{
    // p1 (new-materials, the call's field): led by the lead, with a and b.  a-b: the lead's team in the fields, led by it
    // p2 (new-energy-vehicles): led by c, with the lead and a.               a-c: the lead's team elsewhere
    // p3 (new-materials): c and d.  p4 (new-energy-vehicles): d and e.       c-d joint in the fields, d-e joint elsewhere
    // p5 (new-energy-vehicles): x and y.  p6 (new-energy-vehicles): f and y. f and x share the partner y
    // e is hosted by f (a typed tie).
    // Partners: lead {a,b,c}, a {lead,b,c}, b {lead,a}, c {lead,a,d}, d {c,e}, e {d}, f {y}, x {y}, y {x,f}.
    private static GraphSnapshot Graph()
    {
        var builder = new GraphSnapshotBuilder();
        foreach (var id in new[] { "lead", "a", "b", "c", "d", "e", "f", "x", "y" })
        {
            builder.Add(new Organization(id, null, id, id == "f" ? OrganizationKind.Platform : OrganizationKind.ResearchInstitute, "hangzhou", sectors: ["new-materials"]));
        }
        void Project(string id, string sector, params string[] members) =>
            builder.AddProject(id, 2020, [sector], members.Select((m, k) => new GraphSnapshotBuilder.Membership(m, null, k == 0, float.NaN)));
        Project("p1", "new-materials", "lead", "a", "b");
        Project("p2", "new-energy-vehicles", "c", "lead", "a");
        Project("p3", "new-materials", "c", "d");
        Project("p4", "new-energy-vehicles", "d", "e");
        Project("p5", "new-energy-vehicles", "x", "y");
        Project("p6", "new-energy-vehicles", "f", "y");
        builder.Add(new Tie("e", "f", TieType.HostedBy));
        return builder.Build(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
    }

    private static readonly GraphSnapshot G = Graph();

    // Levels apart from the defaults so that each kind of work shows as its own value.
    private static readonly CohesionLevels Levels = new()
    {
        LedTeamInFields = 1f, TeamInFields = 0.6f, TeamElsewhere = 0.4f, JointInFields = 0.15f, JointElsewhere = 0.05f, TypedTie = 0.5f, SharedPartner = 0.02f,
    };

    private static int O(string id) => G.IndexOf(id);

    private static readonly int[] Fields = [G.SectorIndexOf("new-materials")];

    // One slot of two places that every organization but c may fill: p1's team (a, b) has the requested shape (1),
    // p2's (c, a) fills one of two places (0.5).
    private static uint[] Masks() => G.OrganizationIds.Select(id => id == "c" ? 0u : 1u).ToArray();

    private static readonly int[] TwoPlaces = [2];

    [Fact]
    public void The_level_of_one_project_follows_the_lead_and_the_fields()
    {
        var cohesion = new TeamCohesion(G, Levels, byShape: true);

        Assert.Equal(1f, cohesion.Level(withLead: true, ledByLead: true, inFields: true));
        Assert.Equal(0.6f, cohesion.Level(withLead: true, ledByLead: false, inFields: true));
        Assert.Equal(0.4f, cohesion.Level(withLead: true, ledByLead: true, inFields: false));
        Assert.Equal(0.15f, cohesion.Level(withLead: false, ledByLead: false, inFields: true));
        Assert.Equal(0.05f, cohesion.Level(withLead: false, ledByLead: false, inFields: false));
        Assert.True(cohesion.InFields(G.ProjectIndexOf("p3"), Fields));
        Assert.False(cohesion.InFields(G.ProjectIndexOf("p4"), Fields));
    }

    [Fact]
    public void Shape_is_the_share_of_a_past_team_placed_into_the_requested_slots()
    {
        var cohesion = new TeamCohesion(G, Levels, byShape: true);
        var p1 = G.ProjectIndexOf("p1");
        var p2 = G.ProjectIndexOf("p2");

        Assert.Equal(1f, cohesion.Shape(p1, O("lead"), Masks(), TwoPlaces));
        Assert.Equal(0.5f, cohesion.Shape(p2, O("lead"), Masks(), TwoPlaces));
        // Three places asked for, two members placed: 2/3.
        Assert.Equal(2f / 3, cohesion.Shape(p1, O("lead"), Masks(), [3]), 6);
        // Two slots of one place that only slot 0's organizations may fill: a takes slot 0, b finds no room.
        Assert.Equal(0.5f, cohesion.Shape(p1, O("lead"), G.OrganizationIds.Select(_ => 1u).ToArray(), [1, 1]));
    }

    [Fact]
    public void Pairwise_cohesion_is_the_closest_past_work_between_two_organizations()
    {
        var cohesion = new TeamCohesion(G, Levels, byShape: true);
        string[] ids = ["a", "b", "c", "d", "e", "f", "x"];

        var pairs = cohesion.Pairwise(ids.Select(O).ToArray(), O("lead"), Fields, Masks(), TwoPlaces);

        var expected = new Dictionary<(string, string), float>
        {
            [("a", "b")] = 1f,           // p1: the lead's team in the fields, led by it, shape 1
            [("a", "c")] = 0.4f * 0.5f,  // p2: the lead's team elsewhere, shape 0.5
            [("a", "d")] = 0.02f,        // no joint work, common partner c
            [("b", "c")] = 0.02f,        // common partners lead and a
            [("c", "d")] = 0.15f,        // p3: joint in the fields
            [("c", "e")] = 0.02f,        // common partner d
            [("d", "e")] = 0.05f,        // p4: joint elsewhere (above the shared partner's 0.02)
            [("e", "f")] = 0.5f,         // hosted-by
            [("f", "x")] = 0.02f,        // common partner y
        };
        Assert.Equal(ids.Length * ids.Length, pairs.Length);
        for (var i = 0; i < ids.Length; i++)
        {
            for (var j = 0; j < ids.Length; j++)
            {
                var want = i == j ? 0f : expected.GetValueOrDefault((ids[i], ids[j]), expected.GetValueOrDefault((ids[j], ids[i])));
                Assert.True(Math.Abs(want - pairs[i * ids.Length + j]) < 1e-6, $"{ids[i]}-{ids[j]}: expected {want}, got {pairs[i * ids.Length + j]}");
            }
        }
    }

    [Fact]
    public void Without_shape_a_past_team_of_the_lead_counts_at_its_full_level()
    {
        var cohesion = new TeamCohesion(G, Levels, byShape: false);

        var pairs = cohesion.Pairwise([O("a"), O("c")], O("lead"), Fields, Masks(), TwoPlaces);

        Assert.Equal([0f, 0.4f, 0.4f, 0f], pairs);
    }

    [Fact]
    public void Lead_ties_are_each_organizations_best_past_team_with_the_lead_times_its_shape()
    {
        var cohesion = new TeamCohesion(G, Levels, byShape: false);

        var ties = cohesion.LeadTies([O("a"), O("b"), O("c"), O("d")], O("lead"), Fields, Masks(), TwoPlaces);

        // a: p1 (1 × 1) over p2 (0.4 × 0.5); b: p1; c: p2 only; d: never with the lead. Shape counts whatever byShape says.
        Assert.Equal([1f, 1f, 0.2f, 0f], ties);
    }

    [Fact]
    public void Ties_and_shared_partners_read_both_directions()
    {
        var cohesion = new TeamCohesion(G, Levels, byShape: true);

        Assert.Equal("hosted-by", cohesion.TypedTie(O("e"), O("f")));
        Assert.Equal("hosted-by", cohesion.TypedTie(O("f"), O("e")));
        Assert.Null(cohesion.TypedTie(O("a"), O("b")));
        Assert.Equal([O("lead"), O("a")], cohesion.SharedPartners(O("b"), O("c")));
        Assert.True(cohesion.ShareAPartner(O("f"), O("x")));
        Assert.False(cohesion.ShareAPartner(O("a"), O("e")));
    }
}
