using System.Collections.Concurrent;
using System.IO.Compression;

namespace Matchmaker.Api.Recommendations;

/// <summary>The content codings a list page is served in.</summary>
internal enum PageCoding
{
    Identity = 0,
    Gzip = 1,
    Brotli = 2,
}

/// <summary>
/// One rendered page: valid for one generation of the served lists and one feedback version of its organization, for
/// one query. It keeps its body only in the codings clients asked for (a page asked for in Brotli keeps about 2 KB
/// instead of 16); another coding is made from a kept one when first asked for.
/// </summary>
internal sealed class CachedPage
{
    private readonly byte[]?[] _bodies = new byte[]?[3];

    /// <summary>
    /// What an entry costs besides its bodies and strings, on a 64-bit runtime: this object (about 72 bytes), its array
    /// of bodies (48) and the dictionary's node with its key (about 40), rounded up.
    /// </summary>
    public const int Overhead = 160;

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

    /// <summary>When the page was last added or found (the cache's use counter): eviction takes the least recent first.</summary>
    public long LastUsed;

    /// <summary>What the cache charged for it (set and changed under the cache's write lock; 0 while outside the cache).</summary>
    public long Cost { get; set; }

    /// <summary>In the cache now (set under the cache's write lock): a body made for a page no longer in it is not kept.</summary>
    public bool InCache { get; set; }

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

/// <summary>
/// Rendered list pages in memory, keyed by organization and canonical query (<see cref="RecommendationsEndpoints.PageKey"/>),
/// bounded by <see cref="ServingOptions.PageCacheMegabytes"/>. A page is used only while its generation
/// (<see cref="PublishedListsWatch"/>) and its organization's feedback version are current, so a publish or a feedback
/// replaces it on the next read. Each entry is charged what it takes in memory (its bodies, key and tags as strings,
/// and the objects around them), and the cache never holds more than its bound, not even for a moment: room is made
/// (least recently used entries first) before a page or a body is added. Reads take no lock; additions take one, as a
/// page is rendered once and read many times.
/// </summary>
internal sealed class ServedPageCache(long limitBytes)
{
    private readonly ConcurrentDictionary<(string Organization, string Query), CachedPage> _pages = new();
    private readonly Lock _write = new();
    private long _bytes;
    private long _clock;

    public bool Enabled => limitBytes > 0;

    /// <summary>Bytes charged for the entries held.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    public int Count => _pages.Count;

    /// <summary>A string's size on a 64-bit runtime: a 22-byte header and two bytes per character, rounded up to 8.</summary>
    public static long StringBytes(string value) => (22 + 2L * value.Length + 7) & ~7L;

    /// <summary>What an entry for the page takes: its bodies, the key's and the tags' strings, and the objects around them.</summary>
    public static long EntryCost(string organizationId, string query, CachedPage page) =>
        page.BodyBytes() + StringBytes(organizationId) + StringBytes(query) + StringBytes(page.ETag) + StringBytes(page.WeakETag) + CachedPage.Overhead;

    public CachedPage? Find(string organizationId, string query, long generation, long feedbackVersion)
    {
        if (!_pages.TryGetValue((organizationId, query), out var page) || page.Generation != generation || page.FeedbackVersion != feedbackVersion)
        {
            return null;
        }
        // A plain write: a lost update between two readers only makes the stamp a little older.
        page.LastUsed = Interlocked.Increment(ref _clock);
        return page;
    }

    public void Add(string organizationId, string query, CachedPage page)
    {
        if (!Enabled) return;
        var cost = EntryCost(organizationId, query, page);
        if (cost > limitBytes / 4) return;
        var key = (organizationId, query);
        lock (_write)
        {
            if (page.InCache) return;
            if (_pages.TryGetValue(key, out var old))
            {
                // A newer page (a later generation or feedback version) is never replaced by an older one.
                if (old.Generation > page.Generation || (old.Generation == page.Generation && old.FeedbackVersion >= page.FeedbackVersion)) return;
                Remove(key, old);
            }
            MakeRoom(cost, keep: null);
            page.Cost = cost;
            page.InCache = true;
            page.LastUsed = Interlocked.Increment(ref _clock);
            _pages[key] = page;
            Interlocked.Add(ref _bytes, cost);
        }
    }

    /// <summary>The page's body in the coding, compressed now when no request asked for that coding before.</summary>
    public byte[] Body(CachedPage page, PageCoding coding)
    {
        if (page.Body(coding) is { } body) return body;
        var made = PageCodings.Compress(page.Json(), coding);
        lock (_write)
        {
            if (page.Body(coding) is { } kept) return kept;
            var added = made.Length + CachedPage.ArrayOverhead;
            // A page that left the cache, or would outgrow an entry's share, answers this request without keeping it.
            if (!page.InCache || page.Cost + added > limitBytes / 4) return made;
            MakeRoom(added, keep: page);
            page.Keep(coding, made);
            page.Cost += added;
            Interlocked.Add(ref _bytes, added);
            return made;
        }
    }

