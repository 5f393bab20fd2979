namespace Matchmaker.Engine.Text;

/// <summary>
/// Settings of a <see cref="TextIndex"/>. BM25 parameters apply to both indexes; the boosts weigh the fields of an
/// organization's profile when it is searched.
/// </summary>
public sealed record TextIndexOptions
{
    public float K1 { get; init; } = 1.2f;
    public float B { get; init; } = 0.75f;
    /// <summary>Projects that started in the snapshot's latest project year or up to this many years before it, minus one, are recent.</summary>
    public int RecentYears { get; init; } = 2;
    /// <summary>Boost of the recent projects' field; twice the older field's, so a recent project counts about twice an old one.</summary>
    public float RecentBoost { get; init; } = 2f;
    public float OlderBoost { get; init; } = 1f;
    /// <summary>Boost of the organization's own text (description, capability and need tags, names).</summary>
    public float OwnBoost { get; init; } = 1f;
    /// <summary>
    /// Distinct query terms kept (by tf × idf), so a long abstract stays cheap to search. 128 keeps nearly all of a
    /// project abstract's terms; 64 found markedly fewer answers on the Horizon tuning queries (docs/benchmarks-matching.md).
    /// </summary>
    public int MaxQueryTerms { get; init; } = 128;
    /// <summary>
    /// Weigh a query term by its frequency in the query text; off, each distinct term counts once, which found more
    /// answers on the Horizon tuning half (BM25 alone; see docs/benchmarks-horizon.md).
    /// </summary>
    public bool QueryTermFrequency { get; init; }
    /// <summary>Terms kept per profile vector for <see cref="TextIndex.ProfileSimilarity"/>.</summary>
    public int ProfileTerms { get; init; } = 200;
    /// <summary>
    /// Where a build takes the analyzed words of the text pieces it has seen before (the same words a fresh analysis
    /// gives); <see cref="AnalysisCache.Shared"/> by default, null to analyze every text anew.
    /// </summary>
    public AnalysisCache? Analysis { get; init; } = AnalysisCache.Shared;

    internal void Validate()
    {
        if (!(K1 >= 0) || !(B is >= 0 and <= 1)) throw new ArgumentException("BM25 needs k1 >= 0 and 0 <= b <= 1.");
        if (RecentYears < 1) throw new ArgumentException("RecentYears must be at least 1.");
        if (!(RecentBoost > 0) || !(OlderBoost > 0) || !(OwnBoost > 0)) throw new ArgumentException("Field boosts must be positive.");
        // Three clauses per term (one per profile field) must stay under Lucene's clause limit (1,024).
        if (MaxQueryTerms is < 1 or > 300) throw new ArgumentException("MaxQueryTerms must be between 1 and 300.");
        if (ProfileTerms < 1) throw new ArgumentException("ProfileTerms must be at least 1.");
    }
}

/// <summary>
/// An analyzed query text: its distinct terms (stems) with their frequencies, the most informative first.
/// Terms that occur nowhere in the index are left out. Independent of the index instance that made it: it can be
/// scored against an updated index.
/// </summary>
public sealed class TextQuery
{
    internal TextQuery(string[] terms, int[] frequencies)
    {
        TermArray = terms;
        FrequencyArray = frequencies;
    }

    internal string[] TermArray { get; }
    internal int[] FrequencyArray { get; }

    public IReadOnlyList<string> Terms => TermArray;
    public IReadOnlyList<int> Frequencies => FrequencyArray;
    public int Count => TermArray.Length;
    public bool IsEmpty => TermArray.Length == 0;

    public static TextQuery Empty { get; } = new([], []);
}
