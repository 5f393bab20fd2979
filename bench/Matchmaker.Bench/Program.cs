using System.CommandLine;
using Matchmaker.Bench;
using Matchmaker.Bench.Cordis;
using Matchmaker.Bench.Dense;
using Matchmaker.Bench.Horizon;

// Each command is one benchmark or evaluation; see docs/benchmarks.md for the commands and recorded figures,
// and `<command> --help` for its options.
var root = new RootCommand("Matchmaker benchmarks and evaluations (docs/benchmarks.md)")
{
    CordisCommand.Command(),
    HorizonCommand.Command(),
    HorizonImportCommand.Command(),
    TextIndexBench.Command(),
    TextQueryBench.Command(),
    PlanBench.Command(),
    ScoringBench.Command(),
    SnapshotBench.Command(),
    RecomputeBench.Command(),
    ApiLoadBench.Command(),
    DeliveryBench.Command(),
    DigestRenderBench.Command(),
    Neo4jWriteBench.Command(),
    DenseCommand.Command(),
};
return await root.Parse(args).InvokeAsync();
