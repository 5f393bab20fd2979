using System.Text;
using Matchmaker.Api.Access;
using Matchmaker.Api.Infrastructure;
using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Import;
using Matchmaker.Jobs;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Matchmaker.Api.Organizations;

/// <summary>A page of organizations; pass <c>nextCursor</c> as <c>cursor</c> to read the next one.</summary>
public sealed record OrganizationPageResponse(IReadOnlyList<OrganizationRecord> Items, string? NextCursor);

public static class OrganizationsEndpoints
{
    /// <summary>The body limit of one organization's create or replace; the import has its own (Import:MaxBodyBytes).</summary>
    public const int OrganizationMaxBodyBytes = 256 * 1024;

    public static IEndpointRouteBuilder MapOrganizations(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/organizations")
            .WithTags("Organizations")
            // Reads need the read scope, writes admin; a bound key passes only on endpoints scoped to its own organization.
            .RequireAuthorization(AccessPolicies.Read)
            .ProducesCommonProblems(StatusCodes.Status500InternalServerError, StatusCodes.Status503ServiceUnavailable);

        group.MapGet("/", Search)
            .WithSummary("Search organizations")
            .WithDescription("Finds organizations by Chinese or English name or alias (substring, case-insensitive), filtered by kind, sector, sub-field and " +
                "city. Ordered by id; pages with an opaque cursor.")
            .ProducesValidationProblem();

        group.MapGet("/{id}", Get)
            .ScopedToOrganization()
            .WithName("GetOrganization")
            .WithSummary("Get one organization")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPost("/", Create)
            .RequireAuthorization(AccessPolicies.Admin)
            .WithRequestBodyLimit(OrganizationMaxBodyBytes)
            .WithSummary("Create an organization")
            .Accepts<OrganizationRecord>("application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        group.MapPut("/{id}", Replace)
            .RequireAuthorization(AccessPolicies.Admin)
            .WithRequestBodyLimit(OrganizationMaxBodyBytes)
            .ScopedToOrganization()
            .WithSummary("Create or replace an organization")
            .Accepts<OrganizationRecord>("application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        group.MapDelete("/{id}", Delete)
            .RequireAuthorization(AccessPolicies.Admin)
            .ScopedToOrganization()
            .WithSummary("Delete an organization with its project memberships and ties")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPost("/import", Import)
            .RequireAuthorization(AccessPolicies.Admin)
            .WithOwnRequestBodyLimit()
            .WithSummary("Bulk import organizations, projects and ties")
            .WithDescription("JSON (application/json): {\"organizations\": [...], \"projects\": [...], \"ties\": [...]}. CSV (text/csv): organizations only, "
                + "header row with columns " + string.Join(", ", GraphImportParser.CsvColumns)
                + "; lists separated by '|'. The import is atomic: one bad row and nothing is written; the response names every bad row and field.")
            .Accepts<GraphRecords>("application/json", "text/csv")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        return app;
    }

    /// <param name="q">Text to find in names and aliases (Chinese or English).</param>
    /// <param name="kind">university, research-institute, enterprise, financial-institution, platform or public-body.</param>
    /// <param name="sector">new-materials, new-energy-vehicles or low-altitude-economy.</param>
    /// <param name="subField">A sub-field code of a sector, e.g. power-batteries.</param>
    /// <param name="city">A city code, e.g. shanghai-songjiang, hangzhou, hefei.</param>
    /// <param name="cursor">The nextCursor of the previous page.</param>
    /// <param name="limit">Page size, 1-200 (default 20).</param>
    internal static async Task<Results<Ok<OrganizationPageResponse>, ValidationProblem>> Search(
        IGraphStore store, string? q, string? kind, string? sector, string? subField, string? city, string? cursor, int? limit,
        CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        OrganizationKind? parsedKind = errors.Code("kind", kind, "a kind", Codes.TryParseKind, Codes.KindValues, out OrganizationKind k) && kind is not null ? k : null;
        errors.Sector("sector", sector);
        errors.SubField("subField", subField);
        errors.City("city", city);
        errors.Range("limit", limit, 1, OrganizationQuery.MaxPageSize);
        if (q is { Length: > 200 }) errors.Add("q", "must be at most 200 characters");
        var after = errors.KeyCursor("cursor", cursor);
        if (errors.Count > 0) return errors.ToProblem();

        var page = await store.SearchOrganizationsAsync(new OrganizationQuery
        {
            Text = q, Kind = parsedKind, Sector = sector, SubField = subField, City = city, After = after, Limit = limit ?? 20,
        }, cancellationToken);
        return TypedResults.Ok(new OrganizationPageResponse(
            page.Items.Select(OrganizationRecord.FromDomain).ToList(),
            page.NextCursor is null ? null : Cursor.Encode(page.NextCursor)));
    }

    internal static async Task<Results<Ok<OrganizationRecord>, ProblemHttpResult>> Get(string id, IGraphStore store, CancellationToken cancellationToken)
    {
        var organization = await store.GetOrganizationAsync(id, cancellationToken);
        return organization is null
            ? NotFound(id)
            : TypedResults.Ok(OrganizationRecord.FromDomain(organization));
    }

    internal static async Task<Results<CreatedAtRoute<OrganizationRecord>, ProblemHttpResult>> Create(
        HttpRequest request, IGraphStore store, ChangeNotifier changes, IOptions<ImportOptions> options, CancellationToken cancellationToken)
    {
        var organization = (await ReadOrganizationAsync(request, options.Value, cancellationToken)).ToDomain();
        // Creation must not silently replace (PUT is the way to replace): the store creates only when the id is free, in one
        // step. The read before it only spares a taken id a change record (and its recompute).
        if (await store.GetOrganizationAsync(organization.Id, cancellationToken) is not null
            || !await changes.WriteAsync([organization.Id], structural: false, () => store.CreateOrganizationAsync(organization, cancellationToken), cancellationToken))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The organization already exists.",
                detail: $"An organization with id '{organization.Id}' exists; use PUT /api/v1/organizations/{organization.Id} to replace it.");
        }
        return TypedResults.CreatedAtRoute(OrganizationRecord.FromDomain(organization), "GetOrganization", new { id = organization.Id });
    }

