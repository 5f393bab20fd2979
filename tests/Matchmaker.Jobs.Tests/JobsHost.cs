using Hangfire;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Import;
using Matchmaker.Engine.Recommendations;
using Matchmaker.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Matchmaker.Jobs.Tests;

/// <summary>
/// A real host with real Hangfire (in memory, or on a real PostgreSQL), a real SQLite graph file loaded with the
/// G60 demo graph, and the engine's recompute service: what the API and the worker run, minus HTTP.
/// </summary>
internal sealed class JobsHost : IAsyncDisposable
{
    private JobsHost(IHost host, string directory)
    {
        Host = host;
        Directory = directory;
    }

    public IHost Host { get; }
    public string Directory { get; }
    public IServiceProvider Services => Host.Services;

    public static async Task<JobsHost> StartAsync(string directory, string? postgres = null, bool runServer = true, int shardSize = 20,
        bool loadGraph = true, Action<IServiceCollection>? configure = null, string? serverName = null, IReadOnlyDictionary<string, string?>? settings = null,
        bool telemetry = false)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Testing", ContentRootPath = directory });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Mode"] = postgres is null ? "Embedded" : "Postgres",
            ["Storage:SqlitePath"] = Path.Combine(directory, "matchmaker.db"),
            ["Storage:PostgresConnectionString"] = postgres,
            ["Recompute:ShardSize"] = shardSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // The production mode refuses to start without a key for list and unsubscribe links.
            ["Delivery:TokenKey"] = "jobs-tests-link-key-of-at-least-32-characters",
        });
        if (settings is not null) builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddMatchmakerCore();
        if (runServer) builder.AddMatchmakerJobServer(serverName);
        // As the worker's Program does: metrics and spans (a metrics port or OTLP when the settings ask for them).
        if (telemetry) builder.AddMatchmakerTelemetry();
        configure?.Invoke(builder.Services);
        var host = builder.Build();
        var graph = host.Services.GetRequiredService<IGraphStore>();
        await graph.InitializeAsync();
        if (loadGraph && (await graph.CountAsync()).Organizations == 0)
        {
            await graph.ImportAsync(GraphImportParser.ParseJsonLinesDirectory(Path.Combine(AppContext.BaseDirectory, "graph", "seed")));
        }
        await host.Services.GetRequiredService<IRecommendationStore>().InitializeAsync();
        // As the worker host does: the publish of a run queues webhook events, which reads the delivery store.
        await host.Services.GetRequiredService<Matchmaker.Engine.Delivery.IDeliveryStore>().InitializeAsync();
        await host.StartAsync();
        return new JobsHost(host, directory);
    }

    public async Task<RecomputeRun> WaitForRunAsync(string runId, Func<RecomputeRun, bool> done, TimeSpan? timeout = null)
    {
        var store = Services.GetRequiredService<IRecommendationStore>();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var run = await store.GetRunAsync(runId);
            if (run is not null && done(run)) return run;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Run {runId} did not finish: {run}");
            await Task.Delay(100);
        }
    }

    public async Task<string> WaitForLatestRunAsync(TimeSpan? timeout = null)
    {
        var store = Services.GetRequiredService<IRecommendationStore>();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < deadline)
        {
            var runs = await store.ListRunsAsync(1);
            if (runs.Count > 0) return runs[0].Id;
            await Task.Delay(100);
        }
        throw new TimeoutException("No run was created.");
    }

    public async ValueTask DisposeAsync()
    {
        await Host.StopAsync();
        Host.Dispose();
    }
}
