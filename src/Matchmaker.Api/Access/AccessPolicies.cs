using Hangfire.Dashboard;
using Matchmaker.Engine.Access;
using Microsoft.AspNetCore.Authorization;

namespace Matchmaker.Api.Access;

/// <summary>
/// One policy per scope. Each also enforces organization binding: a key bound to an organization passes only on
/// endpoints marked <see cref="OrganizationScoped"/> whose route names that organization (or marked
/// <see cref="OrganizationInBody"/>, whose handler makes the same check on the body); every other endpoint
/// (search, imports, recompute, key management, the dashboard) is refused to it, so a bound key can neither read
/// nor change another organization's data, and a new endpoint is closed to bound keys until it is marked.
/// </summary>
public static class AccessPolicies
{
    public const string Read = "scope:read";
    public const string Feedback = "scope:feedback";
    public const string Admin = "scope:admin";
    public const string Widget = "scope:widget";
    public const string Plan = "scope:plan";

    /// <summary>The policy for each scope, strongest last: what the OpenAPI document and the access matrix read.</summary>
    public static readonly IReadOnlyList<(string Policy, ApiScope Scope)> All =
        [(Widget, ApiScope.Widget), (Read, ApiScope.Read), (Plan, ApiScope.Plan), (Feedback, ApiScope.Feedback), (Admin, ApiScope.Admin)];

    /// <summary>Marks endpoints that act on the one organization named by the route value <paramref name="routeValue"/>.</summary>
    public static TBuilder ScopedToOrganization<TBuilder>(this TBuilder builder, string routeValue = "id") where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new OrganizationScoped(routeValue));

    /// <summary>
    /// Marks endpoints that name their organization in the body, not the route: bound keys pass the policy and the
    /// handler itself must refuse them (with <c>TypedResults.Forbid()</c>) unless the organization is theirs.
    /// </summary>
    public static TBuilder OrganizationCheckedByHandler<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new OrganizationInBody());

    public static void Add(AuthorizationOptions options)
    {
        foreach (var (name, scope) in All)
        {
            options.AddPolicy(name, p => p
                .AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
                .RequireAuthenticatedUser()
                .AddRequirements(new ScopeRequirement(scope), new OrganizationBindingRequirement(), new AllowedOriginRequirement()));
        }
    }
}

public sealed record ScopeRequirement(ApiScope Scope) : IAuthorizationRequirement;

public sealed class OrganizationBindingRequirement : IAuthorizationRequirement;

/// <summary>Endpoint metadata: the endpoint acts on the organization named by this route value.</summary>
public sealed record OrganizationScoped(string RouteValue);

/// <summary>Endpoint metadata: the endpoint's handler checks a bound key against the organization named in the body.</summary>
public sealed record OrganizationInBody;

public sealed class AllowedOriginRequirement : IAuthorizationRequirement;

internal sealed class ScopeHandler : AuthorizationHandler<ScopeRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        if (ApiKeyClaims.HasScope(context.User, requirement.Scope)) context.Succeed(requirement);
        return Task.CompletedTask;
    }
}

internal sealed class OrganizationBindingHandler(IHttpContextAccessor accessor) : AuthorizationHandler<OrganizationBindingRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, OrganizationBindingRequirement requirement)
    {
        var bound = ApiKeyClaims.OrganizationOf(context.User);
        if (bound is null)
        {
            context.Succeed(requirement);
            return Task.CompletedTask;
        }
        var http = context.Resource as HttpContext ?? accessor.HttpContext;
        if (http?.GetEndpoint()?.Metadata.GetMetadata<OrganizationInBody>() is not null)
        {
            context.Succeed(requirement);
            return Task.CompletedTask;
        }
        if (http?.GetEndpoint()?.Metadata.GetMetadata<OrganizationScoped>() is { } scoped
            && http.GetRouteValue(scoped.RouteValue) is string target && string.Equals(target, bound, StringComparison.Ordinal))
        {
            context.Succeed(requirement);
        }
        return Task.CompletedTask;
    }
}

/// <summary>
/// A key with allowed origins, used from a browser (an Origin header), works only from those origins. Calls without
/// an Origin header (servers, scripts) are not browsers and pass; the origin list does not replace the secret.
/// </summary>
internal sealed class AllowedOriginHandler(IHttpContextAccessor accessor) : AuthorizationHandler<AllowedOriginRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, AllowedOriginRequirement requirement)
    {
        var allowed = context.User.FindAll(ApiKeyClaims.Origin).Select(c => c.Value).ToList();
        var origin = (context.Resource as HttpContext ?? accessor.HttpContext)?.Request.Headers.Origin.ToString();
        if (allowed.Count == 0 || string.IsNullOrEmpty(origin) || allowed.Contains(origin.TrimEnd('/'), StringComparer.OrdinalIgnoreCase))
        {
            context.Succeed(requirement);
        }
        return Task.CompletedTask;
    }
}

/// <summary>
/// Hangfire's own check behind the endpoint's admin policy, so the dashboard stays closed even if it is ever
/// mapped without that policy. It reads the principal the API key handler set; no cookies.
/// </summary>
internal sealed class AdminKeyDashboardAuthorization : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context)
    {
        var user = context.GetHttpContext().User;
        return user.Identity?.IsAuthenticated == true && ApiKeyClaims.HasScope(user, ApiScope.Admin) && ApiKeyClaims.OrganizationOf(user) is null;
    }
}
