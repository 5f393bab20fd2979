using System.CommandLine;
using System.Diagnostics;
using Matchmaker.Engine.Graph.Sqlite;
using Matchmaker.Engine.Matching;
using Matchmaker.Engine.Recommendations;
using Matchmaker.Engine.Recommendations.Sqlite;
using Matchmaker.Engine.Synthetic;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Matchmaker.Bench;

/// <summary>
/// Full and incremental recompute in the embedded mode (SQLite graph and recommendation store, every shard in this
/// process on both cores, as the in-process Hangfire server runs them), on the synthetic corridor graph, with a
/// ranking model trained on that graph's own history.
/// </summary>
/// <remarks>
/// With <c>--work-dir</c> the graph file, the recommendation file and the models stay in that directory, and a
/// second run reuses them: the graph is imported and the model trained only when they are missing (<c>--retrain</c>
/// trains again). <c>--model-dir</c> takes the model from another directory (say, one trained on a smaller graph).
/// <c>--workers N</c> runs N shard jobs at once (default: the embedded Hangfire server's worker count, two on two cores).
/// <c>--max-shards N</c> computes and writes only the first N shards of the full run and then fails it (a sample of the
/// per-organization cost when a whole run does not fit the time at hand).
/// </remarks>
internal static class RecomputeBench
{
    private static readonly Option<int> Organizations = BenchOptions.Int("--organizations", 100_000, "organizations in the synthetic corridor graph");
    private static readonly Option<int> ShardSize = BenchOptions.Int("--shard-size", 5_000, "organizations per shard job");
    private static readonly Option<int> Runs = BenchOptions.Int("--runs", 1, "full runs");
    // A sample of a full run: only its first shards, then the run is failed (never published).
    private static readonly Option<int> MaxShards = BenchOptions.Int("--max-shards", int.MaxValue,
        "run only the first N shards of each full run, then fail it (never published)");
    private static readonly Option<int> Incremental = BenchOptions.Int("--incremental", 5, "incremental runs after the full runs");
    // Shard jobs run at once: the embedded Hangfire server's worker count (see StorageSetup.AddMatchmakerJobServer).
    private static readonly Option<int> Workers = BenchOptions.Int("--workers", Math.Max(2, Environment.ProcessorCount),
        "shard jobs run at once (the embedded job server's workers)");
    private static readonly Option<int> TrainingYears = BenchOptions.Int("--training-years", 1, "label years the model is trained on");
    private static readonly Option<string?> WorkDir = BenchOptions.Text("--work-dir",
        "keeps the graph, lists and model for the next run, which reuses them (default: a temporary directory)", "DIR");
    private static readonly Option<string?> ModelDir = BenchOptions.Text("--model-dir", "the model registry (default: models in the work directory)", "DIR");
    private static readonly Option<bool> Retrain = BenchOptions.Flag("--retrain", "train a new model even if the registry has one");
    private static readonly Option<bool> Keep = BenchOptions.Flag("--keep", "keep the temporary work directory");
    private static readonly Option<bool> Verbose = BenchOptions.Flag("--verbose", "log the jobs' information messages");

    public static Command Command()
    {
        var command = new Command("recompute",
            "full and incremental recompute in the embedded mode on the synthetic graph, with a model trained on it")
        {
            Organizations, ShardSize, TrainingYears, Runs, Incremental, MaxShards, Workers, WorkDir, ModelDir, Retrain, Keep, Verbose,
        };
        command.SetAction((args, _) => RunAsync(args));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult args)
    {
        var organizations = args.GetValue(Organizations);
        var shardSize = args.GetValue(ShardSize);
        var fullRuns = args.GetValue(Runs);
        var maxShards = args.GetValue(MaxShards);
        var incrementalRuns = args.GetValue(Incremental);
        var workers = args.GetValue(Workers);
        var keep = args.GetValue(Keep) || args.GetValue(WorkDir) is not null;
        var workDir = args.GetValue(WorkDir) ?? Directory.CreateTempSubdirectory("matchmaker-recompute-").FullName;
        Directory.CreateDirectory(workDir);
        Console.WriteLine($"machine: {Machine.Describe()}");
        Console.WriteLine($"load average at start: {Machine.LoadAverage()}");
        // The service hosts (the API, which runs the embedded jobs, and the worker host) use server GC; this benchmark
        // measures as they run only with DOTNET_gcServer=1 (the benchmark project itself keeps workstation GC).
        Console.WriteLine($"GC: {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}, " +
                          $"{(System.Runtime.GCSettings.LatencyMode == System.Runtime.GCLatencyMode.Batch ? "non-concurrent" : "concurrent")}");
        var time = TimeProvider.System;
        var logs = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(args.GetValue(Verbose) ? LogLevel.Information : LogLevel.Warning));

