namespace Matchmaker.Hosting;

public enum GraphProvider
{
    Sqlite,
    Neo4j,
}

/// <summary>The <c>Graph</c> section.</summary>
public sealed class GraphOptions
{
    public const string Section = "Graph";

    public GraphProvider Provider { get; set; } = GraphProvider.Sqlite;

    /// <summary>The SQLite graph file; defaults to the Storage:SqlitePath file.</summary>
    public string? SqlitePath { get; set; }

    /// <summary>The G60 demo graph (JSON Lines), loaded on first start when the store is empty.</summary>
    public string SeedDirectory { get; set; } = Path.Combine(AppContext.BaseDirectory, "graph", "seed");

    public bool LoadDemoWhenEmpty { get; set; } = true;
}
