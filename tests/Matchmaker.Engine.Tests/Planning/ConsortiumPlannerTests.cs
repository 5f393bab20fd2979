using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Import;
using Matchmaker.Engine.Matching;
using Matchmaker.Engine.Matching.Evaluation;
using Matchmaker.Engine.Planning;
using Matchmaker.Engine.Recommendations;

namespace Matchmaker.Engine.Tests.Planning;

/// <summary>The G60 demo graph with a model trained on its own history, as the service trains it (label years before the newest).</summary>
public sealed class DemoPlannerFixture
{
    public static readonly DateTimeOffset Now = new(2026, 1, 5, 9, 0, 0, TimeSpan.FromHours(8));

    public DemoPlannerFixture()
    {
        Snapshot = GraphSnapshot.Build(GraphImportParser.ParseJsonLinesDirectory(Path.Combine(AppContext.BaseDirectory, "graph", "seed")));
        var capabilities = ModelTrainingService.CapabilitiesOf(Snapshot);
        var options = new RankerOptions { Iterations = 40, MinimumExamplesPerLeaf = 10 };
        var splits = new[] { 2022, 2023, 2024 }.Select(year =>
        {
            var before = Snapshot.Before(year);
            var future = Snapshot.ProjectsOf(year).Select(p => new TimeSplit.FutureProject(p.Id, p.Year, p.Sectors, p.Lead, p.Members));
            return new TrainingSplit(new SnapshotStats(before), TimeSplit.Queries(before, future), $"labels {year}");
        }).ToArray();
        var rows = RankerTrainer.BuildRows(splits, new CandidateGenerator(null, capabilities), new PairFeatureExtractor(capabilities), options);
        Model = RankerTrainer.Train(rows, options, "demo graph", 1, Now);
        Planner = new ConsortiumPlanner(Snapshot, Model);
        Heuristic = new ConsortiumPlanner(Snapshot, null);
    }

    public GraphSnapshot Snapshot { get; }
    public RankingModel Model { get; }
    public ConsortiumPlanner Planner { get; }
    public ConsortiumPlanner Heuristic { get; }
}

public sealed class ConsortiumPlannerTests(DemoPlannerFixture demo) : IClassFixture<DemoPlannerFixture>
{
    private static PlanRequest Request(string lead = "baolong-auto", string sector = "new-energy-vehicles", string? challenge = null,
        IReadOnlyList<SlotRequest>? slots = null, PlanConstraints? constraints = null, int alternatives = 3, ObjectiveWeights? weights = null) => new()
    {
        LeadId = lead, Sectors = [sector], Challenge = challenge, Slots = slots, Constraints = constraints ?? new PlanConstraints(),
        Alternatives = alternatives, Weights = weights ?? ObjectiveWeights.Default,
    };

    private ConsortiumPlan PlanOf(PlanRequest request, ConsortiumPlanner? planner = null)
    {
        var outcome = (planner ?? demo.Planner).Plan(request, $"plan-{Guid.NewGuid():N}", DemoPlannerFixture.Now);
        Assert.Null(outcome.Refusal);
        return outcome.Plan!;
    }

    private OrganizationKind KindOf(string id) => demo.Snapshot.Kinds[demo.Snapshot.IndexOf(id)];

    private string CityOf(string id) => demo.Snapshot.CityCodes[demo.Snapshot.OrganizationCities[demo.Snapshot.IndexOf(id)]];

