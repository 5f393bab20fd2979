using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Recommendations;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Matchmaker.Api.Hosting;

/// <summary>
/// The graph store answers. When it does not, the service is degraded, not down: the stored lists are still served
/// (they need only the recommendation store), while searches and writes answer 503 until the store is back.
/// </summary>
internal sealed class GraphStoreHealthCheck(IGraphStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var counts = await store.CountAsync(cancellationToken);
            return HealthCheckResult.Healthy($"{counts.Organizations} organizations");
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
            var runs = await store.ListRunsAsync(1, cancellationToken);
            return HealthCheckResult.Healthy(runs.Count == 0 ? "no run yet" : $"latest run {runs[0].Id} {runs[0].Status}");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"recommendation store unavailable: {e.Message}");
        }
    }
}
