using System.Buffers;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Matchmaker.Api.Recommendations;

/// <summary>
/// Rendered list pages in memory, keyed by organization and canonical query (<see cref="RecommendationsEndpoints.PageKey"/>),
/// bounded by <see cref="ServingOptions.PageCacheMegabytes"/>. A page is used only while its generation
/// (<see cref="PublishedListsWatch"/>) and its organization's feedback version are current, so a publish or a feedback
/// replaces it on the next read. Each entry is charged what it takes in memory (its bodies, key and tags as strings,
/// and the objects around them), and the cache never holds more than its bound, not even for a moment: room is made
/// (least recently used entries first) before a page or a body is added. Reads take no lock; additions take one, as a
/// page is rendered once and read many times.
/// <para>
/// The store is a <see cref="MemoryCache"/> with a <see cref="MemoryCacheOptions.SizeLimit"/> in bytes: it keeps the
/// entries, their last use and the bytes charged (an entry that would pass the limit is refused), and compacts least
/// recently used first. Its own compaction runs later on the thread pool and drops the entry that found the cache
/// full, so additions make room first, synchronously, under this class's lock: a page just rendered is kept. A body
/// added to a kept page (another coding) removes its entry and adds it again with the larger size. It replaced a
/// hand-written store (a dictionary and an LRU sweep) as it serves hits at the same cost within the machine's noise
/// (docs/benchmarks.md, "The page cache on MemoryCache").
/// </para>
/// <para>
/// Not ASP.NET Core's output caching: it keys responses by the raw path, query and varied headers (one copy per
/// <c>Accept-Encoding</c> spelling, and per query spelling unless a custom policy re-parses the query), does not cache
/// authenticated requests by default (every request here carries a key, checked per organization), and is
/// invalidated by expiry or tag, where a page here is stale as soon as the served lists' generation or the
/// organization's feedback version moves (known before the cache is read). Nor the response compression middleware:
/// it compresses every response again (off for HTTPS by default), where a page here is compressed once per coding and
/// served many times.
/// </para>
/// </summary>
internal sealed class ServedPageCache : IDisposable
{
    private readonly MemoryCache? _pages;
    private readonly long _limitBytes;
    private readonly Lock _write = new();

    public ServedPageCache(long limitBytes)
    {
        _limitBytes = limitBytes;
        if (limitBytes <= 0) return;
        _pages = new MemoryCache(Options.Create(new MemoryCacheOptions
        {
            SizeLimit = limitBytes,
            // Its own compaction (only if an addition ever found it full) goes down to 80 %, as MakeRoom does.
            CompactionPercentage = 0.2,
            // The statistics carry the bytes charged (Bytes); they cost a thread-local counter per read.
            TrackStatistics = true,
        }));
    }

    public bool Enabled => _pages is not null;

    /// <summary>Bytes charged for the entries held.</summary>
    public long Bytes => _pages?.GetCurrentStatistics()?.CurrentEstimatedSize ?? 0;

    public int Count => _pages?.Count ?? 0;

    /// <summary>A string's size on a 64-bit runtime: a 22-byte header and two bytes per character, rounded up to 8.</summary>
    public static long StringBytes(string value) => StringBytes(value.Length);

    private static long StringBytes(int length) => (22 + 2L * length + 7) & ~7L;

    /// <summary>What an entry for the page takes: its bodies, the key's and the tags' strings, and the objects around them.</summary>
    public static long EntryCost(string organizationId, string query, CachedPage page) =>
        page.BodyBytes() + StringBytes(KeyLength(organizationId, query)) + StringBytes(page.ETag) + StringBytes(page.WeakETag) + CachedPage.Overhead;

    /// <summary>
    /// One string per page: the organization's length, a colon, the organization and the query. The length makes it
    /// unambiguous whatever characters an organization id holds.
    /// </summary>
    private static int KeyLength(string organizationId, string query) => Digits(organizationId.Length) + 1 + organizationId.Length + query.Length;

    private static int Digits(int value) => value < 10 ? 1 : value < 100 ? 2 : value < 1000 ? 3 : value.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;

    private static int WriteKey(Span<char> destination, string organizationId, string query)
    {
        organizationId.Length.TryFormat(destination, out var written, provider: System.Globalization.CultureInfo.InvariantCulture);
        destination[written++] = ':';
        organizationId.CopyTo(destination[written..]);
        written += organizationId.Length;
        query.CopyTo(destination[written..]);
        return written + query.Length;
    }

