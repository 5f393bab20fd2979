using Hangfire;
using Hangfire.Server;
using Matchmaker.Engine.Recommendations;

namespace Matchmaker.Jobs;

/// <summary>
/// Thin Hangfire jobs over <see cref="RecomputeService"/>: ids in, engine call, done. Hangfire delivers at least
/// once, so every job is idempotent; the engine's store makes a repeated shard write the same rows.
/// </summary>
public sealed class RecomputeJobs(RecomputeService service, IRecommendationStore store, IBackgroundJobClient jobs, TimeProvider time)
{
    public const string Queue = "recompute";

    /// <summary>Plans a full run and enqueues one job per shard; any number of workers take them.</summary>
    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    [AutomaticRetry(Attempts = 3)]
    [JobDisplayName("Recompute all recommendations")]
    public async Task<string> RecomputeAll(CancellationToken cancellationToken)
    {
        var plan = await service.PlanFullRunAsync(cancellationToken);
        EnqueueShards(jobs, plan);
        return plan.RunId;
    }

    public static void EnqueueShards(IBackgroundJobClient jobs, RunPlan plan)
    {
        foreach (var shard in plan.Shards)
        {
            jobs.Enqueue<RecomputeJobs>(Queue, j => j.RecomputeShard(plan.RunId, shard.Index, shard.From, shard.To, null, CancellationToken.None));
        }
    }

    public const int ShardAttempts = 3;

    /// <summary>
    /// One shard of a full run. The last shard to finish publishes the run. When the final retry fails too, the
    /// run is marked failed, so it is never published and the previous lists stay served.
    /// </summary>
    // Short delays: a shard failure is usually a database hiccup, and a run should fail (and say so) within a minute.
    [AutomaticRetry(Attempts = ShardAttempts, DelaysInSeconds = [2, 10, 30])]
    [JobDisplayName("Recompute shard {1} of {0}")]
    public async Task RecomputeShard(string runId, int shard, string? fromId, string? toId, PerformContext? context, CancellationToken cancellationToken)
    {
        RecomputeRun progress;
        try
        {
            progress = await service.RunShardAsync(runId, new ShardPlan(shard, fromId, toId), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException && (context?.GetJobParameter<int>("RetryCount") ?? ShardAttempts) >= ShardAttempts)
        {
            await service.FailRunAsync(runId, $"shard {shard} failed after {ShardAttempts} retries: {e.GetType().Name}: {e.Message}", CancellationToken.None);
            throw;
        }
        // The shard that published the run hands the deletion of the lists it replaced to a job of its own.
        if (progress.Status == RunStatus.Published) jobs.Enqueue<RecomputeJobs>(Queue, j => j.PruneLists(CancellationToken.None));
        DeliveryJobs.AfterRun(jobs, progress);
        // Shown in the dashboard's job details: how far the whole run is.
        context?.SetJobParameter("progress",
            $"{progress.ShardsDone}/{progress.ShardsTotal} shards, {progress.OrganizationsScored} organizations, {progress.PairsPerSecond:N0} pairs/s");
    }

    /// <summary>
    /// Deletes the lists no reader can reach (see <see cref="RecomputeService.PruneAsync"/>). Idempotent: a second
    /// run finds nothing to delete; a run that never comes leaves them for the next publish's prune.
    /// </summary>
    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    [AutomaticRetry(Attempts = 3)]
    [JobDisplayName("Delete replaced recommendation lists")]
    public Task<int> PruneLists(CancellationToken cancellationToken) => service.PruneAsync(cancellationToken);

    /// <summary>Recomputes the organizations changed since the last time, and their partners. Coalesces bursts.</summary>
    [DisableConcurrentExecution(timeoutInSeconds: 300)]
    [AutomaticRetry(Attempts = 5)]
    [JobDisplayName("Recompute changed organizations")]
    public async Task RecomputeChanged(CancellationToken cancellationToken)
    {
        var changes = await store.TakeChangedAsync(cancellationToken);
        // Changes of writes still in progress are taken when their writes end; this one comes back for those whose end is never recorded.
        if (changes.HeldBack > 0) jobs.Schedule<RecomputeJobs>(Queue, j => j.RecomputeChanged(CancellationToken.None), ChangeNotifier.WriteHold + TimeSpan.FromSeconds(5));
        try
        {
            DeliveryJobs.AfterRun(jobs, await service.RecomputeOrganizationsAsync(changes, cancellationToken));
        }
        catch
        {
            // Put the changes back so that the retry (or the next change) finds them.
            if (changes.OrganizationIds.Count > 0) await store.MarkChangedAsync(changes.OrganizationIds, changes.Structural, time.GetUtcNow(), CancellationToken.None);
            throw;
        }
    }
}
