using System.Collections.Concurrent;

namespace Matchmaker.Api.Recommendations;

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