    [Fact]
    public void A_plan_fills_every_default_slot_with_distinct_members_that_can_play_the_role_and_explains_each()
    {
        var plan = PlanOf(Request(challenge: "需要多传感器融合算法与轻量化合金, and sensor fusion testing; 风险投资 venture funding"));

        Assert.Equal("lambdarank-v1", plan.ModelVersion);
        Assert.Equal(["academia", "research", "finance", "user", "platform"], plan.Slots.Select(s => s.Role));
        Assert.Equal(3, plan.Alternatives.Count);
        foreach (var team in plan.Alternatives)
        {
            Assert.Equal(6, team.Members.Count);
            Assert.Equal(6, team.Members.Select(m => m.OrganizationId).Distinct().Count());
            Assert.DoesNotContain(team.Members, m => m.OrganizationId == "baolong-auto");
            foreach (var slot in plan.Slots) Assert.Equal(slot.Count, team.Members.Count(m => m.Slot == slot.Index));
            foreach (var member in team.Members)
            {
                var role = Codes.ParseRole(member.Role);
                Assert.Equal(plan.Slots[member.Slot].Role, member.Role);
                Assert.True(RoleKinds.Default(role).Contains(KindOf(member.OrganizationId)) || PlayedBefore(member.OrganizationId, role),
                    $"{member.OrganizationId} cannot play {member.Role}");
                Assert.NotEmpty(member.Reasons);
                Assert.All(member.Reasons, r => Assert.False(string.IsNullOrWhiteSpace(r.Zh) || string.IsNullOrWhiteSpace(r.En)));
                Assert.InRange(member.Fit, 0, 1);
                Assert.InRange(member.Cohesion, 0, 1);
            }
            // The score is the weighted sum of its parts, with the weights the plan reports.
            var o = plan.Objective;
            Assert.InRange(team.Score - (o.FitWeight * team.Parts.Fit + o.CohesionWeight * team.Parts.Cohesion + o.CoverageWeight * team.Parts.Coverage), -1e-3, 1e-3);
            Assert.Equal(plan.Objective.Needs.Order(), team.CoveredNeeds.Concat(team.UncoveredNeeds).Order());
            Assert.Equal(team.CoveredNeeds.Order(), team.Members.SelectMany(m => m.CoveredNeeds).Distinct().Order());
        }
        Assert.True(plan.Alternatives[0].Score >= plan.Alternatives[1].Score);
        Assert.Contains("venture", plan.Objective.Needs); // shown as written, not as its stem
    }

    private bool PlayedBefore(string id, ConsortiumRole role)
    {
        var g = demo.Snapshot;
        var o = g.IndexOf(id);
        for (var e = 0; e < g.ProjectMembers.EdgeCount; e++)
        {
            if (g.ProjectMembers.Targets[e] == o && g.MemberRoles[e] == (byte)role) return true;
        }
        return false;
    }

    [Fact]
    public void Alternatives_differ_from_every_earlier_one_in_at_least_a_third_of_the_team()
    {
        var plan = PlanOf(Request(lead: "donghua-mse", sector: "new-materials", alternatives: 5));

        Assert.Equal(2, plan.Objective.MinDifference); // ceil(6 / 3)
        Assert.Equal(5, plan.Alternatives.Count);
        for (var i = 1; i < plan.Alternatives.Count; i++)
        {
            var members = plan.Alternatives[i].Members.Select(m => m.OrganizationId).ToHashSet();
            for (var j = 0; j < i; j++)
            {
                var earlier = plan.Alternatives[j].Members.Select(m => m.OrganizationId);
                Assert.True(members.Except(earlier).Count() >= 2, $"alternative {i + 1} vs {j + 1}");
            }
            Assert.True(plan.Alternatives[i].DiffersFromEarlierBy >= 2);
        }
    }

    [Fact]
    public void Cities_include_exclude_per_city_cap_and_maximum_size_are_honoured()
    {
        string[] cities = ["shanghai-songjiang", "shanghai", "suzhou", "hangzhou", "hefei"];
        var free = PlanOf(Request(lead: "hf-hanchu-battery", sector: "new-energy-vehicles"));
        var excluded = free.Alternatives[0].Members[0].OrganizationId;
        var constraints = new PlanConstraints
        {
            Cities = cities, Include = ["hf-xingchi-fund"], Exclude = [excluded], MaxPerCity = 2, MaxSize = 5,
        };
        var plan = PlanOf(Request(lead: "hf-hanchu-battery", sector: "new-energy-vehicles", constraints: constraints));

        Assert.Equal(5, plan.Slots.Sum(s => s.Count)); // the default slots cut to maxSize
        foreach (var team in plan.Alternatives)
        {
            var ids = team.Members.Select(m => m.OrganizationId).ToArray();
            Assert.True(ids.Length <= 5);
            Assert.Contains("hf-xingchi-fund", ids);
            Assert.DoesNotContain(excluded, ids);
            Assert.All(ids, id => Assert.Contains(CityOf(id), cities));
            Assert.All(ids.GroupBy(CityOf), g => Assert.True(g.Count() <= 2, $"{g.Count()} members in {g.Key}"));
        }
    }

