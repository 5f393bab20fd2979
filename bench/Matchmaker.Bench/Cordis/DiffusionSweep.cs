using System.Globalization;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Matching;
using Matchmaker.Engine.Matching.Evaluation;

namespace Matchmaker.Bench.Cordis;

/// <summary>
/// `--diffusion-sweep "hops=3 decay=0.7 sector=3; ..."`: the diffusion score of <see cref="DiscoveryDiffusion"/> alone as
/// a heuristic on the track's queries, one line per setting, with the share of answers among its best K (what it
/// would bring as a candidate source) and the mean time of a walk. For the tuning year only.
/// </summary>
/// <remarks>
/// Settings are name=value pairs: hops, decay, sector, spread, size, degree, third, hubcap, relative (0 or 1; see
/// <see cref="DiffusionOptions"/>),
/// and prfk=K prfl=L (feedback: L × the mean normalised score of the best K that are partners of the organization).
/// Two other signals judged beside it (both far below it on 2018, kept to reproduce the recorded figures):
/// "cf=K", user-based collaborative filtering over partner sets, and "lowrank=K power=P", a rank-K approximation of
/// the normalised partner matrix.
/// </remarks>
public static class DiffusionSweep
{
    public static readonly int[] Depths = [600, 1200, 2000, 4000];

    /// <summary>
    /// User-based collaborative filtering: the <paramref name="k"/> organizations whose partner sets are most like
    /// the query's (cosine), each proposing its partners with its similarity.
    /// </summary>
    private static void CollaborativeFiltering(GraphSnapshot g, MatchQuery q, int k, Span<double> scores)
    {
        scores.Clear();
        var a = q.Organization;
        var partners = g.Partners;
        var common = new Dictionary<int, int>();
        foreach (var z in partners[a])
        {
            foreach (var u in partners[z])
            {
                if (u != a) common[u] = common.GetValueOrDefault(u) + 1;
            }
        }
        var da = Math.Max(1, partners.Degree(a));
        foreach (var (u, c) in common.Select(p => (p.Key, p.Value)).OrderByDescending(p => p.Value / Math.Sqrt(da * (double)partners.Degree(p.Key))).ThenBy(p => p.Key).Take(k))
        {
            var sim = c / Math.Sqrt(da * (double)partners.Degree(u));
            foreach (var b in partners[u]) scores[b] += sim;
        }
        scores[a] = double.NegativeInfinity;
    }

    /// <summary>
    /// A rank-<paramref name="k"/> approximation of the normalised partner matrix D^-1/2 A D^-1/2 by subspace iteration:
    /// Q (organizations × k, orthonormal) and M = (Q^T Â Q)^power, so that Q_a M Q_b^T approximates (Â^power)_ab.
    /// </summary>
    private static (double[] Q, double[,] M) LowRank(GraphSnapshot g, int k, int power)
    {
        var n = g.OrganizationCount;
        var partners = g.Partners;
        var scale = new double[n];
        // Only the largest connected part: every small component is an eigenvector of eigenvalue 1 of its own.
        var hub = Enumerable.Range(0, n).MaxBy(partners.Degree);
        var inGiant = new bool[n];
        var queue = new Queue<int>([hub]);
        inGiant[hub] = true;
        while (queue.TryDequeue(out var x))
        {
            foreach (var y in partners[x])
            {
                if (inGiant[y]) continue;
                inGiant[y] = true;
                queue.Enqueue(y);
            }
        }
        for (var o = 0; o < n; o++) scale[o] = inGiant[o] && partners.Degree(o) > 0 ? 1 / Math.Sqrt(partners.Degree(o)) : 0;
        var random = new Random(7);
        var q = new double[n * k];
        for (var i = 0; i < q.Length; i++) q[i] = inGiant[i / k] ? random.NextDouble() - 0.5 : 0;
        Orthonormalize(q, n, k);
        double[] Multiply(double[] x)
        {
            var y = new double[n * k];
            Parallel.For(0, n, o =>
            {
                foreach (var b in partners[o])
                {
                    var w = scale[o] * scale[b];
                    for (var j = 0; j < k; j++) y[o * k + j] += w * x[b * k + j];
                }
            });
            return y;
        }
        for (var it = 0; it < 8; it++)
        {
            q = Multiply(q);
            Orthonormalize(q, n, k);
        }
        var aq = Multiply(q);
        var m = new double[k, k];
        for (var o = 0; o < n; o++)
        {
            for (var i = 0; i < k; i++)
            {
                for (var j = 0; j < k; j++) m[i, j] += q[o * k + i] * aq[o * k + j];
            }
        }
        var result = m;
        for (var p = 1; p < power; p++)
        {
            var next = new double[k, k];
            for (var i = 0; i < k; i++)
            {
                for (var j = 0; j < k; j++)
                {
                    for (var l = 0; l < k; l++) next[i, j] += result[i, l] * m[l, j];
                }
            }
            result = next;
        }
        return (q, result);
    }

