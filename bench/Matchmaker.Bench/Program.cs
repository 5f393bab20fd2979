using Matchmaker.Bench;

// Minimal dispatcher; the benchmark suite's own Program.cs (with its other commands) replaces this one.
return args switch
{
    ["neo4j-write", .. var rest] => await Neo4jWriteBench.RunAsync(rest),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Matchmaker.Bench neo4j-write [--count 100000] [--batch 5000]");
    return 2;
}
