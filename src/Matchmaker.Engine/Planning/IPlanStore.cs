namespace Matchmaker.Engine.Planning;

/// <summary>
/// Saved consortium plans, each owned by the API key that made it. Adapters: <see cref="SqlitePlanStore"/>,
/// <see cref="PostgresPlanStore"/>.
/// </summary>
public interface IPlanStore
{
    Task InitializeAsync(CancellationToken cancellationToken = default);

    /// <summary>Stores a new plan for <paramref name="keyId"/>; plans are never changed after they are saved.</summary>
    Task SaveAsync(ConsortiumPlan plan, string keyId, CancellationToken cancellationToken = default);

    /// <summary>The plan, or null when no plan has this id or another key made it (the two look the same).</summary>
    Task<ConsortiumPlan?> FindAsync(string planId, string keyId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The newest plans (at most <paramref name="limit"/>, newest first; ties by id) with <paramref name="leadId"/> as
    /// lead, whichever key made them: what the lead organization is working on, as delivery sees it (<see cref="SavedPlanGaps"/>).
    /// </summary>
    Task<IReadOnlyList<ConsortiumPlan>> ListByLeadAsync(string leadId, int limit, CancellationToken cancellationToken = default);
}
