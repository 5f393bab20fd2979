using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Timeout;

namespace Matchmaker.Engine.Graph.Neo4j;

public static class Neo4jServiceCollectionExtensions
{
    public const string HttpClientName = "Matchmaker.Neo4j";

    /// <summary>
    /// Registers <see cref="Neo4jGraphStore"/> as the <see cref="IGraphStore"/>: options bound from <paramref name="section"/>
    /// (usually <c>Graph:Neo4j</c>) and validated on start, and a named HttpClient whose resilience handler retries
    /// what is safe to retry (see <see cref="Neo4jResilience"/>). The hosts' start-up calls <see cref="IGraphStore.VerifyAsync"/>
    /// first, to fail with a clear message when the server is unreachable or the credentials are wrong.
    /// </summary>
    public static IServiceCollection AddNeo4jGraphStore(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        services.AddOptions<Neo4jOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<Neo4jOptions>, Neo4jOptionsValidator>());

        services.AddHttpClient(HttpClientName, client =>
            {
                // Time-outs are per attempt, in the resilience pipeline; HttpClient's own 100 s would cut retries short.
                client.Timeout = Timeout.InfiniteTimeSpan;
                client.DefaultRequestVersion = HttpVersion.Version11;
                client.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrHigher;
            })
            .AddResilienceHandler("neo4j", (pipeline, context) =>
                Neo4jResilience.Configure(pipeline, context.ServiceProvider.GetRequiredService<IOptions<Neo4jOptions>>().Value));

        services.TryAddSingleton<Neo4jGraphStore>(sp => new Neo4jGraphStore(
            sp.GetRequiredService<IHttpClientFactory>(),
            sp.GetRequiredService<IOptions<Neo4jOptions>>(),
            sp.GetService<Microsoft.Extensions.Logging.ILogger<Neo4jGraphStore>>()));
        services.AddSingleton<IGraphStore>(sp => sp.GetRequiredService<Neo4jGraphStore>());
        return services;
    }
}

/// <summary>
/// The retry policy of the Neo4j HttpClient. A request is repeated only when repeating it is safe, as its
/// <see cref="Neo4jRetry"/> option says:
/// <list type="bullet">
/// <item>never inside an explicit transaction, nor a commit or a rollback (the server closes a transaction on its
/// first error, and a repeated commit is not safe);</item>
/// <item>auto-commit deletes only when they certainly did not run: connection refused, 503, 429, or a Neo4j
/// transient error (which the server rolled back);</item>
/// <item>reads, whole-record upserts (MERGE then SET), schema commands and the read that opens a transaction after
/// any transient failure, time-outs included.</item>
/// </list>
/// Delays grow exponentially from <see cref="Neo4jOptions.RetryDelay"/> with jitter; each attempt has
/// <see cref="Neo4jOptions.RequestTimeout"/>. When the attempts run out, the store reports
/// <see cref="GraphStoreUnavailableException"/>.
/// </summary>
public static class Neo4jResilience
{
    /// <summary>Error bodies are small; a larger body is a result and is not inspected.</summary>
    private const long MaxErrorBodyBytes = 64 * 1024;

    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, Neo4jOptions options)
    {
        if (options.MaxRetryAttempts > 0)
        {
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetryAttempts,
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                MaxDelay = TimeSpan.FromSeconds(30),
                ShouldRetryAfterHeader = true,
                ShouldHandle = args => ShouldRetryAsync(args.Outcome, args.Context),
            });
        }
        pipeline.AddTimeout(options.RequestTimeout);
    }

    internal static async ValueTask<bool> ShouldRetryAsync(Outcome<HttpResponseMessage> outcome, ResilienceContext context)
    {
        var request = context.GetRequestMessage();
        var mode = request is not null && request.Options.TryGetValue(Neo4jQueryApi.RetryOption, out var m) ? m : Neo4jRetry.Never;
        if (mode == Neo4jRetry.Never || context.CancellationToken.IsCancellationRequested) return false;

        if (outcome.Exception is { } exception)
        {
            return exception switch
            {
                HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError } => true,
                HttpRequestException or TimeoutRejectedException => mode == Neo4jRetry.Idempotent,
                _ => false,
            };
        }

        var response = outcome.Result;
        if (response is null) return false;
        switch (response.StatusCode)
        {
            case HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests:
                return true;
            case HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout or HttpStatusCode.RequestTimeout or HttpStatusCode.InternalServerError:
                return mode == Neo4jRetry.Idempotent;
            case HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound:
                return false;
        }

        // The Query API answers errors in the body ({"errors": [{"code": "Neo.TransientError...."}]}), with 202 or a 4xx/5xx
        // depending on the server version; a transient code means the server rolled the statement back.
        await response.Content.LoadIntoBufferAsync(context.CancellationToken);
        if (response.Content.Headers.ContentLength is not { } length || length > MaxErrorBodyBytes) return false;
        var body = await response.Content.ReadAsByteArrayAsync(context.CancellationToken);
        return Neo4jErrors.IsTransient(Neo4jErrors.FirstErrorCode(body));
    }
}
