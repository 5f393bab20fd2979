using Matchmaker.Engine.Access;
using Microsoft.AspNetCore.Authorization;

namespace Matchmaker.Api.Access;

public sealed record ScopeRequirement(ApiScope Scope) : IAuthorizationRequirement;

internal sealed class ScopeHandler : AuthorizationHandler<ScopeRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        if (ApiKeyClaims.HasScope(context.User, requirement.Scope)) context.Succeed(requirement);
        return Task.CompletedTask;
    }
}