    [Fact]
    public void When_the_shortlists_crowd_into_few_cities_the_planner_widens_them_city_by_city_to_honour_the_cap()
    {
        // Shortlists of one per place: the four best enterprises cannot all come from different cities by chance.
        var narrow = new ConsortiumPlanner(demo.Snapshot, demo.Model, new PlannerOptions { PoolPerSlot = 1, PoolPerMember = 1 });
        var request = Request(lead: "donghua-mse", sector: "new-materials", slots: [new SlotRequest(ConsortiumRole.Industry, 4)],
            constraints: new PlanConstraints { MaxPerCity = 1 }, alternatives: 2);

        var plan = PlanOf(request, narrow);

        foreach (var team in plan.Alternatives)
        {
            Assert.Equal(4, team.Members.Count);
            Assert.Equal(4, team.Members.Select(m => CityOf(m.OrganizationId)).Distinct().Count());
        }
        Assert.Equal(Math.Round(ExhaustiveSearch.Solve(narrow.SearchTeams(request).Shortlists!.Problem)!.Objective, 4), plan.Alternatives[0].Score);
    }

    [Fact]
    public void A_slot_that_no_organization_in_the_allowed_cities_can_fill_is_refused_naming_the_slot()
    {
        var outcome = demo.Planner.Plan(Request(constraints: new PlanConstraints { Cities = ["wuhu", "huzhou"] }), "p", DemoPlannerFixture.Now);

        Assert.Null(outcome.Plan);
        Assert.Equal(PlanRefusalKind.Impossible, outcome.Refusal!.Kind);
        // Default NEV slots: 学 is slots[0]; there is no university in Wuhu or Huzhou.
        var error = Assert.Single(outcome.Refusal.Errors, e => e.Key == "slots[0]");
        Assert.Contains("学 academia ×1", error.Value[0]);
        Assert.Contains("no organization in the allowed cities (wuhu, huzhou)", error.Value[0]);
        Assert.Contains("slots[0]", outcome.Refusal.Detail);
    }

    [Fact]
    public void Slots_that_fit_alone_but_not_together_under_the_city_cap_are_refused_naming_the_cap_and_the_slot()
    {
        // Four banks and funds in Hangzhou and Wuhu, but with one member per city only two can join.
        var request = Request(slots: [new SlotRequest(ConsortiumRole.Finance, 3)], constraints: new PlanConstraints { Cities = ["hangzhou", "wuhu"], MaxPerCity = 1 });

        var outcome = demo.Planner.Plan(request, "p", DemoPlannerFixture.Now);

        var error = Assert.Single(outcome.Refusal!.Errors);
        Assert.Equal("constraints.maxPerCity", error.Key);
        Assert.Contains("slots[0] (金 finance ×3)", error.Value[0]);
        Assert.NotNull(demo.Planner.Plan(Request(slots: [new SlotRequest(ConsortiumRole.Finance, 2)], constraints: request.Constraints), "p", DemoPlannerFixture.Now).Plan);
    }

    [Theory]
    [InlineData("no-such-org", null, null, "leadId")]
    [InlineData("baolong-auto", "no-such-org", null, "constraints.include[0]")]
    [InlineData("baolong-auto", null, "no-such-org", "constraints.exclude[0]")]
    [InlineData("baolong-auto", "baolong-auto", null, "constraints.include[0]")]
    [InlineData("baolong-auto", "czbank", "czbank", "constraints.include[0]")]
    public void Requests_that_contradict_the_graph_are_refused_naming_the_field(string lead, string? include, string? exclude, string field)
    {
        var outcome = demo.Planner.Plan(Request(lead: lead, constraints: new PlanConstraints
        {
            Include = include is null ? [] : [include], Exclude = exclude is null ? [] : [exclude],
        }), "p", DemoPlannerFixture.Now);

        Assert.Equal(PlanRefusalKind.Invalid, outcome.Refusal!.Kind);
        Assert.Contains(field, outcome.Refusal.Errors.Keys);
    }

    [Fact]
    public void An_included_organization_that_fits_no_slot_is_refused_by_name()
    {
        var outcome = demo.Planner.Plan(Request(slots: [new SlotRequest(ConsortiumRole.Finance)], constraints: new PlanConstraints { Include = ["tongji-auto"] }), "p",
            DemoPlannerFixture.Now);

        Assert.Equal(PlanRefusalKind.Impossible, outcome.Refusal!.Kind);
        Assert.Contains("can fill none of the requested slots", outcome.Refusal.Errors["constraints.include[0]"][0]);
    }