        var clock = Stopwatch.StartNew();
        var graph = new SqliteGraphStore(Path.Combine(workDir, "graph.db"));
        await graph.InitializeAsync();
        var counts = await graph.CountAsync();
        if (counts.Organizations == 0)
        {
            await graph.ImportAsync(SyntheticGraph.Generate(new SyntheticGraph.Options { Organizations = organizations }));
            Console.WriteLine($"generated and imported {organizations:N0} organizations in {clock.Elapsed.TotalSeconds:F1} s");
        }
        else
        {
            Console.WriteLine($"reusing the graph in {workDir}: {counts.Organizations:N0} organizations");
        }
        var store = new SqliteRecommendationStore(Path.Combine(workDir, "app.db"));
        await store.InitializeAsync();
        var snapshots = new SnapshotSource(graph, time, logs.CreateLogger<SnapshotSource>());
        var registry = new ModelRegistry(args.GetValue(ModelDir) ?? Path.Combine(workDir, "models"));
        if (registry.CurrentVersion is { } current && !args.GetValue(Retrain))
        {
            Console.WriteLine($"model: reusing v{current} from {registry.Directory} ({RankingModel.ReadCard(registry.PathOf(current)).TrainingData})");
        }
        else
        {
            clock.Restart();
            // One label year by default: the benchmark measures recompute, not training (which takes minutes at this size).
            var modelOptions = new ModelOptions { TrainingYears = args.GetValue(TrainingYears) };
            var training = new ModelTrainingService(snapshots, registry, modelOptions, time, logs.CreateLogger<ModelTrainingService>());
            var trained = await training.RetrainAsync();
            Console.WriteLine($"model: {trained.Message} ({clock.Elapsed.TotalSeconds:F1} s: snapshot, {modelOptions.TrainingYears} label year(s) of training, validation)");
        }

