using System.Collections.Concurrent;
using System.IO.Compression;

namespace Matchmaker.Api.Recommendations;

/// <summary>The <c>Serving</c> section.</summary>
public sealed class ServingOptions
{
    public const string Section = "Serving";

    /// <summary>
    /// Memory for rendered list pages, in MiB (0 turns the cache off). A page is about 16 KB as JSON, 3 KB in Brotli and
    /// 4 KB in gzip; each is kept in the codings clients asked for.
    /// </summary>
    public int PageCacheMegabytes { get; set; } = 512;
}

/// <summary>The content codings a list page is served in.</summary>
internal enum PageCoding
{
    Identity = 0,
    Gzip = 1,
    Brotli = 2,
}

/// <summary>
/// One rendered page: valid for one generation of the served lists and one feedback version of its organization, for
/// one query string. It keeps its body only in the codings clients asked for (a page asked for in Brotli keeps about 2 KB
/// instead of 16); another coding is made from a kept one when first asked for.
/// </summary>
internal sealed class CachedPage
{
    private readonly byte[]?[] _bodies = new byte[]?[3];
    private long _size;

    /// <summary>What an entry costs besides its bodies (key, tag, object headers), roughly.</summary>
    public const int Overhead = 256;

    public CachedPage(long generation, long feedbackVersion, string etag, PageCoding coding, byte[] body)
    {
        Generation = generation;
        FeedbackVersion = feedbackVersion;
        ETag = etag;
        WeakETag = "W/" + etag;
        _bodies[(int)coding] = body;
        _size = body.Length + Overhead;
    }

    public long Generation { get; }

    public long FeedbackVersion { get; }

    /// <summary>The strong tag of the JSON body (quoted); compressed bodies carry it as a weak tag.</summary>
    public string ETag { get; }

    public string WeakETag { get; }

    public long Size => Interlocked.Read(ref _size);

    /// <summary>When the page was last added or found (the cache's use counter): eviction takes the least recent first.</summary>
    public long LastUsed;

    public byte[]? Body(PageCoding coding) => Volatile.Read(ref _bodies[(int)coding]);

    /// <summary>The JSON: the kept identity body, or a kept compressed one decompressed.</summary>
    public byte[] Json()
    {
        if (Body(PageCoding.Identity) is { } json) return json;
        if (Body(PageCoding.Brotli) is { } brotli) return PageCodings.Decompress(brotli, PageCoding.Brotli);
        return PageCodings.Decompress(Body(PageCoding.Gzip)!, PageCoding.Gzip);
    }

    /// <summary>Keeps the body unless another request made it first; returns the kept one and the bytes added.</summary>
    public (byte[] Body, long Added) Keep(PageCoding coding, byte[] body)
    {
        var existing = Interlocked.CompareExchange(ref _bodies[(int)coding], body, null);
        if (existing is not null) return (existing, 0);
        Interlocked.Add(ref _size, body.Length);
        return (body, body.Length);
    }
}

/// <summary>
/// Rendered list pages in memory, keyed by organization and query string, bounded by <see cref="ServingOptions.PageCacheMegabytes"/>.
/// A page is used only while its generation (<see cref="PublishedListsWatch"/>) and its organization's feedback version are
/// current, so a publish or a feedback replaces it on the next read; past the bound, the least recently used entries are
/// evicted (a use stamp per page, sorted when a sweep runs).
/// </summary>
internal sealed class ServedPageCache(long limitBytes)
{
    private readonly ConcurrentDictionary<(string Organization, string Query), CachedPage> _pages = new();
    private readonly Lock _sweep = new();
    private long _bytes;
    private long _clock;

    public bool Enabled => limitBytes > 0;

    /// <summary>Bytes held (bodies plus a fixed overhead per entry).</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    public int Count => _pages.Count;

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
        if (!Enabled || page.Size > limitBytes / 4) return;
        page.LastUsed = Interlocked.Increment(ref _clock);
        var key = (organizationId, query);
        while (true)
        {
            if (_pages.TryGetValue(key, out var old))
            {
                // A newer page (a later generation or feedback version) is never replaced by an older one.
                if (old.Generation > page.Generation || (old.Generation == page.Generation && old.FeedbackVersion >= page.FeedbackVersion)) return;
                if (_pages.TryUpdate(key, page, old))
                {
                    Interlocked.Add(ref _bytes, page.Size - old.Size);
                    break;
                }
            }
            else if (_pages.TryAdd(key, page))
            {
                Interlocked.Add(ref _bytes, page.Size);
                break;
            }
        }
        if (Bytes > limitBytes) Trim();
    }

    /// <summary>The page's body in the coding, compressed now when no request asked for that coding before.</summary>
    public byte[] Body(CachedPage page, PageCoding coding)
    {
        if (page.Body(coding) is { } body) return body;
        var (kept, added) = page.Keep(coding, PageCodings.Compress(page.Json(), coding));
        if (added > 0)
        {
            Interlocked.Add(ref _bytes, added);
            if (Bytes > limitBytes) Trim();
        }
        return kept;
    }

    /// <summary>Evicts the least recently used entries until the cache is at 80 % of its bound.</summary>
    private void Trim()
    {
        if (!_sweep.TryEnter()) return; // a sweep is running; it brings the cache down for everyone
        try
        {
            var target = limitBytes * 8 / 10;
            // One sort per sweep, and a sweep frees a fifth of the bound: a few operations per page added.
            var entries = _pages.ToArray();
            var stamps = new long[entries.Length];
            for (var i = 0; i < entries.Length; i++) stamps[i] = Volatile.Read(ref entries[i].Value.LastUsed);
            Array.Sort(stamps, entries);
            foreach (var entry in entries)
            {
                if (Bytes <= target) break;
                if (_pages.TryRemove(entry)) Interlocked.Add(ref _bytes, -entry.Value.Size);
            }
            // Bodies added to pages after they left the cache were counted but never taken off again: count afresh.
            long held = 0;
            foreach (var entry in _pages) held += entry.Value.Size;
            Interlocked.Exchange(ref _bytes, held);
        }
        finally
        {
            _sweep.Exit();
        }
    }

    /// <summary>Drops every page (tests and administrators; pages are otherwise replaced as they go stale).</summary>
    public void Clear()
    {
        _pages.Clear();
        Interlocked.Exchange(ref _bytes, 0);
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