    [Fact]
    public void A_challenge_is_covered_by_members_whose_text_profiles_hold_its_terms()
    {
        var slots = new[] { new SlotRequest(ConsortiumRole.Research), new SlotRequest(ConsortiumRole.Academia) };
        var covering = PlanOf(Request(lead: "baolong-auto", challenge: "hydrogen fuel cells 氢燃料电池", slots: slots, weights: new ObjectiveWeights(0.2, 0.1, 0.7)));
        var fitOnly = PlanOf(Request(lead: "baolong-auto", challenge: "hydrogen fuel cells 氢燃料电池", slots: slots, weights: new ObjectiveWeights(1, 0, 0)));

        // 电池 (battery) is left out: more than a quarter of the demo graph's text profiles hold it (its projects' texts).
        Assert.Equal(["hydrogen", "fuel", "cells", "氢", "燃料"], covering.Objective.Needs);
        var best = covering.Alternatives[0];
        Assert.True(best.Parts.Coverage >= 0.75, $"coverage {best.Parts.Coverage}");
        Assert.True(best.Parts.Coverage >= fitOnly.Alternatives[0].Parts.Coverage);
        // With coverage alone, the plan covers as much as any team of the shortlists can (checked exhaustively).
        var coverageOnly = Request(lead: "baolong-auto", challenge: "hydrogen fuel cells 氢燃料电池", slots: slots, weights: new ObjectiveWeights(0, 0, 1));
        Assert.Equal(Math.Round(ExhaustiveSearch.Solve(demo.Planner.SearchTeams(coverageOnly).Shortlists!.Problem)!.Parts.Coverage, 4),
            PlanOf(coverageOnly).Alternatives[0].Parts.Coverage);
        // Tongji's automotive school states hydrogen fuel cells as a capability; the reason says which needs it meets.
        var tongji = Assert.Single(best.Members, m => m.OrganizationId == "tongji-auto");
        Assert.Contains("hydrogen", tongji.CoveredNeeds);
        Assert.Contains(tongji.Reasons, r => r.Code == "covers-needs" && r.En.Contains("hydrogen", StringComparison.Ordinal));
    }

    [Fact]
    public void On_the_demo_graph_the_search_finds_the_exact_optimum_of_the_planners_own_problem()
    {
        foreach (var lead in new[] { "baolong-auto", "donghua-mse", "sues-air", "hf-hanchu-battery" })
        {
            var sector = demo.Snapshot.Details[demo.Snapshot.IndexOf(lead)]!.Sectors[0];
            var request = Request(lead: lead, sector: sector,
                slots: [new SlotRequest(ConsortiumRole.Academia), new SlotRequest(ConsortiumRole.Research), new SlotRequest(ConsortiumRole.Finance),
                    new SlotRequest(ConsortiumRole.User)]);
            var problem = demo.Planner.SearchTeams(request).Shortlists!.Problem;

            var exact = ExhaustiveSearch.Solve(problem)!;
            var plan = PlanOf(request);

            Assert.Equal(Math.Round(exact.Objective, 4), plan.Alternatives[0].Score);
        }
    }

    [Fact]
    public void Without_a_trained_model_the_heuristic_score_plans_and_says_so()
    {
        var plan = PlanOf(Request(), demo.Heuristic);

        Assert.Equal(ConsortiumPlanner.HeuristicVersion, plan.ModelVersion);
        Assert.Contains(plan.Notes, n => n.Contains("No ranking model", StringComparison.Ordinal));
        Assert.Equal(6, plan.Alternatives[0].Members.Count);
    }

    [Fact]
    public void Cohesion_prefers_members_who_have_worked_together()
    {
        // With cohesion alone, the best team's members are linked to each other; fit alone need not be.
        var slots = new[] { new SlotRequest(ConsortiumRole.Academia), new SlotRequest(ConsortiumRole.Research), new SlotRequest(ConsortiumRole.Industry) };
        var cohesive = PlanOf(Request(lead: "donghua-mse", sector: "new-materials", slots: slots, weights: new ObjectiveWeights(0, 1, 0)));
        var fitOnly = PlanOf(Request(lead: "donghua-mse", sector: "new-materials", slots: slots, weights: new ObjectiveWeights(1, 0, 0)));

        Assert.True(cohesive.Alternatives[0].Parts.Cohesion >= fitOnly.Alternatives[0].Parts.Cohesion);
        Assert.True(fitOnly.Alternatives[0].Parts.Fit >= cohesive.Alternatives[0].Parts.Fit);
        Assert.NotEmpty(cohesive.Alternatives[0].Ties);
    }

