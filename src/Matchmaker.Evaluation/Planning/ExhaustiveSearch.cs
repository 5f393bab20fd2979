namespace Matchmaker.Engine.Planning;

/// <summary>
/// The exact optimum of a small <see cref="PlanningProblem"/> by enumerating every feasible team (members of a
/// slot in increasing candidate order, so each assignment is visited once) and evaluating the objective from
/// scratch. Exponential: for tests and for judging <see cref="TeamSearch"/> on instances small enough to
/// enumerate, never for serving.
/// </summary>
public static class ExhaustiveSearch
{
    /// <summary>The best team that differs from each of <paramref name="previous"/> in at least <paramref name="minDifference"/> members, or null.</summary>
    public static Team? Solve(PlanningProblem problem, IReadOnlyList<Team>? previous = null, int minDifference = 0, long maxTeams = 50_000_000)
    {
        previous ??= [];
        var positions = Enumerable.Range(0, problem.SlotCount).SelectMany(s => Enumerable.Repeat(s, problem.SlotCounts[s])).ToArray();
        var members = new int[positions.Length];
        var used = new bool[problem.CandidateCount];
        var cities = new int[problem.CityCount];
        var maxOverlap = problem.TeamSize - minDifference;
        Team? best = null;
        long visited = 0;

        void Visit(int position)
        {
            if (position == positions.Length)
            {
                if (++visited > maxTeams) throw new InvalidOperationException($"more than {maxTeams} teams: the instance is too large to enumerate");
                if (problem.Included.Any(c => !used[c])) return;
                if (previous.Any(t => t.Members.Count(m => used[m]) > maxOverlap)) return;
                var parts = problem.Evaluate(members);
                if (best is null || parts.Total > best.Objective) best = new Team((int[])members.Clone(), (int[])positions.Clone(), parts);
                return;
            }
            var slot = positions[position];
            var from = position > 0 && positions[position - 1] == slot ? members[position - 1] + 1 : 0;
            for (var c = from; c < problem.CandidateCount; c++)
            {
                if (used[c] || !problem.Eligible(c, slot)) continue;
                if (problem.MaxPerCity is { } cap && cities[problem.Cities[c]] >= cap) continue;
                used[c] = true;
                cities[problem.Cities[c]]++;
                members[position] = c;
                Visit(position + 1);
                used[c] = false;
                cities[problem.Cities[c]]--;
            }
        }

        Visit(0);
        return best;
    }
}
