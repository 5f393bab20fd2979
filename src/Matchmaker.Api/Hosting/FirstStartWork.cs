using Hangfire;
using Matchmaker.Api.Access;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Matching;
using Matchmaker.Engine.Import;
using Matchmaker.Engine.Recommendations;
using Matchmaker.Hosting;
using Matchmaker.Jobs;
using Microsoft.Extensions.Options;

namespace Matchmaker.Api.Hosting;

/// <summary>
/// The API's own start-up work, after the <see cref="StoreInitializer"/> has readied the stores: makes sure an admin
/// can get in, loads the G60 demo graph into an empty store, registers the recurring jobs and, when no list was ever
/// computed, enqueues a first full recompute. Runs in <see cref="IHostedLifecycleService.StartingAsync"/>, before
/// the job server and the web server start, so before the server accepts requests.
/// </summary>
internal sealed class FirstStartWork(IServiceProvider services) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Matchmaker.Startup");
        var graph = services.GetRequiredService<IGraphStore>();
        var options = services.GetRequiredService<IOptions<GraphOptions>>().Value;
        var recommendations = services.GetRequiredService<IRecommendationStore>();
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

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

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
