using Hangfire;
using Matchmaker.Engine.Recommendations;

namespace Matchmaker.Jobs;

/// <summary>Weekly retraining: trains on the graph's history, promotes only a better model, then recomputes with it.</summary>
public sealed class ModelJobs(ModelTrainingService training, IBackgroundJobClient jobs)
{
    [DisableConcurrentExecution(timeoutInSeconds: 3600)]
    [AutomaticRetry(Attempts = 1)]
    [JobDisplayName("Retrain the ranking model")]
    public async Task<string> RetrainModel(CancellationToken cancellationToken)
    {
        var outcome = await training.RetrainAsync(cancellationToken);
        if (outcome.Promotion?.Promoted == true)
        {
            jobs.Enqueue<RecomputeJobs>(RecomputeJobs.Queue, j => j.RecomputeAll(CancellationToken.None));
        }
        return outcome.Message;
    }
}
