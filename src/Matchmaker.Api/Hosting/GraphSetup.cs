using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Graph.Sqlite;
using Matchmaker.Engine.Import;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Matchmaker.Api.Hosting;

public enum GraphProvider
{
    Sqlite,
    Neo4j,
}

/// <summary>The <c>Graph</c> configuration section.</summary>
public sealed class GraphOptions
{
    public const string Section = "Graph";

    public GraphProvider Provider { get; set; } = GraphProvider.Sqlite;

    /// <summary>The SQLite file of the embedded mode; relative paths are under the content root.</summary>
    public string SqlitePath { get; set; } = "data/matchmaker.db";

    /// <summary>The G60 demo graph (JSON Lines), loaded on first start when the store is empty.</summary>
    public string SeedDirectory { get; set; } = Path.Combine(AppContext.BaseDirectory, "graph", "seed");

    public bool LoadDemoWhenEmpty { get; set; } = true;
}

public static class GraphSetup
{
    public static IHostApplicationBuilder AddGraphStore(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<GraphOptions>()
            .BindConfiguration(GraphOptions.Section)
            .Validate(o => o.Provider != GraphProvider.Sqlite || !string.IsNullOrWhiteSpace(o.SqlitePath), "Graph:SqlitePath is required for the Sqlite provider.")
            .ValidateOnStart();

        var provider = builder.Configuration.GetValue<GraphProvider?>($"{GraphOptions.Section}:Provider") ?? GraphProvider.Sqlite;
        switch (provider)
        {
            case GraphProvider.Sqlite:
                builder.Services.AddSingleton<IGraphStore>(sp =>
                {
                    var options = sp.GetRequiredService<IOptions<GraphOptions>>().Value;
                    var path = Path.IsPathRooted(options.SqlitePath)
                        ? options.SqlitePath
                        : Path.Combine(sp.GetRequiredService<IHostEnvironment>().ContentRootPath, options.SqlitePath);
                    return new SqliteGraphStore(path);
                });
                break;
            default:
                throw new InvalidOperationException($"Graph:Provider '{provider}' is not available in this build.");
        }

        builder.Services.AddHealthChecks().AddCheck<GraphStoreHealthCheck>("graph-store", tags: ["ready"]);
        return builder;
    }

    /// <summary>
    /// Creates the schema and, on an empty store, loads the G60 demo graph. Runs before the server accepts
    /// requests, so the first request already sees the demo data.
    /// </summary>
    public static async Task InitializeGraphAsync(this WebApplication app, CancellationToken cancellationToken = default)
    {
        var store = app.Services.GetRequiredService<IGraphStore>();
        var options = app.Services.GetRequiredService<IOptions<GraphOptions>>().Value;
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Matchmaker.Graph");
        await store.InitializeAsync(cancellationToken);
        var counts = await store.CountAsync(cancellationToken);
        if (counts.Organizations > 0 || !options.LoadDemoWhenEmpty)
        {
            logger.LogInformation("Graph store ready: {Organizations} organizations, {Projects} projects, {Ties} ties",
                counts.Organizations, counts.Projects, counts.Ties);
            return;
        }
        if (!File.Exists(Path.Combine(options.SeedDirectory, "organizations.jsonl")))
        {
            logger.LogWarning("The graph store is empty and no demo graph was found in {SeedDirectory}", options.SeedDirectory);
            return;
        }
        var batch = GraphImportParser.ParseJsonLinesDirectory(options.SeedDirectory);
        var summary = await store.ImportAsync(batch, cancellationToken);
        logger.LogInformation("Loaded the G60 demo graph: {Organizations} organizations, {Projects} projects, {Ties} ties",
            summary.Organizations, summary.Projects, summary.Ties);
    }
}

/// <summary>Ready means the graph store answers.</summary>
internal sealed class GraphStoreHealthCheck(IGraphStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var counts = await store.CountAsync(cancellationToken);
            return HealthCheckResult.Healthy($"{counts.Organizations} organizations");
        }
        catch (GraphStoreUnavailableException e)
        {
            return HealthCheckResult.Unhealthy(e.Message);
        }
    }
}