    [Fact]
    public void Cohesion_is_the_closest_past_work_between_members_highest_for_a_team_the_lead_led_in_the_fields()
    {
        // Five pairs, each together in one project: the lead's, in the call's field, led by the lead (u1, r1); the
        // lead's in the field, led by x (u2, r2); the lead's in another field (u3, r3); without the lead in the field
        // (u4, r4); without the lead elsewhere (u5, r5). Distinct levels make the order of the alternatives the order of the levels.
        var builder = new GraphSnapshotBuilder();
        var ids = new[] { "lead", "x" }.Concat(Enumerable.Range(1, 5).SelectMany(k => new[] { $"u{k}", $"r{k}" }));
        foreach (var id in ids)
        {
            var kind = id[0] switch { 'u' => OrganizationKind.University, 'r' => OrganizationKind.ResearchInstitute, _ => OrganizationKind.Enterprise };
            builder.AddOrganization(id, kind, "hangzhou", ["new-materials"]);
        }
        var projects = new[]
        {
            (2020, "new-materials", new[] { "lead", "u1", "r1" }), (2021, "new-materials", ["x", "lead", "u2", "r2"]),
            (2021, "new-energy-vehicles", ["lead", "u3", "r3"]), (2022, "new-materials", ["u4", "r4"]), (2022, "new-energy-vehicles", ["u5", "r5"]),
        };
        var i = 0;
        foreach (var (year, sector, members) in projects)
        {
            builder.AddProject($"p{i++}", year, [sector], members.Select((m, k) => new GraphSnapshotBuilder.Membership(m, null, k == 0, float.NaN)));
        }
        var levels = new CohesionLevels { LedTeamInFields = 1, TeamInFields = 0.8f, TeamElsewhere = 0.6f, JointInFields = 0.4f, JointElsewhere = 0.2f, TypedTie = 0.3f,
            SharedPartner = 0 };
        // Shape scaling off: here every level is read as it is (the shapes differ: x is in one team and fills no slot).
        var planner = new ConsortiumPlanner(builder.Build(DemoPlannerFixture.Now), null, new PlannerOptions { Cohesion = levels, CohesionByShape = false });

        var plan = PlanOf(Request(lead: "lead", sector: "new-materials", slots: [new SlotRequest(ConsortiumRole.Academia), new SlotRequest(ConsortiumRole.Research)],
            weights: new ObjectiveWeights(0, 1, 0), alternatives: 5), planner);

        Assert.Equal(Enumerable.Range(1, 5).Select(k => new[] { $"u{k}", $"r{k}" }), plan.Alternatives.Select(t => t.Members.Select(m => m.OrganizationId).ToArray()));
        Assert.Equal([1.0, 0.8, 0.6, 0.4, 0.2], plan.Alternatives.Select(t => Math.Round(t.Parts.Cohesion, 6)));
        Assert.Equal(["projects-with-lead", "projects-with-lead", "projects-with-lead", "joint-projects", "joint-projects"],
            plan.Alternatives.Select(t => Assert.Single(t.Ties).Kind));
        Assert.Contains(plan.Alternatives[0].Members[0].Reasons, r => r.Code == "team-ties" && r.En.Contains("with r1 in 1 of your projects", StringComparison.Ordinal));
    }

