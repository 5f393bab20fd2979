using System.Globalization;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Matching;
using Matchmaker.Engine.Matching.Evaluation;

namespace Matchmaker.Bench.Cordis;

/// <summary>
/// `--diffusion-sweep "hops=3 decay=0.7 sector=3; ..."`: the diffusion score of <see cref="DiscoveryDiffusion"/> alone as
/// a heuristic on the track's queries, one line per setting, with the share of answers among its best K (what it
/// would bring as a candidate source). For the tuning year only.
/// </summary>
public static class DiffusionSweep
{
    public static readonly int[] Depths = [600, 1200, 2000, 4000];

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
                _ => throw new ArgumentException($"unknown diffusion setting '{parts[0]}'"),
            };
        }
        return o;
    }

    public static int Run(string spec, GraphSnapshot g, IReadOnlyList<MatchQuery> queries, bool newPartners, string track, int testYear)
    {
        var settings = spec.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => (Name: s, Options: Parse(s, new DiffusionOptions()))).ToArray();
        Console.WriteLine($"track {track}, test year {testYear}: {queries.Count:N0} queries; diffusion alone as a heuristic");
        Console.WriteLine($"{"setting",-60} {"NDCG@10",8} {"Recall@20",10} {"MRR",8} {string.Join(" ", Depths.Select(d => $"{"in " + d.ToString(CultureInfo.InvariantCulture),8}"))} {"reached",8}");
        foreach (var (name, options) in settings)
        {
            using var walkers = new ThreadLocal<DiscoveryDiffusion>(() => new DiscoveryDiffusion(g, options));
            var found = new long[Depths.Length];
            long total = 0, reached = 0;
            var gate = new object();
            var metrics = ProtocolEvaluator.Evaluate(g.OrganizationCount, queries, (q, scores) =>
            {
                var walk = walkers.Value!;
                walk.Run(q);
                walk.Scores.CopyTo(scores);
                scores[q.Organization] = double.NegativeInfinity;
                if (newPartners) TimeSplit.RemovePreviousPartners(g, q, scores);
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
                $"{name,-60} {metrics.Ndcg10,8:F4} {metrics.Recall20,10:F4} {metrics.Mrr,8:F4} {string.Join(" ", found.Select(f => $"{(double)f / total,8:F3}"))} {(double)reached / queries.Count,8:F0}"));
        }
        return 0;
    }
}
