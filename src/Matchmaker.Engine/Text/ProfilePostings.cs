using Lucene.Net.Util;

namespace Matchmaker.Engine.Text;

/// <summary>
/// The profile index's postings kept as plain arrays (per field: for each term, the organizations holding it with
/// their frequencies, and each organization's encoded field length), so that scoring every organization against a
/// query is a walk over arrays instead of a Lucene search over a RAM directory (whose buffer reads take a lock).
/// <para>
/// The arithmetic is Lucene 4.8's BM25 as the profile searcher runs it, step for step: the same one-byte length
/// norms, the same float operations per clause, and the clauses summed in double in the order Lucene's
/// out-of-order boolean scorer adds them (last clause first), so the scores are the same bits.
/// </para>
/// </summary>
internal sealed class ProfilePostings
{
    // Lucene's BM25Similarity: 1 / f² of the decoded SmallFloat byte (its NORM_TABLE).
    private static readonly float[] NormTable = LoadNormTable();

    private readonly Field[] _fields;

    private sealed class Field
    {
        public required int[] Start;      // per term id, start into Organizations/Frequencies; Start[terms] = end
        public required int[] Organizations;
        public required float[] Frequencies;
        public required byte[] Norms;     // per organization
    }

    /// <param name="bags">Per field, per organization: its bag (empty when the field is absent).</param>
    /// <param name="terms">Number of term ids.</param>
    public ProfilePostings(IReadOnlyList<TermBag[]> bags, int terms)
    {
        _fields = new Field[bags.Count];
        for (var f = 0; f < bags.Count; f++) _fields[f] = Build(bags[f], terms);
    }

    private static Field Build(TermBag[] bags, int terms)
    {
        var start = new int[terms + 1];
        var norms = new byte[bags.Length];
        foreach (var bag in bags) foreach (var id in bag.Ids) start[id + 1]++;
        for (var t = 0; t < terms; t++) start[t + 1] += start[t];
        var at = start.AsSpan(0, terms).ToArray();
        var organizations = new int[start[terms]];
        var frequencies = new float[start[terms]];
        // Organizations in ascending order within each term: bags are walked in organization order.
        for (var o = 0; o < bags.Length; o++)
        {
            var bag = bags[o];
            if (bag.IsEmpty) continue;
            for (var i = 0; i < bag.Ids.Length; i++)
            {
                var k = at[bag.Ids[i]]++;
                organizations[k] = o;
                frequencies[k] = bag.Counts[i];
            }
            // BM25Similarity.ComputeNorm: boost 1 over the square root of the field's token count.
            norms[o] = SmallSingle.SingleToByte315(1f / (float)Math.Sqrt((int)bag.TokenCount()));
        }
        return new Field { Start = start, Organizations = organizations, Frequencies = frequencies, Norms = norms };
    }

    /// <summary>The organizations whose field <paramref name="field"/> holds the term, ascending.</summary>
    public ReadOnlySpan<int> Organizations(int field, int term)
    {
        var f = _fields[field];
        return term + 1 < f.Start.Length ? f.Organizations.AsSpan(f.Start[term], f.Start[term + 1] - f.Start[term]) : [];
    }

    /// <summary>One clause of the query: a term in a field with its boost (query weight × field boost).</summary>
    public readonly record struct Clause(int Field, int Term, float Boost, int DocFrequency, FieldStats Stats);

    /// <summary>
    /// Adds up the clauses' BM25 scores per organization into <paramref name="sums"/> (cleared by the caller), in the
    /// order Lucene adds them, then writes them as floats into <paramref name="scores"/> (0 where nothing matched).
    /// </summary>
    public void Score(ReadOnlySpan<Clause> clauses, int maxDoc, float k1, float b, Span<double> sums, Span<float> scores)
    {
        var cache = new float[256];
        for (var c = clauses.Length - 1; c >= 0; c--)
        {
            var clause = clauses[c];
            var field = _fields[clause.Field];
            // A term no document holds adds nothing (Lucene finds no postings for it).
            if ((uint)clause.Term + 1 >= (uint)field.Start.Length || field.Start[clause.Term] == field.Start[clause.Term + 1]) continue;
            // BM25Similarity.ComputeWeight / Normalize (top-level boost 1) / BM25DocScorer, as Lucene.Net 4.8 has them.
            var docFrequency = Math.Max(1, clause.DocFrequency);
            var idf = (float)Math.Log(1 + (maxDoc - docFrequency + 0.5D) / (docFrequency + 0.5D));
            var sumTotalTermFrequency = clause.Stats.SumTotalTermFrequency;
            var avgdl = sumTotalTermFrequency <= 0 ? 1f : (float)(sumTotalTermFrequency / (double)maxDoc);
            for (var i = 0; i < cache.Length; i++) cache[i] = k1 * ((1 - b) + b * NormTable[i] / avgdl);
            var weight = idf * clause.Boost * 1f;
            var weightValue = weight * (k1 + 1);
            var norms = field.Norms;
            var organizations = field.Organizations;
            var frequencies = field.Frequencies;
            for (int k = field.Start[clause.Term], end = field.Start[clause.Term + 1]; k < end; k++)
            {
                var freq = frequencies[k];
                var o = organizations[k];
                var norm = cache[norms[o]];
                sums[o] += weightValue * freq / (freq + norm);
            }
        }
        for (var o = 0; o < scores.Length; o++) scores[o] = (float)sums[o];
    }

    private static float[] LoadNormTable()
    {
        var table = new float[256];
        for (var i = 0; i < 256; i++)
        {
            var f = SmallSingle.SByte315ToSingle((sbyte)i);
            table[i] = 1.0f / (f * f);
        }
        return table;
    }
}
