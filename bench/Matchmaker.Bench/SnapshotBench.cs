using System.CommandLine;
using System.Diagnostics;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Graph.Sqlite;
using Matchmaker.Engine.Synthetic;

namespace Matchmaker.Bench;

/// <summary>
/// How long a <see cref="GraphSnapshot"/> takes to build, and how much memory it holds, for a synthetic graph:
/// from the in-memory batch (the CSR layout alone) and from a SQLite store (the real path: export + layout).
/// </summary>
internal static class SnapshotBench
{
    private static readonly Option<int> Organizations = BenchOptions.Int("--organizations", 100_000, "organizations in the synthetic corridor graph");
    private static readonly Option<int> Runs = BenchOptions.Int("--runs", 3, "timed builds of each kind");
    private static readonly Option<int> Seed = BenchOptions.Int("--seed", 60, "the synthetic graph's seed");
    private static readonly Option<string?> WorkDir = BenchOptions.Text("--work-dir", "where the SQLite store is written (default: a temporary directory, deleted after)", "DIR");

    public static Command Command()
    {
        var command = new Command("snapshot", "generate a synthetic corridor graph, import it into a SQLite store and time GraphSnapshot builds")
        {
            Organizations, Seed, Runs, WorkDir,
        };
        command.SetAction((args, _) => RunAsync(args));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult args)
    {
        var organizations = args.GetValue(Organizations);
        var runs = args.GetValue(Runs);
        var seed = args.GetValue(Seed);
        var workDir = args.GetValue(WorkDir) ?? Directory.CreateTempSubdirectory("matchmaker-bench-").FullName;

        Console.WriteLine($"machine: {Machine.Describe()}");
        var heapBefore = Collect();
        var clock = Stopwatch.StartNew();
        GraphBatch? batch = SyntheticGraph.Generate(new SyntheticGraph.Options { Organizations = organizations, Seed = seed });
        var generated = clock.Elapsed.TotalSeconds;
        var batchBytes = Collect() - heapBefore;
        var memberships = batch.Projects.Sum(p => (long)p.Members.Count);
        Console.WriteLine($"generated {batch.Organizations.Count:N0} organizations, {batch.Projects.Count:N0} projects, {memberships:N0} memberships, " +
                          $"{batch.Ties.Count:N0} ties in {generated:F1} s; the batch (with project texts) holds {Machine.Mib(batchBytes)}");

        var path = Path.Combine(workDir, "graph.db");
        File.Delete(path);
        var store = new SqliteGraphStore(path);
        await store.InitializeAsync();
        clock.Restart();
        await store.ImportAsync(batch);
        Console.WriteLine($"imported into SQLite in {clock.Elapsed.TotalSeconds:F1} s ({new FileInfo(path).Length / (1024.0 * 1024):F0} MiB file)");

        // Phase 1: the layout alone, from the in-memory batch.
        var fromMemory = new List<double>();
        for (var r = 0; r < runs; r++)
        {
            Collect();
            clock.Restart();
            GC.KeepAlive(GraphSnapshot.Build(batch));
            fromMemory.Add(clock.Elapsed.TotalSeconds);
        }

        // What a snapshot built from the batch adds on top of it: its layout and per-project text records (the
        // strings themselves are shared with the batch, so they do not count here).
        var fromBatchRetained = RetainedBy(() => GraphSnapshot.Build(batch));

        // Phase 2: the real path (export from the store, then layout), with the batch released so that the
        // retained figure is the snapshot's own.
        batch = null;
        var fromStore = new List<double>();
        long retained = 0;
        GraphSnapshot? snapshot = null;
        for (var r = 0; r < runs; r++)
        {
            snapshot = null;
            Collect();
            clock.Restart();
            snapshot = await GraphSnapshot.BuildAsync(store);
            fromStore.Add(clock.Elapsed.TotalSeconds);
        }
        // Retained size: the heap with the last snapshot alive minus the heap once it is released.
        var summary = $"snapshot: {snapshot!.OrganizationCount:N0} organizations, {snapshot.ProjectCount:N0} projects, {snapshot.MembershipCount:N0} memberships, " +
                      $"{snapshot.Partners.EdgeCount:N0} partner edges, {snapshot.TieCount:N0} typed ties";
        snapshot = null;
        retained = RetainedBy(() => GraphSnapshot.BuildAsync(store).GetAwaiter().GetResult());
        Console.WriteLine(summary);
        Console.WriteLine($"build from batch (layout only): median {Machine.Median(fromMemory):F2} s over {runs} runs " +
                          $"[{string.Join(", ", fromMemory.Select(s => s.ToString("F2")))}]");
        Console.WriteLine($"build from SQLite store:        median {Machine.Median(fromStore):F2} s over {runs} runs " +
                          $"[{string.Join(", ", fromStore.Select(s => s.ToString("F2")))}]");
        Console.WriteLine($"snapshot retained managed memory: {Machine.Mib(retained)} (with the organization records); " +
                          $"process peak working set: {Machine.Mib(Process.GetCurrentProcess().PeakWorkingSet64)}");
        Console.WriteLine($"snapshot built from the batch retains {Machine.Mib(fromBatchRetained)} beyond the batch (layout and project text records)");
        if (args.GetValue(WorkDir) is null) Directory.Delete(workDir, recursive: true);
        return 0;
    }

    /// <summary>Heap growth that survives a full collection while the built object is alive.</summary>
    private static long RetainedBy(Func<object> build)
    {
        var before = Collect();
        var built = build();
        var after = Collect();
        GC.KeepAlive(built);
        return after - before;
    }

    private static long Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
