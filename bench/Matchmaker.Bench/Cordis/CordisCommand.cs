using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Matching;
using Matchmaker.Engine.Matching.Evaluation;

namespace Matchmaker.Bench.Cordis;

/// <summary>
/// `cordis DATA_DIR --test-year Y [--json FILE]`: the fixed protocol of the CORDIS H2020 data (see its README).
/// The graph holds projects before Y; the learned ranker is trained on earlier label years only.
/// </summary>
public static class CordisCommand
{
    public static int Run(string[] args)
    {
        string? dataDir = null, jsonPath = null;
        var testYear = 2019;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--test-year" when i + 1 < args.Length:
                    testYear = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--json" when i + 1 < args.Length:
                    jsonPath = args[++i];
                    break;
                default:
                    if (args[i].StartsWith("--", StringComparison.Ordinal) || dataDir is not null)
                    {
                        Console.Error.WriteLine($"unexpected argument '{args[i]}'");
                        return 2;
                    }
                    dataDir = args[i];
                    break;
            }
        }
        if (dataDir is null)
        {
            Console.Error.WriteLine("usage: Matchmaker.Bench cordis <data-dir> --test-year 2019 [--json FILE]");
            return 2;
        }

        var clock = Stopwatch.StartNew();
        var data = CordisDataset.Load(dataDir);
        var snapshot = data.BuildSnapshot(testYear, DateTimeOffset.UnixEpoch);
        var queries = TimeSplit.Queries(snapshot, data.ProjectsOfYear(testYear));
        var results = new List<(string Name, RankingMetrics Metrics)>
        {
            ("previous-partners", Evaluate(snapshot, queries, Heuristics.PreviousPartners)),
            ("adamic-adar", Evaluate(snapshot, queries, (g, q, s) => Heuristics.AdamicAdar(g, q, s))),
            ("field-popularity", Evaluate(snapshot, queries, Heuristics.FieldPopularity)),
        };
        clock.Stop();
        var peak = Process.GetCurrentProcess().PeakWorkingSet64;

        Console.WriteLine($"CORDIS H2020 (CORDIS, European Commission), test year {testYear}: {queries.Count:N0} queries, " +
                          $"{snapshot.OrganizationCount:N0} organizations and {snapshot.ProjectCount:N0} projects before {testYear}");
        Console.WriteLine($"{"method",-20} {"NDCG@10",8} {"Recall@20",10} {"MRR",8} {"queries",8}");
        foreach (var (name, m) in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-20} {m.Ndcg10,8:F4} {m.Recall20,10:F4} {m.Mrr,8:F4} {m.Queries,8}"));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wall time {clock.Elapsed.TotalSeconds:F1} s, peak memory {peak / (1024.0 * 1024):F0} MiB"));

        if (jsonPath is not null)
        {
            var report = new BenchReport(testYear, queries.Count, Math.Round(clock.Elapsed.TotalSeconds, 2), peak,
                results.Select(r => new MethodResult(r.Name, Math.Round(r.Metrics.Ndcg10, 4), Math.Round(r.Metrics.Recall20, 4), Math.Round(r.Metrics.Mrr, 4))).ToArray());
            File.WriteAllText(jsonPath, JsonSerializer.Serialize(report, JsonOptions));
        }
        return 0;
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    public sealed record MethodResult(string Name, double Ndcg10, double Recall20, double Mrr);

    public sealed record BenchReport(int TestYear, int Queries, double WallSeconds, long PeakMemoryBytes, IReadOnlyList<MethodResult> Methods);

    public delegate void Scorer(GraphSnapshot g, MatchQuery q, Span<double> scores);

    private static RankingMetrics Evaluate(GraphSnapshot g, IReadOnlyList<MatchQuery> queries, Scorer scorer)
    {
        var metrics = new RankingMetrics();
        var scores = new double[g.OrganizationCount];
        foreach (var q in queries)
        {
            scorer(g, q, scores);
            metrics.Add(scores, q.Relevant);
        }
        return metrics;
    }
}
