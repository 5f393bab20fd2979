namespace Matchmaker.Api.Recommendations;

/// <summary>The <c>Serving</c> section.</summary>
public sealed class ServingOptions
{
    public const string Section = "Serving";

    /// <summary>
    /// Memory for rendered list pages, in MiB (0 turns the cache off). A page in Brotli is about a tenth of its JSON (sizes
    /// measured in docs/benchmarks.md, "Pages kept in memory"); each is kept in the codings clients asked for, and
    /// charged with its key, tags and objects.
    /// </summary>
    public int PageCacheMegabytes { get; set; } = 512;
}
