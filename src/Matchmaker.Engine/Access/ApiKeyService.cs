using System.Collections.Concurrent;

namespace Matchmaker.Engine.Access;

/// <summary>The new key and its token; the token exists only in this object and is never stored.</summary>
public sealed record IssuedApiKey(ApiKey Key, string Token);

/// <summary>
/// Issues, checks and revokes keys. A key the store accepted is remembered for <see cref="CheckInterval"/> (keys
/// change only by revocation), so a busy key costs one store lookup per interval instead of one per request. A
/// revocation through this service takes effect at once in this process; one made by another process (another API
/// replica sharing the store) within <see cref="CheckInterval"/>. Unknown and wrong tokens are never remembered: each
/// is looked up (and counted by the per-address rate limit).
/// </summary>
public sealed class ApiKeyService(IApiKeyStore store, TimeProvider time)
{
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, Checked> _checked = new(StringComparer.Ordinal);
    private readonly Lock _revoking = new();
    private long _revocations;

    private sealed record Checked(StoredApiKey Stored, long ReadAt);

    public async Task<IssuedApiKey> IssueAsync(string name, IReadOnlyCollection<ApiScope> scopes, string? organizationId,
        IReadOnlyList<string>? allowedOrigins, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("A key needs a name.", nameof(name));
        if (scopes.Count == 0) throw new ArgumentException("A key needs at least one scope.", nameof(scopes));
        while (true)
        {
            var secret = ApiKeyTokens.NewSecret();
            var key = new ApiKey(ApiKeyTokens.NewKeyId(), name.Trim(), scopes.Distinct().Order().ToList(), organizationId,
                time.GetUtcNow(), null, allowedOrigins ?? []);
            // 64-bit ids collide practically never; retry rather than fail if one does.
            if (await store.CreateAsync(key, ApiKeyTokens.Hash(secret), cancellationToken)) return new IssuedApiKey(key, ApiKeyTokens.Format(key.Id, secret));
        }
    }

    /// <summary>The active key the token belongs to, or null for malformed, unknown, wrong or revoked tokens.</summary>
    public async Task<ApiKey?> AuthenticateAsync(string token, CancellationToken cancellationToken = default)
    {
        if (!ApiKeyTokens.TryParse(token, out var keyId, out var secret)) return null;
        var stored = await LookUpAsync(keyId, cancellationToken);
        // The secret is checked on every request, against the hash the store holds.
        if (stored is null || !ApiKeyTokens.Matches(secret, stored.SecretHash) || stored.Key.IsRevoked) return null;
        return stored.Key;
    }

    /// <summary>
    /// The configured bootstrap key, whose token is checked by the caller against configuration: its record (made by
    /// <see cref="RecordBootstrapAsync"/>) says whether it was revoked. Null when revoked.
    /// </summary>
    public async Task<ApiKey?> BootstrapAsync(string configuredToken, CancellationToken cancellationToken = default)
    {
        var key = BootstrapKeys.Of(configuredToken);
        var stored = await LookUpAsync(key.Id, cancellationToken);
        if (stored is { Key.IsRevoked: true }) return null;
        // Without a record (not made yet, as before this start) the key is configured and not revoked.
        return stored?.Key ?? key;
    }

    /// <summary>
    /// Stores a record of the configured bootstrap key (once per key value; nothing when it exists), so that it is
    /// listed with the other keys and can be revoked like them. Its stored hash is of a random secret: no token
    /// of the mm_ form ever matches it.
    /// </summary>
    public async Task<ApiKey> RecordBootstrapAsync(string configuredToken, CancellationToken cancellationToken = default)
    {
        var key = BootstrapKeys.Of(configuredToken) with { CreatedAt = time.GetUtcNow() };
        await store.CreateAsync(key, ApiKeyTokens.Hash(ApiKeyTokens.NewSecret()), cancellationToken);
        return key;
    }

    private async Task<StoredApiKey?> LookUpAsync(string keyId, CancellationToken cancellationToken)
    {
        StoredApiKey? stored;
        if (_checked.TryGetValue(keyId, out var known) && time.GetElapsedTime(known.ReadAt) < CheckInterval)
        {
            stored = known.Stored;
        }
        else
        {
            var readAt = time.GetTimestamp();
            var revocations = Interlocked.Read(ref _revocations);
            stored = await store.FindAsync(keyId, cancellationToken);
            lock (_revoking)
            {
                // A revocation that finished while this read was under way may not be in what it read: remember nothing.
                if (stored is null || stored.Key.IsRevoked || _revocations != revocations) _checked.TryRemove(keyId, out _);
                else _checked[keyId] = new Checked(stored, readAt);
            }
        }
        return stored;
    }

    /// <summary>Revokes the key in the store and forgets it here; false when it does not exist or was already revoked.</summary>
    public async Task<bool> RevokeAsync(string keyId, CancellationToken cancellationToken = default)
    {
        try
        {
            return await store.RevokeAsync(keyId, time.GetUtcNow(), cancellationToken);
        }
        finally
        {
            // Also when the store call fails: the next request reads the key again rather than trust what was known.
            lock (_revoking)
            {
                _revocations++;
                _checked.TryRemove(keyId, out _);
            }
        }
    }
}

/// <summary>
/// The admin key set in configuration (<c>Auth:BootstrapAdminKey</c>): its id is derived from the key's hash, so a
/// revocation applies to that value only and a new value configured later is a new, active key.
/// </summary>
public static class BootstrapKeys
{
    public const string IdPrefix = "bootstrap-";
    public const string Name = "bootstrap (configuration)";

    public static string IdOf(string configuredToken) =>
        IdPrefix + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(configuredToken)))[..12];

    public static ApiKey Of(string configuredToken) => new(IdOf(configuredToken), Name, [ApiScope.Admin], null, DateTimeOffset.MinValue, null, []);

    /// <summary>
    /// Why a configured key is too weak to guard every endpoint, or null when it is not: fewer than 32 characters,
    /// fewer than 10 different characters, or one block repeated (<c>abcdabcd...</c>, <c>0123456789abcdef</c> twice).
    /// </summary>
    public static string? Weakness(string? configured)
    {
        if (string.IsNullOrWhiteSpace(configured)) return null;
        var key = configured.Trim();
        if (key.Length < 32) return $"it has {key.Length} characters; at least 32 are needed";
        var distinct = key.Distinct().Count();
        if (distinct < 10) return $"it uses {distinct} different characters; at least 10 are needed";
        for (var period = 1; period <= key.Length / 2; period++)
        {
            if (key.Length % period != 0) continue;
            var repeated = true;
            for (var i = period; i < key.Length && repeated; i++) repeated = key[i] == key[i - period];
            if (repeated) return $"it repeats a block of {period} characters";
        }
        return null;
    }
}
