using System.Runtime.CompilerServices;
using Matchmaker.Engine.Domain;
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

    /// <summary>
    /// Terms held by more organizations than this (2 % of them, at least 200) are skipped when finding related
    /// organizations: they tell little apart and would make candidate generation scan nearly everyone.
    /// </summary>
    public int MaxPosting { get; }

    // Segmenting text is the expensive part; organizations are immutable, so their terms are cached per instance
    // and a patched snapshot (which shares the unchanged instances) re-segments only what changed.
    private static readonly ConditionalWeakTable<Organization, Terms> TermCache = new();

    private sealed record Terms(HashSet<string> Offers, (string Tag, string[] Terms)[] Needs);

    private readonly Dictionary<string, int[]> _offeredBy;
    private readonly Dictionary<string, int[]> _neededBy;

    public CapabilityIndex(GraphSnapshot snapshot)
    {
        var n = snapshot.OrganizationCount;
        _offers = new HashSet<string>[n];
        _needs = new (string, string[])[n][];
        var documentFrequency = new Dictionary<string, int>(StringComparer.Ordinal);
        var offeredBy = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var neededBy = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var o = 0; o < n; o++)
        {
            var details = snapshot.Details[o];
            var terms = details is null ? new Terms([], []) : TermCache.GetValue(details, Segment);
            _offers[o] = terms.Offers;
            _needs[o] = terms.Needs;
            foreach (var term in terms.Offers)
            {
                documentFrequency[term] = documentFrequency.GetValueOrDefault(term) + 1;
                (offeredBy.TryGetValue(term, out var list) ? list : offeredBy[term] = []).Add(o);
            }
            foreach (var term in terms.Needs.SelectMany(x => x.Terms).Distinct())
            {
                (neededBy.TryGetValue(term, out var list) ? list : neededBy[term] = []).Add(o);
            }
        }
        _idf = documentFrequency.ToDictionary(p => p.Key, p => MathF.Log(1 + (float)n / p.Value), StringComparer.Ordinal);
        _offeredBy = offeredBy.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
        _neededBy = neededBy.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
        HasAny = _needs.Any(x => x.Length > 0);
        MaxPosting = Math.Max(200, n / 50);
    }

    private static Terms Segment(Organization details)
    {
        var offers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tag in details.Capabilities) offers.UnionWith(TextAnalysis.Terms(tag));
        offers.UnionWith(TextAnalysis.Terms(details.Description));
        var needs = details.Needs.Select(t => (t, TextAnalysis.Terms(t).Distinct().ToArray())).Where(p => p.Item2.Length > 0).ToArray();
        return new Terms(offers, needs);
    }

    /// <summary>
    /// Organizations offering a term the organization needs, or needing a term it offers: the only ones whose
    /// <see cref="Match"/> with it can be above zero (very common terms skipped).
    /// </summary>
    public IEnumerable<int> Related(int organization, int organizationCount)
    {
        var related = new HashSet<int>();
        foreach (var term in _needs[organization].SelectMany(x => x.Terms))
        {
            if (_offeredBy.TryGetValue(term, out var offering) && offering.Length <= MaxPosting) related.UnionWith(offering);
        }
        foreach (var term in _offers[organization])
        {
            if (_neededBy.TryGetValue(term, out var needing) && needing.Length <= MaxPosting) related.UnionWith(needing);
        }
        return related;
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

    /// <summary>The capability terms of an organization (tags and description).</summary>
    internal IReadOnlySet<string> Offers(int organization) => _offers[organization];

    /// <summary>The need tags of an organization with their terms.</summary>
    internal IReadOnlyList<(string Tag, string[] Terms)> Needs(int organization) => _needs[organization];

    /// <summary>Organizations whose capabilities hold the term (empty when none does).</summary>
    internal IReadOnlyList<int> OfferedBy(string term) => _offeredBy.TryGetValue(term, out var offering) ? offering : [];

    /// <summary>The need tags of <paramref name="needing"/> that <paramref name="offering"/>'s capabilities speak to.</summary>
    public IReadOnlyList<string> MetNeeds(int needing, int offering) =>
        _needs[needing].Where(n => n.Terms.Any(_offers[offering].Contains)).Select(n => n.Tag).ToArray();
}
