using Matchmaker.Engine.Recommendations;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Matchmaker.Api.Hosting;

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
