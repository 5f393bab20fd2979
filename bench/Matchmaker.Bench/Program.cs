using Matchmaker.Bench;
using Matchmaker.Bench.Cordis;
using Matchmaker.Bench.Horizon;

// Each command is one benchmark or evaluation; see docs/benchmarks.md for the commands and recorded figures.
return args.FirstOrDefault() switch
{
    "cordis" => CordisCommand.Run(args[1..]),
    "horizon" => HorizonCommand.Run(args[1..]),
    "horizon-import" => HorizonImportCommand.Run(args[1..]),
    "snapshot" => await SnapshotBench.RunAsync(args[1..]),
    "recompute" => await RecomputeBench.RunAsync(args[1..]),
    "neo4j-write" => await Neo4jWriteBench.RunAsync(args[1..]),
    "scoring" => ScoringBench.Run(args[1..]),
    "api-load" => await ApiLoadBench.RunAsync(args[1..]),
    "delivery" => await DeliveryBench.RunAsync(args[1..]),
    "digest-render" => await DigestRenderBench.RunAsync(args[1..]),
    "plan" => PlanBench.Run(args[1..]),
    "text-index" => TextIndexBench.Run(args[1..]),
    "text-query" => TextQueryBench.Run(args[1..]),
    "dense" => Matchmaker.Bench.Dense.DenseCommand.Run(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: Matchmaker.Bench <command> [options]
          cordis [<data-dir>] --test-year 2019 [--track all|new-partners|consortium] [--json FILE]
              evaluate the rankers (and, on the consortium track, the planner) on real Horizon 2020 consortia (CORDIS,
              European Commission), following the data's protocol; the data defaults to ../shared/data/cordis-h2020
          horizon [<data-dir>] --test-year 2024 [--track all|new-partners|consortium] [--json FILE] [--query-text none|topic|full]
                  [--queries all|even|odd] [--train-years 3]
              evaluate the rankers (and, on the consortium track, the planner) on real Horizon Europe consortia with their
              texts (CORDIS, European Commission), following the data's protocol; the data defaults to
              ../shared/data/cordis-horizon; tune on --queries even
          horizon-import <data-dir> <out-dir>
              convert the Horizon Europe data into bulk-import JSON Lines (organizations.jsonl, projects.jsonl) and read them back
          text-index [<data-dir>] [--test-year 2024] [--copies 1] [--queries 300] [--runs 1] [--top 200]
                     [--max-query-terms 128] [--recent-boost 2]
              build and query times of the text index (BM25, Lucene.Net) on the Horizon Europe projects before the test year
              (CORDIS, European Commission), copied --copies times; the data defaults to ../shared/data/cordis-horizon
          text-index --organizations 100000 [--seed 60] [--runs 1] [--slices 2] [--no-reuse]
              the build's phases on the synthetic corridor graph, then the builds of training's time slices after it
              (--no-reuse: every text analyzed anew, without the analysis cache)
          text-query [--organizations 100000] [--queries 300] [--limit 20] [--threads 1]
              on-demand queries with text on the synthetic corridor graph: p50/p95/p99 latency of the ranked, explained list
          plan [--organizations 100000] [--plans 300] [--runs 3] [--instances 1000] [--search-only]
              the consortium planner: search against the exact optimum, then plan latency on the synthetic corridor graph
          scoring [--organizations 100000]
              candidate pairs scored per second per core (features + model) on the synthetic corridor graph
          snapshot [--organizations 100000] [--seed 60] [--runs 3] [--work-dir DIR]
              generate a synthetic corridor graph, import it into a SQLite store and time GraphSnapshot builds
          recompute [--organizations 100000] [--shard-size 5000] [--training-years 1] [--runs 1] [--incremental 5]
                    [--work-dir DIR] [--model-dir DIR] [--retrain] [--keep] [--verbose]
              full and incremental recompute in the embedded mode on the synthetic graph, with a model trained on it
              (a --work-dir keeps the graph, lists and model for the next run, which reuses them)
          api-load [--organizations 100000] [--duration 30] [--connections 64] [--threads 2] [--runs 3] [--work-dir DIR]
                   [--api-dll PATH] [--wrk PATH]
              read throughput and latency of GET .../recommendations on loopback with wrk (auth and rate limiting on)
          delivery [--subscriptions 5000] [--runs 3] [--work-dir DIR]
              the Monday job in the embedded mode: compose, render and record one weekly list per e-mail subscription
          digest-render [--renders 20000] [--runs 3] [--dump DIR]
              rendering alone: the weekly e-mail's HTML and the list page's, per render and allocated
          api-load --mixed [--organizations 20000] [--duration 120] [--runs 3] [--connections 16] [--write-percent 10] [--parallelism N] [--work-dir DIR]
              reads, feedback writes and back-to-back full recomputes at once: throughput, p50/p99, answers by status,
              memory growth, and every acknowledged feedback stored
          neo4j-write [--count 100000] [--batch 5000] [--live]
              write synthetic organizations through the Neo4j adapter to a loopback Query API listener
        """);
    return 2;
}