    internal static async Task<Results<Ok<OrganizationRecord>, ValidationProblem>> Replace(
        string id, HttpRequest request, IGraphStore store, ChangeNotifier changes, IOptions<ImportOptions> options, CancellationToken cancellationToken)
    {
        var record = await ReadOrganizationAsync(request, options.Value, cancellationToken);
        if (record.Id is not null && record.Id != id)
        {
            return FieldErrors.Problem("id", $"'{FieldErrors.Messages.Clip(record.Id)}' differs from the id in the path '{id}'");
        }
        var organization = (record with { Id = id }).ToDomain();
        await changes.WriteAsync([organization.Id], structural: false, async () =>
        {
            await store.UpsertOrganizationAsync(organization, cancellationToken);
            return true;
        }, cancellationToken);
        return TypedResults.Ok(OrganizationRecord.FromDomain(organization));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> Delete(string id, IGraphStore store, ChangeNotifier changes, CancellationToken cancellationToken)
    {
        if (await store.GetOrganizationAsync(id, cancellationToken) is null) return NotFound(id);
        // Its former partners' lists change too: take them before the ties are gone.
        var snapshotPartners = (await store.GetTiesAsync(id, cancellationToken)).SelectMany(t => new[] { t.From, t.To });
        if (!await changes.WriteAsync(snapshotPartners.Append(id).Distinct().ToList(), structural: true,
                () => store.DeleteOrganizationAsync(id, cancellationToken), cancellationToken)) return NotFound(id);
        return TypedResults.NoContent();
    }

    internal static async Task<Results<Ok<ImportSummary>, ProblemHttpResult>> Import(
        HttpRequest request, IGraphStore store, ChangeNotifier changes, IOptions<ImportOptions> options, CancellationToken cancellationToken)
    {
        var limits = options.Value;
        var mediaType = MediaType(request);
        if (mediaType is not ("application/json" or "text/csv"))
        {
            return UnsupportedMediaType(mediaType, "application/json or text/csv");
        }
        await using var body = await RequestBodies.ReadLimitedAsync(request, limits.MaxBodyBytes, cancellationToken);
        GraphBatch batch;
        if (mediaType == "text/csv")
        {
            using var reader = new StreamReader(body, new UTF8Encoding(false, throwOnInvalidBytes: true));
            try
            {
                batch = GraphImportParser.ParseOrganizationsCsv(reader);
            }
            catch (DecoderFallbackException)
            {
                throw new BadHttpRequestException("The CSV is not valid UTF-8.");
            }
        }
        else
        {
            batch = GraphImportParser.Parse(RequestBodies.ParseJson<GraphRecords>(body));
        }
        if (batch.RowCount > limits.MaxRows)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The import has too many rows.",
                detail: $"The import carries {batch.RowCount:N0} rows; at most {limits.MaxRows:N0} are accepted per request. Split it into several imports.");
        }
        var summary = await changes.WriteAsync(batch.Organizations.Select(o => o.Id)
            .Concat(batch.Projects.SelectMany(p => p.Members.Select(m => m.OrganizationId)))
            .Concat(batch.Ties.SelectMany(t => new[] { t.From, t.To })).Distinct().ToList(), structural: batch.Projects.Count + batch.Ties.Count > 0,
            () => store.ImportAsync(batch, cancellationToken), cancellationToken);
        return TypedResults.Ok(summary);
    }

    private static async Task<OrganizationRecord> ReadOrganizationAsync(HttpRequest request, ImportOptions limits, CancellationToken cancellationToken)
    {
        var mediaType = MediaType(request);
        if (mediaType != "application/json")
        {
            throw new BadHttpRequestException($"Content-Type '{mediaType}' is not supported; send application/json.", StatusCodes.Status415UnsupportedMediaType);
        }
        // One organization is small (a 4,000-character description, 64 aliases of 200 characters and a few short lists).
        await using var body = await RequestBodies.ReadLimitedAsync(request, Math.Min(limits.MaxBodyBytes, OrganizationMaxBodyBytes), cancellationToken);
        return RequestBodies.ParseJson<OrganizationRecord>(body);
    }

    private static string MediaType(HttpRequest request) =>
        (request.ContentType ?? "").Split(';')[0].Trim().ToLowerInvariant();

    private static ProblemHttpResult UnsupportedMediaType(string mediaType, string expected) =>
        TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type.",
            detail: $"Content-Type '{mediaType}' is not supported here; send {expected}.");

    private static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Organization not found.", detail: $"No organization has id '{id}'.");
}
