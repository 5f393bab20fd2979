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

/// <summary>Endpoint metadata: the endpoint acts on the organization named by this route value.</summary>
public sealed record OrganizationScoped(string RouteValue);

/// <summary>Endpoint metadata: the endpoint's handler checks a bound key against the organization named in the body.</summary>
public sealed record OrganizationInBody;
