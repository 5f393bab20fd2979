namespace Matchmaker.Hosting;

public enum StorageMode
{
    /// <summary>One process: SQLite for the graph and app data, Hangfire in memory, the job server inside the API.</summary>
    Embedded,
    /// <summary>PostgreSQL for app data and Hangfire; the API and any number of worker hosts share it.</summary>
    Postgres,
}

/// <summary>The <c>Storage</c> section: the one switch between the embedded and the production mode.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    public StorageMode Mode { get; set; } = StorageMode.Embedded;

    /// <summary>The SQLite file of the embedded mode (graph and app data); relative paths are under the content root.</summary>
    public string SqlitePath { get; set; } = "data/matchmaker.db";

    /// <summary>
    /// The SQLite file of the recommendation lists in the embedded mode; defaults to one beside <see cref="SqlitePath"/>
    /// (data/matchmaker.db: data/matchmaker-lists.db). A file of its own, so that a recompute writing lists never holds
    /// the write lock that feedback, keys, subscriptions, plans and graph edits need.
    /// </summary>
    public string? ListsSqlitePath { get; set; }

    /// <summary>The lists' file: <see cref="ListsSqlitePath"/>, or the service's file name with "-lists".</summary>
    public string ListsPath => ListsSqlitePath ?? Path.Combine(Path.GetDirectoryName(SqlitePath) ?? "",
        Path.GetFileNameWithoutExtension(SqlitePath) + "-lists" + Path.GetExtension(SqlitePath));

    /// <summary>PostgreSQL connection string of the production mode (ConnectionStrings:Postgres also works).</summary>
    public string? PostgresConnectionString { get; set; }
}
