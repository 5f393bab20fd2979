using Microsoft.AspNetCore.Authorization;

namespace Matchmaker.Api.Access;

public sealed class OrganizationBindingRequirement : IAuthorizationRequirement;

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
