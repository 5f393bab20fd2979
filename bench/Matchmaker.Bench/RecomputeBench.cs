using System.Diagnostics;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Graph.Sqlite;
using Matchmaker.Engine.Matching;
using Matchmaker.Engine.Recommendations;
using Matchmaker.Engine.Synthetic;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Matchmaker.Bench;

/// <summary>
/// Full and incremental recompute in the embedded mode (SQLite graph and recommendation store, every shard in this
/// process on both cores, as the in-process Hangfire server runs them), on the synthetic corridor graph, with a
/// ranking model trained on that graph's own history.
/// </summary>
internal static class RecomputeBench
{
    public static async Task<int> RunAsync(string[] argv)
    {
        var args = new BenchArgs(argv);
        var organizations = args.GetInt("--organizations", 100_000);
        var shardSize = args.GetInt("--shard-size", 5_000);
        var workDir = args.Get("--work-dir") ?? Directory.CreateTempSubdirectory("matchmaker-recompute-").FullName;
        Console.WriteLine($"machine: {Machine.Describe()}");
        var time = TimeProvider.System;
        var logs = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(args.Has("--verbose") ? LogLevel.Information : LogLevel.Warning));

        var clock = Stopwatch.StartNew();
        var graph = new SqliteGraphStore(Path.Combine(workDir, "graph.db"));
        await graph.InitializeAsync();
        if ((await graph.CountAsync()).Organizations == 0)
        {
            await graph.ImportAsync(SyntheticGraph.Generate(new SyntheticGraph.Options { Organizations = organizations }));
            Console.WriteLine($"generated and imported {organizations:N0} organizations in {clock.Elapsed.TotalSeconds:F1} s");
        }
        var store = new SqliteRecommendationStore(Path.Combine(workDir, "app.db"));
        await store.InitializeAsync();
        var snapshots = new SnapshotSource(graph, time, logs.CreateLogger<SnapshotSource>());
        var registry = new ModelRegistry(Path.Combine(workDir, "models"));
        clock.Restart();
        // One label year by default: the benchmark measures recompute, not training (which takes minutes at this size).
        var modelOptions = new ModelOptions { TrainingYears = args.GetInt("--training-years", 1) };
        var training = new ModelTrainingService(snapshots, registry, modelOptions, time, logs.CreateLogger<ModelTrainingService>());
        var trained = await training.RetrainAsync();
        Console.WriteLine($"model: {trained.Message} ({clock.Elapsed.TotalSeconds:F1} s: snapshot, {modelOptions.TrainingYears} label year(s) of training, validation)");

        var service = new RecomputeService(store, graph, snapshots, new LearnedRankerFactory(registry),
            Options.Create(new RecomputeOptions { ShardSize = shardSize, TopK = 20 }), time, logs.CreateLogger<RecomputeService>());
        var peakBefore = Process.GetCurrentProcess().PeakWorkingSet64;
        clock.Restart();
        var plan = await service.PlanFullRunAsync();
        var planSeconds = clock.Elapsed.TotalSeconds;
        RecomputeRun run = null!;
        foreach (var shard in plan.Shards) run = await service.RunShardAsync(plan.RunId, shard);
        var fullSeconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"full recompute {run.Status}: {run.OrganizationsScored:N0} organizations, {run.ShardsTotal} shards, top-20 lists, model {run.ModelVersion}");
        Console.WriteLine($"  wall {fullSeconds:F1} s (of which snapshot rebuild + plan {planSeconds:F1} s): {run.OrganizationsScored / fullSeconds:N0} organizations/s, {run.PairsScored / fullSeconds:N0} candidate pairs/s ({run.PairsScored:N0} pairs)");
        Console.WriteLine($"  peak working set {Machine.Mib(Process.GetCurrentProcess().PeakWorkingSet64)} (before the run {Machine.Mib(peakBefore)})");

        // Incremental: one organization's needs change; time until its new list is served.
        var snapshot = await snapshots.GetAsync();
        var changedId = snapshot.OrganizationIds[snapshot.OrganizationCount / 2];
        var incremental = new List<double>();
        for (var r = 0; r < 5; r++)
        {
            var organization = (await graph.GetOrganizationAsync(changedId))!;
            var edited = new Engine.Domain.Organization(organization.Id, organization.NameZh, organization.NameEn, organization.Kind, organization.City,
                organization.Aliases, organization.Sectors, organization.SubFields, organization.Capabilities,
                organization.Needs.Append($"bench-need-{r}"), organization.Description, organization.Employees, organization.Illustrative);
            var before = (await store.GetCurrentAsync(changedId))!.RunId;
            clock.Restart();
            await graph.UpsertOrganizationAsync(edited);
            await store.MarkChangedAsync([changedId], structural: false, time.GetUtcNow());
            var changes = await store.TakeChangedAsync();
            var result = await service.RecomputeOrganizationsAsync(changes);
            var served = await store.GetCurrentAsync(changedId);
            incremental.Add(clock.Elapsed.TotalSeconds);
            if (served!.RunId == before || served.RunId != result!.Id) throw new InvalidOperationException("the new list was not served");
            Console.WriteLine($"  incremental {r + 1}: {result.OrganizationsScored} lists (the organization and its partners) served after {clock.Elapsed.TotalMilliseconds:F0} ms");
        }
        Console.WriteLine($"incremental recompute after one edit: median {Machine.Median(incremental) * 1000:F0} ms until the new list is served");
        if (args.Get("--work-dir") is null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(workDir, recursive: true);
        }
        return 0;
    }
}
