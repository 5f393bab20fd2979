using Matchmaker.Engine.Planning;
using Xunit.Abstractions;

namespace Matchmaker.Engine.Tests.Planning;

/// <summary>The search against the exact optimum on random instances small enough to enumerate (figures in docs/planner.md).</summary>
public sealed class TeamSearchTests(ITestOutputHelper output)
{
    private const int Instances = 300;

    [Fact]
    public void On_random_small_instances_the_search_reaches_the_exact_optimum_in_most_cases_and_98_percent_on_average()
    {
        double ratioSum = 0;
        int optimal = 0, solved = 0;
        foreach (var seed in Enumerable.Range(1, Instances))
        {
            var problem = RandomInstances.Create(seed);
            var exact = ExhaustiveSearch.Solve(problem);
            var found = TeamSearch.Solve(problem, [], 0);
            if (exact is null)
            {
                Assert.Null(found); // no feasible team: the search must not invent one
                continue;
            }
            Assert.NotNull(found);
            Assert.True(problem.IsFeasible(found), $"seed {seed}: infeasible team");
            Assert.True(found.Objective <= exact.Objective + 1e-9, $"seed {seed}: above the optimum");
            Assert.Equal(problem.Evaluate(found.Members).Total, found.Objective, 9);
            solved++;
            ratioSum += found.Objective / exact.Objective;
            if (found.Objective >= exact.Objective - 1e-9) optimal++;
        }
        var mean = ratioSum / solved;
        output.WriteLine($"{solved} feasible instances: mean ratio {mean:F5}, optimum in {optimal} ({100.0 * optimal / solved:F1} %)");
        Assert.True(solved >= 250, $"only {solved} feasible instances");
        Assert.True(mean >= 0.995, $"mean ratio {mean:F5}");
        Assert.True(optimal >= solved * 0.95, $"optimum in {optimal} of {solved}");
    }

    [Fact]
    public void Each_alternative_differs_from_the_earlier_ones_and_is_near_the_optimum_under_that_rule()
    {
        double ratioSum = 0;
        int optimal = 0, compared = 0;
        foreach (var seed in Enumerable.Range(1, 150))
        {
            var problem = RandomInstances.Create(seed);
            var teams = TeamSearch.Alternatives(problem, 3);
            var difference = problem.MinDifference;
            for (var i = 0; i < teams.Count; i++)
            {
                Assert.True(problem.IsFeasible(teams[i]));
                for (var j = 0; j < i; j++) Assert.True(teams[i].DifferenceFrom(teams[j]) >= difference, $"seed {seed}: alternative {i + 1} too close to {j + 1}");
                if (i == 0) continue;
                var exact = ExhaustiveSearch.Solve(problem, teams.Take(i).ToArray(), difference);
                Assert.NotNull(exact);
                Assert.True(teams[i].Objective <= exact.Objective + 1e-9);
                compared++;
                ratioSum += teams[i].Objective / exact.Objective;
                if (teams[i].Objective >= exact.Objective - 1e-9) optimal++;
            }
            // Fewer than three only when the rule leaves no further team (checked exactly).
            if (teams.Count is > 0 and < 3 && difference > 0)
            {
                Assert.Null(ExhaustiveSearch.Solve(problem, teams, difference));
            }
        }
        var mean = ratioSum / compared;
        output.WriteLine($"{compared} later alternatives: mean ratio {mean:F5} of the optimum under the difference rule, optimum in {optimal} ({100.0 * optimal / compared:F1} %)");
        Assert.True(compared >= 150);
        Assert.True(mean >= 0.98, $"mean ratio {mean:F5}");
        Assert.True(optimal >= compared * 0.8, $"optimum in {optimal} of {compared}");
    }

    [Fact]
    public void A_city_cap_and_an_included_candidate_are_honoured_even_when_they_cost_objective()
    {
        // Two slots of two; the four best candidates all sit in city 0 and fit each other.
        var fit = new float[] { 0.9f, 0.9f, 0.9f, 0.9f, 0.3f, 0.3f, 0.3f, 0.2f };
        var cities = new[] { 0, 0, 0, 0, 1, 1, 2, 2 };
        var masks = new uint[] { 1, 1, 2, 2, 1, 2, 1, 2 };
        var cohesion = new float[64];
        for (var a = 0; a < 4; a++)
        {
            for (var b = 0; b < 4; b++) cohesion[a * 8 + b] = a == b ? 0 : 1;
        }
        var terms = Enumerable.Repeat(Array.Empty<int>(), 8).ToArray();
        var free = new PlanningProblem([2, 2], masks, cities, fit, cohesion, terms, [], ObjectiveWeights.Default);
        Assert.Equal([0, 1, 2, 3], TeamSearch.Solve(free, [], 0)!.Members.Order());

        var capped = new PlanningProblem([2, 2], masks, cities, fit, cohesion, terms, [], ObjectiveWeights.Default, included: [7], maxPerCity: 2);
        var team = TeamSearch.Solve(capped, [], 0)!;
        Assert.Contains(7, team.Members);
        Assert.All(team.Members.GroupBy(m => cities[m]), g => Assert.True(g.Count() <= 2));
        Assert.True(capped.IsFeasible(team));
        Assert.Equal(ExhaustiveSearch.Solve(capped)!.Objective, team.Objective, 9);
    }

    [Fact]
    public void No_team_is_returned_when_the_constraints_leave_none()
    {
        var masks = new uint[] { 1, 1, 2 };
        var problem = new PlanningProblem([2, 1], masks, [0, 0, 0], [0.5f, 0.5f, 0.5f], new float[9], [[], [], []], [], ObjectiveWeights.Default, maxPerCity: 2);

        Assert.Null(TeamSearch.Solve(problem, [], 0));
        Assert.Null(ExhaustiveSearch.Solve(problem));
    }
}
