using Matchmaker.Bench;
using Matchmaker.Bench.Cordis;

// Each command is one benchmark or evaluation; see docs/benchmarks.md for the commands and recorded figures.
return args.FirstOrDefault() switch
{
    "cordis" => CordisCommand.Run(args[1..]),
    "snapshot" => await SnapshotBench.RunAsync(args[1..]),
    "recompute" => await RecomputeBench.RunAsync(args[1..]),
    "neo4j-write" => await Neo4jWriteBench.RunAsync(args[1..]),
    "scoring" => ScoringBench.Run(args[1..]),
    "plan" => PlanBench.Run(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: Matchmaker.Bench <command> [options]
          cordis [<data-dir>] --test-year 2019 [--track all|new-partners|consortium] [--json FILE]
              evaluate the rankers (and, on the consortium track, the planner) on real Horizon 2020 consortia (CORDIS,
              European Commission), following the data's protocol; the data defaults to ../shared/data/cordis-h2020
          plan [--organizations 100000] [--plans 300] [--runs 3] [--instances 1000] [--search-only]
              the consortium planner: search against the exact optimum, then plan latency on the synthetic corridor graph
          scoring [--organizations 100000]
              candidate pairs scored per second per core (features + model) on the synthetic corridor graph
          snapshot [--organizations 100000] [--seed 60] [--runs 3] [--work-dir DIR]
              generate a synthetic corridor graph, import it into a SQLite store and time GraphSnapshot builds
          recompute [--organizations 100000] [--shard-size 5000] [--training-years 1] [--work-dir DIR] [--verbose]
              full and incremental recompute in the embedded mode on the synthetic graph, with a model trained on it
          neo4j-write [--count 100000] [--batch 5000] [--live]
              write synthetic organizations through the Neo4j adapter to a loopback Query API listener
        """);
    return 2;
}
