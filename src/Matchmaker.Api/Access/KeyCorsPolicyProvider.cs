using Matchmaker.Engine.Access;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace Matchmaker.Api.Access;

/// <summary>
/// CORS for browser callers, per key, through the framework's CORS middleware. A preflight (OPTIONS with
/// Access-Control-Request-Method, which carries no key) gets a policy for an origin that some active key allows
/// (for the widget, an active widget key able to reach the organization in the route); otherwise no policy, and
/// <see cref="RefuseUnansweredOptionsAsync"/> refuses it with a 403 problem. A real request gets Access-Control-Allow-Origin only when
/// the authenticated key lists the request's origin (the authorization policy already refuses such a key from other
/// origins), so a key made for one partner site is useless from another. Keys without allowed origins are for
/// servers and never get CORS headers.
/// </summary>
internal sealed class KeyCorsPolicyProvider(KeyOrigins origins) : ICorsPolicyProvider
{
    /// <summary>The named policy of the widget's data endpoint (<c>RequireCors(Widget)</c>).</summary>
    public const string Widget = "widget";

    // The provider has decided before the policy is evaluated, so the policies only say yes or no (and echo the
    // request's origin). A non-default origin check also makes the framework add Vary: Origin to allowed answers.
    private static readonly CorsPolicy Api = Allowing(["GET", "POST", "PUT", "DELETE"], [ApiKeyAuthenticationHandler.HeaderName, "Authorization", "Content-Type", "If-None-Match"]);
    private static readonly CorsPolicy WidgetPreflight = Allowing(["GET"], [ApiKeyAuthenticationHandler.HeaderName, "Authorization"]);
    private static readonly CorsPolicy Refused = new CorsPolicyBuilder().SetIsOriginAllowed(_ => false).Build();

    private static CorsPolicy Allowing(string[] methods, string[] headers) => new CorsPolicyBuilder()
        .SetIsOriginAllowed(_ => true)
        .WithMethods(methods)
        .WithHeaders(headers)
        .WithExposedHeaders(HeaderNames.ETag, HeaderNames.RetryAfter, HeaderNames.Location)
        .SetPreflightMaxAge(TimeSpan.FromMinutes(10))
        .Build();

    public async Task<CorsPolicy?> GetPolicyAsync(HttpContext context, string? policyName)
    {
        var origin = context.Request.Headers.Origin.ToString().TrimEnd('/');
        if (IsPreflight(context.Request))
        {
            if (policyName == Widget)
            {
                var organization = context.GetRouteValue("id") as string;
                return await origins.IsAllowedAsync(origin, k => k.Allows(ApiScope.Widget) && (k.OrganizationId is null || k.OrganizationId == organization),
                    context.RequestAborted)
                    ? WidgetPreflight : null;
            }
            return await origins.IsAllowedAsync(origin, null, context.RequestAborted) ? Api : null;
        }
        if (context.User.FindAll(ApiKeyClaims.Origin).Any(c => string.Equals(c.Value, origin, StringComparison.OrdinalIgnoreCase)))
        {
            return Api;
        }
        // The framework adds Vary: Origin to allowed answers only; a refused one depends on the origin as much.
        context.Response.OnStarting(static state =>
        {
            ((HttpResponse)state).Headers.Append(HeaderNames.Vary, "Origin");
            return Task.CompletedTask;
        }, context.Response);
        return Refused;
    }

    private static bool IsPreflight(HttpRequest request) =>
        HttpMethods.IsOptions(request.Method) && request.Headers.ContainsKey(HeaderNames.AccessControlRequestMethod);

    /// <summary>
    /// Runs right after the CORS middleware: a browser's OPTIONS request that CORS did not answer (no key allows its
    /// origin) is refused here with a 403 problem that says why, rather than a bare 405 (no endpoint serves OPTIONS).
    /// </summary>
    public static async Task RefuseUnansweredOptionsAsync(HttpContext http, RequestDelegate next)
    {
        if (!HttpMethods.IsOptions(http.Request.Method) || http.Request.Headers.Origin.Count == 0)
        {
            await next(http);
            return;
        }
        http.Response.Headers.Vary = "Origin";
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
    }
}
