using System.Runtime.InteropServices;
using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Graph;

namespace Matchmaker.Engine.Text;

/// <summary>A bag of words: distinct term ids in ascending order with their counts.</summary>
internal readonly record struct TermBag(int[] Ids, int[] Counts)
{
    public static TermBag Empty { get; } = new([], []);
    public int Length => Ids.Length;
    public bool IsEmpty => Ids.Length == 0;

    public int CountOf(int id)
    {
        var i = Array.BinarySearch(Ids, id);
        return i >= 0 ? Counts[i] : 0;
    }

    public long TokenCount()
    {
        long sum = 0;
        foreach (var c in Counts) sum += c;
        return sum;
    }
}

/// <summary>
/// Term ids of the index: append-only, so ids stay valid in every index updated from this one. Each term keeps the
/// surface word most often seen for it, to quote matched terms as people write them.
/// </summary>
internal sealed class Vocabulary
{
    private readonly Dictionary<string, int> _ids;
    private readonly List<string> _terms;
    private readonly List<string> _surfaces;

    public Vocabulary()
    {
        _ids = new Dictionary<string, int>(StringComparer.Ordinal);
        _terms = [];
        _surfaces = [];
    }

    private Vocabulary(Vocabulary other)
    {
        _ids = new Dictionary<string, int>(other._ids, StringComparer.Ordinal);
        _terms = [.. other._terms];
        _surfaces = [.. other._surfaces];
    }

    public int Count => _terms.Count;
    public Vocabulary Clone() => new(this);
    public string Term(int id) => _terms[id];
    public string Surface(int id) => _surfaces[id];
    public int IdOf(string term) => _ids.GetValueOrDefault(term, -1);
    public ReadOnlySpan<string> Terms => CollectionsMarshal.AsSpan(_terms);
    public List<string> TermList => _terms;

    public int Intern(string term)
    {
        ref var id = ref CollectionsMarshal.GetValueRefOrAddDefault(_ids, term, out var exists);
        if (!exists)
        {
            id = _terms.Count;
            _terms.Add(term);
            _surfaces.Add(term);
        }
        return id;
    }

    public void SetSurface(int id, string surface) => _surfaces[id] = surface;
}

/// <summary>Word counts of a text before interning: (stem, surface) → count.</summary>
internal sealed class WordCounts : Dictionary<(string Term, string Surface), int>
{
    public static WordCounts Of(string? text, AnalysisCache? cache = null)
    {
        var counts = new WordCounts();
        if (string.IsNullOrWhiteSpace(text)) return counts;
        var words = new List<AnalyzedWord>();
        TextAnalyzer.Shared.Analyze(text, words, cache);
        foreach (var w in words)
        {
            ref var c = ref CollectionsMarshal.GetValueRefOrAddDefault(counts, (w.Term, w.Surface), out _);
            c++;
        }
        return counts;
    }

    /// <summary>Interns the terms and returns the bag; adds the surface counts to <paramref name="surfaces"/>.</summary>
    public TermBag Intern(Vocabulary vocabulary, Dictionary<(int Id, string Surface), int> surfaces)
    {
        if (Count == 0) return TermBag.Empty;
        var byId = new Dictionary<int, int>(Count);
        foreach (var ((term, surface), count) in this)
        {
            var id = vocabulary.Intern(term);
            ref var c = ref CollectionsMarshal.GetValueRefOrAddDefault(byId, id, out _);
            c += count;
            ref var s = ref CollectionsMarshal.GetValueRefOrAddDefault(surfaces, (id, surface), out _);
            s += count;
        }
        var ids = byId.Keys.ToArray();
        var counts = byId.Values.ToArray();
        Array.Sort(ids, counts);
        return new TermBag(ids, counts);
    }

    /// <summary>Gives every term in <paramref name="surfaces"/> its most frequent surface (ties: shorter, then ordinal).</summary>
    public static void ChooseSurfaces(Vocabulary vocabulary, Dictionary<(int Id, string Surface), int> surfaces)
    {
        var best = new Dictionary<int, (string Surface, int Count)>();
        foreach (var ((id, surface), count) in surfaces)
        {
            if (!best.TryGetValue(id, out var b) || count > b.Count
                || (count == b.Count && (surface.Length < b.Surface.Length || (surface.Length == b.Surface.Length && string.CompareOrdinal(surface, b.Surface) < 0))))
            {
                best[id] = (surface, count);
            }
        }
        foreach (var (id, (surface, _)) in best) vocabulary.SetSurface(id, surface);
    }
}

