using Hangfire.States;
using Hangfire.Storage;
using Matchmaker.Engine.Recommendations;

namespace Matchmaker.Jobs;

/// <summary>
/// When a shard job lands in the Failed state (its retries are spent), the whole run is marked failed so that it
/// is never published and the previous lists stay served. Runs after every retry decision, on state apply.
/// </summary>
public sealed class FailRunFilter(IRecommendationStore store, TimeProvider time) : IApplyStateFilter
{
    public void OnStateApplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
        if (context.NewState is not FailedState failed) return;
        var job = context.BackgroundJob.Job;
        if (job?.Type != typeof(RecomputeJobs) || job.Method.Name != nameof(RecomputeJobs.RecomputeShard)) return;
        var runId = (string)job.Args[0];
        var reason = $"shard {job.Args[1]} failed: {failed.Exception?.GetType().Name}: {failed.Exception?.Message}";
        // Filters are synchronous in Hangfire; the store call is short and must finish before the state is final.
        store.FailRunAsync(runId, reason, time.GetUtcNow()).GetAwaiter().GetResult();
    }

    public void OnStateUnapplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
    }
}
