using Hangfire;
using Matchmaker.Engine.Recommendations;

namespace Matchmaker.Jobs;

/// <summary>
/// Called by the API after graph writes. Records the changed organizations and enqueues one
/// <see cref="RecomputeJobs.RecomputeChanged"/> for a whole burst: only the caller that flips the store's
/// "scheduled" flag enqueues, and the job clears the flag when it takes the changes.
/// </summary>
public sealed class ChangeNotifier(IRecommendationStore store, IBackgroundJobClient jobs, TimeProvider time)
{
    /// <param name="structural">True when projects or ties changed or organizations were deleted; false for attribute edits and new organizations.</param>
    public async Task OrganizationsChangedAsync(IReadOnlyCollection<string> organizationIds, bool structural, CancellationToken cancellationToken = default)
    {
        if (organizationIds.Count == 0) return;
        if (await store.MarkChangedAsync(organizationIds, structural, time.GetUtcNow(), cancellationToken))
        {
            jobs.Enqueue<RecomputeJobs>(RecomputeJobs.Queue, j => j.RecomputeChanged(CancellationToken.None));
        }
    }
}
