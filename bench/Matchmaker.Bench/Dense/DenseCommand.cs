using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Numerics;

namespace Matchmaker.Bench.Dense;

/// <summary>
/// `dense DATA_DIR [--model minilm|arcticxs] [--cache DIR]`: dense sentence embeddings against the data README's
/// text-bm25 reference, and their fusion, on the tuning half of test year 2024 (even project ids) of the CORDIS
/// Horizon Europe data (CORDIS, European Commission), following its protocol. The odd half is never read as queries.
/// </summary>
public static class DenseCommand
{
    private const int TestYear = 2024;

    private static readonly Argument<string> DataDir = new("data-dir") { Description = "the cordis-horizon data directory" };
    private static readonly Option<string> Model = BenchOptions.Choice("--model", "minilm", "the sentence-embedding model", "minilm", "arcticxs");
    private static readonly Option<string?> Cache = BenchOptions.Text("--cache",
        "where the vectors are kept between runs (default: matchmaker-dense in the temp directory)", "DIR");
    private static readonly Option<int> Threads = BenchOptions.Int("--threads", 2, "ONNX Runtime threads");
    private static readonly Option<int> Batch = BenchOptions.Int("--batch", 16, "texts embedded per batch");
    private static readonly Option<int?> MaxTokens = BenchOptions.OptionalInt("--max-tokens", "cut each text at this many tokens (default: the model's own limit)");
    private static readonly Option<bool> Bm25Only = BenchOptions.Flag("--bm25-only", "the text-bm25 reference alone, no embedding");

    public static Command Command()
    {
        var command = new Command("dense",
            "dense sentence embeddings against the text-bm25 reference, and their fusion, on the tuning half of 2024 (Horizon Europe, CORDIS, European Commission)")
        {
            DataDir, Model, Cache, Threads, Batch, MaxTokens, Bm25Only,
        };
        command.SetAction(Run);
        return command;
    }

