using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace Matchmaker.Api.Access;

/// <summary>The <c>RateLimits</c> section: one fixed window per API key.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>Requests one key may make per window.</summary>
    public int PermitsPerMinute { get; set; } = 600;

    /// <summary>The window length; a minute unless changed.</summary>
    public int WindowSeconds { get; set; } = 60;
}

internal static class RateLimits
{
    public static void Configure(RateLimiterOptions options, RateLimitOptions limits)
    {
        options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        // Runs after authentication: each key has its own window; anonymous requests (health, Swagger, and
        // requests about to get a 401) are not counted.
        options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
            ApiKeyClaims.KeyIdOf(http.User) is { } keyId
                ? RateLimitPartition.GetFixedWindowLimiter(keyId, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = limits.PermitsPerMinute,
                    Window = TimeSpan.FromSeconds(limits.WindowSeconds),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                })
                : RateLimitPartition.GetNoLimiter(""));
        options.OnRejected = async (context, cancellationToken) =>
        {
            var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(limits.WindowSeconds);
            var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
            var http = context.HttpContext;
            http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = http,
                ProblemDetails = new ProblemDetails
                {
                    Status = StatusCodes.Status429TooManyRequests,
                    Title = "Too many requests for this API key.",
                    Detail = $"This key may make {limits.PermitsPerMinute} requests per {limits.WindowSeconds} seconds; retry after {seconds} seconds.",
                },
            });
        };
    }
}