        var service = new RecomputeService(store, graph, snapshots, new LearnedRankerFactory(registry),
            Options.Create(new RecomputeOptions { ShardSize = shardSize, TopK = 20 }), time, logs.CreateLogger<RecomputeService>());
        var walls = new List<double>();
        for (var r = 0; r < fullRuns; r++)
        {
            var peakBefore = Process.GetCurrentProcess().PeakWorkingSet64;
            var gcBefore = (Pause: GC.GetTotalPauseDuration(), Gen0: GC.CollectionCount(0), Gen1: GC.CollectionCount(1), Gen2: GC.CollectionCount(2),
                Allocated: GC.GetTotalAllocatedBytes());
            var timingsBefore = service.Timings;
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            clock.Restart();
            var plan = await service.PlanFullRunAsync();
            var planSeconds = clock.Elapsed.TotalSeconds;
            var cpuPlanned = Process.GetCurrentProcess().TotalProcessorTime;
            // As the embedded Hangfire server runs them: its workers (two on two cores) each take the next shard job, so one
            // shard's write overlaps another's compute; the computations share the service's scheduler.
            var queue = new System.Collections.Concurrent.ConcurrentQueue<ShardPlan>(plan.Shards.Take(maxShards));
            await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
            {
                while (queue.TryDequeue(out var shard)) await service.RunShardAsync(plan.RunId, shard);
            })));
            if (maxShards < plan.Shards.Count) await service.FailRunAsync(plan.RunId, $"benchmark sample: the first {maxShards} shards only");
            var fullSeconds = clock.Elapsed.TotalSeconds;
            var run = (await store.GetRunAsync(plan.RunId))!;
            var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
            // The prune of the replaced lists, as the job the publishing shard enqueues runs it: after the run.
            var pruneClock = Stopwatch.StartNew();
            var pruned = run.Status == RunStatus.Published ? await service.PruneAsync() : 0;
            var pruneSeconds = pruneClock.Elapsed.TotalSeconds;
            var t = Delta(service.Timings, timingsBefore);
            walls.Add(fullSeconds);
            Console.WriteLine($"full recompute {r + 1} {run.Status}: {run.OrganizationsScored:N0} organizations, {run.ShardsTotal} shards, top-20 lists, model {run.ModelVersion}");
            Console.WriteLine($"  wall {fullSeconds:F1} s (of which snapshot rebuild + plan {planSeconds:F1} s, shard compute {run.ComputeSeconds:F1} s): " +
                              $"{run.OrganizationsScored / fullSeconds:N0} organizations/s, {run.PairsScored / fullSeconds:N0} candidate pairs/s ({run.PairsScored:N0} pairs)");
            var cpuShards = (Process.GetCurrentProcess().TotalProcessorTime - cpuPlanned).TotalSeconds;
            Console.WriteLine($"  process CPU time {cpuSeconds:F1} s ({cpuSeconds * 1000 / run.OrganizationsScored:F2} ms per organization); " +
                              $"in the shards {cpuShards:F1} s ({cpuShards * 1000 / run.OrganizationsScored:F2} ms per organization)");
            if (run.Status == RunStatus.Published)
            {
                Console.WriteLine($"  new lists served at the end of the wall time above (the publish); " +
                                  $"then the prune job deleted {pruned:N0} replaced lists in {pruneSeconds:F1} s " +
                                  $"({fullSeconds + pruneSeconds:F1} s with it)");
            }
            Console.WriteLine($"  shards, wall: snapshot {t.Snapshot:F1} s, select {t.Select:F1} s, compute {t.Compute:F1} s, write {t.Write:F1} s, " +
                              $"publish {t.Publish:F1} s, prune {t.Prune:F1} s");
            Console.WriteLine($"  ranker thread time: {Phases(t.Ranker)}");
            Console.WriteLine($"  GC: {GC.CollectionCount(0) - gcBefore.Gen0} collections " +
                              $"({GC.CollectionCount(1) - gcBefore.Gen1} of generation 1, {GC.CollectionCount(2) - gcBefore.Gen2} of 2), " +
                              $"paused {(GC.GetTotalPauseDuration() - gcBefore.Pause).TotalSeconds:F1} s, " +
                              $"{Machine.Mib(GC.GetTotalAllocatedBytes() - gcBefore.Allocated)} allocated");
            Console.WriteLine($"  peak working set {Machine.Mib(Process.GetCurrentProcess().PeakWorkingSet64)} (before the run {Machine.Mib(peakBefore)}), " +
                              $"load average {Machine.LoadAverage()}");
        }
        if (fullRuns > 1)
        {
            Console.WriteLine($"full recompute: median wall {Machine.Median(walls):F1} s over {fullRuns} runs " +
                              $"[{string.Join(", ", walls.Select(w => w.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)))}]");
        }

        // Incremental: one organization's needs change; time until its new list is served.
        var snapshot = await snapshots.GetAsync();
        var changedId = snapshot.OrganizationIds[snapshot.OrganizationCount / 2];
        var incremental = new List<double>();
        for (var r = 0; r < incrementalRuns; r++)
        {
            var organization = (await graph.GetOrganizationAsync(changedId))!;
            var edited = new Engine.Domain.Organization(organization.Id, organization.NameZh, organization.NameEn, organization.Kind, organization.City,
                organization.Aliases, organization.Sectors, organization.SubFields, organization.Capabilities,
                organization.Needs.Where(n => !n.StartsWith("bench-need-", StringComparison.Ordinal)).Append($"bench-need-{r}"),
                organization.Description, organization.Employees, organization.Illustrative);
            var before = (await store.GetCurrentAsync(changedId))!.RunId;
            var timingsBefore = service.Timings;
            clock.Restart();
            await graph.UpsertOrganizationAsync(edited);
            await store.MarkChangedAsync([changedId], structural: false, time.GetUtcNow());
            var changes = await store.TakeChangedAsync();
            var result = await service.RecomputeOrganizationsAsync(changes);
            var served = await store.GetCurrentAsync(changedId);
            incremental.Add(clock.Elapsed.TotalSeconds);
            if (served!.RunId == before || served.RunId != result!.Id) throw new InvalidOperationException("the new list was not served");
            var t = Delta(service.Timings, timingsBefore);
            Console.WriteLine($"  incremental {r + 1}: {result.OrganizationsScored} lists (the organization and its partners) " +
                              $"served after {clock.Elapsed.TotalMilliseconds:F0} ms " +
                              $"(snapshot patch {t.Snapshot * 1000:F0} ms, ranker {t.Select * 1000:F0} ms, lists {t.Compute * 1000:F0} ms, " +
                              $"write {t.Write * 1000:F0} ms, publish {t.Publish * 1000:F0} ms; {Phases(t.Ranker, 1000, "ms")})");
        }
        if (incremental.Count > 0)
        {
            Console.WriteLine($"incremental recompute after one edit: median {Machine.Median(incremental) * 1000:F0} ms until the new list is served");
        }
        if (!keep)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(workDir, recursive: true);
        }
        else
        {
            Console.WriteLine($"kept {workDir}");
        }
        return 0;
    }

    private static RecomputeTimings Delta(RecomputeTimings after, RecomputeTimings before) => new(after.Snapshot - before.Snapshot, after.Select - before.Select,
        after.Compute - before.Compute, after.Write - before.Write, after.Publish - before.Publish, after.Prune - before.Prune,
        new RankerPhases(after.Ranker.Candidates - before.Ranker.Candidates, after.Ranker.Features - before.Ranker.Features, after.Ranker.Trees - before.Ranker.Trees,
            after.Ranker.Choose - before.Ranker.Choose, after.Ranker.Reasons - before.Ranker.Reasons));

    private static string Phases(RankerPhases p, double scale = 1, string unit = "s") =>
        $"candidates {RecomputeTimings.Seconds(p.Candidates) * scale:F1} {unit}, features {RecomputeTimings.Seconds(p.Features) * scale:F1} {unit}, " +
        $"trees {RecomputeTimings.Seconds(p.Trees) * scale:F1} {unit}, choose {RecomputeTimings.Seconds(p.Choose) * scale:F1} {unit}, " +
        $"reasons and items {RecomputeTimings.Seconds(p.Reasons) * scale:F1} {unit}";
}
