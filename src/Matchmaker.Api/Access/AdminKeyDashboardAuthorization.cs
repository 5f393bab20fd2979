using Hangfire.Dashboard;
using Matchmaker.Engine.Access;

namespace Matchmaker.Api.Access;

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