    private static int Run(ParseResult options)
    {
        var dataDir = options.GetValue(DataDir)!;
        var model = options.GetValue(Model)!;
        var cacheDir = options.GetValue(Cache) ?? Path.Combine(Path.GetTempPath(), "matchmaker-dense");
        var threads = options.GetValue(Threads);
        var batch = options.GetValue(Batch);
        var maxTokens = options.GetValue(MaxTokens);

        Console.WriteLine($"machine: {Machine.Describe()}; load {Machine.LoadAverage()}");
        var watch = Stopwatch.StartNew();
        var split = HorizonSplit.Load(dataDir, TestYear, id => id % 2 == 0);
        var newTrack = split.Queries.Count(q => q.RelevantNew.Length > 0);
        Console.WriteLine($"data: {split.PastProjects.Count} projects before {TestYear}, {split.OrgIds.Length} organisations ranked, "
                          + $"{split.Queries.Count} tuning queries (even ids; new partners: {newTrack}); {split.SkippedRows} rows skipped; {watch.Elapsed.TotalSeconds:F1} s");

        watch.Restart();
        var bm25 = new TextBm25(split);
        var bm25Scores = split.Queries.Select(q => bm25.Score(q.Project.QueryText)).ToArray();
        Console.WriteLine($"bm25: {bm25.VocabularySize} terms; index and {split.Queries.Count} queries in {watch.Elapsed.TotalSeconds:F1} s");

        if (options.GetValue(Bm25Only))
        {
            Print(split, [("text-bm25", i => bm25Scores[i])]);
            return 0;
        }

        using var embedder = SentenceEmbedder.Create(model, threads, maxTokens);
        Console.WriteLine($"model: {embedder.Name} ({embedder.Package}), {threads} threads, cut at {embedder.MaxTokens} tokens");
        var stem = Path.Combine(cacheDir, $"{embedder.Name}-{embedder.MaxTokens}");
        var docs = new VectorCache(stem + ".projects.bin").Fill(embedder,
            split.PastProjects.Select(p => (p.Id, p.DocumentText)).ToList(), batch, "projects");
        var queries = new VectorCache(stem + ".queries.bin").Fill(embedder,
            split.Queries.Select(q => (q.Project.Id, embedder.QueryPrefix + q.Project.QueryText)).ToList(), batch, "queries");
        foreach (var (label, fill) in new[] { ("projects", docs), ("queries", queries) })
            if (fill.Embedded > 0)
                Console.WriteLine($"embedded {fill.Embedded} {label} in {fill.Elapsed.TotalSeconds:F0} s: " +
                                  $"{fill.Elapsed.TotalMilliseconds / fill.Embedded:F1} ms per text ({fill.MeanTokens:F0} tokens on average)");
            else
                Console.WriteLine($"{label}: all vectors read from {stem}.{label}.bin");

        watch.Restart();
        var projectVectors = split.PastProjects.Select(p => docs.Vectors[p.Id]).ToArray();
        var profiles = Profiles(split, projectVectors, decay: 1.0);
        var recentProfiles = Profiles(split, projectVectors, decay: 0.5);
        var methods = new List<(string Name, Func<int, double[]> Scores)>
        {
            ("text-bm25", i => bm25Scores[i]),
        };
        var dense = new double[split.Queries.Count][];
        var denseRecent = new double[split.Queries.Count][];
        var denseMax = new double[split.Queries.Count][];
        for (var i = 0; i < split.Queries.Count; i++)
        {
            var q = queries.Vectors[split.Queries[i].Project.Id];
            dense[i] = profiles.Select(p => (double)Dot(q, p)).ToArray();
            denseRecent[i] = recentProfiles.Select(p => (double)Dot(q, p)).ToArray();
            var projectCos = projectVectors.Select(p => Dot(q, p)).ToArray();
            denseMax[i] = split.OrgProjects.Select(ps => (double)ps.Max(p => projectCos[p])).ToArray();
        }
        methods.Add(("dense (profile = normalized sum)", i => dense[i]));
        methods.Add(("dense (recency 0.5 per year)", i => denseRecent[i]));
        methods.Add(("dense (max over projects)", i => denseMax[i]));
        methods.Add(("fusion: RRF bm25 + dense (k 60)", i => Rrf(split, i, bm25Scores[i], dense[i])));
        foreach (var w in new[] { 0.25, 0.5, 1.0 })
            methods.Add(($"fusion: z(bm25) + {w.ToString(CultureInfo.InvariantCulture)} z(dense)", i => ZSum(split, i, bm25Scores[i], dense[i], w)));
        methods.Add(("fusion: z(bm25) + 0.5 z(dense max)", i => ZSum(split, i, bm25Scores[i], denseMax[i], 0.5)));

        Print(split, methods);
        Console.WriteLine($"\nranking and metrics in {watch.Elapsed.TotalSeconds:F1} s");
        return 0;
    }

