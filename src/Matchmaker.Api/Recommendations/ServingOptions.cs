namespace Matchmaker.Api.Recommendations;

/// <summary>The <c>Serving</c> section.</summary>
public sealed class ServingOptions
{
    public const string Section = "Serving";

    /// <summary>
    /// Memory for rendered list pages, in MiB (0 turns the cache off). A page is about 16 KB as JSON, 3 KB in Brotli and
    /// 4 KB in gzip; each is kept in the codings clients asked for, and charged with its key, tags and objects.
    /// </summary>
    public int PageCacheMegabytes { get; set; } = 512;
}
