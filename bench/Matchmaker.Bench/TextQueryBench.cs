using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Matching;
using Matchmaker.Engine.Matching.Evaluation;
using Matchmaker.Engine.Recommendations;
using Matchmaker.Engine.Synthetic;

namespace Matchmaker.Bench;

/// <summary>
/// `text-query [--organizations 100000] [--seed 60] [--queries 300] [--limit 20] [--threads 1]`: latency of on-demand
/// queries with text (what `POST /api/v1/organizations/{id}/recommendations/query` runs: text analysis, BM25 over
/// every profile, similar past projects, candidates, pair features, trees and reasons with text evidence) on the
/// synthetic corridor graph with its zh/en project texts. The model is trained on the graph's own time split with
/// the text columns (each split indexes its own past texts). Queries are the texts of the last year's projects
/// (title, summary, keywords, topic titles), asked by their leads; p50, p95 and p99 over all queries after one
/// warm-up pass.
/// </summary>
internal static class TextQueryBench
{
    private static readonly Option<int> Organizations = BenchOptions.Int("--organizations", 100_000, "organizations in the synthetic corridor graph");
    private static readonly Option<int> Seed = BenchOptions.Int("--seed", 60, "the synthetic graph's seed");
    private static readonly Option<int> Queries = BenchOptions.Int("--queries", 300, "queries timed");
    private static readonly Option<int> Limit = BenchOptions.Int("--limit", 20, "length of each ranked list");
    private static readonly Option<int> TrainQueries = BenchOptions.Int("--train-queries", 1000, "training queries of the model");
    private static readonly Option<int> Threads = BenchOptions.Int("--threads", 1, "queries asked at once");

    public static Command Command()
    {
        var command = new Command("text-query",
            "on-demand queries with text on the synthetic corridor graph: p50/p95/p99 latency of the ranked, explained list")
        {
            Organizations, Seed, Queries, Limit, TrainQueries, Threads,
        };
        command.SetAction(Run);
        return command;
    }

    private static int Run(ParseResult args)
    {
        var organizations = args.GetValue(Organizations);
        var seed = args.GetValue(Seed);
        var queryCount = args.GetValue(Queries);
        var limit = args.GetValue(Limit);
        var trainQueries = args.GetValue(TrainQueries);
        var threads = args.GetValue(Threads);

        Console.WriteLine($"machine: {Machine.Describe()}");
        var clock = Stopwatch.StartNew();
        var batch = SyntheticGraph.Generate(new SyntheticGraph.Options { Organizations = organizations, Seed = seed });
        var snapshot = GraphSnapshot.Build(batch);
        Console.WriteLine($"synthetic graph: {snapshot.OrganizationCount:N0} organizations, {snapshot.ProjectCount:N0} projects ({clock.Elapsed.TotalSeconds:F1} s)");

        clock.Restart();
        using var text = TextMatcher.Build(snapshot) ?? throw new InvalidOperationException("the synthetic graph has no texts");
        var indexSeconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"text index: {indexSeconds:F1} s"));

        clock.Restart();
        var cut = batch.Projects.Max(p => p.Year);
        var before = snapshot.Before(cut);
        using var beforeText = TextMatcher.Build(before);
        var labelled = TimeSplit.Queries(before, snapshot.ProjectsOf(cut)
            .Select(p => new TimeSplit.FutureProject(p.Id, p.Year, p.Sectors, p.Lead, p.Members).WithText(p.Text))).Take(trainQueries).ToArray();
        var options = new RankerOptions();
        var split = new TrainingSplit(new SnapshotStats(before), labelled, $"synthetic, labels from {cut}")
        {
            Candidates = new CandidateGenerator(null, null, beforeText),
            Features = new PairFeatureExtractor(text: beforeText),
        };
        var rows = RankerTrainer.BuildRows([split], new CandidateGenerator(), new PairFeatureExtractor(), options);
        var model = RankerTrainer.Train(rows, options, $"synthetic graph ({organizations} organizations, seed {seed}), labels from {cut}", 1, DateTimeOffset.UnixEpoch);
        Console.WriteLine($"model: {model.Trees.TreeCount} trees on {rows.Queries:N0} queries / {rows.Rows.Count:N0} rows ({clock.Elapsed.TotalSeconds:F1} s)");

        var ranker = new LearnedRanker(snapshot, model, new SnapshotStats(snapshot), ModelTrainingService.CapabilitiesOf(snapshot), text);
        var projects = snapshot.ProjectsOf(cut).Where(p => p.Text is not null && p.Lead is not null).ToArray();
        new Random(seed).Shuffle(projects);
        var queries = projects.Take(queryCount)
            .Select(p => new PartnerQuery(snapshot.IndexOf(p.Lead!), p.Text!.FullText, p.Text.TopicCodes, limit)).ToArray();
        var textLength = queries.Average(q => q.Text!.Length);

        // Warm-up (JIT, per-sector statistics), then every query timed once.
        foreach (var q in queries.Take(Math.Min(20, queries.Length))) ranker.Query(q);
        var latencies = new double[queries.Length];
        long pairs = 0, items = 0, textReasons = 0;
        clock.Restart();
        Parallel.For(0, queries.Length, new ParallelOptions { MaxDegreeOfParallelism = threads }, i =>
        {
            var started = Stopwatch.GetTimestamp();
            var result = ranker.Query(queries[i]);
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            Interlocked.Add(ref pairs, result.PairsScored);
            Interlocked.Add(ref items, result.Items.Count);
            Interlocked.Add(ref textReasons, result.Items.Count(item => item.Reasons.Any(r => r.Code == "text-match")));
        });
        var wall = clock.Elapsed.TotalSeconds;
        Array.Sort(latencies);
        double Percentile(double p) => latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(p * latencies.Length) - 1)];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{queries.Length} queries ({textLength:F0} characters of text on average, limit {limit}, {threads} thread(s)): " +
            $"p50 {Percentile(0.50):F1} ms, p95 {Percentile(0.95):F1} ms, p99 {Percentile(0.99):F1} ms, max {latencies[^1]:F1} ms; " +
            $"{(double)pairs / queries.Length:F0} pairs scored per query; {(double)textReasons / Math.Max(1, items):P0} of the listed items carry a text reason; " +
            $"{queries.Length / wall:F1} queries/s"));
        return 0;
    }
}
