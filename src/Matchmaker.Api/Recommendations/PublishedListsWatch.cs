using Matchmaker.Engine.Recommendations;

namespace Matchmaker.Api.Recommendations;

/// <summary>
/// The recommendation store as this process sees it, with a generation number that moves whenever the served lists may
/// have changed: at once when a run is published through this process (the embedded mode's job server runs here), and
/// within <see cref="CheckInterval"/> when another process publishes (worker hosts in production), found by reading the
/// store's publication stamp at most once per interval. Pages kept in memory are valid for one generation.
/// </summary>
internal sealed class PublishedListsWatch(IRecommendationStore inner, TimeProvider time) : IRecommendationStore
{
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _check = new(1, 1);
    private long _generation;
    private long _checkedAt; // timestamp of the last stamp read; 0 = never
    private string? _stamp;

    /// <summary>
    /// The current generation. Read it before reading a list: a list read afterwards is at least as new as the
    /// generation says, so a page tagged with it is never newer than its tag claims.
    /// </summary>
    public Task PingAsync(CancellationToken cancellationToken = default) => inner.PingAsync(cancellationToken);

    public async ValueTask<long> GetGenerationAsync(CancellationToken cancellationToken)
    {
        var checkedAt = Interlocked.Read(ref _checkedAt);
        if (checkedAt != 0 && time.GetElapsedTime(checkedAt) < CheckInterval) return Interlocked.Read(ref _generation);
        if (!await _check.WaitAsync(0, cancellationToken))
        {
            // Another request is reading the stamp: go on with a generation at most one interval old, except before
            // the first read, which everyone waits for.
            if (checkedAt != 0) return Interlocked.Read(ref _generation);
            await _check.WaitAsync(cancellationToken);
        }
        try
        {
            checkedAt = Interlocked.Read(ref _checkedAt);
            if (checkedAt == 0 || time.GetElapsedTime(checkedAt) >= CheckInterval)
            {
                var stamp = await inner.GetPublicationStampAsync(cancellationToken);
                if (!string.Equals(stamp, _stamp, StringComparison.Ordinal))
                {
                    _stamp = stamp;
                    Interlocked.Increment(ref _generation);
                }
                Interlocked.Exchange(ref _checkedAt, time.GetTimestamp());
            }
        }
        finally
        {
            _check.Release();
        }
        return Interlocked.Read(ref _generation);
    }

    public async Task<bool> TryPublishAsync(string runId, DateTimeOffset now, double maxDroppedShare = 1, CancellationToken cancellationToken = default)
    {
        var published = await inner.TryPublishAsync(runId, now, maxDroppedShare, cancellationToken);
        // After the commit: a reader that sees the new generation reads the new lists.
        if (published) Interlocked.Increment(ref _generation);
        return published;
    }

    public Task InitializeAsync(CancellationToken cancellationToken = default) => inner.InitializeAsync(cancellationToken);

    public Task CreateRunAsync(RecomputeRun run, CancellationToken cancellationToken = default) => inner.CreateRunAsync(run, cancellationToken);

    public Task<IAsyncDisposable> HoldFullRunPlanningAsync(CancellationToken cancellationToken = default) => inner.HoldFullRunPlanningAsync(cancellationToken);

    public Task<RecomputeRun?> GetRunAsync(string runId, CancellationToken cancellationToken = default) => inner.GetRunAsync(runId, cancellationToken);

    public Task<IReadOnlyList<RecomputeRun>> ListRunsAsync(int limit, CancellationToken cancellationToken = default) => inner.ListRunsAsync(limit, cancellationToken);

    public Task<RecomputeRun> WriteShardAsync(string runId, ShardResult shard, CancellationToken cancellationToken = default) =>
        inner.WriteShardAsync(runId, shard, cancellationToken);

    public Task FailRunAsync(string runId, string error, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        inner.FailRunAsync(runId, error, now, cancellationToken);

    public Task<RecommendationList?> GetCurrentAsync(string organizationId, CancellationToken cancellationToken = default) =>
        inner.GetCurrentAsync(organizationId, cancellationToken);

    public Task<StoredListJson?> GetCurrentJsonAsync(string organizationId, CancellationToken cancellationToken = default) =>
        inner.GetCurrentJsonAsync(organizationId, cancellationToken);

    public Task<string> GetPublicationStampAsync(CancellationToken cancellationToken = default) => inner.GetPublicationStampAsync(cancellationToken);

    public Task<int> PruneAsync(CancellationToken cancellationToken = default) => inner.PruneAsync(cancellationToken);

    public Task<bool> MarkChangedAsync(IReadOnlyCollection<string> organizationIds, bool structural, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        inner.MarkChangedAsync(organizationIds, structural, now, cancellationToken);

    public Task BeginChangeAsync(IReadOnlyCollection<string> organizationIds, bool structural, DateTimeOffset now, DateTimeOffset due,
        CancellationToken cancellationToken = default) =>
        inner.BeginChangeAsync(organizationIds, structural, now, due, cancellationToken);

    public Task<bool> EndChangeAsync(IReadOnlyCollection<string> organizationIds, bool structural, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        inner.EndChangeAsync(organizationIds, structural, now, cancellationToken);

    public Task<ChangeSet> TakeChangedAsync(CancellationToken cancellationToken = default) => inner.TakeChangedAsync(cancellationToken);

    public Task<int> CountChangedAsync(CancellationToken cancellationToken = default) => inner.CountChangedAsync(cancellationToken);
}
