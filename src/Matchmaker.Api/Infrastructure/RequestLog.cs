using System.Diagnostics;
using Matchmaker.Api.Access;

namespace Matchmaker.Api.Infrastructure;

/// <summary>
/// One structured line per request: method, route template, path, status, duration, the key's id and its bound
/// organization, and the trace id. Never the token, other headers, bodies or the query string (free text searches
/// stay out of the logs). The category is <c>Matchmaker.Requests</c>; raise its level to Warning to keep only
/// failures (5xx) on hosts that log elsewhere.
/// </summary>
internal static partial class RequestLog
{
    public const string Category = "Matchmaker.Requests";

    public static IApplicationBuilder UseRequestLog(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(Category);
        return app.Use(async (http, next) =>
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await next(http);
            }
            finally
            {
                var status = http.Response.StatusCode;
                var level = status >= 500 ? LogLevel.Error : LogLevel.Information;
                if (logger.IsEnabled(level))
                {
                    var route = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(no route)";
                    Served(logger, level, http.Request.Method, route, http.Request.Path.Value ?? "", status,
                        Stopwatch.GetElapsedTime(started).TotalMilliseconds, ApiKeyClaims.KeyIdOf(http.User) ?? "-",
                        ApiKeyClaims.OrganizationOf(http.User) ?? "-", Activity.Current?.TraceId.ToString() ?? http.TraceIdentifier);
                }
            }
        });
    }

    [LoggerMessage(EventId = 1, Message = "{Method} {Route} ({Path}) -> {Status} in {ElapsedMs:F1} ms, key {KeyId}, organization {KeyOrganization}, trace {TraceId}")]
    private static partial void Served(ILogger logger, LogLevel level, string method, string route, string path, int status, double elapsedMs,
        string keyId, string keyOrganization, string traceId);
}
