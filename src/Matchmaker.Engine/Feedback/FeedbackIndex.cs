namespace Matchmaker.Engine.Feedback;

/// <summary>
/// Which organizations take part in any feedback, kept in memory so that reading the lists of the (many) organizations
/// without feedback costs no query. Feedback given through this process is known at once; feedback given through
/// other replicas within <see cref="RefreshInterval"/> (the index reads the pairs whose latest feedback is new, with an
/// overlap so that rows committed out of sequence order are not missed, and re-reads every pair every
/// <see cref="FullReloadInterval"/>).
/// </summary>
public sealed class FeedbackIndex(IFeedbackStore store, TimeProvider time)
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan FullReloadInterval = TimeSpan.FromMinutes(5);
    private const long Overlap = 10_000;

    private readonly SemaphoreSlim _refresh = new(1, 1);
    private readonly Lock _lock = new();
    private HashSet<string> _involved = new(StringComparer.Ordinal);
    private long _maxSequence;
    // Timestamps of the last refresh and full reload; 0 = never.
    private long _checkedAt;
    private long _reloadedAt;

    /// <summary>The organization's feedback state; no query when it takes part in no feedback.</summary>
    public async ValueTask<FeedbackState> GetStateAsync(string organizationId, CancellationToken cancellationToken = default)
    {
        await RefreshIfStaleAsync(cancellationToken);
        bool involved;
        lock (_lock) involved = _involved.Contains(organizationId);
        return involved ? await store.GetStateAsync(organizationId, cancellationToken) : FeedbackState.Empty(organizationId);
    }

    /// <summary>Feedback written through this process: both sides are known at once.</summary>
    public void Record(FeedbackEntry entry)
    {
        lock (_lock)
        {
            _involved.Add(entry.OrganizationId);
            _involved.Add(entry.CandidateId);
        }
    }

    private bool IsFresh(long at, TimeSpan interval) => at != 0 && time.GetElapsedTime(at) < interval;

    private async ValueTask RefreshIfStaleAsync(CancellationToken cancellationToken)
    {
        if (IsFresh(Interlocked.Read(ref _checkedAt), RefreshInterval)) return;
        if (!await _refresh.WaitAsync(0, cancellationToken))
        {
            // Another request is refreshing. Until the first refresh has finished, wait for it; afterwards the index
            // is at most one interval old and this request goes on with it.
            if (Interlocked.Read(ref _checkedAt) != 0) return;
            await _refresh.WaitAsync(cancellationToken);
        }
        try
        {
            if (IsFresh(Interlocked.Read(ref _checkedAt), RefreshInterval)) return;
            var full = !IsFresh(_reloadedAt, FullReloadInterval);
            var (organizations, max) = await store.InvolvedSinceAsync(full ? 0 : Math.Max(0, _maxSequence - Overlap), cancellationToken);
            lock (_lock)
            {
                if (full)
                {
                    var fresh = new HashSet<string>(organizations, StringComparer.Ordinal);
                    // Keep what this process recorded meanwhile (its rows may not have been visible to the read yet).
                    fresh.UnionWith(_involved);
                    _involved = fresh;
                }
                else
                {
                    _involved.UnionWith(organizations);
                }
                _maxSequence = Math.Max(_maxSequence, max);
            }
            if (full) _reloadedAt = time.GetTimestamp();
            Interlocked.Exchange(ref _checkedAt, time.GetTimestamp());
        }
        finally
        {
            _refresh.Release();
        }
    }
}
