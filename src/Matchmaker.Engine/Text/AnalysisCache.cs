using System.Collections.Concurrent;

namespace Matchmaker.Engine.Text;

/// <summary>
/// The analyzed words of text pieces already seen, so an index build analyzes a piece once however many texts,
/// time slices and snapshots repeat it: training indexes the graph before each label year (the same past projects
/// again and again) and every rebuilt snapshot re-reads the same texts. A piece is a run of Chinese or one line of a
/// run of anything else (see <see cref="TextAnalyzer"/>); analysis never looks across those boundaries, so a reused
/// piece gives exactly the words a fresh analysis gives. Thread-safe.
/// </summary>
/// <remarks>
/// Bounded by the characters of the pieces it keeps: past <see cref="MaxCharacters"/> it starts afresh, which costs
/// one re-analysis and never changes a result.
/// </remarks>
public sealed class AnalysisCache(long maxCharacters = AnalysisCache.DefaultMaxCharacters)
{
    /// <summary>64 M characters (128 MiB of keys): every text of a graph of a few hundred thousand projects.</summary>
    public const long DefaultMaxCharacters = 64L << 20;

    /// <summary>The cache index builds use unless given another.</summary>
    public static AnalysisCache Shared { get; } = new();

    private readonly ConcurrentDictionary<string, AnalyzedWord[]> _pieces = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _strings = new(StringComparer.Ordinal);
    private long _characters;
    private long _hits;
    private long _misses;

    public long MaxCharacters { get; } = maxCharacters > 0 ? maxCharacters : throw new ArgumentOutOfRangeException(nameof(maxCharacters));
    public int Count => _pieces.Count;
    public long Hits => Interlocked.Read(ref _hits);
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>The words of <paramref name="piece"/>, analyzed by <paramref name="analyze"/> the first time it is asked for.</summary>
    internal AnalyzedWord[] GetOrAdd(ReadOnlySpan<char> piece, Func<string, AnalyzedWord[]> analyze)
    {
        var lookup = _pieces.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(piece, out var words))
        {
            Interlocked.Increment(ref _hits);
            return words;
        }
        Interlocked.Increment(ref _misses);
        var key = piece.ToString();
        words = analyze(key);
        // The analyzer makes new strings for every token: kept once each, the cache holds a vocabulary, not a corpus.
        for (var i = 0; i < words.Length; i++)
        {
            var term = _strings.GetOrAdd(words[i].Term, words[i].Term);
            words[i] = new AnalyzedWord(term, words[i].Surface == words[i].Term ? term : _strings.GetOrAdd(words[i].Surface, words[i].Surface));
        }
        if (!_pieces.TryAdd(key, words)) return words;
        if (Interlocked.Add(ref _characters, key.Length) > MaxCharacters)
        {
            // Rare: start afresh rather than track recency on every hit.
            lock (_pieces)
            {
                if (Interlocked.Read(ref _characters) > MaxCharacters)
                {
                    _pieces.Clear();
                    _strings.Clear();
                    Interlocked.Exchange(ref _characters, 0);
                }
            }
        }
        return words;
    }

    public void Clear()
    {
        lock (_pieces)
        {
            _pieces.Clear();
            _strings.Clear();
            Interlocked.Exchange(ref _characters, 0);
        }
    }
}