    private static void Print(HorizonSplit split, List<(string Name, Func<int, double[]> Scores)> methods)
    {
        var newTrack = split.Queries.Count(q => q.RelevantNew.Length > 0);
        Console.WriteLine();
        Console.WriteLine($"Test year {TestYear}, tuning half (even ids): {split.Queries.Count} queries, new partners {newTrack}");
        Console.WriteLine("| method | NDCG@10 | Recall@20 | MRR | NDCG@10 new | Recall@20 new | MRR new |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
        Console.WriteLine("| text-bm25 (data README reference) | 0.1078 | 0.1472 | 0.2205 | 0.0638 | 0.1154 | 0.1291 |");
        foreach (var (name, scores) in methods)
        {
            var all = new Metrics();
            var fresh = new Metrics();
            for (var i = 0; i < split.Queries.Count; i++)
            {
                var q = split.Queries[i];
                var s = scores(i);
                all.Add(Ranks(split, s, q.Coordinator, q.Relevant, excluded: null));
                if (q.RelevantNew.Length > 0) fresh.Add(Ranks(split, s, q.Coordinator, q.RelevantNew, q.PreviousPartners));
            }
            Console.WriteLine($"| {name} | {all} | {fresh} |");
        }
    }

    /// <summary>Organisation vector: the normalized sum of its past projects' vectors, weighted decay^(years before Y-1).</summary>
    private static float[][] Profiles(HorizonSplit split, float[][] projectVectors, double decay)
    {
        var profiles = new float[split.OrgIds.Length][];
        for (var o = 0; o < profiles.Length; o++)
        {
            var v = profiles[o] = new float[SentenceEmbedder.Dimension];
            foreach (var p in split.OrgProjects[o])
            {
                var w = (float)Math.Pow(decay, TestYear - 1 - split.PastProjects[p].StartYear);
                var pv = projectVectors[p];
                for (var d = 0; d < v.Length; d++) v[d] += w * pv[d];
            }
            SentenceEmbedder.Normalize(v);
        }
        return profiles;
    }

    private static float Dot(float[] a, float[] b)
    {
        var sum = Vector<float>.Zero;
        var i = 0;
        for (; i <= a.Length - Vector<float>.Count; i += Vector<float>.Count)
            sum += new Vector<float>(a, i) * new Vector<float>(b, i);
        var total = Vector.Sum(sum);
        for (; i < a.Length; i++) total += a[i] * b[i];
        return total;
    }

    /// <summary>Positions (1-based) in the README's full ranking: score, then activity, then orgId; coordinator excluded.</summary>
    private static int[] FullRanking(HorizonSplit split, double[] scores, int coordinator)
    {
        var order = Enumerable.Range(0, scores.Length).Where(o => o != coordinator).ToArray();
        Array.Sort(order, (a, b) => scores[a] != scores[b] ? scores[b].CompareTo(scores[a]) : split.TieRank[a].CompareTo(split.TieRank[b]));
        var position = new int[scores.Length];
        for (var r = 0; r < order.Length; r++) position[order[r]] = r + 1;
        return position;
    }

    /// <summary>Reciprocal rank fusion over the whole-task rankings (removing previous partners keeps their order).</summary>
    private static double[] Rrf(HorizonSplit split, int query, double[] a, double[] b)
    {
        var coord = split.Queries[query].Coordinator;
        var ra = FullRanking(split, a, coord);
        var rb = FullRanking(split, b, coord);
        return ra.Select((r, o) => 1.0 / (60 + r) + 1.0 / (60 + rb[o])).ToArray();
    }

    /// <summary>Sum of z-scores over the ranked organisations, the dense side weighted by <paramref name="weight"/>.</summary>
    private static double[] ZSum(HorizonSplit split, int query, double[] a, double[] b, double weight)
    {
        var (ma, sa) = MeanStd(a);
        var (mb, sb) = MeanStd(b);
        return a.Select((x, o) => (x - ma) / sa + weight * (b[o] - mb) / sb).ToArray();
    }

    private static (double Mean, double Std) MeanStd(double[] x)
    {
        var mean = x.Average();
        var std = Math.Sqrt(x.Sum(v => (v - mean) * (v - mean)) / x.Length);
        return (mean, std > 0 ? std : 1);
    }

    /// <summary>
    /// Ranks of the answers in the full ranking without building it: an answer's rank is one plus the number of
    /// ranked organisations ahead of it (higher score, or equal score and earlier in the activity/orgId tie order).
    /// </summary>
    private static int[] Ranks(HorizonSplit split, double[] scores, int coordinator, int[] relevant, HashSet<int>? excluded)
    {
        var ranks = new int[relevant.Length];
        for (var k = 0; k < relevant.Length; k++)
        {
            var r = relevant[k];
            var (s, tie) = (scores[r], split.TieRank[r]);
            var ahead = 0;
            for (var o = 0; o < scores.Length; o++)
                if ((scores[o] > s || (scores[o] == s && split.TieRank[o] < tie)) && o != coordinator && excluded?.Contains(o) != true)
                    ahead++;
            ranks[k] = ahead + 1;
        }
        return ranks;
    }

    /// <summary>Means over queries of NDCG@10 (binary gains, ideal over min(|relevant|, 10)), Recall@20 and MRR.</summary>
    private sealed class Metrics
    {
        private double _ndcg, _recall, _mrr;
        private int _count;

        public void Add(int[] ranks)
        {
            double dcg = 0, ideal = 0;
            foreach (var r in ranks) if (r <= 10) dcg += 1 / Math.Log2(r + 1);
            for (var i = 1; i <= Math.Min(ranks.Length, 10); i++) ideal += 1 / Math.Log2(i + 1);
            _ndcg += dcg / ideal;
            _recall += ranks.Count(r => r <= 20) / (double)ranks.Length;
            _mrr += 1.0 / ranks.Min();
            _count++;
        }

        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{_ndcg / _count:F4} | {_recall / _count:F4} | {_mrr / _count:F4}");
    }
}
