namespace Matchmaker.Engine.Planning;

public sealed record PlannerOptions
{
    /// <summary>Candidates kept per slot for the search, at least (the best by fit to the lead).</summary>
    public int PoolPerSlot { get; init; } = 12;
    /// <summary>... and at least this many per member the slot asks for.</summary>
    public int PoolPerMember { get; init; } = 4;
    /// <summary>Need terms offered by more than this share of organizations tell nobody apart and are left out.</summary>
    public double MaxTermShare { get; init; } = 0.25;
    /// <summary>The most members a plan may ask for.</summary>
    public int MaxTeamSize { get; init; } = PlanRequest.MaxTeamSize;
    public SearchOptions Search { get; init; } = SearchOptions.Default;
    /// <summary>Standardize the model's scores over every scored candidate of the lead instead of the shortlisted ones.</summary>
    public bool FitOverAllScored { get; init; }
    /// <summary>Also shortlist every scored member of the lead's past projects in the call's fields that the lead led.</summary>
    public bool PoolFromLedTeams { get; init; }
    /// <summary>The cohesion of two candidates by the closest past work between them (see <see cref="CohesionLevels"/>).</summary>
    public CohesionLevels Cohesion { get; init; } = CohesionLevels.Default;
    /// <summary>Standardize the model's scores per organization kind (each kind against its own kind), not over all kinds at once.</summary>
    public bool FitByKind { get; init; }
    /// <summary>
    /// Grow the shortlists from the team: after a first search, up to this many organizations per slot that worked with
    /// the placed members (closest past work first, by the cohesion levels) are scored for the lead, shortlisted, and
    /// the search runs again. 0: no growth.
    /// </summary>
    public int GrowFromTeam { get; init; }
    /// <summary>
    /// Share λ of a member's fit given by the past team of the lead it was in that best matches the requested team's
    /// shape (<see cref="ConsortiumPlanner"/>: members that fill the slots, over the larger of the two sizes), times
    /// that team's level in <see cref="CohesionLevels"/>: fit = (1 − λ)·σ(z) + λ·level·shape. 0: off.
    /// </summary>
    public float PastTeamInFit { get; init; }
    /// <summary>
    /// Scale the cohesion level of a past project of the lead by how well its team matches the requested team's shape
    /// (see <see cref="CohesionLevels"/>): a past team that had the slots' kinds in the slots' numbers is the one most
    /// likely to re-form. On by default (chosen on the CORDIS tuning year, docs/planner.md).
    /// </summary>
    public bool CohesionByShape { get; init; } = true;
}
