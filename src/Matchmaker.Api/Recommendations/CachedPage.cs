namespace Matchmaker.Api.Recommendations;

/// <summary>
/// One rendered page: valid for one generation of the served lists and one feedback version of its organization, for
/// one query. It keeps its body only in the codings clients asked for (a page asked for in Brotli keeps about a tenth of
/// its JSON; docs/benchmarks.md); another coding is made from a kept one when first asked for.
/// </summary>
internal sealed class CachedPage
{
    private readonly byte[]?[] _bodies = new byte[]?[3];

    /// <summary>
    /// What an entry costs besides its bodies and strings, on a 64-bit runtime: this object (72 bytes), its array of
    /// bodies (48), the memory cache's entry (112) and its dictionary's node (40), rounded up.
    /// </summary>
    public const int Overhead = 288;

    /// <summary>A byte array's header on a 64-bit runtime: a body of n bytes takes n + 24.</summary>
    public const int ArrayOverhead = 24;

    public CachedPage(long generation, long feedbackVersion, string etag, PageCoding coding, byte[] body)
    {
        Generation = generation;
        FeedbackVersion = feedbackVersion;
        ETag = etag;
        WeakETag = "W/" + etag;
        _bodies[(int)coding] = body;
    }

    public long Generation { get; }

    public long FeedbackVersion { get; }

    /// <summary>The strong tag of the JSON body (quoted); compressed bodies carry it as a weak tag.</summary>
    public string ETag { get; }

    public string WeakETag { get; }

    /// <summary>What the cache charged for it (set and changed under the cache's write lock; 0 until it is added).</summary>
    public long Cost { get; set; }

    /// <summary>
    /// Its key in the cache, set when it is added (under the cache's write lock; a page is added once): a body made for
    /// a page that is no longer the one held under its key is not kept.
    /// </summary>
    public string? Key { get; set; }

    public byte[]? Body(PageCoding coding) => Volatile.Read(ref _bodies[(int)coding]);

    /// <summary>The bytes its bodies take, headers included.</summary>
    public long BodyBytes()
    {
        long bytes = 0;
        foreach (var coding in (ReadOnlySpan<PageCoding>)[PageCoding.Identity, PageCoding.Gzip, PageCoding.Brotli])
        {
            if (Body(coding) is { } body) bytes += body.Length + ArrayOverhead;
        }
        return bytes;
    }

    /// <summary>The JSON: the kept identity body, or a kept compressed one decompressed.</summary>
    public byte[] Json()
    {
        if (Body(PageCoding.Identity) is { } json) return json;
        if (Body(PageCoding.Brotli) is { } brotli) return PageCodings.Decompress(brotli, PageCoding.Brotli);
        return PageCodings.Decompress(Body(PageCoding.Gzip)!, PageCoding.Gzip);
    }

    /// <summary>Keeps a body in a coding it had none in (the cache calls it under its write lock).</summary>
    public void Keep(PageCoding coding, byte[] body) => Volatile.Write(ref _bodies[(int)coding], body);
}
