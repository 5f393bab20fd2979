using Matchmaker.Engine.Access;

namespace Matchmaker.Api.Access;

/// <summary>
/// The origins any active key allows, for answering CORS preflights, which carry no key. Read from the key store and
/// kept for <see cref="Lifetime"/>; key changes on this replica refresh it at once, other replicas within the lifetime.
/// </summary>
public sealed class KeyOrigins(IApiKeyStore store, TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _refresh = new(1, 1);
    private volatile Snapshot? _snapshot;

    private sealed record Snapshot(HashSet<string> Origins, DateTimeOffset ReadAt);

    public async ValueTask<bool> IsAllowedAsync(string origin, CancellationToken cancellationToken)
    {
        var snapshot = _snapshot;
        if (snapshot is null || time.GetUtcNow() - snapshot.ReadAt > Lifetime)
        {
            await _refresh.WaitAsync(cancellationToken);
            try
            {
                snapshot = _snapshot;
                if (snapshot is null || time.GetUtcNow() - snapshot.ReadAt > Lifetime)
                {
                    var keys = await store.ListAsync(cancellationToken);
                    snapshot = new Snapshot(keys.Where(k => !k.IsRevoked).SelectMany(k => k.AllowedOrigins).ToHashSet(StringComparer.OrdinalIgnoreCase), time.GetUtcNow());
                    _snapshot = snapshot;
                }
            }
            finally
            {
                _refresh.Release();
            }
        }
        return snapshot.Origins.Contains(origin.TrimEnd('/'));
    }

    public void Invalidate() => _snapshot = null;
}
