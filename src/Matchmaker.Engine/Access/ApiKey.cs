using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Matchmaker.Engine.Access;

/// <summary>
/// What a key may do. Admin satisfies every scope. Widget is the publishable scope (a key pasted into a web page): it
/// reaches the widget's data only. Plan runs and reopens consortium plans, which a key in a web page must not.
/// </summary>
public enum ApiScope
{
    Read,
    Feedback,
    Admin,
    Widget,
    Plan,
}

/// <summary>The wire and storage names of the scopes: read, feedback, admin, widget, plan.</summary>
public static class ApiScopes
{
    public static string Name(ApiScope scope) => scope switch
    {
        ApiScope.Read => "read",
        ApiScope.Feedback => "feedback",
        ApiScope.Admin => "admin",
        ApiScope.Widget => "widget",
        ApiScope.Plan => "plan",
        _ => throw new ArgumentOutOfRangeException(nameof(scope)),
    };

    /// <summary>Exact names only (any case): no numbers, no comma lists.</summary>
    public static bool TryParse(string? value, out ApiScope scope)
    {
        scope = default;
        switch (value?.Trim().ToLowerInvariant())
        {
            case "read": scope = ApiScope.Read; return true;
            case "feedback": scope = ApiScope.Feedback; return true;
            case "admin": scope = ApiScope.Admin; return true;
            case "widget": scope = ApiScope.Widget; return true;
            case "plan": scope = ApiScope.Plan; return true;
            default: return false;
        }
    }
}

/// <summary>
/// An API key as stored, without its secret. A key bound to an organization acts only on that organization.
/// </summary>
public sealed record ApiKey(
    string Id,
    string Name,
    IReadOnlyList<ApiScope> Scopes,
    string? OrganizationId,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RevokedAt,
    IReadOnlyList<string> AllowedOrigins)
{
    public bool IsRevoked => RevokedAt is not null;

    public bool Allows(ApiScope scope) => Scopes.Contains(ApiScope.Admin) || Scopes.Contains(scope);
}

/// <summary>A stored key with the SHA-256 hash of its secret; the secret itself is never stored.</summary>
public sealed record StoredApiKey(ApiKey Key, byte[] SecretHash);

/// <summary>
/// Tokens look like <c>mm_&lt;keyId&gt;_&lt;secret&gt;</c>: the key id finds the row, the secret is checked against its
/// hash in constant time. The secret is 256 random bits, so a plain SHA-256 (no slow KDF) is enough.
/// </summary>
public static class ApiKeyTokens
{
    public const string Prefix = "mm_";

    public static string NewKeyId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    public static string NewSecret() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static string Format(string keyId, string secret) => $"{Prefix}{keyId}_{secret}";

    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    /// <summary>Splits a token into key id and secret; false for anything not shaped like a token.</summary>
    public static bool TryParse(string token, out string keyId, out string secret)
    {
        keyId = secret = "";
        if (token.Length is < 20 or > 200 || !token.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        var separator = token.IndexOf('_', Prefix.Length);
        if (separator < 0) return false;
        keyId = token[Prefix.Length..separator];
        secret = token[(separator + 1)..];
        return keyId.Length is > 0 and <= 64 && secret.Length > 0 && keyId.All(char.IsAsciiHexDigitLower);
    }

    public static bool Matches(string secret, byte[] expectedHash) => CryptographicOperations.FixedTimeEquals(Hash(secret), expectedHash);
}
