using Matchmaker.Engine.Graph;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Matchmaker.Api.Hosting;

/// <summary>
/// The graph store answers. When it does not, the service is degraded, not down: the stored lists are still served
/// (they need only the recommendation store), while searches and writes answer 503 until the store is back. A probe
/// of one row, never a count: readiness is asked every few seconds, by anyone (it needs no key).
/// </summary>
internal sealed class GraphStoreHealthCheck(IGraphStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await store.PingAsync(cancellationToken);
            return HealthCheckResult.Healthy("graph store answers");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Degraded($"graph store unavailable, the last lists are still served: {e.Message}");
        }
    }
}
