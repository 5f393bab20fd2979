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
/// <remarks>
/// Terms are interned to integers once, so that a match (computed for every scored pair, twice) is a few
/// binary searches over small sorted arrays instead of string hashing. The summation order is that of the
/// needs as stated, so the values are the same as summing over the strings.
/// </remarks>
public sealed class CapabilityIndex : ICapabilityMatcher
{
    // Per organization: sorted distinct offered term ids; need tags with their (distinct) term ids; all need
    // term ids in the order a match sums them, and that sum's denominator.
    private readonly int[][] _offers;
    private readonly (string Tag, int[] Terms)[][] _needs;
    private readonly int[][] _needTerms;
    private readonly float[] _needWeight;
    // Per term id.
    private readonly Dictionary<string, int> _termIds;
    private readonly float[] _idf;
    private readonly int[][] _offeredBy;
    private readonly int[][] _neededBy;
    private readonly int _organizationCount;
    // The same offers and need terms laid end to end, with each organization's ranges and need weight in one
    // record: a match reads one record per side instead of following two array references per side.
    private readonly int[] _allOffers;
    private readonly int[] _allNeedTerms;
    private readonly TermRanges[] _ranges;

    private readonly record struct TermRanges(int OffersFrom, int OffersCount, int NeedsFrom, int NeedsCount, float NeedWeight);

    /// <summary>
    /// Terms held by more organizations than this (2 % of them, at least 200) are skipped when finding related
    /// organizations: they tell little apart and would make candidate generation scan nearly everyone.
    /// </summary>
    public int MaxPosting { get; }

    // Segmenting text is the expensive part; organizations are immutable, so their terms are cached per instance
    // and a patched snapshot (which shares the unchanged instances) re-segments only what changed.
    private static readonly ConditionalWeakTable<Organization, Terms> TermCache = new();

    private sealed record Terms(HashSet<string> Offers, (string Tag, string[] Terms)[] Needs);

    private static readonly Terms NoTerms = new([], []);

    public CapabilityIndex(GraphSnapshot snapshot)
    {
        var n = snapshot.OrganizationCount;
        _organizationCount = n;
        _offers = new int[n][];
        _needs = new (string, int[])[n][];
        _needTerms = new int[n][];
        _termIds = new Dictionary<string, int>(StringComparer.Ordinal);
        // Segmenting is independent per organization (the analyzers are per thread); interning is not.
        var terms = new Terms[n];
        Parallel.For(0, n, o => terms[o] = TermsOf(snapshot.Details[o]));
        for (var o = 0; o < n; o++) Intern(o, terms[o]);
        var documentFrequency = new int[_termIds.Count];
        var needFrequency = new int[_termIds.Count];
        for (var o = 0; o < n; o++) Count(o, documentFrequency, needFrequency, +1);
        _offeredBy = Postings(documentFrequency, o => _offers[o]);
        _neededBy = Postings(needFrequency, o => DistinctNeedTerms(o));
        _idf = new float[_termIds.Count];
        _needWeight = new float[n];
        Weigh(documentFrequency);
        HasAny = _needs.Any(x => x.Length > 0);
        MaxPosting = Math.Max(200, n / 50);
        (_allOffers, _allNeedTerms, _ranges) = Flatten();
    }

    /// <summary>
    /// The index of <paramref name="patched"/>, a snapshot made from <paramref name="previous"/>'s by attribute
    /// edits (<see cref="SnapshotPatch"/>): only the organizations whose record changed are segmented and re-posted;
    /// the weights, which depend on every organization, are recomputed from the kept frequencies.
    /// </summary>
    private CapabilityIndex(CapabilityIndex previous, GraphSnapshot patched, IReadOnlyList<int> changed)
    {
        var n = patched.OrganizationCount;
        _organizationCount = n;
        _offers = Grow(previous._offers, n, []);
        _needs = Grow(previous._needs, n, []);
        _needTerms = Grow(previous._needTerms, n, []);
        _termIds = new Dictionary<string, int>(previous._termIds, StringComparer.Ordinal);
        var touched = new HashSet<int>();
        foreach (var o in changed)
        {
            if (o < previous._organizationCount)
            {
                touched.UnionWith(_offers[o]);
                touched.UnionWith(_needTerms[o]);
            }
            Intern(o, TermsOf(patched.Details[o]));
            touched.UnionWith(_offers[o]);
            touched.UnionWith(_needTerms[o]);
        }
        var terms = _termIds.Count;
        _offeredBy = Grow(previous._offeredBy, terms, []);
        _neededBy = Grow(previous._neededBy, terms, []);
        var changedSet = changed.ToHashSet();
        foreach (var t in touched)
        {
            _offeredBy[t] = Repost(_offeredBy[t], t, changedSet, o => Array.BinarySearch(_offers[o], t) >= 0);
            _neededBy[t] = Repost(_neededBy[t], t, changedSet, o => Array.IndexOf(_needTerms[o], t) >= 0);
        }
        var documentFrequency = new int[terms];
        for (var t = 0; t < terms; t++) documentFrequency[t] = _offeredBy[t].Length;
        _idf = new float[terms];
        _needWeight = new float[n];
        Weigh(documentFrequency);
        HasAny = _needs.Any(x => x.Length > 0);
        MaxPosting = Math.Max(200, n / 50);
        (_allOffers, _allNeedTerms, _ranges) = Flatten();
    }

