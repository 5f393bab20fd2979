using Matchmaker.Engine.Access;
using Matchmaker.Engine.Delivery;
using Matchmaker.Engine.Feedback;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Planning;
using Matchmaker.Engine.Recommendations;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Matchmaker.Hosting;

/// <summary>
/// Verifies the graph store and brings every store to its latest schema, in both hosts, before any other hosted
/// service starts (the job server, the web server): it runs in <see cref="IHostedLifecycleService.StartingAsync"/>.
/// A store that cannot be used fails the start with the reason.
/// </summary>
public sealed class StoreInitializer(
    IGraphStore graph, IRecommendationStore recommendations, IApiKeyStore keys, IFeedbackStore feedback, IDeliveryStore delivery, IPlanStore plans,
    IOptions<GraphOptions> graphOptions, ILogger<StoreInitializer> logger) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        var verification = await graph.VerifyAsync(cancellationToken);
        if (!verification.IsHealthy)
        {
            // Fail the start with the reason (unreachable, wrong credentials, too old) rather than serve errors.
            throw new InvalidOperationException($"Graph:Provider is {graphOptions.Value.Provider} but the server cannot be used: {verification.Message}");
        }
        logger.LogDebug("Graph store: {Verification}", verification.Message);
        await graph.InitializeAsync(cancellationToken);
        await recommendations.InitializeAsync(cancellationToken);
        await keys.InitializeAsync(cancellationToken);
        await feedback.InitializeAsync(cancellationToken);
        await delivery.InitializeAsync(cancellationToken);
        await plans.InitializeAsync(cancellationToken);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
