using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Graph;
using Microsoft.Extensions.Logging;

namespace Matchmaker.Engine.Recommendations;

/// <summary>
/// The current <see cref="GraphSnapshot"/> of this process, built on first use and rebuilt after
/// <see cref="Invalidate"/>. Concurrent callers share one build. Readers keep the snapshot they got, so a rebuild
/// never changes data under a running computation.
/// </summary>
public sealed class SnapshotSource(IGraphStore store, TimeProvider time, ILogger<SnapshotSource> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    // The snapshot and the version it was built for change together, as one reference, so that a lock-free
    // reader never pairs a new version with an old snapshot.
    private volatile Built? _current;
    private long _version;

    private sealed record Built(GraphSnapshot Snapshot, long Version);

    /// <summary>Marks the snapshot stale; the next <see cref="GetAsync"/> rebuilds it.</summary>
    public void Invalidate() => Interlocked.Increment(ref _version);

    /// <summary>
    /// Applies attribute edits (and new organizations) to the current snapshot without a rebuild. When there is
    /// no current snapshot, or it is stale anyway, this builds one from the store (which includes the edits).
    /// </summary>
    public async Task<GraphSnapshot> PatchAsync(IReadOnlyCollection<Organization> organizations, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_current is { } current && current.Version == Interlocked.Read(ref _version))
            {
                var patched = current.Snapshot.WithOrganizations(organizations, time.GetUtcNow());
                _current = current with { Snapshot = patched };
                return patched;
            }
        }
        finally
        {
            _gate.Release();
        }
        return await GetAsync(cancellationToken);
    }

    public async Task<GraphSnapshot> GetAsync(CancellationToken cancellationToken = default)
    {
        var wanted = Interlocked.Read(ref _version);
        if (_current is { } fresh && fresh.Version == wanted) return fresh.Snapshot;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            wanted = Interlocked.Read(ref _version);
            if (_current is { } built && built.Version == wanted) return built.Snapshot;
            var started = time.GetTimestamp();
            var snapshot = await GraphSnapshot.BuildAsync(store, time, cancellationToken);
            logger.LogInformation("Built graph snapshot: {Organizations} organizations, {Projects} projects, {Edges} partner edges in {Seconds:F2} s",
                snapshot.OrganizationCount, snapshot.ProjectCount, snapshot.Partners.EdgeCount, time.GetElapsedTime(started).TotalSeconds);
            _current = new Built(snapshot, wanted);
            return snapshot;
        }
        finally
        {
            _gate.Release();
        }
    }
}