    private static string Key(string organizationId, string query) =>
        string.Create(KeyLength(organizationId, query), (organizationId, query), static (span, parts) => WriteKey(span, parts.organizationId, parts.query));

    public CachedPage? Find(string organizationId, string query, long generation, long feedbackVersion)
    {
        if (_pages is null) return null;
        // The key is written on the stack and looked up as a span: a read allocates nothing.
        var length = KeyLength(organizationId, query);
        char[]? rented = null;
        Span<char> buffer = length <= 256 ? stackalloc char[256] : (rented = ArrayPool<char>.Shared.Rent(length));
        var found = _pages.TryGetValue(buffer[..WriteKey(buffer, organizationId, query)], out CachedPage? page);
        if (rented is not null) ArrayPool<char>.Shared.Return(rented);
        return found && page!.Generation == generation && page.FeedbackVersion == feedbackVersion ? page : null;
    }

    public void Add(string organizationId, string query, CachedPage page)
    {
        if (_pages is null) return;
        var cost = EntryCost(organizationId, query, page);
        if (cost > _limitBytes / 4) return;
        var key = Key(organizationId, query);
        lock (_write)
        {
            if (page.Key is not null) return;
            if (_pages.TryGetValue(key, out CachedPage? old))
            {
                // A newer page (a later generation or feedback version) is never replaced by an older one.
                if (old!.Generation > page.Generation || (old.Generation == page.Generation && old.FeedbackVersion >= page.FeedbackVersion)) return;
                _pages.Remove(key);
            }
            MakeRoom(cost);
            page.Key = key;
            page.Cost = cost;
            Set(key, page, cost);
        }
    }

    /// <summary>The page's body in the coding, compressed now when no request asked for that coding before.</summary>
    public byte[] Body(CachedPage page, PageCoding coding)
    {
        if (page.Body(coding) is { } body) return body;
        var made = PageCodings.Compress(page.Json(), coding);
        if (_pages is null) return made;
        lock (_write)
        {
            if (page.Body(coding) is { } kept) return kept;
            var added = made.Length + CachedPage.ArrayOverhead;
            // A page that left the cache (or was replaced by a newer one), or would outgrow an entry's share, answers this
            // request without keeping it.
            if (page.Key is not { } key || !Holds(key, page) || page.Cost + added > _limitBytes / 4) return made;
            MakeRoom(added);
            // Room was made for the body only: if the page itself went, it stays out (the cache refuses what does not fit).
            if (!Holds(key, page)) return made;
            // Removed and added again rather than replaced: the cache charges a replacement's new size before it releases
            // the old one's, which passes the bound for a moment. A read in between misses and renders the page again.
            _pages.Remove(key);
            // Charged before it is kept, so the bytes held never pass what the cache counts.
            Set(key, page, page.Cost + added);
            if (!Holds(key, page)) return made;
            page.Cost += added;
            page.Keep(coding, made);
            return made;
        }
    }

    private bool Holds(string key, CachedPage page) => _pages!.TryGetValue(key, out CachedPage? held) && ReferenceEquals(held, page);

    /// <summary>Under the write lock: adds the entry (none is held under the key).</summary>
    private void Set(string key, CachedPage page, long cost)
    {
        using var entry = _pages!.CreateEntry(key);
        entry.Size = cost;
        entry.Value = page;
    }

    /// <summary>
    /// Under the write lock: evicts the least recently used entries until <paramref name="needed"/> more bytes fit, down
    /// to 80 % of the bound so that a compaction (one sort) serves many additions. The cache compacts by a share of its
    /// entries, taken here as the share of bytes to free and repeated until the bytes fit, as pages differ in size.
    /// </summary>
    private void MakeRoom(long needed)
    {
        var target = Math.Min(_limitBytes * 8 / 10, _limitBytes - needed);
        for (var bytes = Bytes; bytes + needed > _limitBytes && _pages!.Count > 0; bytes = Bytes)
        {
            // At least one entry per pass (a share below one entry would remove none).
            _pages.Compact(Math.Max((double)(bytes - target) / bytes, 1.5 / _pages.Count));
        }
    }

    /// <summary>Drops every page (tests and administrators; pages are otherwise replaced as they go stale).</summary>
    public void Clear()
    {
        lock (_write) _pages?.Clear();
    }

    public void Dispose() => _pages?.Dispose();
}
