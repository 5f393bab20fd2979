using Microsoft.AspNetCore.Authorization;

namespace Matchmaker.Api.Access;

public sealed class AllowedOriginRequirement : IAuthorizationRequirement;

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
