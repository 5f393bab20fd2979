using System.Runtime.InteropServices;
using Matchmaker.Engine.Graph;

namespace Matchmaker.Engine.Text;

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