    private static void Orthonormalize(double[] q, int n, int k)
    {
        for (var j = 0; j < k; j++)
        {
            for (var i = 0; i < j; i++)
            {
                double dot = 0;
                for (var o = 0; o < n; o++) dot += q[o * k + i] * q[o * k + j];
                for (var o = 0; o < n; o++) q[o * k + j] -= dot * q[o * k + i];
            }
            double norm = 0;
            for (var o = 0; o < n; o++) norm += q[o * k + j] * q[o * k + j];
            norm = Math.Sqrt(norm);
            for (var o = 0; o < n; o++) q[o * k + j] /= norm;
        }
    }

    private static void Feedback(GraphSnapshot g, DiscoveryDiffusion walk, Span<double> scores, int k, double lambda)
    {
        var top = new List<(double Score, int Id)>();
        foreach (var b in walk.Reached)
        {
            if (scores[b] > 0) top.Add((scores[b], b));
        }
        var best = top.OrderByDescending(x => x.Score).ThenBy(x => x.Id).Take(k).ToArray();
        if (best.Length == 0) return;
        var max = best[0].Score;
        var bonus = new Dictionary<int, double>();
        foreach (var (score, c) in best)
        {
            foreach (var b in g.Partners[c]) bonus[b] = bonus.GetValueOrDefault(b) + score / max / k;
        }
        foreach (var b in walk.Reached)
        {
            if (scores[b] > 0) scores[b] = scores[b] / max + lambda * bonus.GetValueOrDefault(b);
        }
    }

    public static DiffusionOptions Parse(string text, DiffusionOptions baseline)
    {
        var o = baseline;
        foreach (var token in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = token.Split('=');
            if (parts.Length != 2) throw new ArgumentException($"'{token}' is not name=value");
            double V() => double.Parse(parts[1], CultureInfo.InvariantCulture);
            o = parts[0] switch
            {
                "hops" => o with { Hops = (int)V() },
                "decay" => o with { RecencyDecay = V() },
                "sector" => o with { SectorBoost = V() },
                "spread" => o with { SpreadExponent = V() },
                "size" => o with { ProjectSizeExponent = V() },
                "degree" => o with { DegreeExponent = V() },
                "third" => o with { ThirdHopWeight = V() },
                "hubcap" => o with { HubCap = (int)V() },
                "relative" => o with { Relative = V() != 0 },
                _ => throw new ArgumentException($"unknown diffusion setting '{parts[0]}'"),
            };
        }
        return o;
    }

