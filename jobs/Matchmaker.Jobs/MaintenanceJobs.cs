using Microsoft.Extensions.Logging;

namespace Matchmaker.Jobs;

/// <summary>The weekly digest job. Delivery channels (e-mail, WeCom, DingTalk, webhooks) are not built yet; until they are, the job records that it ran and sends nothing.</summary>
public sealed class DigestJobs(ILogger<DigestJobs> logger, TimeProvider time)
{
    public Task SendWeeklyDigests(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        logger.LogInformation("Weekly digest at {Now:O}: no delivery channels are configured; nothing sent", time.GetUtcNow());
        return Task.CompletedTask;
    }
}
