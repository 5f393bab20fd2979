using Matchmaker.Bench;

// Each command is one benchmark or evaluation; see docs/benchmarks.md for the commands and recorded figures.
return args.FirstOrDefault() switch
{
    "snapshot" => await SnapshotBench.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: Matchmaker.Bench <command> [options]
          snapshot [--organizations 100000] [--seed 60] [--runs 3] [--work-dir DIR]
              generate a synthetic corridor graph, import it into a SQLite store and time GraphSnapshot builds
        """);
    return 2;
}
