using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Matching;

namespace Matchmaker.Engine.Text;

/// <summary>
/// Capabilities and needs of every organization of a snapshot as term sets (tags and description, Chinese and
/// English). A need is met when the other side's capability terms contain its terms; the match is the
/// IDF-weighted share of the needing side's need terms that the offering side covers.
/// </summary>
public sealed class CapabilityIndex : ICapabilityMatcher
{
    private readonly HashSet<string>[] _offers;
    private readonly (string Tag, string[] Terms)[][] _needs;
    private readonly Dictionary<string, float> _idf;

    public CapabilityIndex(GraphSnapshot snapshot)
    {
        var n = snapshot.OrganizationCount;
        _offers = new HashSet<string>[n];
        _needs = new (string, string[])[n][];
        var documentFrequency = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var o = 0; o < n; o++)
        {
            var details = snapshot.Details[o];
            var offers = new HashSet<string>(StringComparer.Ordinal);
            if (details is not null)
            {
                foreach (var tag in details.Capabilities) offers.UnionWith(TextAnalysis.Terms(tag));
                offers.UnionWith(TextAnalysis.Terms(details.Description));
            }
            _offers[o] = offers;
            _needs[o] = details is null ? [] : details.Needs.Select(t => (t, TextAnalysis.Terms(t).Distinct().ToArray())).Where(p => p.Item2.Length > 0).ToArray();
            foreach (var term in offers) documentFrequency[term] = documentFrequency.GetValueOrDefault(term) + 1;
        }
        _idf = documentFrequency.ToDictionary(p => p.Key, p => MathF.Log(1 + (float)n / p.Value), StringComparer.Ordinal);
        HasAny = _needs.Any(x => x.Length > 0);
    }

    /// <summary>False when no organization states a need (then every match is 0 and the index can be skipped).</summary>
    public bool HasAny { get; }

    public float Match(int needing, int offering)
    {
        var needs = _needs[needing];
        if (needs.Length == 0 || needing == offering) return 0;
        var offers = _offers[offering];
        float met = 0, total = 0;
        foreach (var (_, terms) in needs)
        {
            foreach (var term in terms)
            {
                var w = _idf.GetValueOrDefault(term, 1f);
                total += w;
                if (offers.Contains(term)) met += w;
            }
        }
        return total > 0 ? met / total : 0;
    }

    /// <summary>The need tags of <paramref name="needing"/> that <paramref name="offering"/>'s capabilities speak to.</summary>
    public IReadOnlyList<string> MetNeeds(int needing, int offering) =>
        _needs[needing].Where(n => n.Terms.Any(_offers[offering].Contains)).Select(n => n.Tag).ToArray();
}
