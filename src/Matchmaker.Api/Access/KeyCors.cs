using Microsoft.AspNetCore.Mvc;

namespace Matchmaker.Api.Access;

/// <summary>
/// CORS for browser callers, per key. A preflight (OPTIONS with Access-Control-Request-Method) is answered for an
/// origin that some active key allows; any other preflight gets a 403 problem. On real requests the response carries
/// Access-Control-Allow-Origin only when the authenticated key lists the request's origin (the authorization policy
/// already refuses such a key from other origins), so a key made for one partner site is useless from another.
/// Keys without allowed origins are for servers and never get CORS headers.
/// </summary>
internal static class KeyCors
{
    private const string AllowedHeaders = "X-Api-Key, Authorization, Content-Type, If-None-Match";
    private const string ExposedHeaders = "ETag, Retry-After, Location";

    /// <summary>Answers preflights; runs before authentication (preflights carry no key).</summary>
    public static IApplicationBuilder UseKeyCorsPreflight(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        var origin = http.Request.Headers.Origin.ToString();
        if (!HttpMethods.IsOptions(http.Request.Method) || origin.Length == 0 || !http.Request.Headers.ContainsKey("Access-Control-Request-Method"))
        {
            await next(http);
            return;
        }
        http.Response.Headers.Vary = "Origin";
        if (!await http.RequestServices.GetRequiredService<KeyOrigins>().IsAllowedAsync(origin, http.RequestAborted))
        {
            http.Response.StatusCode = StatusCodes.Status403Forbidden;
            await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = http,
                ProblemDetails = new ProblemDetails
                {
                    Status = StatusCodes.Status403Forbidden,
                    Title = "This origin may not call the API from a browser.",
                    Detail = "No API key allows this origin; an administrator adds it to a key's allowedOrigins.",
                },
            });
            return;
        }
        http.Response.StatusCode = StatusCodes.Status204NoContent;
        http.Response.Headers.AccessControlAllowOrigin = origin;
        http.Response.Headers.AccessControlAllowMethods = "GET, POST, PUT, DELETE";
        http.Response.Headers.AccessControlAllowHeaders = AllowedHeaders;
        http.Response.Headers.AccessControlMaxAge = "600";
    });

    /// <summary>Adds the CORS response headers for keys that allow the request's origin; runs after authentication.</summary>
    public static IApplicationBuilder UseKeyCorsHeaders(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        var origin = http.Request.Headers.Origin.ToString();
        if (origin.Length > 0)
        {
            var trimmed = origin.TrimEnd('/');
            http.Response.OnStarting(() =>
            {
                http.Response.Headers.Append("Vary", "Origin");
                if (http.User.FindAll(ApiKeyClaims.Origin).Any(c => string.Equals(c.Value, trimmed, StringComparison.OrdinalIgnoreCase)))
                {
                    http.Response.Headers.AccessControlAllowOrigin = origin;
                    http.Response.Headers.AccessControlExposeHeaders = ExposedHeaders;
                }
                return Task.CompletedTask;
            });
        }
        await next(http);
    });
}
