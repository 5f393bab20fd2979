using System.Globalization;
using System.Threading.RateLimiting;
using Matchmaker.Engine.Telemetry;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace Matchmaker.Api.Access;

internal static class RateLimits
{
    /// <summary>
    /// A window per client address in front of everything else: anonymous endpoints (health, link pages, the widget
    /// script) and floods of bad keys are turned away before any store work, key lookup included.
    /// </summary>
    public static IApplicationBuilder UseAddressRateLimit(this IApplicationBuilder app)
    {
        var limits = app.ApplicationServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<RateLimitOptions>>().Value;
        var window = new FixedWindowRateLimiterOptions
        {
            PermitLimit = limits.AddressLimit,
            Window = TimeSpan.FromSeconds(limits.WindowSeconds),
            QueueLimit = 0,
            AutoReplenishment = true,
        };
        var limiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
            RateLimitPartition.GetFixedWindowLimiter(http.Connection.RemoteIpAddress?.ToString() ?? "", _ => window));
        return app.Use(async (http, next) =>
        {
            using var lease = limiter.AttemptAcquire(http);
            if (lease.IsAcquired)
            {
                await next(http);
                return;
            }
            MatchmakerTelemetry.CountRefusal("address");
            await WriteRefusalAsync(http, limits.WindowSeconds,
                $"One client address may make {limits.AddressLimit} requests per {limits.WindowSeconds} seconds; retry after {limits.WindowSeconds} seconds.");
        });
    }

    public static void Configure(RateLimiterOptions options, RateLimitOptions limits)
    {
        options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        // Runs after authentication: each key has its own window. Requests that present a token the store does not
        // accept are counted per client address, so hammering with bad keys is throttled too; requests with no
        // token at all (health, Swagger, plain 401s) are not counted.
        // Partitions are named by the key id itself (lower-case hex, or "bootstrap-" and hex) and by "address:" and the address, which
        // never look alike; the window's options are made once. Nothing is allocated per request on the key path.
        var window = new FixedWindowRateLimiterOptions
        {
            PermitLimit = limits.PermitsPerMinute,
            Window = TimeSpan.FromSeconds(limits.WindowSeconds),
            QueueLimit = 0,
            AutoReplenishment = true,
        };
        Func<string, FixedWindowRateLimiterOptions> windowOf = _ => window;
        // A widget key is used by every visitor of the partner's page: each client address gets its own window, so
        // one visitor (or someone who copied the key) cannot use up everyone's.
        options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
            ApiKeyClaims.KeyIdOf(http.User) is { } keyId
                ? RateLimitPartition.GetFixedWindowLimiter(http.User.HasClaim(ApiKeyClaims.Scope, ApiKeyClaims.Name(Matchmaker.Engine.Access.ApiScope.Widget))
                    ? $"{keyId}@{http.Connection.RemoteIpAddress}" : keyId, windowOf)
            : ApiKeyAuthenticationHandler.ReadToken(http.Request) is not null ? RateLimitPartition.GetFixedWindowLimiter($"address:{http.Connection.RemoteIpAddress}", windowOf)
            : RateLimitPartition.GetNoLimiter(""));
        options.OnRejected = async (context, cancellationToken) =>
        {
            var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(limits.WindowSeconds);
            var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
            var http = context.HttpContext;
            // Which of the global limiter's partitions refused, as the partition key above chose it.
            MatchmakerTelemetry.CountRefusal(ApiKeyClaims.KeyIdOf(http.User) is null ? "invalid_key"
                : http.User.HasClaim(ApiKeyClaims.Scope, ApiKeyClaims.Name(Matchmaker.Engine.Access.ApiScope.Widget)) ? "widget_key" : "key");
            await WriteRefusalAsync(http, seconds,
                $"An API key may make {limits.PermitsPerMinute} requests per {limits.WindowSeconds} seconds; retry after {seconds} seconds.");
        };
    }

    /// <summary>A 429 with <c>Retry-After</c> and a ProblemDetails saying which limit and how long to wait.</summary>
    private static Task WriteRefusalAsync(HttpContext http, int retryAfterSeconds, string detail)
    {
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many requests.",
                Detail = detail,
            },
        }).AsTask();
    }
}