/// <summary>What an organization says of itself, as one text: names, aliases, description, capability and need tags as words.</summary>
internal static class OwnText
{
    public static string? Of(Organization? organization)
    {
        if (organization is null) return null;
        var parts = new List<string?> { organization.NameZh, organization.NameEn };
        parts.AddRange(organization.Aliases);
        parts.Add(organization.Description);
        // Tags are lower-case words joined by '-' ("power-batteries"): read as words.
        parts.AddRange(organization.Capabilities.Select(t => t.Replace('-', ' ')));
        parts.AddRange(organization.Needs.Select(t => t.Replace('-', ' ')));
        return string.Join('\n', parts.Where(p => !string.IsNullOrWhiteSpace(p)));
    }
}

/// <summary>
/// Document statistics of one field of the profile index, over live documents only. Lucene counts deleted
/// documents in its own statistics until segments merge; these are exact after every update, so an updated index
/// scores as a fresh build.
/// </summary>
internal sealed class FieldStats
{
    public int[] DocFrequency = [];
    public long SumTotalTermFrequency;
    public long SumDocFrequency;
    public long DocCount;

    public int DocFrequencyOf(int id) => id >= 0 && id < DocFrequency.Length ? DocFrequency[id] : 0;

    public FieldStats CopyGrown(int terms)
    {
        var copy = new FieldStats
        {
            DocFrequency = new int[terms],
            SumTotalTermFrequency = SumTotalTermFrequency,
            SumDocFrequency = SumDocFrequency,
            DocCount = DocCount,
        };
        Array.Copy(DocFrequency, copy.DocFrequency, DocFrequency.Length);
        return copy;
    }

    /// <summary>Adds the statistics of other documents (counted apart, over the same term ids).</summary>
    public void Add(FieldStats other)
    {
        for (var id = 0; id < other.DocFrequency.Length; id++) DocFrequency[id] += other.DocFrequency[id];
        SumTotalTermFrequency += other.SumTotalTermFrequency;
        SumDocFrequency += other.SumDocFrequency;
        DocCount += other.DocCount;
    }

    /// <summary>Adds (sign +1) or removes (-1) one document's bag.</summary>
    public void Apply(TermBag bag, int sign)
    {
        if (bag.IsEmpty) return;
        foreach (var id in bag.Ids) DocFrequency[id] += sign;
        SumTotalTermFrequency += sign * bag.TokenCount();
        SumDocFrequency += sign * bag.Length;
        DocCount += sign;
    }
}

/// <summary>Per-thread dense counters for merging the bags of an organization's projects.</summary>
internal sealed class BagMerger
{
    private readonly float[] _weights;
    private readonly int[] _counts;
    private readonly List<int> _touched = [];

    public BagMerger(int terms)
    {
        _weights = new float[terms];
        _counts = new int[terms];
    }

    public void Add(TermBag bag, float weight)
    {
        for (var i = 0; i < bag.Ids.Length; i++)
        {
            var id = bag.Ids[i];
            if (_counts[id] == 0 && _weights[id] == 0) _touched.Add(id);
            _counts[id] += bag.Counts[i];
            _weights[id] += weight * bag.Counts[i];
        }
    }

    /// <summary>The merged counts as a bag; the counters are reset.</summary>
    public TermBag TakeBag()
    {
        var ids = _touched.ToArray();
        Array.Sort(ids);
        var counts = new int[ids.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            counts[i] = _counts[ids[i]];
            _counts[ids[i]] = 0;
            _weights[ids[i]] = 0;
        }
        _touched.Clear();
        return new TermBag(ids, counts);
    }

    /// <summary>The merged weights of the touched terms (ids ascending); the counters are reset.</summary>
    public (int[] Ids, float[] Weights) TakeWeights()
    {
        var ids = _touched.ToArray();
        Array.Sort(ids);
        var weights = new float[ids.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            weights[i] = _weights[ids[i]];
            _counts[ids[i]] = 0;
            _weights[ids[i]] = 0;
        }
        _touched.Clear();
        return (ids, weights);
    }
}
