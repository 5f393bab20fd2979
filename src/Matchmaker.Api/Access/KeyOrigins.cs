using Matchmaker.Engine.Access;

namespace Matchmaker.Api.Access;

/// <summary>
/// The active keys with allowed origins, for answering CORS preflights, which carry no key. Read from the key store and
/// kept for <see cref="Lifetime"/>; key changes on this replica refresh it at once, other replicas within the lifetime.
/// </summary>
public sealed class KeyOrigins(IApiKeyStore store, TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _refresh = new(1, 1);
    private volatile Snapshot? _snapshot;

    private sealed record Snapshot(IReadOnlyList<ApiKey> Keys, DateTimeOffset ReadAt);

    /// <summary>Whether an active key lists <paramref name="origin"/> (and, when given, passes <paramref name="which"/>).</summary>
    public async ValueTask<bool> IsAllowedAsync(string origin, Func<ApiKey, bool>? which, CancellationToken cancellationToken)
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
                    snapshot = new Snapshot(keys.Where(k => !k.IsRevoked && k.AllowedOrigins.Count > 0).ToList(), time.GetUtcNow());
                    _snapshot = snapshot;
                }
            }
            finally
            {
                _refresh.Release();
            }
        }
        var trimmed = origin.TrimEnd('/');
        return snapshot.Keys.Any(k => k.AllowedOrigins.Contains(trimmed, StringComparer.OrdinalIgnoreCase) && (which is null || which(k)));
    }

    public void Invalidate() => _snapshot = null;
}