    [Fact]
    public void A_past_team_of_the_lead_counts_by_how_well_its_shape_matches_the_requested_team()
    {
        // Two teams the lead led in the call's field: (u1, r1) has exactly the requested shape, 学 ×1 and 研 ×1;
        // (u2, r2) came with two enterprises that fill no slot, so 2 of its 4 members match: shape ½.
        var builder = new GraphSnapshotBuilder();
        foreach (var id in new[] { "lead", "u1", "r1", "u2", "r2", "e1", "e2" })
        {
            var kind = id[0] switch { 'u' => OrganizationKind.University, 'r' => OrganizationKind.ResearchInstitute, _ => OrganizationKind.Enterprise };
            builder.AddOrganization(id, kind, "hangzhou", ["new-materials"]);
        }
        builder.AddProject("p0", 2021, ["new-materials"], new[] { "lead", "u1", "r1" }.Select((m, k) => new GraphSnapshotBuilder.Membership(m, null, k == 0, float.NaN)));
        builder.AddProject("p1", 2022, ["new-materials"],
            new[] { "lead", "u2", "r2", "e1", "e2" }.Select((m, k) => new GraphSnapshotBuilder.Membership(m, null, k == 0, float.NaN)));
        var snapshot = builder.Build(DemoPlannerFixture.Now);
        var slots = new[] { new SlotRequest(ConsortiumRole.Academia), new SlotRequest(ConsortiumRole.Research) };
        string[][] Teams(ConsortiumPlan plan) => plan.Alternatives.Select(t => t.Members.Select(m => m.OrganizationId).Order(StringComparer.Ordinal).ToArray()).ToArray();

        var byShape = PlanOf(Request(lead: "lead", sector: "new-materials", slots: slots, weights: new ObjectiveWeights(0, 1, 0), alternatives: 2),
            new ConsortiumPlanner(snapshot, null));
        Assert.Equal([["r1", "u1"], ["r2", "u2"]], Teams(byShape));
        Assert.Equal([1.0, 0.5], byShape.Alternatives.Select(t => Math.Round(t.Parts.Cohesion, 6)));

        var unscaled = PlanOf(Request(lead: "lead", sector: "new-materials", slots: slots, weights: new ObjectiveWeights(0, 1, 0), alternatives: 2),
            new ConsortiumPlanner(snapshot, null, new PlannerOptions { CohesionByShape = false }));
        Assert.Equal([1.0, 1.0], unscaled.Alternatives.Select(t => Math.Round(t.Parts.Cohesion, 6)));

        // The same shape match as a share of fit (all of it here): the members of the well-shaped team fit 1, the others
        // ½, so the second alternative keeps one of the first team's members (¾).
        var inFit = PlanOf(Request(lead: "lead", sector: "new-materials", slots: slots, weights: new ObjectiveWeights(1, 0, 0), alternatives: 2),
            new ConsortiumPlanner(snapshot, null, new PlannerOptions { CohesionByShape = false, PastTeamInFit = 1 }));
        Assert.Equal(["r1", "u1"], Teams(inFit)[0]);
        Assert.Equal([1.0, 0.75], inFit.Alternatives.Select(t => Math.Round(t.Parts.Fit, 6)));
    }

    [Fact]
    public void Shortlists_grown_from_the_team_add_past_partners_of_its_members_and_leave_the_pairwise_baseline_alone()
    {
        var small = new PlannerOptions { PoolPerSlot = 2, PoolPerMember = 1 };
        var plain = new ConsortiumPlanner(demo.Snapshot, demo.Model, small);
        var grown = new ConsortiumPlanner(demo.Snapshot, demo.Model, small with { GrowFromTeam = 3 });
        var slots = new[] { new SlotRequest(ConsortiumRole.Academia, 2), new SlotRequest(ConsortiumRole.Research, 2), new SlotRequest(ConsortiumRole.Industry, 2) };
        var request = Request(lead: "donghua-mse", sector: "new-materials", slots: slots, alternatives: 1);

        var before = plain.PlanTeams(request);
        var after = grown.PlanTeams(request);

        Assert.Null(before.Refusal);
        Assert.Null(after.Refusal);
        var added = after.Shortlisted.Except(before.Shortlisted).ToArray();
        Assert.NotEmpty(added);
        Assert.Subset(after.Shortlisted.ToHashSet(), before.Shortlisted.ToHashSet());
        Assert.True(added.Length <= 3 * slots.Length);
        // Each added organization fills a slot and was in a past project with a member of the first team (the team the
        // planner without growth proposes: the same first search).
        var g = demo.Snapshot;
        var firstTeam = before.Teams[0].Members;
        var fillers = new[] { OrganizationKind.University, OrganizationKind.ResearchInstitute, OrganizationKind.Enterprise };
        foreach (var o in added)
        {
            Assert.Contains(g.Kinds[o], fillers);
            Assert.Contains(g.OrganizationProjects[o].ToArray(), p => firstTeam.Any(m => g.ProjectMembers[p].Contains(m)));
        }
        // The baseline ranks the candidates scored before growth; over the grown ones it may differ.
        Assert.Equal(before.Pairwise!.Members, after.Pairwise!.Members);
        Assert.NotNull(after.PairwiseOverGrown);
    }

    [Fact]
    public void The_default_cohesion_levels_are_those_chosen_on_the_tuning_year()
    {
        var d = CohesionLevels.Default;

        Assert.Equal("1/0.4/0.4/0.15/0.05/0.5/0", d.ToString());
        Assert.True(d.Valid);
        Assert.False(new CohesionLevels { JointInFields = 1.5f }.Valid);
    }
}
