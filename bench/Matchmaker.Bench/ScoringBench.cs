using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Matching;
using Matchmaker.Engine.Matching.Evaluation;
using Matchmaker.Engine.Synthetic;

namespace Matchmaker.Bench;

/// <summary>
/// `scoring [--organizations 100000] [--seed 60] [--queries 500] [--runs 5]`: candidate pairs scored per second on
/// one core (pair features + compiled trees) on the synthetic graph. The model is trained on the synthetic graph's
/// own time split (features from projects before its last year, labels from that year), so nothing outside the
/// benchmark is needed. Each run scores the candidates of the same queries on one thread; the median is reported.
/// </summary>
internal static class ScoringBench
{
    private static readonly Option<int> Organizations = BenchOptions.Int("--organizations", 100_000, "organizations in the synthetic corridor graph");
    private static readonly Option<int> Seed = BenchOptions.Int("--seed", 60, "the synthetic graph's seed");
    private static readonly Option<int> Queries = BenchOptions.Int("--queries", 500, "queries whose candidates are scored in each run");
    private static readonly Option<int> Runs = BenchOptions.Int("--runs", 5, "timed runs (the median is reported)");
    private static readonly Option<int> TrainQueries = BenchOptions.Int("--train-queries", 1000, "training queries of the model");

    public static Command Command()
    {
        var command = new Command("scoring", "candidate pairs scored per second per core (features + model) on the synthetic corridor graph")
        {
            Organizations, Seed, Queries, Runs, TrainQueries,
        };
        command.SetAction(Run);
        return command;
    }

    private static int Run(ParseResult args)
    {
        var organizations = args.GetValue(Organizations);
        var seed = args.GetValue(Seed);
        var queryCount = args.GetValue(Queries);
        var runs = args.GetValue(Runs);
        var trainQueries = args.GetValue(TrainQueries);

        Console.WriteLine($"machine: {Machine.Describe()}");
        var clock = Stopwatch.StartNew();
        var options = new SyntheticGraph.Options { Organizations = organizations, Seed = seed };
        var batch = SyntheticGraph.Generate(options);
        var snapshot = GraphSnapshot.Build(batch);
        Console.WriteLine($"synthetic graph: {snapshot.OrganizationCount:N0} organizations, {snapshot.ProjectCount:N0} projects, " +
                          $"{snapshot.Partners.EdgeCount:N0} partner edges ({clock.Elapsed.TotalSeconds:F1} s)");

        // Train on the graph's own time split: projects before the last year give features, the last year labels.
        clock.Restart();
        var cut = batch.Projects.Max(p => p.Year);
        var before = GraphSnapshot.Build(batch with { Projects = batch.Projects.Where(p => p.Year < cut).ToArray() });
        var future = batch.Projects.Where(p => p.Year == cut).Select(p => new TimeSplit.FutureProject(
            p.Id, p.Year, [p.Sector], p.Members[0].OrganizationId, p.Members.Select(m => m.OrganizationId).ToArray()));
        var labelled = TimeSplit.Queries(before, future).Take(trainQueries).ToArray();
        var rankerOptions = new RankerOptions();
        var candidates = new CandidateGenerator();
        var features = new PairFeatureExtractor();
        var rows = RankerTrainer.BuildRows([new TrainingSplit(new SnapshotStats(before), labelled, $"synthetic, labels from {cut}")], candidates, features, rankerOptions);
        var model = RankerTrainer.Train(rows, rankerOptions, $"synthetic graph ({organizations} organizations, seed {seed}), labels from {cut}", 1, DateTimeOffset.UnixEpoch);
        Console.WriteLine($"model: {model.Trees.TreeCount} trees, {PairFeatureExtractor.Count} features, " +
                          $"trained on {rows.Queries:N0} queries / {rows.Rows.Count:N0} rows ({clock.Elapsed.TotalSeconds:F1} s)");

        // Queries on the full graph: the leads of the most recent projects, asking in their project's sector.
        var stats = new SnapshotStats(snapshot);
        var random = new Random(seed);
        var leads = batch.Projects.Where(p => p.Year == cut).ToArray();
        random.Shuffle(leads);
        var queries = leads.Take(queryCount)
            .Select(p => new MatchQuery(snapshot.IndexOf(p.Members[0].OrganizationId), [snapshot.SectorIndexOf(p.Sector)], cut + 1))
            .ToArray();

        var workspace = new Workspace(stats);
        var pairSeconds = new List<double>();
        var walkSeconds = new List<double>();
        var endToEndSeconds = new List<double>();
        long pairs = 0;
        // One warm-up run (JIT, lazy per-sector statistics) and then the measured runs.
        for (var run = 0; run <= runs; run++)
        {
            pairs = 0;
            var scoring = new Stopwatch();
            var walks = new Stopwatch();
            var total = Stopwatch.StartNew();
            foreach (var q in queries)
            {
                workspace.Context.Prepare(q, candidates.Options.HubCap);
                candidates.Generate(workspace.Context, workspace.Candidates, workspace.Sources);
                var count = workspace.Candidates.Count;
                var (featureBuffer, scores) = workspace.Buffers(count);
                // The query's walks over its partners' projects for these candidates (per query, not per pair; the
                // features read their sums): timed apart, then Compute finds them done.
                walks.Start();
                workspace.Context.CompleteHubs(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(workspace.Candidates));
                workspace.Context.CompleteTwoHop(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(workspace.Candidates));
                walks.Stop();
                scoring.Start();
                features.Compute(workspace.Context, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(workspace.Candidates), featureBuffer);
                model.Score(featureBuffer.AsSpan(0, count * PairFeatureExtractor.Count), scores.AsSpan(0, count));
                scoring.Stop();
                pairs += count;
            }
            total.Stop();
            if (run == 0) continue;
            pairSeconds.Add(scoring.Elapsed.TotalSeconds);
            walkSeconds.Add(scoring.Elapsed.TotalSeconds + walks.Elapsed.TotalSeconds);
            endToEndSeconds.Add(total.Elapsed.TotalSeconds);
        }

        var rates = pairSeconds.Select(s => pairs / s).ToArray();
        var endToEnd = endToEndSeconds.Select(s => pairs / s).ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{queries.Length} queries, {pairs:N0} candidate pairs per run ({(double)pairs / queries.Length:F0} per query), one thread, {runs} runs after a warm-up"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"features + model:          median {Machine.Median(rates):N0} pairs/s/core [{string.Join(", ", rates.Select(r => r.ToString("N0", CultureInfo.InvariantCulture)))}]"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"with the two-hop walks:    median {Machine.Median(walkSeconds.Select(s => pairs / s)):N0} pairs/s/core " +
            $"(the query's walks over its partners' projects, {Machine.Median(walkSeconds.Zip(pairSeconds, (w, p) => w - p)) * 1000 / queries.Length:F2} ms per query)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"with context + candidates: median {Machine.Median(endToEnd):N0} pairs/s/core, {Machine.Median(endToEndSeconds) * 1000 / queries.Length:F2} ms per query"));
        return 0;
    }
}
