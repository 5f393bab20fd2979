using Hangfire;
using Matchmaker.Api.Access;
using Matchmaker.Engine.Feedback;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Graph.Neo4j;
using Matchmaker.Engine.Matching;
using Matchmaker.Engine.Planning;
using Matchmaker.Engine.Import;
using Matchmaker.Engine.Recommendations;
using Matchmaker.Jobs;
using Matchmaker.Jobs.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Matchmaker.Api.Hosting;

public static class Startup
{
    /// <summary>
    /// Creates the schemas, makes sure an admin can get in, loads the G60 demo graph into an empty store,
    /// registers the recurring jobs and, when no list was ever computed, enqueues a first full recompute. Runs
    /// before the server accepts requests.
    /// </summary>
    public static async Task InitializeAsync(this WebApplication app, CancellationToken cancellationToken = default)
    {
        var services = app.Services;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Matchmaker.Startup");
        var graph = services.GetRequiredService<IGraphStore>();
        var options = services.GetRequiredService<IOptions<GraphOptions>>().Value;
        if (graph is Neo4jGraphStore neo4j && await neo4j.VerifyAsync(cancellationToken) is { IsHealthy: false } failed)
        {
            // Fail the start with the reason (unreachable, wrong credentials, too old) rather than serve errors.
            throw new InvalidOperationException($"Graph:Provider is Neo4j but the server cannot be used: {failed.Message}");
        }
        await graph.InitializeAsync(cancellationToken);
        var recommendations = services.GetRequiredService<IRecommendationStore>();
        await recommendations.InitializeAsync(cancellationToken);
        await services.GetRequiredService<IFeedbackStore>().InitializeAsync(cancellationToken);
        await services.GetRequiredService<Matchmaker.Engine.Delivery.IDeliveryStore>().InitializeAsync(cancellationToken);
        await services.GetRequiredService<IPlanStore>().InitializeAsync(cancellationToken);
        await services.EnsureAdminAccessAsync(logger, cancellationToken);

        var counts = await graph.CountAsync(cancellationToken);
        if (counts.Organizations == 0 && options.LoadDemoWhenEmpty)
        {
            if (File.Exists(Path.Combine(options.SeedDirectory, "organizations.jsonl")))
            {
                var summary = await graph.ImportAsync(GraphImportParser.ParseJsonLinesDirectory(options.SeedDirectory), cancellationToken);
                // The seed is the G60 demo graph unless Graph:SeedDirectory names another (e.g. converted real data).
                logger.LogInformation("Loaded the seed graph from {SeedDirectory}: {Organizations} organizations, {Projects} projects, {Ties} ties",
                    options.SeedDirectory, summary.Organizations, summary.Projects, summary.Ties);
            }
            else
            {
                logger.LogWarning("The graph store is empty and no demo graph was found in {SeedDirectory}", options.SeedDirectory);
            }
        }
        else
        {
            logger.LogInformation("Graph store ready: {Organizations} organizations, {Projects} projects, {Ties} ties", counts.Organizations, counts.Projects, counts.Ties);
        }

        StorageSetup.RegisterRecurringJobs(services.GetRequiredService<IRecurringJobManager>(), services.GetRequiredService<IOptions<ScheduleOptions>>().Value);
        var jobs = services.GetRequiredService<IBackgroundJobClient>();
        var runs = await recommendations.ListRunsAsync(1, cancellationToken);
        if (runs.Count == 0)
        {
            jobs.Enqueue<RecomputeJobs>(RecomputeJobs.Queue, j => j.RecomputeAll(CancellationToken.None));
            logger.LogInformation("No recommendations yet: a first full recompute was enqueued");
        }
        else if (services.GetRequiredService<JobStorage>() is Hangfire.InMemory.InMemoryStorage)
        {
            await RecoverInterruptedWorkAsync(services, jobs, logger, cancellationToken);
        }
        // Messages left due by a stop (the embedded job storage is in memory) go out again now, not at the next sweep.
        jobs.Enqueue<DeliveryJobs>(j => j.Sweep(CancellationToken.None));
        if (services.GetRequiredService<ModelRegistry>().CurrentVersion is null)
        {
            // Until a model is promoted the heuristic ranker serves; a promotion triggers a recompute with the model.
            jobs.Enqueue<ModelJobs>(j => j.RetrainModel(CancellationToken.None));
            logger.LogInformation("No ranking model yet: training one on the graph's history was enqueued");
        }
    }

    /// <summary>
    /// In the embedded mode the jobs live in the process's memory, so a process that was killed took its queued and
    /// running jobs with it. A run still marked running can never finish: it is marked failed (it was never published,
    /// so readers keep the previous lists) and a fresh full run replaces it. Changes recorded for a recompute whose job
    /// was lost are picked up by a new one.
    /// </summary>
    private static async Task RecoverInterruptedWorkAsync(IServiceProvider services, IBackgroundJobClient jobs, ILogger logger, CancellationToken cancellationToken)
    {
        var interrupted = await services.GetRequiredService<RecomputeService>().FailInterruptedRunsAsync(
            "interrupted: the process stopped while the run was in progress; a new full run replaces it", cancellationToken);
        if (interrupted.Count > 0)
        {
            jobs.Enqueue<RecomputeJobs>(RecomputeJobs.Queue, j => j.RecomputeAll(CancellationToken.None));
            logger.LogWarning("{Count} recompute runs were interrupted by the previous stop ({Runs}); they were marked failed and a new full recompute was enqueued",
                interrupted.Count, string.Join(", ", interrupted.Select(r => r.Id)));
        }
        jobs.Enqueue<RecomputeJobs>(RecomputeJobs.Queue, j => j.RecomputeChanged(CancellationToken.None));
    }
}

/// <summary>
/// The graph store answers. When it does not, the service is degraded, not down: the stored lists are still served
/// (they need only the recommendation store), while searches and writes answer 503 until the store is back. A probe
/// of one row, never a count: readiness is asked every few seconds, by anyone (it needs no key).
/// </summary>
internal sealed class GraphStoreHealthCheck(IGraphStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await store.PingAsync(cancellationToken);
            return HealthCheckResult.Healthy("graph store answers");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Degraded($"graph store unavailable, the last lists are still served: {e.Message}");
        }
    }
}

/// <summary>The recommendation store answers: without it no list can be served, so the service is not ready.</summary>
internal sealed class RecommendationStoreHealthCheck(IRecommendationStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await store.PingAsync(cancellationToken);
            return HealthCheckResult.Healthy("recommendation store answers");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"recommendation store unavailable: {e.Message}");
        }
    }
}
