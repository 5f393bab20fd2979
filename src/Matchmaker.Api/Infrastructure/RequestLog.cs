using System.Diagnostics;
using Matchmaker.Api.Access;

namespace Matchmaker.Api.Infrastructure;

/// <summary>
/// One structured line per request: method, route template, path, status, duration, the key's id and its bound
/// organization, and the trace id. Never the key's token, a link's token (redacted in the path), other headers, bodies or the query string (free text searches
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
                    Served(logger, level, http.Request.Method, route, LoggedPath(http), status,
                        Stopwatch.GetElapsedTime(started).TotalMilliseconds, ApiKeyClaims.KeyIdOf(http.User) ?? "-",
                        ApiKeyClaims.OrganizationOf(http.User) ?? "-", Activity.Current?.TraceId.ToString() ?? http.TraceIdentifier);
                }
            }
        });
    }

    /// <summary>Route values that are credentials (the signed tokens in list and unsubscribe links): never logged.</summary>
    private static readonly HashSet<string> SecretRouteValues = new(StringComparer.OrdinalIgnoreCase) { "token" };

    /// <summary>Segments this long on a path no route matched may be a token in a mistyped link: redacted too.</summary>
    private const int MaxUnmatchedSegment = 32;

    public const string Redacted = "[redacted]";

    /// <summary>
    /// The path to log: rebuilt from the route template with its values, credentials replaced by
    /// <see cref="Redacted"/>; on a path no route matched, long segments are replaced instead.
    /// </summary>
    public static string LoggedPath(HttpContext http)
    {
        var path = http.Request.Path.Value ?? "";
        if (http.GetEndpoint() is not RouteEndpoint endpoint)
        {
            return string.Join('/', path.Split('/').Select(s => s.Length > MaxUnmatchedSegment ? Redacted : s));
        }
        if (!endpoint.RoutePattern.Parameters.Any(p => SecretRouteValues.Contains(p.Name))) return path;
        var builder = new System.Text.StringBuilder();
        foreach (var segment in endpoint.RoutePattern.PathSegments)
        {
            builder.Append('/');
            foreach (var part in segment.Parts)
            {
                builder.Append(part switch
                {
                    Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal => literal.Content,
                    Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart parameter when SecretRouteValues.Contains(parameter.Name) => Redacted,
                    Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart parameter => Uri.EscapeDataString(http.GetRouteValue(parameter.Name)?.ToString() ?? ""),
                    Microsoft.AspNetCore.Routing.Patterns.RoutePatternSeparatorPart separator => separator.Content,
                    _ => "",
                });
            }
        }
        return builder.ToString();
    }

    [LoggerMessage(EventId = 1, Message = "{Method} {Route} ({Path}) -> {Status} in {ElapsedMs:F1} ms, key {KeyId}, organization {KeyOrganization}, trace {TraceId}")]
    private static partial void Served(ILogger logger, LogLevel level, string method, string route, string path, int status, double elapsedMs,
        string keyId, string keyOrganization, string traceId);
}
