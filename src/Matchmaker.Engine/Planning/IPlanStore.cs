namespace Matchmaker.Engine.Planning;

/// <summary>
/// Saved consortium plans, each owned by the API key that made it. Adapters: <see cref="Sqlite.SqlitePlanStore"/>,
/// <see cref="Postgres.PostgresPlanStore"/>.
/// </summary>
public interface IPlanStore
{
    Task InitializeAsync(CancellationToken cancellationToken = default);

    /// <summary>Stores a new plan for <paramref name="keyId"/>; plans are never changed after they are saved.</summary>
    Task SaveAsync(ConsortiumPlan plan, string keyId, CancellationToken cancellationToken = default);

    /// <summary>
    /// In one transaction: deletes every plan (of any key) made before <paramref name="keepSince"/>, then stores the
    /// plan unless <paramref name="keyId"/> already has <paramref name="maxPerKey"/> plans. When refused,
    /// <see cref="PlanSaveResult.OldestKept"/> is when the key's oldest plan was made (it expires first).
    /// </summary>
    Task<PlanSaveResult> SaveWithinQuotaAsync(ConsortiumPlan plan, string keyId, int maxPerKey, DateTimeOffset keepSince, CancellationToken cancellationToken = default);

    /// <summary>
    /// The plan, or null when no plan has this id, another key made it, or it was made before <paramref name="keepSince"/>
    /// (expired, though not yet deleted: deletion happens when a plan is saved). The three look the same.
    /// </summary>
    Task<ConsortiumPlan?> FindAsync(string planId, string keyId, DateTimeOffset? keepSince = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// The newest plans (at most <paramref name="limit"/>, newest first; ties by id) with <paramref name="leadId"/> as
    /// lead, whichever key made them: what the lead organization is working on, as delivery sees it (<see cref="SavedPlanGaps"/>).
    /// </summary>
    Task<IReadOnlyList<ConsortiumPlan>> ListByLeadAsync(string leadId, int limit, CancellationToken cancellationToken = default);
}

/// <summary>Whether a plan was saved; when not, when the key's oldest kept plan was made.</summary>
public sealed record PlanSaveResult(bool Saved, DateTimeOffset? OldestKept);

/// <summary>Limits on saved plans (section <c>Plans</c>): any plan key creates them, so they are counted and expire.</summary>
public sealed class PlanOptions
{
    public const string Section = "Plans";

    /// <summary>Plans one key may keep; beyond it 429 until its oldest expires.</summary>
    public int MaxSavedPerKey { get; set; } = 200;

    /// <summary>Days a saved plan is kept; older ones are deleted when any plan is saved.</summary>
    public int RetentionDays { get; set; } = 90;
}
