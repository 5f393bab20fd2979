namespace Matchmaker.Engine.Matching.Evaluation;

/// <summary>Runs rankers over protocol queries in parallel and scores them with <see cref="RankingMetrics"/>.</summary>
public static class ProtocolEvaluator
{
    /// <summary>Fills a score per organization of the snapshot for one query (higher first; -inf = not ranked).</summary>
    public delegate void FullScorer(MatchQuery query, Span<double> scores);

    private readonly record struct QueryResult(int[] Top, long FirstRelevantRank);

    public static RankingMetrics Evaluate(int organizations, IReadOnlyList<MatchQuery> queries, FullScorer scorer, int? threads = null)
    {
        var results = new QueryResult[queries.Count];
        var buffers = new System.Collections.Concurrent.ConcurrentBag<double[]>();
        Parallel.For(0, queries.Count, new ParallelOptions { MaxDegreeOfParallelism = threads ?? Environment.ProcessorCount }, i =>
        {
            var scores = buffers.TryTake(out var b) ? b : new double[organizations];
            scorer(queries[i], scores);
            results[i] = Summarize(scores, queries[i]);
            buffers.Add(scores);
        });
        return Accumulate(results, queries);
    }

    /// <summary>Share of all answers that each candidate source (and all of them together) proposes.</summary>
    public sealed record CandidateRecall(IReadOnlyDictionary<CandidateSource, double> BySource, double All, double MeanCandidates);

    public sealed record MatcherResult(RankingMetrics Learned, RankingMetrics Reciprocal, CandidateRecall Recall, long ScoredPairs);

    /// <summary>
    /// The learned ranking as a full ranking: the matcher's candidates in its order, then every other organization
    /// by activity in the query's fields (the fallback any user has). In the same pass, the same ranking with its
    /// best <paramref name="reciprocalTop"/> re-ranked by reciprocity, and candidate recall per source.
    /// </summary>
    /// <remarks>
    /// With <paramref name="excludePreviousPartners"/> (the new-partner track) the query organization's previous
    /// partners are removed from the whole ranking, the fallback included.
    /// </remarks>
    public static MatcherResult EvaluateMatcher(Matcher matcher, IReadOnlyList<MatchQuery> queries, int reciprocalTop = 50, int? threads = null,
        bool excludePreviousPartners = false)
    {
        var g = matcher.Stats.Snapshot;
        var sources = Enum.GetValues<CandidateSource>().Where(s => s != CandidateSource.None).ToArray();
        var found = new long[sources.Length];
        long foundAll = 0, total = 0, candidates = 0;
        var gate = new object();
        var learned = new QueryResult[queries.Count];
        var reciprocal = new QueryResult[queries.Count];
        var buffers = new System.Collections.Concurrent.ConcurrentBag<double[]>();
        Parallel.For(0, queries.Count, new ParallelOptions { MaxDegreeOfParallelism = threads ?? Environment.ProcessorCount }, qi =>
        {
            var q = queries[qi];
            var scores = buffers.TryTake(out var b) ? b : new double[g.OrganizationCount];
            var w = matcher.Pool.Rent();
            try
            {
                Heuristics.FieldPopularity(g, q, scores);
                if (excludePreviousPartners) TimeSplit.RemovePreviousPartners(g, q, scores);
                var order = matcher.RankAll(q, w);
                for (var r = 0; r < order.Length; r++) Place(scores, w.Candidates[order[r]], r);
                learned[qi] = Summarize(scores, q);

                var head = Math.Min(reciprocalTop, order.Length);
                var reverse = matcher.ReverseScores(w, order.AsSpan(0, head));
                var reranked = Enumerable.Range(0, head)
                    .OrderByDescending(r => Matcher.Reciprocal(w.Scores[order[r]], reverse[r])).ThenBy(r => w.Candidates[order[r]]).ToArray();
                for (var r = 0; r < head; r++) Place(scores, w.Candidates[order[reranked[r]]], r);
                reciprocal[qi] = Summarize(scores, q);

                var relevant = q.Relevant.ToHashSet();
                var local = new long[sources.Length];
                long localAll = 0;
                for (var i = 0; i < w.Candidates.Count; i++)
                {
                    if (!relevant.Contains(w.Candidates[i])) continue;
                    localAll++;
                    for (var s = 0; s < sources.Length; s++)
                    {
                        if ((w.Sources[i] & sources[s]) != 0) local[s]++;
                    }
                }
                lock (gate)
                {
                    for (var s = 0; s < sources.Length; s++) found[s] += local[s];
                    foundAll += localAll;
                    total += relevant.Count;
                    candidates += w.Candidates.Count;
                }
            }
            finally
            {
                matcher.Pool.Return(w);
                buffers.Add(scores);
            }
        });
        var recall = new CandidateRecall(
            sources.Select((s, i) => (s, i)).ToDictionary(p => p.s, p => total == 0 ? 0 : (double)found[p.i] / total),
            total == 0 ? 0 : (double)foundAll / total,
            queries.Count == 0 ? 0 : (double)candidates / queries.Count);
        return new MatcherResult(Accumulate(learned, queries), Accumulate(reciprocal, queries), recall, candidates);
    }

    /// <summary>Puts a candidate at rank <paramref name="r"/>, ahead of every fallback score, unless it was removed.</summary>
    private static void Place(double[] scores, int organization, int r)
    {
        if (!double.IsNegativeInfinity(scores[organization])) scores[organization] = 1e9 - r;
    }

    private static QueryResult Summarize(double[] scores, MatchQuery q)
    {
        var top = new int[RankingMetrics.RecallDepth];
        var count = RankingMetrics.TopK(scores, top);
        return new QueryResult(top[..count], RankingMetrics.FirstRelevantRank(scores, q.Relevant));
    }

    private static RankingMetrics Accumulate(QueryResult[] results, IReadOnlyList<MatchQuery> queries)
    {
        var metrics = new RankingMetrics();
        for (var i = 0; i < results.Length; i++) metrics.AddRanked(results[i].Top, queries[i].Relevant.ToHashSet(), results[i].FirstRelevantRank);
        return metrics;
    }
}
