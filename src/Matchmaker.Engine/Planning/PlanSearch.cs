namespace Matchmaker.Engine.Planning;

/// <summary>
/// The shortlists one plan is searched in, indexed by the problem's candidate numbers: each candidate's organization
/// (compact id of the snapshot) and its fit before standardization (the lead's model score, or the heuristic's).
/// </summary>
public sealed record PlanShortlists(PlanningProblem Problem, IReadOnlyList<int> Organizations, IReadOnlyList<float> Fit)
{
    /// <summary>The same plan's shortlists before they grew from the team (null when they did not grow).</summary>
    public PlanShortlists? Ungrown { get; init; }
}

/// <summary>What <see cref="ConsortiumPlanner.SearchTeams"/> found: the teams and their shortlists, or the refusal (then no shortlists).</summary>
public sealed record PlanSearch(PlanShortlists? Shortlists, IReadOnlyList<Team> Teams, PlanRefusal? Refusal);
