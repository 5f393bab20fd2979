namespace Matchmaker.Engine.Recommendations;

/// <summary>
/// Precomputed recommendation lists, versioned by run. A run writes its lists under its own id; publishing
/// switches what readers get, for every organization in the run, in one transaction. Readers never see a mix
/// of two runs within a list, nor a run that was not published; a failed run leaves the previous lists served.
/// Two adapters: SQLite (embedded) and PostgreSQL (production), held to one contract test suite.
/// </summary>
public interface IRecommendationStore
{
    Task InitializeAsync(CancellationToken cancellationToken = default);

    Task CreateRunAsync(RecomputeRun run, CancellationToken cancellationToken = default);

    Task<RecomputeRun?> GetRunAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The right to decide whether to plan a full run, held until disposed: requests for a full run take it in turn
    /// on every process that shares this store, so one that arrives while another is planning finds that run and
    /// joins it instead of planning a second. SQLite: per file, in this process (one embedded process per file);
    /// PostgreSQL: a transaction-scoped advisory lock, across API replicas, released if the holder's connection dies.
    /// </summary>
    Task<IAsyncDisposable> HoldFullRunPlanningAsync(CancellationToken cancellationToken = default);

    Task<IReadOnlyList<RecomputeRun>> ListRunsAsync(int limit, CancellationToken cancellationToken = default);

    /// <summary>The cheapest question that proves lists can be read (readiness probes ask it every few seconds): one row at most.</summary>
    Task PingAsync(CancellationToken cancellationToken = default) => ListRunsAsync(1, cancellationToken);

    /// <summary>
    /// Writes one shard's lists. Idempotent: writing the same shard again replaces its rows and counts it once,
    /// so a shard delivered twice (Hangfire delivers at least once) leaves exactly the same state.
    /// Returns the run with its progress after this shard.
    /// </summary>
    Task<RecomputeRun> WriteShardAsync(string runId, ShardResult shard, CancellationToken cancellationToken = default);

    /// <summary>
    /// Switches readers to this run's lists once all its shards are written. Idempotent and safe to race: only the
    /// first caller publishes. A full run also stops serving lists of organizations it did not compute (deleted),
    /// unless that would be more than <paramref name="maxDroppedShare"/> of the lists served now (and any are): then
    /// the run is marked failed with the reason, in the same transaction, and nothing it computed is served.
    /// Returns false when shards are missing, the run is not running, or it was refused.
    /// </summary>
    Task<bool> TryPublishAsync(string runId, DateTimeOffset now, double maxDroppedShare = 1, CancellationToken cancellationToken = default);

    Task FailRunAsync(string runId, string error, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>The list readers get now, or null when none was ever published for the organization.</summary>
    Task<RecommendationList?> GetCurrentAsync(string organizationId, CancellationToken cancellationToken = default);

    /// <summary>As <see cref="GetCurrentAsync"/>, with the items as stored JSON (the fast path for serving lists).</summary>
    Task<StoredListJson?> GetCurrentJsonAsync(string organizationId, CancellationToken cancellationToken = default);

    /// <summary>
    /// A short value that changes whenever a run is published, that is whenever any organization's served list may have
    /// changed (one small query over the runs, no lists read). Readers that keep pages in memory compare it to know when
    /// to drop them.
    /// </summary>
    Task<string> GetPublicationStampAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes lists of runs no reader can reach any more. Returns the number of lists deleted.</summary>
    Task<int> PruneAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Records that organizations changed. Returns true for exactly one caller until the next
    /// <see cref="TakeChangedAsync"/>: that caller schedules the recompute, so a burst of edits queues one job.
    /// </summary>
    /// <param name="structural">True when projects or ties changed (or organizations were deleted), which needs a snapshot
    /// rebuild; false for attribute edits, which are patched.</param>
    Task<bool> MarkChangedAsync(IReadOnlyCollection<string> organizationIds, bool structural, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records, before a graph write, that organizations are about to change. The graph and this store are two
    /// databases (Neo4j and PostgreSQL, or two SQLite files), so the change is recorded first: a write is never
    /// applied without its change record. The record is held back from <see cref="TakeChangedAsync"/> (so that a
    /// recompute does not read the graph before the write) until <see cref="EndChangeAsync"/> or until
    /// <paramref name="due"/>, whichever comes first; recomputing an organization whose write failed changes nothing.
    /// </summary>
    Task BeginChangeAsync(IReadOnlyCollection<string> organizationIds, bool structural, DateTimeOffset now, DateTimeOffset due, CancellationToken cancellationToken = default);

    /// <summary>
    /// Ends a change begun by <see cref="BeginChangeAsync"/>, whether its write was applied or failed: the record
    /// becomes takeable. Returns true as <see cref="MarkChangedAsync"/> does, for the caller that schedules the recompute.
    /// </summary>
    Task<bool> EndChangeAsync(IReadOnlyCollection<string> organizationIds, bool structural, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes (and clears) every recorded change not held back by a write in progress, and lets the next change
    /// schedule a new job. <see cref="ChangeSet.HeldBack"/> counts the changes left.
    /// </summary>
    Task<ChangeSet> TakeChangedAsync(CancellationToken cancellationToken = default);

    /// <summary>Organizations whose change is recorded and not yet taken by a recompute (writes in progress included): the incremental recompute's backlog.</summary>
    Task<int> CountChangedAsync(CancellationToken cancellationToken = default);
}

/// <summary>
/// Organizations changed since the last recompute; <see cref="Structural"/> when any change touched projects or ties;
/// <see cref="HeldBack"/> changes whose writes were still in progress (taken by a later job).
/// </summary>
/// <summary>The reason a full run is refused for dropping too many served lists, shared by the store adapters.</summary>
public static class PublishGuard
{
    public static bool Refuses(long served, long dropped, double maxDroppedShare) => served > 0 && maxDroppedShare < 1 && dropped > maxDroppedShare * served;

    // Every part keeps its $: together they are one interpolated string, which string.Create formats with the invariant culture.
    public static string Reason(long served, long dropped, double maxDroppedShare) => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"not published: it would stop serving {dropped} of the {served} lists served now ({(double)dropped / served:P0}), more than " +
        $"Recompute:MaxDroppedListShare ({maxDroppedShare:P0}) allows; the previous lists stay served. Check the graph store (an empty or wrong database?), or " +
        $"raise the share if the organizations were really removed.");
}

public sealed record ChangeSet(IReadOnlyList<string> OrganizationIds, bool Structural, int HeldBack = 0);
