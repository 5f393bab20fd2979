using Matchmaker.Api.Infrastructure;
using Matchmaker.Engine.Access;
using Matchmaker.Engine.Graph;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matchmaker.Api.Access;

/// <summary>
/// A new key: <c>scopes</c> from read, feedback, plan, widget, admin; <c>organizationId</c> binds it to one organization.
/// A widget key (publishable, pasted into web pages) has the widget scope alone and is bound to an organization.
/// </summary>
public sealed record CreateKeyRequest(string? Name, IReadOnlyList<string>? Scopes, string? OrganizationId, IReadOnlyList<string>? AllowedOrigins);

public sealed record KeyResponse(
    string Id, string Name, IReadOnlyList<string> Scopes, string? OrganizationId, IReadOnlyList<string> AllowedOrigins,
    DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt)
{
    public static KeyResponse From(ApiKey k) =>
        new(k.Id, k.Name, k.Scopes.Select(ApiKeyClaims.Name).ToList(), k.OrganizationId, k.AllowedOrigins, k.CreatedAt, k.RevokedAt);
}

/// <summary>The created key with its token. The token is shown here once and cannot be read again.</summary>
public sealed record CreatedKeyResponse(KeyResponse Key, string Token);

public static class KeysEndpoints
{
    public static IEndpointRouteBuilder MapKeys(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/keys")
            .WithTags("Keys")
            .RequireAuthorization(AccessPolicies.Admin)
            .WithRequestBodyLimit(MaxBodyBytes)
            .ProducesCommonProblems();

        group.MapPost("/", Create)
            .WithSummary("Create an API key")
            .WithDescription("Returns the token once; only its SHA-256 hash is stored. Scopes: read, feedback, plan, widget, admin (admin includes the others). " +
                "organizationId binds the key to one organization. A widget key (for web pages) has the widget scope alone and an organizationId.")
            .ProducesValidationProblem();
        group.MapGet("/", List).WithSummary("All API keys, revoked ones included (never their tokens)");
        group.MapDelete("/{keyId}", Revoke)
            .WithSummary("Revoke an API key; it fails from the next request on (on other API replicas within a second)")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private const int MaxScopes = 10;
    private const int MaxOrigins = 20;

    /// <summary>A key request is a name, a few scopes and origins.</summary>
    public const int MaxBodyBytes = 8 * 1024;

    internal static async Task<Results<Created<CreatedKeyResponse>, ValidationProblem>> Create(
        CreateKeyRequest request, ApiKeyService keys, IGraphStore graph, KeyOrigins corsOrigins, CancellationToken cancellationToken)
    {
        var (scopes, origins, errors) = await ValidateAsync(request, graph, cancellationToken);
        if (errors.Count > 0) return errors.ToProblem();

        var issued = await keys.IssueAsync(request.Name!, scopes, request.OrganizationId, origins, cancellationToken);
        if (origins.Count > 0) corsOrigins.Invalidate();
        return TypedResults.Created($"/api/v1/keys/{issued.Key.Id}", new CreatedKeyResponse(KeyResponse.From(issued.Key), issued.Token));
    }

    /// <summary>The validator of <see cref="CreateKeyRequest"/>: the scopes and origins it parses, and every bad field.</summary>
    internal static async Task<(List<ApiScope> Scopes, List<string> Origins, FieldErrors Errors)> ValidateAsync(
        CreateKeyRequest request, IGraphStore graph, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 100) errors.Add("name", "is required, at most 100 characters");
        var scopes = new List<ApiScope>();
        if (request.Scopes is not { Count: > 0 and <= MaxScopes }) errors.Add("scopes", $"1-{MaxScopes} of read, feedback, plan, widget, admin");
        else
        {
            foreach (var s in request.Scopes)
            {
                if (ApiScopes.TryParse(s, out var scope)) scopes.Add(scope);
                else errors.Add("scopes", $"'{FieldErrors.Messages.Clip(s)}' is not a scope; expected read, feedback, plan, widget or admin");
            }
            // The widget key is published in web pages: anything else it carried would be public too.
            if (scopes.Contains(ApiScope.Widget) && scopes.Any(s => s != ApiScope.Widget))
                errors.Add("scopes", "widget is a key's only scope: a key pasted into web pages must reach nothing but the widget's data");
            else if (scopes.Contains(ApiScope.Widget) && request.OrganizationId is null)
                errors.Add("organizationId", "is required for a widget key: it shows one organization's matches");
        }
        if (request.OrganizationId is not null && await graph.GetOrganizationAsync(request.OrganizationId, cancellationToken) is null)
        {
            errors.Add("organizationId", FieldErrors.Messages.NoOrganization(request.OrganizationId));
        }
        var origins = new List<string>();
        if (errors.ListLength("allowedOrigins", request.AllowedOrigins, MaxOrigins))
        {
            foreach (var origin in request.AllowedOrigins ?? [])
            {
                if (Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" && uri.PathAndQuery == "/" && !origin.EndsWith('/'))
                    origins.Add(uri.GetLeftPart(UriPartial.Authority));
                else errors.Add("allowedOrigins", $"'{FieldErrors.Messages.Clip(origin)}' is not an origin such as https://park.example.cn");
            }
        }
        return (scopes, origins, errors);
    }

    internal static async Task<Ok<IReadOnlyList<KeyResponse>>> List(IApiKeyStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok<IReadOnlyList<KeyResponse>>((await store.ListAsync(cancellationToken)).Select(KeyResponse.From).ToList());

    internal static async Task<Results<NoContent, ProblemHttpResult>> Revoke(
        string keyId, ApiKeyService keys, KeyOrigins corsOrigins, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (!await keys.RevokeAsync(keyId, cancellationToken))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Key not found.", detail: $"No active key has id '{keyId}'.");
        }
        corsOrigins.Invalidate();
        loggers.CreateLogger("Matchmaker.Keys").LogInformation("Revoked API key {KeyId}", keyId);
        return TypedResults.NoContent();
    }
}
