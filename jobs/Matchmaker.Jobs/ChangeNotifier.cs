using Hangfire;
using Matchmaker.Engine.Recommendations;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Matchmaker.Jobs;

/// <summary>
/// Called by the API around graph writes. Records the changed organizations and enqueues one
/// <see cref="RecomputeJobs.RecomputeChanged"/> for a whole burst: only the caller that flips the store's
/// "scheduled" flag enqueues, and the job clears the flag when it takes the changes.
/// </summary>
public sealed class ChangeNotifier(IRecommendationStore store, IBackgroundJobClient jobs, TimeProvider time, ILogger<ChangeNotifier>? logger = null)
{
    /// <summary>
    /// How long a change recorded before its write is held back from the recompute when the write's end is never
    /// recorded (the process died, or the change store failed just after the write). Longer than a graph write takes.
    /// </summary>
    public static readonly TimeSpan WriteHold = TimeSpan.FromMinutes(2);

    private readonly ILogger _logger = logger ?? NullLogger<ChangeNotifier>.Instance;

    /// <summary>
    /// Runs a graph write with its change record as one unit. The change is recorded first (held back from the
    /// recompute): when that fails, nothing is written. Then the write runs, and its end is recorded whether it
    /// succeeded or not, which releases the change and schedules the recompute. When only that last step fails, the
    /// write stands and its change is still recorded: it is released after <see cref="WriteHold"/>.
    /// </summary>
    /// <param name="structural">True when projects or ties change or organizations are deleted; false for attribute edits and new organizations.</param>
    public async Task<T> WriteAsync<T>(IReadOnlyCollection<string> organizationIds, bool structural, Func<Task<T>> write, CancellationToken cancellationToken = default)
    {
        if (organizationIds.Count == 0) return await write();
        var now = time.GetUtcNow();
        await store.BeginChangeAsync(organizationIds, structural, now, now + WriteHold, cancellationToken);
        T result;
        try
        {
            result = await write();
        }
        catch
        {
            // The write may have been applied before it failed (a lost answer): recomputing unchanged organizations is harmless.
            await EndAsync(organizationIds, structural);
            throw;
        }
        await EndAsync(organizationIds, structural);
        return result;
    }

    /// <param name="structural">True when projects or ties changed or organizations were deleted; false for attribute edits and new organizations.</param>
    public async Task OrganizationsChangedAsync(IReadOnlyCollection<string> organizationIds, bool structural, CancellationToken cancellationToken = default)
    {
        if (organizationIds.Count == 0) return;
        if (await store.MarkChangedAsync(organizationIds, structural, time.GetUtcNow(), cancellationToken))
        {
            jobs.Enqueue<RecomputeJobs>(RecomputeJobs.Queue, j => j.RecomputeChanged(CancellationToken.None));
        }
    }

    private async Task EndAsync(IReadOnlyCollection<string> organizationIds, bool structural)
    {
        try
        {
            // Not the request's token: a write that ran must release its change even if the caller has gone.
            if (await store.EndChangeAsync(organizationIds, structural, time.GetUtcNow(), CancellationToken.None))
            {
                jobs.Enqueue<RecomputeJobs>(RecomputeJobs.Queue, j => j.RecomputeChanged(CancellationToken.None));
            }
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "The end of a graph write on {Count} organizations could not be recorded; their change is recomputed after {Hold}.",
                organizationIds.Count, WriteHold);
            try
            {
                jobs.Schedule<RecomputeJobs>(RecomputeJobs.Queue, j => j.RecomputeChanged(CancellationToken.None), WriteHold + TimeSpan.FromSeconds(5));
            }
            catch (Exception scheduling)
            {
                _logger.LogWarning(scheduling, "No recompute could be scheduled; the change is taken by the next one (the next edit or start).");
            }
        }
    }
}
