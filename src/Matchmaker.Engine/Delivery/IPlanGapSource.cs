using Matchmaker.Engine.Domain;

namespace Matchmaker.Engine.Delivery;

/// <summary>A role slot that an organization's saved consortium plan has not filled yet.</summary>
public sealed record PlanGap(string PlanId, string PlanName, ConsortiumRole Role);

/// <summary>
/// The consortium plans an organization has saved, seen from delivery: the role slots they lack. Optional: when no
/// source is registered, weekly lists have no gap section.
/// </summary>
public interface IPlanGapSource
{
    Task<IReadOnlyList<PlanGap>> GetGapsAsync(string organizationId, CancellationToken cancellationToken = default);
}