    /// <summary>
    /// The index for <paramref name="patched"/>, derived from this one when the patch only changed organization
    /// records (and appended organizations): the records that are not the same instances are re-indexed.
    /// </summary>
    public CapabilityIndex Patch(GraphSnapshot previousSnapshot, GraphSnapshot patched)
    {
        if (previousSnapshot.OrganizationCount != _organizationCount || patched.OrganizationCount < _organizationCount)
        {
            return new CapabilityIndex(patched);
        }
        var changed = new List<int>();
        for (var o = 0; o < patched.OrganizationCount; o++)
        {
            if (o >= _organizationCount || !ReferenceEquals(previousSnapshot.Details[o], patched.Details[o])) changed.Add(o);
        }
        return new CapabilityIndex(this, patched, changed);
    }

    private static Terms TermsOf(Organization? details) => details is null ? NoTerms : TermCache.GetValue(details, Segment);

    private static Terms Segment(Organization details)
    {
        var offers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tag in details.Capabilities) offers.UnionWith(TermsOf(tag));
        offers.UnionWith(TermsOf(details.Description));
        var needs = details.Needs.Select(t => (t, TermsOf(t).Distinct().ToArray())).Where(p => p.Item2.Length > 0).ToArray();
        return new Terms(offers, needs);
    }

    // A snapshot rebuilt from the store holds new organization instances with mostly the same texts (tags come from
    // a small vocabulary, descriptions rarely change), so segmented texts are also cached by content. Bounded: it
    // is emptied when it grows past the limit, which costs one re-segmentation.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string[]> TextCache = new(StringComparer.Ordinal);
    private const int TextCacheLimit = 2_000_000;

    private static string[] TermsOf(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return [];
        if (TextCache.TryGetValue(text, out var cached)) return cached;
        var terms = TextAnalysis.Terms(text).ToArray();
        if (TextCache.Count >= TextCacheLimit) TextCache.Clear();
        TextCache.TryAdd(text, terms);
        return terms;
    }

    private void Intern(int o, Terms terms)
    {
        var offers = new int[terms.Offers.Count];
        var i = 0;
        foreach (var term in terms.Offers) offers[i++] = Id(term);
        Array.Sort(offers);
        _offers[o] = offers;
        _needs[o] = terms.Needs.Select(x => (x.Tag, x.Terms.Select(Id).ToArray())).ToArray();
        _needTerms[o] = _needs[o].SelectMany(x => x.Terms).ToArray();
    }

    private int Id(string term)
    {
        if (_termIds.TryGetValue(term, out var id)) return id;
        id = _termIds.Count;
        _termIds[term] = id;
        return id;
    }

    private int[] DistinctNeedTerms(int o) => _needTerms[o].Distinct().ToArray();

    private void Count(int o, int[] offered, int[] needed, int delta)
    {
        foreach (var t in _offers[o]) offered[t] += delta;
        foreach (var t in DistinctNeedTerms(o)) needed[t] += delta;
    }

    /// <summary>Per term, the organizations holding it, in ascending order.</summary>
    private int[][] Postings(int[] frequency, Func<int, int[]> termsOf)
    {
        var postings = new int[frequency.Length][];
        for (var t = 0; t < postings.Length; t++) postings[t] = frequency[t] == 0 ? [] : new int[frequency[t]];
        var fill = new int[frequency.Length];
        for (var o = 0; o < _organizationCount; o++)
        {
            foreach (var t in termsOf(o)) postings[t][fill[t]++] = o;
        }
        return postings;
    }

    /// <summary>The posting of term <paramref name="t"/> with the changed organizations re-decided, ascending.</summary>
    private static int[] Repost(int[] posting, int t, HashSet<int> changed, Func<int, bool> holds)
    {
        var kept = posting.Where(o => !changed.Contains(o)).ToList();
        foreach (var o in changed)
        {
            if (holds(o)) kept.Add(o);
        }
        kept.Sort();
        return kept.ToArray();
    }

    /// <summary>IDF per offered term (1 for a term nobody offers) and each organization's total need weight.</summary>
    private void Weigh(int[] documentFrequency)
    {
        var n = _organizationCount;
        for (var t = 0; t < _idf.Length; t++) _idf[t] = documentFrequency[t] > 0 ? MathF.Log(1 + (float)n / documentFrequency[t]) : 1f;
        for (var o = 0; o < n; o++)
        {
            float total = 0;
            foreach (var t in _needTerms[o]) total += _idf[t];
            _needWeight[o] = total;
        }
    }

    private static T[] Grow<T>(T[] source, int length, T fill)
    {
        if (source.Length == length) return (T[])source.Clone();
        var copy = new T[length];
        Array.Copy(source, copy, Math.Min(source.Length, length));
        for (var i = source.Length; i < length; i++) copy[i] = fill;
        return copy;
    }

    /// <summary>
    /// Organizations offering a term the organization needs, or needing a term it offers: the only ones whose
    /// <see cref="Match"/> with it can be above zero (very common terms skipped).
    /// </summary>
    public IEnumerable<int> Related(int organization, int organizationCount)
    {
        var related = new HashSet<int>();
        foreach (var t in _needTerms[organization])
        {
            if (_offeredBy[t].Length <= MaxPosting) related.UnionWith(_offeredBy[t]);
        }
        foreach (var t in _offers[organization])
        {
            if (_neededBy[t].Length <= MaxPosting) related.UnionWith(_neededBy[t]);
        }
        return related;
    }

    // Organizations already collected by CollectRelated on this thread, a bit each (cleared again before it returns).
    [ThreadStatic] private static ulong[]? _threadCollected;

    /// <summary>As <see cref="Related"/>, without a set: each organization once, marked in a per-thread bitset.</summary>
    public void CollectRelated(int organization, int organizationCount, List<int> into)
    {
        var words = (_organizationCount + 63) / 64;
        var seen = _threadCollected is { } cached && cached.Length >= words ? cached : _threadCollected = new ulong[words];
        var from = into.Count;
        foreach (var t in _needTerms[organization])
        {
            if (_offeredBy[t].Length <= MaxPosting) Collect(_offeredBy[t]);
        }
        foreach (var t in _offers[organization])
        {
            if (_neededBy[t].Length <= MaxPosting) Collect(_neededBy[t]);
        }
        for (var i = from; i < into.Count; i++) seen[into[i] >> 6] = 0;

        void Collect(int[] posting)
        {
            foreach (var o in posting)
            {
                ref var word = ref seen[o >> 6];
                var bit = 1UL << o;
                if ((word & bit) != 0) continue;
                word |= bit;
                into.Add(o);
            }
        }
    }

    /// <summary>False when no organization states a need (then every match is 0 and the index can be skipped).</summary>
    public bool HasAny { get; }

    public float Match(int needing, int offering)
    {
        ref readonly var need = ref _ranges[needing];
        if (need.NeedsCount == 0 || needing == offering) return 0;
        ref readonly var offer = ref _ranges[offering];
        var offers = new ReadOnlySpan<int>(_allOffers, offer.OffersFrom, offer.OffersCount);
        var needs = new ReadOnlySpan<int>(_allNeedTerms, need.NeedsFrom, need.NeedsCount);
        var idf = _idf;
        float met = 0;
        foreach (var t in needs)
        {
            if (offers.Length > 0 && offers.BinarySearch(t) >= 0) met += idf[t];
        }
        var total = need.NeedWeight;
        return total > 0 ? met / total : 0;
    }

    // Per-thread scratch of MatchAll over the term vocabulary: the query's offered terms (a bit each) and, per term,
    // the positions it holds among the query's need terms (a bit per position). Cleared again before it returns.
    [ThreadStatic] private static ulong[]? _threadOffered;
    [ThreadStatic] private static ulong[]? _threadNeedPositions;

    /// <summary>
    /// <see cref="Match"/> of the query with each candidate in both directions, with the same sums in the same order:
    /// the query's terms are marked once, so each candidate costs a pass over its own terms instead of a binary
    /// search per term.
    /// </summary>
    public void MatchAll(int query, ReadOnlySpan<int> candidates, Span<float> candidateMeetsQuery, Span<float> queryMeetsCandidate)
    {
        ref readonly var q = ref _ranges[query];
        var queryNeeds = new ReadOnlySpan<int>(_allNeedTerms, q.NeedsFrom, q.NeedsCount);
        if (queryNeeds.Length > 64)
        {
            // Positions would not fit one word: the pair-by-pair path (no data has needed it so far).
            ICapabilityMatcher.MatchPairByPair(this, query, candidates, candidateMeetsQuery, queryMeetsCandidate);
            return;
        }
        var terms = _idf.Length;
        var offered = _threadOffered is { } o && o.Length >= (terms + 63) / 64 ? o : _threadOffered = new ulong[(terms + 63) / 64];
        var positions = _threadNeedPositions is { } p && p.Length >= terms ? p : _threadNeedPositions = new ulong[terms];
        var queryOffers = new ReadOnlySpan<int>(_allOffers, q.OffersFrom, q.OffersCount);
        foreach (var t in queryOffers) offered[t >> 6] |= 1UL << t;
        for (var k = 0; k < queryNeeds.Length; k++) positions[queryNeeds[k]] |= 1UL << k;
        var idf = _idf;
        try
        {
            for (var i = 0; i < candidates.Length; i++)
            {
                var b = candidates[i];
                ref readonly var r = ref _ranges[b];
                // The candidate meets the query's needs: the query's need terms it offers, summed in need order.
                float meets = 0;
                if (queryNeeds.Length > 0 && b != query)
                {
                    ulong found = 0;
                    foreach (var t in new ReadOnlySpan<int>(_allOffers, r.OffersFrom, r.OffersCount)) found |= positions[t];
                    float met = 0;
                    for (; found != 0; found &= found - 1) met += idf[queryNeeds[System.Numerics.BitOperations.TrailingZeroCount(found)]];
                    meets = q.NeedWeight > 0 ? met / q.NeedWeight : 0;
                }
                candidateMeetsQuery[i] = meets;
                // The query meets the candidate's needs: its need terms the query offers, in need order.
                float theirs = 0;
                if (r.NeedsCount > 0 && b != query)
                {
                    float met = 0;
                    foreach (var t in new ReadOnlySpan<int>(_allNeedTerms, r.NeedsFrom, r.NeedsCount))
                    {
                        if ((offered[t >> 6] & (1UL << t)) != 0) met += idf[t];
                    }
                    theirs = r.NeedWeight > 0 ? met / r.NeedWeight : 0;
                }
                queryMeetsCandidate[i] = theirs;
            }
        }
        finally
        {
            foreach (var t in queryOffers) offered[t >> 6] = 0;
            foreach (var t in queryNeeds) positions[t] = 0;
        }
    }

    private (int[] Offers, int[] NeedTerms, TermRanges[] Ranges) Flatten()
    {
        var ranges = new TermRanges[_organizationCount];
        var offers = new int[_offers.Sum(o => (long)o.Length)];
        var needs = new int[_needTerms.Sum(o => (long)o.Length)];
        int offerAt = 0, needAt = 0;
        for (var o = 0; o < _organizationCount; o++)
        {
            _offers[o].CopyTo(offers, offerAt);
            _needTerms[o].CopyTo(needs, needAt);
            ranges[o] = new TermRanges(offerAt, _offers[o].Length, needAt, _needTerms[o].Length, _needWeight[o]);
            offerAt += _offers[o].Length;
            needAt += _needTerms[o].Length;
        }
        return (offers, needs, ranges);
    }

    /// <summary>The capability terms of an organization (tags and description).</summary>
    internal IReadOnlySet<string> Offers(int organization)
    {
        var names = TermNames();
        return _offers[organization].Select(t => names[t]).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The need tags of an organization with their terms.</summary>
    internal IReadOnlyList<(string Tag, string[] Terms)> Needs(int organization)
    {
        var names = TermNames();
        return _needs[organization].Select(n => (n.Tag, n.Terms.Select(t => names[t]).ToArray())).ToArray();
    }

    /// <summary>Organizations whose capabilities hold the term (empty when none does).</summary>
    internal IReadOnlyList<int> OfferedBy(string term) => _termIds.TryGetValue(term, out var id) && id < _offeredBy.Length ? _offeredBy[id] : [];

    private volatile string[]? _termNames;

    /// <summary>Term texts by id, for the callers that work with texts (the planner); built on first use.</summary>
    private string[] TermNames()
    {
        var names = _termNames;
        if (names is not null && names.Length == _termIds.Count) return names;
        names = new string[_termIds.Count];
        foreach (var (term, id) in _termIds) names[id] = term;
        _termNames = names;
        return names;
    }

    /// <summary>The need tags of <paramref name="needing"/> that <paramref name="offering"/>'s capabilities speak to.</summary>
    public IReadOnlyList<string> MetNeeds(int needing, int offering)
    {
        var offers = _offers[offering];
        return _needs[needing].Where(n => n.Terms.Any(t => Array.BinarySearch(offers, t) >= 0)).Select(n => n.Tag).ToArray();
    }
}
