using System.Security.Claims;
using Matchmaker.Engine.Access;

namespace Matchmaker.Api.Access;

/// <summary>Claim types carried by an authenticated key.</summary>
public static class ApiKeyClaims
{
    public const string KeyId = "mm:key";
    public const string Scope = "mm:scope";
    public const string Organization = "mm:org";
    public const string Origin = "mm:origin";

    public static string? KeyIdOf(ClaimsPrincipal user) => user.FindFirst(KeyId)?.Value;

    public static string? OrganizationOf(ClaimsPrincipal user) => user.FindFirst(Organization)?.Value;

    public static bool HasScope(ClaimsPrincipal user, ApiScope scope) =>
        user.HasClaim(Scope, Name(ApiScope.Admin)) || user.HasClaim(Scope, Name(scope));

    public static string Name(ApiScope scope) => ApiScopes.Name(scope);
}
