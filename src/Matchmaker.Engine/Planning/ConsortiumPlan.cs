using Matchmaker.Engine.Recommendations;

namespace Matchmaker.Engine.Planning;

/// <summary>
/// A saved consortium plan: the request as the planner understood it, the objective it maximized, and the
/// alternative teams, best first. This is also the wire and storage shape (codes, not enums).
/// </summary>
public sealed record ConsortiumPlan(
    string Id,
    DateTimeOffset CreatedAt,
    string LeadId,
    CandidateSummary Lead,
    IReadOnlyList<string> Sectors,
    string? SubField,
    string? Challenge,
    IReadOnlyList<PlannedSlot> Slots,
    PlannedConstraints Constraints,
    PlanObjective Objective,
    string ModelVersion,
    int AlternativesRequested,
    IReadOnlyList<TeamAlternative> Alternatives,
    IReadOnlyList<string> Notes);

/// <summary>A slot as planned: index (members name it), role code and Chinese, count, kinds that may fill it.</summary>
public sealed record PlannedSlot(int Index, string Role, string RoleZh, int Count, IReadOnlyList<string> Kinds, bool KindsFromRole);

public sealed record PlannedConstraints(IReadOnlyList<string> Cities, IReadOnlyList<string> Include, IReadOnlyList<string> Exclude, int? MaxPerCity, int? MaxSize);

/// <summary>
/// The weights applied (after parts that cannot be measured for this plan dropped out, summing to 1), the
/// difference every alternative keeps from the earlier ones, and the need items the coverage part counts.
/// </summary>
public sealed record PlanObjective(double FitWeight, double CohesionWeight, double CoverageWeight, int MinDifference, IReadOnlyList<string> Needs);

/// <summary>One proposed team: its objective and parts (each in [0, 1]), members per slot, needs covered or not, ties inside it.</summary>
public sealed record TeamAlternative(
    int Rank,
    double Score,
    ScoreParts Parts,
    IReadOnlyList<TeamMember> Members,
    IReadOnlyList<string> CoveredNeeds,
    IReadOnlyList<string> UncoveredNeeds,
    IReadOnlyList<TeamTie> Ties,
    int? DiffersFromEarlierBy);

public sealed record ScoreParts(double Fit, double Cohesion, double Coverage);

/// <summary>
/// A member: the slot it fills, its fit to the lead (0-1), its mean cohesion with the other members (0-1), the
/// need items it covers, and reasons in Chinese and English with evidence.
/// </summary>
public sealed record TeamMember(
    int Slot,
    string Role,
    string OrganizationId,
    CandidateSummary Organization,
    double Fit,
    double Cohesion,
    IReadOnlyList<string> CoveredNeeds,
    IReadOnlyList<Reason> Reasons);

/// <summary>An existing link between two members: joint projects, a typed tie, or shared partners (with their count).</summary>
public sealed record TeamTie(string A, string B, string Kind, int Count);

/// <summary>Why the planner gave no plan: the request contradicts the graph (<see cref="PlanRefusalKind.Invalid"/>) or no team
/// can satisfy it (<see cref="PlanRefusalKind.Impossible"/>).</summary>
public enum PlanRefusalKind
{
    Invalid,
    Impossible,
}

/// <summary>A refusal naming each offending field (<c>slots[2]</c>, <c>constraints.include[0]</c>) and why.</summary>
public sealed record PlanRefusal(PlanRefusalKind Kind, string Title, IReadOnlyDictionary<string, string[]> Errors)
{
    public string Detail => string.Join(" ", Errors.Select(e => $"{e.Key}: {string.Join("; ", e.Value)}."));
}

/// <summary>Either a plan or the reason there is none (expected outcomes are returned, not thrown).</summary>
public sealed record PlanOutcome(ConsortiumPlan? Plan, PlanRefusal? Refusal)
{
    public static PlanOutcome Of(ConsortiumPlan plan) => new(plan, null);

    public static PlanOutcome Refused(PlanRefusalKind kind, string title, IReadOnlyDictionary<string, string[]> errors) => new(null, new PlanRefusal(kind, title, errors));
}
