namespace Matchmaker.Engine.Planning;

/// <summary>A team as compact organization ids of the snapshot, with the slot each fills.</summary>
public sealed record PlannedTeam(int[] Members, int[] Slots);

/// <summary>The planner's teams, the pairwise baseline and the shortlisted organizations for one request, or the refusal.</summary>
/// <remarks>
/// <see cref="Pairwise"/> ranks the candidates scored before the shortlists grow from the team (the baseline);
/// <see cref="PairwiseOverGrown"/> ranks every scored candidate, grown ones included (the same team when nothing grew).
/// </remarks>
public sealed record PlannedTeams(IReadOnlyList<PlannedTeam> Teams, PlannedTeam? Pairwise, IReadOnlyList<int> Shortlisted, PlanRefusal? Refusal)
{
    public PlannedTeam? PairwiseOverGrown { get; init; }
}

/// <summary>The planner against its pairwise baseline, both on the planner's own shortlists.</summary>
public static class PlannerBaselines
{
    /// <summary>
    /// The teams as compact organization ids with their slots, without explanations, and the pairwise baseline on
    /// the same shortlists: each slot filled, in order, by the lead's best-scored organizations that can fill it and
    /// are not taken yet (the same model's pair scores; no cohesion, no coverage, no search).
    /// </summary>
    public static PlannedTeams PlanTeams(this ConsortiumPlanner planner, PlanRequest request)
    {
        var searched = planner.SearchTeams(request);
        if (searched.Refusal is { } refusal) return new PlannedTeams([], null, [], refusal);
        var shortlists = searched.Shortlists!;
        var orgs = shortlists.Organizations;
        return new PlannedTeams(searched.Teams.Select(t => new PlannedTeam(t.Members.Select(m => orgs[m]).ToArray(), t.Slots)).ToArray(),
            Pairwise(shortlists.Ungrown ?? shortlists), orgs, null)
        {
            PairwiseOverGrown = Pairwise(shortlists),
        };
    }

    /// <summary>Each slot filled in order by the best-fitting eligible candidates not taken yet.</summary>
    public static PlannedTeam Pairwise(PlanShortlists shortlists)
    {
        var problem = shortlists.Problem;
        var order = Enumerable.Range(0, problem.CandidateCount).OrderByDescending(c => shortlists.Fit[c]).ThenBy(c => shortlists.Organizations[c]).ToArray();
        var used = new bool[problem.CandidateCount];
        var members = new List<int>();
        var slots = new List<int>();
        for (var s = 0; s < problem.SlotCount; s++)
        {
            var taken = 0;
            foreach (var c in order)
            {
                if (taken == problem.SlotCounts[s]) break;
                if (used[c] || !problem.Eligible(c, s)) continue;
                used[c] = true;
                members.Add(shortlists.Organizations[c]);
                slots.Add(s);
                taken++;
            }
        }
        return new PlannedTeam(members.ToArray(), slots.ToArray());
    }
}
