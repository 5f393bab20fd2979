using Hangfire;
using Matchmaker.Engine.Delivery;
using Matchmaker.Engine.Recommendations;
using Microsoft.Extensions.Options;

namespace Matchmaker.Jobs;

/// <summary>
/// The weekly lists: composes each active subscription's list for this ISO week (once; a second run in the same week
/// composes nothing) and enqueues one send job per recorded message.
/// </summary>
public sealed class DigestJobs(DeliveryService delivery, IBackgroundJobClient jobs, IOptions<ScheduleOptions> schedules)
{
    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    [AutomaticRetry(Attempts = 3)]
    [JobDisplayName("Compose and send the weekly lists")]
    public async Task<string> SendWeeklyDigests(CancellationToken cancellationToken)
    {
        var zone = ScheduleOptions.TryFindTimeZone(schedules.Value.TimeZone) ?? TimeZoneInfo.Utc;
        var week = await delivery.ComposeWeekAsync(zone, cancellationToken);
        foreach (var id in week.MessageIds) DeliveryJobs.Enqueue(jobs, id);
        return $"{week.Week}: {week.Composed} lists with news, {week.Empty} empty, {week.MessageIds.Count} messages enqueued";
    }
}

/// <summary>
/// Sends outbox messages. A send failure is not a job failure: the engine records it and says when to try again,
/// and the next attempt is scheduled here with that backoff. Hangfire's own retries cover faults of the job itself
/// (a database hiccup); a retried job finds a sent message sent and does nothing.
/// </summary>
public sealed class DeliveryJobs(DeliveryService delivery, IBackgroundJobClient jobs)
{
    public static void Enqueue(IBackgroundJobClient jobs, string messageId) =>
        jobs.Enqueue<DeliveryJobs>(j => j.Send(messageId, CancellationToken.None));

    /// <summary>Called by the recompute jobs: a published run notifies the webhook subscribers of the organizations it covered.</summary>
    public static void AfterRun(IBackgroundJobClient jobs, RecomputeRun? run)
    {
        if (run is { Status: RunStatus.Published }) jobs.Enqueue<DeliveryJobs>(j => j.NotifyRunPublished(run.Id, CancellationToken.None));
    }

    [AutomaticRetry(Attempts = 5)]
    [JobDisplayName("Deliver message {0}")]
    public async Task<string> Send(string messageId, CancellationToken cancellationToken)
    {
        var outcome = await delivery.SendAsync(messageId, cancellationToken);
        if (outcome.RetryAt is { } at) jobs.Schedule<DeliveryJobs>(j => j.Send(messageId, CancellationToken.None), at);
        return $"{outcome.Status?.ToString() ?? "none"}: {outcome.Note}";
    }

    [AutomaticRetry(Attempts = 3)]
    [JobDisplayName("Webhooks for run {0}")]
    public async Task<string> NotifyRunPublished(string runId, CancellationToken cancellationToken)
    {
        var ids = await delivery.QueueWebhooksAsync(runId, cancellationToken);
        foreach (var id in ids) Enqueue(jobs, id);
        return $"{ids.Count} webhook events enqueued";
    }

    /// <summary>Enqueues due messages that no job holds: the outbox outlives the in-memory job storage of the embedded mode.</summary>
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("Sweep the delivery outbox")]
    public async Task<string> Sweep(CancellationToken cancellationToken)
    {
        var due = await delivery.DueMessagesAsync(cancellationToken);
        foreach (var id in due) Enqueue(jobs, id);
        return $"{due.Count} due messages enqueued";
    }
}
