using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Matchmaker.Engine.Access;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Matchmaker.Api.Access;

/// <summary>
/// Authenticates <c>X-Api-Key: &lt;token&gt;</c>, <c>Authorization: Bearer &lt;token&gt;</c> and, under <c>/jobs</c> only (the
/// dashboard's browser prompt), <c>Authorization: Basic</c> with the token as the password. No cookies, no sessions: every request
/// is checked against the store, so a revoked key fails on its next request.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    ApiKeyService keys, IOptions<AuthOptions> auth, IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";
    public const string JobsPath = "/jobs";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = ReadToken(Request);
        if (token is null) return AuthenticateResult.NoResult();

        ApiKey? key;
        if (IsBootstrapKey(token, auth.Value.BootstrapAdminKey))
        {
            // Revocable like any key: its record in the store says whether it was revoked.
            key = await keys.BootstrapAsync(auth.Value.BootstrapAdminKey!, Context.RequestAborted);
        }
        else
        {
            key = await keys.AuthenticateAsync(token, Context.RequestAborted);
        }
        // The reason stays on the server: the caller learns only that the key is not accepted.
        if (key is null) return AuthenticateResult.Fail("The API key is unknown, malformed or revoked.");
        return AuthenticateResult.Success(Tickets.GetValue(key, Ticket));
    }

    /// <summary>
    /// One ticket per checked key: <see cref="ApiKeyService"/> hands out the same key object while it remembers the
    /// check, so requests with the key share its (never modified) principal instead of building one each.
    /// </summary>
    private static readonly ConditionalWeakTable<ApiKey, AuthenticationTicket> Tickets = new();

    private static AuthenticationTicket Ticket(ApiKey key)
    {
        var claims = new List<Claim> { new(ApiKeyClaims.KeyId, key.Id), new(ClaimTypes.Name, key.Name) };
        claims.AddRange(key.Scopes.Select(s => new Claim(ApiKeyClaims.Scope, ApiKeyClaims.Name(s))));
        if (key.OrganizationId is not null) claims.Add(new Claim(ApiKeyClaims.Organization, key.OrganizationId));
        claims.AddRange(key.AllowedOrigins.Select(o => new Claim(ApiKeyClaims.Origin, o)));
        return new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName, ClaimTypes.Name, null)), SchemeName);
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = Request.Path.StartsWithSegments("/jobs", StringComparison.OrdinalIgnoreCase)
            ? "Basic realm=\"Matchmaker jobs (password: an admin API key)\", charset=\"UTF-8\""
            : "Bearer";
        await WriteAsync(new ProblemDetails
        {
            Status = StatusCodes.Status401Unauthorized,
            Title = "An API key is required.",
            Detail = $"Send a valid, unrevoked key in the {HeaderName} header or as Authorization: Bearer <key>.",
        });
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await WriteAsync(new ProblemDetails
        {
            Status = StatusCodes.Status403Forbidden,
            Title = "This API key may not do this.",
            Detail = "The key lacks the scope this operation needs, is bound to an organization this operation does not belong to, or is not allowed from this origin.",
        });
    }

    private async Task WriteAsync(ProblemDetails problem)
    {
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = Context, ProblemDetails = problem });
    }

    internal static string? ReadToken(HttpRequest request)
    {
        if (request.Headers[HeaderName] is [{ Length: > 0 } header]) return header.Trim();
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var authorization) || authorization.Parameter is not { Length: > 0 } value)
        {
            return null;
        }
        if (authorization.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase)) return value.Trim();
        // Basic only for the jobs dashboard's browser prompt: a browser caches Basic credentials and sends them on any
        // request to the host, so elsewhere they would let a cross-site page act with the admin's key.
        if (authorization.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase) && request.Path.StartsWithSegments(JobsPath, StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(value));
                var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                return colon < 0 ? null : decoded[(colon + 1)..];
            }
            catch (FormatException)
            {
                return null;
            }
        }
        return null;
    }

    /// <summary>Compares hashes of both so that neither the content nor the length of the configured key leaks through timing.</summary>
    private static bool IsBootstrapKey(string token, string? configured) =>
        !string.IsNullOrWhiteSpace(configured)
        && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(token)), SHA256.HashData(Encoding.UTF8.GetBytes(configured)));
}
