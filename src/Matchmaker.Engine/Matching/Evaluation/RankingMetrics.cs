namespace Matchmaker.Engine.Matching.Evaluation;

/// <summary>NDCG@10, Recall@20 and MRR with binary relevance, averaged over queries.</summary>
public sealed class RankingMetrics
{
    public const int NdcgDepth = 10;
    public const int RecallDepth = 20;

    private double _ndcg, _recall, _mrr;

    public int Queries { get; private set; }
    public double Ndcg10 => Queries == 0 ? 0 : _ndcg / Queries;
    public double Recall20 => Queries == 0 ? 0 : _recall / Queries;
    public double Mrr => Queries == 0 ? 0 : _mrr / Queries;

    /// <summary>
    /// Adds one query ranked by <paramref name="scores"/> over every organization (higher first, ties by lower
    /// index; <see cref="double.NegativeInfinity"/> marks an organization that is not ranked at all).
    /// </summary>
    public void Add(ReadOnlySpan<double> scores, ReadOnlySpan<int> relevant)
    {
        Span<int> top = stackalloc int[RecallDepth];
        var count = TopK(scores, top);
        var ranked = top[..count];
        var isRelevant = new HashSet<int>(relevant.Length);
        foreach (var r in relevant) isRelevant.Add(r);
        AddRanked(ranked, isRelevant, FirstRelevantRank(scores, relevant));
    }

    /// <summary>Adds one query from its top of ranking and the 1-based rank of its first relevant answer (0 if none).</summary>
    public void AddRanked(ReadOnlySpan<int> top, IReadOnlySet<int> relevant, long firstRelevantRank)
    {
        double dcg = 0, idcg = 0;
        for (var i = 0; i < Math.Min(NdcgDepth, top.Length); i++)
        {
            if (relevant.Contains(top[i])) dcg += 1 / Math.Log2(i + 2);
        }
        for (var i = 0; i < Math.Min(NdcgDepth, relevant.Count); i++) idcg += 1 / Math.Log2(i + 2);
        var hits = 0;
        for (var i = 0; i < Math.Min(RecallDepth, top.Length); i++)
        {
            if (relevant.Contains(top[i])) hits++;
        }
        _ndcg += idcg > 0 ? dcg / idcg : 0;
        _recall += relevant.Count > 0 ? (double)hits / relevant.Count : 0;
        _mrr += firstRelevantRank > 0 ? 1.0 / firstRelevantRank : 0;
        Queries++;
    }

    /// <summary>Fills <paramref name="top"/> with the best indexes in rank order; returns how many were found.</summary>
    public static int TopK(ReadOnlySpan<double> scores, Span<int> top)
    {
        var count = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            var s = scores[i];
            if (double.IsNegativeInfinity(s)) continue;
            if (count == top.Length && !(s > scores[top[count - 1]])) continue;
            var at = count == top.Length ? count - 1 : count++;
            // Insertion keeps the buffer sorted; an equal score never moves ahead of an earlier (lower) index.
            while (at > 0 && s > scores[top[at - 1]])
            {
                top[at] = top[at - 1];
                at--;
            }
            top[at] = i;
        }
        return count;
    }

    /// <summary>1-based rank of the best-placed relevant organization, 0 when none is ranked.</summary>
    public static long FirstRelevantRank(ReadOnlySpan<double> scores, ReadOnlySpan<int> relevant)
    {
        var best = -1;
        foreach (var r in relevant)
        {
            if (double.IsNegativeInfinity(scores[r])) continue;
            if (best < 0 || scores[r] > scores[best] || (scores[r] == scores[best] && r < best)) best = r;
        }
        if (best < 0) return 0;
        long rank = 1;
        var s = scores[best];
        for (var i = 0; i < scores.Length; i++)
        {
            if (scores[i] > s || (scores[i] == s && i < best)) rank++;
        }
        return rank;
    }
}
