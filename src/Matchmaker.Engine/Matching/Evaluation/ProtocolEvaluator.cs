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
            var top = new int[RankingMetrics.RecallDepth];
            var count = RankingMetrics.TopK(scores, top);
            results[i] = new QueryResult(top[..count], RankingMetrics.FirstRelevantRank(scores, queries[i].Relevant));
            buffers.Add(scores);
        });
        var metrics = new RankingMetrics();
        for (var i = 0; i < results.Length; i++)
        {
            metrics.AddRanked(results[i].Top, queries[i].Relevant.ToHashSet(), results[i].FirstRelevantRank);
        }
        return metrics;
    }

    /// <summary>Share of all answers that each candidate source (and all of them together) proposes.</summary>
    public sealed record CandidateRecall(IReadOnlyDictionary<CandidateSource, double> BySource, double All, double MeanCandidates);

    /// <summary>
    /// The learned ranking as a full ranking: the matcher's candidates in its order, then every other organization
    /// by activity in the query's fields (the fallback any user has). Also measures candidate recall per source.
    /// </summary>
    public static (RankingMetrics Metrics, CandidateRecall Recall) EvaluateMatcher(Matcher matcher, IReadOnlyList<MatchQuery> queries, int reciprocalTop = 0, int? threads = null)
    {
        var g = matcher.Stats.Snapshot;
        var sources = Enum.GetValues<CandidateSource>().Where(s => s != CandidateSource.None).ToArray();
        var found = new long[sources.Length];
        long foundAll = 0, total = 0, candidates = 0;
        var gate = new object();
        var metrics = Evaluate(g.OrganizationCount, queries, (q, scores) =>
        {
            Heuristics.FieldPopularity(g, q, scores);
            var ranked = matcher.Rank(q, reciprocalTop);
            for (var r = 0; r < ranked.Count; r++) scores[ranked[r].Organization] = 1e9 - r;
            var relevant = q.Relevant.ToHashSet();
            var local = new long[sources.Length];
            long localAll = 0;
            foreach (var c in ranked)
            {
                if (!relevant.Contains(c.Organization)) continue;
                localAll++;
                for (var s = 0; s < sources.Length; s++)
                {
                    if ((c.Sources & sources[s]) != 0) local[s]++;
                }
            }
            lock (gate)
            {
                for (var s = 0; s < sources.Length; s++) found[s] += local[s];
                foundAll += localAll;
                total += relevant.Count;
                candidates += ranked.Count;
            }
        }, threads);
        var recall = new CandidateRecall(
            sources.Select((s, i) => (s, i)).ToDictionary(p => p.s, p => total == 0 ? 0 : (double)found[p.i] / total),
            total == 0 ? 0 : (double)foundAll / total,
            queries.Count == 0 ? 0 : (double)candidates / queries.Count);
        return (metrics, recall);
    }
}
