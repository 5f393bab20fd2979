namespace Matchmaker.Api.Access;

/// <summary>The <c>RateLimits</c> section: one fixed window per API key.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>Requests one key may make per window.</summary>
    public int PermitsPerMinute { get; set; } = 600;

    /// <summary>The window length; a minute unless changed.</summary>
    public int WindowSeconds { get; set; } = 60;

    /// <summary>
    /// Requests one client address may make per window, counted before the key is looked up (anonymous requests and
    /// bad keys included); a hundred times <see cref="PermitsPerMinute"/> unless set, so that it stops floods, not
    /// the many clients behind one reverse proxy (which all share the proxy's address).
    /// </summary>
    public int? AddressPermitsPerWindow { get; set; }

    public int AddressLimit => AddressPermitsPerWindow ?? (int)Math.Min(int.MaxValue, PermitsPerMinute * 100L);
}