    public static int Run(string spec, GraphSnapshot g, IReadOnlyList<MatchQuery> queries, bool newPartners, string track, int testYear)
    {
        var settings = spec.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => (Name: s, Options: s.StartsWith("cf=", StringComparison.Ordinal) || s.StartsWith("lowrank=", StringComparison.Ordinal) ? new DiffusionOptions()
                : Parse(string.Join(' ', s.Split(' ').Where(t => !t.StartsWith("prf", StringComparison.Ordinal))), new DiffusionOptions()))).ToArray();
        Console.WriteLine($"track {track}, test year {testYear}: {queries.Count:N0} queries; diffusion alone as a heuristic");
        Console.WriteLine($"{"setting",-60} {"NDCG@10",8} {"Recall@20",10} {"MRR",8} " +
                          $"{string.Join(" ", Depths.Select(d => $"{"in " + d.ToString(CultureInfo.InvariantCulture),8}"))} {"reached",8}");
        foreach (var (name, options) in settings)
        {
            if (name.StartsWith("lowrank=", StringComparison.Ordinal))
            {
                var parts = name.Split(' ');
                var rank = int.Parse(parts[0][8..], CultureInfo.InvariantCulture);
                var power = parts.Length > 1 ? int.Parse(parts[1][6..], CultureInfo.InvariantCulture) : 1;
                var (q, m) = LowRank(g, rank, power);
                var lr = ProtocolEvaluator.Evaluate(g.OrganizationCount, queries, (query, scores) =>
                {
                    var a = query.Organization;
                    var v = new double[rank];
                    for (var i = 0; i < rank; i++)
                    {
                        for (var j = 0; j < rank; j++) v[i] += m[i, j] * q[a * rank + j];
                    }
                    for (var b = 0; b < g.OrganizationCount; b++)
                    {
                        double dot = 0;
                        for (var i = 0; i < rank; i++) dot += v[i] * q[b * rank + i];
                        scores[b] = dot;
                    }
                    scores[a] = double.NegativeInfinity;
                    if (newPartners) TimeSplit.RemovePreviousPartners(g, query, scores);
                });
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-60} {lr.Ndcg10,8:F4} {lr.Recall20,10:F4} {lr.Mrr,8:F4}"));
                continue;
            }
            if (name.StartsWith("cf=", StringComparison.Ordinal))
            {
                var k = int.Parse(name[3..].Split(' ')[0], CultureInfo.InvariantCulture);
                var cf = ProtocolEvaluator.Evaluate(g.OrganizationCount, queries, (q, scores) =>
                {
                    CollaborativeFiltering(g, q, k, scores);
                    if (newPartners) TimeSplit.RemovePreviousPartners(g, q, scores);
                });
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-60} {cf.Ndcg10,8:F4} {cf.Recall20,10:F4} {cf.Mrr,8:F4}"));
                continue;
            }
            using var walkers = new ThreadLocal<DiscoveryDiffusion>(() => new DiscoveryDiffusion(g, options));
            // Feedback from the first list: "prfk=K prfl=L" adds L × the mean normalised score of the best K that are partners of b.
            var tokens = name.Split(' ');
            var prfK = tokens.Where(t => t.StartsWith("prfk=", StringComparison.Ordinal)).Select(t => int.Parse(t[5..], CultureInfo.InvariantCulture)).FirstOrDefault();
            var prfL = tokens.Where(t => t.StartsWith("prfl=", StringComparison.Ordinal)).Select(t => double.Parse(t[5..], CultureInfo.InvariantCulture)).FirstOrDefault();
            var found = new long[Depths.Length];
            long total = 0, reached = 0, walkTicks = 0;
            var gate = new object();
            var metrics = ProtocolEvaluator.Evaluate(g.OrganizationCount, queries, (q, scores) =>
            {
                var walk = walkers.Value!;
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                walk.Run(q);
                Interlocked.Add(ref walkTicks, System.Diagnostics.Stopwatch.GetTimestamp() - started);
                walk.Scores.CopyTo(scores);
                scores[q.Organization] = double.NegativeInfinity;
                if (newPartners) TimeSplit.RemovePreviousPartners(g, q, scores);
                if (prfK > 0) Feedback(g, walk, scores, prfK, prfL);
                // Answers among the best K reached organizations (the query and removed partners not counted).
                var kept = new List<(double Score, int Id)>(walk.Reached.Count);
                foreach (var b in walk.Reached)
                {
                    if (scores[b] > 0) kept.Add((scores[b], b));
                }
                var ranked = kept.OrderByDescending(x => x.Score).ThenBy(x => x.Id).Select(x => x.Id).ToArray();
                var relevant = q.Relevant.ToHashSet();
                var local = new long[Depths.Length];
                for (var d = 0; d < Depths.Length; d++) local[d] = ranked.Take(Depths[d]).Count(relevant.Contains);
                lock (gate)
                {
                    for (var d = 0; d < Depths.Length; d++) found[d] += local[d];
                    total += relevant.Count;
                    reached += ranked.Length;
                }
            });
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-60} {metrics.Ndcg10,8:F4} {metrics.Recall20,10:F4} {metrics.Mrr,8:F4} {string.Join(" ", found.Select(f => $"{(double)f / total,8:F3}"))} "
                + $"{(double)reached / queries.Count,8:F0}  {System.Diagnostics.Stopwatch.GetElapsedTime(0, walkTicks).TotalMilliseconds / queries.Count,6:F2} ms a walk"));
        }
        return 0;
    }
}
