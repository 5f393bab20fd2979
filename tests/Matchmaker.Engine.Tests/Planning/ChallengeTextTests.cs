using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Matching;
using Matchmaker.Engine.Planning;

namespace Matchmaker.Engine.Tests.Planning;

/// <summary>The challenge read through the text index: coverage by text profiles, fit by the query's text columns.</summary>
public sealed class ChallengeTextTests
{
    // The lead worked with r2, r3 and r4; r1 never did, and only one of its projects' texts speaks of perovskite
    // coatings (its capability tags are about alloys). r5 states perovskite coatings as a need, not an offer.
    private static GraphSnapshot Graph()
    {
        var builder = new GraphSnapshotBuilder();
        Organization Details(string id, OrganizationKind kind, string[] capabilities, string[] needs) =>
            new(id, null, id, kind, "hangzhou", sectors: ["new-materials"], capabilities: capabilities, needs: needs);
        builder.Add(Details("lead", OrganizationKind.Enterprise, ["battery-housings"], []));
        builder.Add(Details("r1", OrganizationKind.ResearchInstitute, ["lightweight-alloys"], []));
        builder.Add(Details("r2", OrganizationKind.ResearchInstitute, ["polymer-composites"], []));
        builder.Add(Details("r3", OrganizationKind.ResearchInstitute, ["metal-forming"], []));
        builder.Add(Details("r4", OrganizationKind.ResearchInstitute, ["welding"], []));
        builder.Add(Details("r5", OrganizationKind.ResearchInstitute, ["machine-vision"], ["perovskite-coatings"]));
        void Project(string id, int year, string[] members, string title, string summary) =>
            builder.AddProject(id, year, ["new-materials"], members.Select((m, k) => new GraphSnapshotBuilder.Membership(m, null, k == 0, float.NaN)),
                new ProjectText(title, summary, [], [], []));
        Project("p1", 2022, ["lead", "r2"], "Composite battery housings", "Glass-fibre composite housings for traction battery packs.");
        Project("p2", 2021, ["lead", "r3"], "Formed steel trays", "Hot-formed steel trays for battery packs.");
        Project("p3", 2021, ["lead", "r4"], "Welded aluminium frames", "Friction-stir welded frames for vehicle bodies.");
        Project("p4", 2023, ["r1"], "Perovskite solar coatings", "Stable perovskite coatings for building-integrated solar panels.");
        Project("p5", 2023, ["r5"], "Inspection cameras", "Machine vision for inspecting welded seams.");
        return builder.Build(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
    }

    private static readonly GraphSnapshot G = Graph();

    private static ConsortiumPlan Plan(ConsortiumPlanner planner, string? challenge, ObjectiveWeights weights)
    {
        var outcome = planner.Plan(new PlanRequest
        {
            LeadId = "lead", Sectors = ["new-materials"], Challenge = challenge, Slots = [new SlotRequest(ConsortiumRole.Research)],
            Constraints = new PlanConstraints(), Alternatives = 5, Weights = weights,
        }, "plan", DemoPlannerFixture.Now);
        Assert.Null(outcome.Refusal);
        return outcome.Plan!;
    }

    [Fact]
    public void A_challenge_term_held_only_by_a_projects_text_is_a_need_that_organization_covers()
    {
        var planner = new ConsortiumPlanner(G, null);

        var plan = Plan(planner, "Perovskite coatings", new ObjectiveWeights(0, 0, 1));

        // Both words are needs (shown as the challenge writes them, not as stems), and only r1 covers them: through
        // its project's text, since no capability tag holds them; r5 only needs them.
        Assert.Equal(["perovskite", "coatings"], plan.Objective.Needs);
        var best = plan.Alternatives[0];
        var r1 = Assert.Single(best.Members);
        Assert.Equal("r1", r1.OrganizationId);
        Assert.Equal(["perovskite", "coatings"], r1.CoveredNeeds);
        Assert.Equal(1.0, best.Parts.Coverage);
        Assert.Empty(best.UncoveredNeeds);
        Assert.Contains(r1.Reasons, r => r.Code == "covers-needs" && r.En == "covers the challenge's needs: perovskite, coatings" && r.Zh == "满足挑战需求：perovskite、coatings");
        foreach (var other in plan.Alternatives.Skip(1))
        {
            var member = Assert.Single(other.Members);
            Assert.NotEqual("r1", member.OrganizationId);
            Assert.Empty(member.CoveredNeeds);
            Assert.Equal(["perovskite", "coatings"], other.UncoveredNeeds);
        }
        Assert.Contains(plan.Alternatives, t => t.Members[0].OrganizationId == "r5");
    }

    [Fact]
    public void The_challenge_is_the_leads_query_text_so_fit_reads_it_too()
    {
        var planner = new ConsortiumPlanner(G, null);

        // Fit alone: without a challenge the lead's past partners fit best; with it, r1, whose profile matches it.
        var plain = Plan(planner, null, new ObjectiveWeights(1, 0, 0));
        var withChallenge = Plan(planner, "Perovskite coatings", new ObjectiveWeights(1, 0, 0));

        Assert.NotEqual("r1", plain.Alternatives[0].Members[0].OrganizationId);
        Assert.Empty(plain.Objective.Needs);
        Assert.Equal("r1", withChallenge.Alternatives[0].Members[0].OrganizationId);
        Assert.True(withChallenge.Alternatives[0].Members[0].Fit > withChallenge.Alternatives[1].Members[0].Fit);
    }

    [Fact]
    public void The_planner_uses_the_text_matcher_it_is_given_and_refuses_one_of_another_snapshot()
    {
        using var shared = TextMatcher.Build(G)!;
        var plan = Plan(new ConsortiumPlanner(G, null, text: shared), "Perovskite coatings", ObjectiveWeights.Default);
        Assert.Equal("r1", plan.Alternatives[0].Members[0].OrganizationId);
        Assert.Equal(["perovskite", "coatings"], plan.Alternatives[0].CoveredNeeds);

        using var other = TextMatcher.Build(Graph())!;
        Assert.Throws<ArgumentException>(() => new ConsortiumPlanner(G, null, text: other));
    }
}