    /// <summary>
    /// Under the write lock: evicts the least recently used entries (never <paramref name="keep"/>) until
    /// <paramref name="needed"/> more bytes fit, down to 80 % of the bound so that a sweep (one sort) serves many additions.
    /// </summary>
    private void MakeRoom(long needed, CachedPage? keep)
    {
        if (Bytes + needed <= limitBytes) return;
        var target = Math.Min(limitBytes * 8 / 10, limitBytes - needed);
        var entries = _pages.ToArray();
        var stamps = new long[entries.Length];
        for (var i = 0; i < entries.Length; i++) stamps[i] = Volatile.Read(ref entries[i].Value.LastUsed);
        Array.Sort(stamps, entries);
        foreach (var entry in entries)
        {
            if (Bytes <= target) break;
            if (!ReferenceEquals(entry.Value, keep)) Remove(entry.Key, entry.Value);
        }
    }

    private void Remove((string, string) key, CachedPage page)
    {
        if (!_pages.TryRemove(new KeyValuePair<(string, string), CachedPage>(key, page))) return;
        page.InCache = false;
        Interlocked.Add(ref _bytes, -page.Cost);
    }

    /// <summary>Drops every page (tests and administrators; pages are otherwise replaced as they go stale).</summary>
    public void Clear()
    {
        lock (_write)
        {
            foreach (var entry in _pages) Remove(entry.Key, entry.Value);
        }
    }
}

internal static class PageCodings
{
    /// <summary>Brotli quality 5 with a 4 MB window: a page is compressed once and served many times.</summary>
    private const int BrotliQuality = 5;
    private const int BrotliWindow = 22;

    public static byte[] Decompress(byte[] body, PageCoding coding)
    {
        using var input = new MemoryStream(body);
        using Stream decoder = coding == PageCoding.Brotli ? new BrotliStream(input, CompressionMode.Decompress) : new GZipStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream(body.Length * 8);
        decoder.CopyTo(output);
        return output.ToArray();
    }

    public static string? HeaderValue(PageCoding coding) => coding switch
    {
        PageCoding.Brotli => "br",
        PageCoding.Gzip => "gzip",
        _ => null,
    };

    public static byte[] Compress(ReadOnlySpan<byte> json, PageCoding coding)
    {
        switch (coding)
        {
            case PageCoding.Brotli:
            {
                var buffer = new byte[BrotliEncoder.GetMaxCompressedLength(json.Length)];
                if (!BrotliEncoder.TryCompress(json, buffer, out var written, BrotliQuality, BrotliWindow)) throw new InvalidOperationException("Brotli could not compress a page.");
                return buffer.AsSpan(0, written).ToArray();
            }
            case PageCoding.Gzip:
            {
                using var output = new MemoryStream(json.Length / 3 + 64);
                using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(json);
                return output.ToArray();
            }
            default:
                return json.ToArray();
        }
    }

    /// <summary>
    /// The coding to answer an Accept-Encoding header with: Brotli or gzip, whichever the client weighs higher (Brotli on a
    /// tie, as it is smaller), identity when it accepts neither (q=0 refuses a coding; * stands for codings not named).
    /// </summary>
    public static PageCoding Negotiate(ReadOnlySpan<char> acceptEncoding)
    {
        if (acceptEncoding.IsEmpty) return PageCoding.Identity;
        double brotli = -1, gzip = -1, any = -1;
        foreach (var range in acceptEncoding.Split(','))
        {
            var item = acceptEncoding[range].Trim();
            if (item.IsEmpty) continue;
            var name = item;
            var quality = 1.0;
            var semicolon = item.IndexOf(';');
            if (semicolon >= 0)
            {
                name = item[..semicolon].TrimEnd();
                quality = Quality(item[(semicolon + 1)..]);
            }
            if (name.Equals("br", StringComparison.OrdinalIgnoreCase)) brotli = quality;
            else if (name.Equals("gzip", StringComparison.OrdinalIgnoreCase) || name.Equals("x-gzip", StringComparison.OrdinalIgnoreCase)) gzip = quality;
            else if (name is "*") any = quality;
        }
        if (brotli < 0) brotli = any;
        if (gzip < 0) gzip = any;
        if (brotli <= 0 && gzip <= 0) return PageCoding.Identity;
        return brotli >= gzip ? PageCoding.Brotli : PageCoding.Gzip;
    }

    /// <summary>The q parameter among the parameters (1 when absent, 0 when unreadable: a coding we cannot read is not accepted).</summary>
    private static double Quality(ReadOnlySpan<char> parameters)
    {
        foreach (var range in parameters.Split(';'))
        {
            var parameter = parameters[range].Trim();
            if (parameter.Length < 2 || (parameter[0] is not ('q' or 'Q')) || parameter[1] != '=') continue;
            return double.TryParse(parameter[2..], System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var q)
                && q is >= 0 and <= 1 ? q : 0;
        }
        return 1;
    }
}
