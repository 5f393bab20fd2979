namespace Matchmaker.Engine.Access;

/// <summary>The new key and its token; the token exists only in this object and is never stored.</summary>
public sealed record IssuedApiKey(ApiKey Key, string Token);

/// <summary>
/// Issues keys and checks tokens. Every check reads the store (one primary-key lookup), so a revocation takes
/// effect on the next request, on every replica, with no cache to invalidate.
/// </summary>
public sealed class ApiKeyService(IApiKeyStore store, TimeProvider time)
{
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
        var stored = await store.FindAsync(keyId, cancellationToken);
        if (stored is null || !ApiKeyTokens.Matches(secret, stored.SecretHash) || stored.Key.IsRevoked) return null;
        return stored.Key;
    }
}
