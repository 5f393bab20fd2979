using System.Security.Cryptography;
using System.Text;
using Matchmaker.Api.Access;
using Matchmaker.Api.Infrastructure;
using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Feedback;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Recommendations;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matchmaker.Api.Recommendations;

/// <param name="Rank">The position in the list as served (after the filters and hidden candidates), 1..n across pages.</param>
/// <param name="Feedback">This organization's latest feedback on the candidate (accept, contacted or formed; declined candidates are not listed).</param>
/// <param name="MutualInterest">Both sides said they are interested in each other.</param>
/// <param name="Score">The ranker's raw score (a margin: compare it only within one list).</param>
/// <param name="ModelRank">The position in the full stored list, as the model ordered it (existing partners and declined candidates included).</param>
/// <param name="Strength">Match strength 0-100 against the list's best candidate: round(200·σ(score − best)); never reorders the list.</param>
/// <param name="StrengthLevel">high (strength 70 and above), medium (40 and above) or low.</param>
public sealed record RecommendationItem(
    string CandidateId, int Rank, double Score, bool ExistingPartner, CandidateSummary? Candidate, IReadOnlyList<Reason> Reasons,
    string? Feedback = null, bool MutualInterest = false, int? ModelRank = null, int? Strength = null, string? StrengthLevel = null);

public sealed record RecommendationPage(
    string OrganizationId, string RunId, string ModelVersion, DateTimeOffset ComputedAt, IReadOnlyList<RecommendationItem> Items, string? NextCursor);

/// <summary>One pair scored and explained on demand.</summary>
/// <param name="ListRank">The candidate's rank in the organization's current list as served (existing partners counted only for an existing partner), when it is in it.</param>
/// <param name="ListModelRank">The candidate's position in the full stored list, as the model ordered it.</param>
/// <param name="Strength">Match strength 0-100 against the best candidate of the organization's current list (as in the list), when it has one.</param>
/// <param name="StrengthLevel">high, medium or low (see strength).</param>
/// <param name="Declined">The organization declined this candidate (it is hidden from its lists).</param>
public sealed record PairRecommendation(
    string OrganizationId, string CandidateId, double Score, int? ListRank, bool ExistingPartner, CandidateSummary? Candidate, IReadOnlyList<Reason> Reasons,
    string ModelVersion, DateTimeOffset ScoredAt, string? Feedback, bool MutualInterest, bool Declined, int? ListModelRank = null, int? Strength = null, string? StrengthLevel = null);

public static class RecommendationsEndpoints
{
    public const int MaxPageSize = 100;

    public static IEndpointRouteBuilder MapRecommendations(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/organizations/{id}/recommendations")
            .WithTags("Recommendations")
            .RequireAuthorization(AccessPolicies.Read)
            .ScopedToOrganization()
            .ProducesCommonProblems(StatusCodes.Status500InternalServerError);

        group.MapGet("/", List)
            .WithName("ListRecommendations")
            .WithSummary("An organization's recommended partners")
            .Produces<RecommendationPage>(StatusCodes.Status200OK)
            .WithDescription("Precomputed, ranked and explained partners (reasons in Chinese and English with evidence). Discovery first: existing partners are left out unless includeExistingPartners=true. Candidates the organization declined are never listed; each item carries the organization's latest feedback and whether interest is mutual. Supports ETag/If-None-Match.")
            .Produces(StatusCodes.Status304NotModified)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/{candidateId}", Pair)
            .WithName("ExplainPair")
            .WithSummary("Score and explain one candidate for an organization, on demand")
            .WithDescription("Scores the pair now with the current model and graph (whether or not the candidate is in the precomputed list) and gives the reasons in Chinese and English with evidence, plus the candidate's rank in the current list if it has one and the organization's feedback on it. A key bound to the organization names only candidates it has been shown (its list, its feedback, its plans): any other id, existing or not, is 404 \"Candidate not found.\".")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapRecommendationQuery();
        return app;
    }

    /// <param name="kind">Only candidates of this kind.</param>
    /// <param name="sector">Only candidates active in this sector.</param>
    /// <param name="city">Only candidates in this city.</param>
    /// <param name="minScore">Only candidates scoring at least this.</param>
    /// <param name="includeExistingPartners">Also list organizations already partnered with (labelled existingPartner).</param>
    /// <param name="limit">Page size, 1-100 (default 20).</param>
    /// <param name="cursor">The nextCursor of the previous page.</param>
    internal static async Task<IResult> List(
        string id, string? kind, string? sector, string? city, double? minScore, bool? includeExistingPartners, int? limit, string? cursor,
        HttpContext http, PublishedListsWatch lists, ServedPageCache pages, IGraphStore graph, FeedbackIndex feedback, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        errors.Code("kind", kind, "a kind", Codes.TryParseKind, Codes.KindValues, out OrganizationKind parsedKind);
        var parsedSector = errors.Sector("sector", sector);
        var parsedCity = errors.City("city", city);
        if (minScore is { } m && (double.IsNaN(m) || double.IsInfinity(m))) errors.Add("minScore", "must be a finite number");
        errors.Range("limit", limit, 1, MaxPageSize);
        var offset = 0;
        if (errors.KeyCursor("cursor", cursor) is { } decoded && (!int.TryParse(decoded, out offset) || offset < 0))
        {
            errors.Add("cursor", FieldErrors.Messages.NotACursor);
        }
        if (errors.Count > 0) return errors.ToProblem();

        // The list is immutable per run; feedback (declines, mutual interest) changes what the page shows. A page is
        // rendered once per run (generation of the served lists), feedback version and query string, and kept.
        var state = await feedback.GetStateAsync(id, cancellationToken);
        var generation = await lists.GetGenerationAsync(cancellationToken);
        // The page's key is the query as understood, not as written: the same filters in another order, case or
        // spelling of a default, or with parameters this endpoint does not know, are one page (and one ETag), so a
        // client cannot fill the cache with copies of a page by varying the query string.
        kind = kind is null ? null : parsedKind.ToCode();
        sector = parsedSector?.Code;
        city = parsedCity?.Code;
        var query = PageKey(kind, sector, city, minScore, includeExistingPartners == true, limit ?? 20, offset);
        // Brotli or gzip when the client accepts them, compressed once per page. A compressed body carries the page's tag
        // as a weak tag (as nginx does), so a validator never names two different byte sequences; If-None-Match compares
        // weakly, so a client holding the page in any coding gets its 304.
        var coding = PageCodings.Negotiate(http.Request.Headers.AcceptEncoding.ToString());
        var page = pages.Find(id, query, generation, state.Version);
        if (page is null)
        {
            var list = await lists.GetCurrentJsonAsync(id, cancellationToken);
            if (list is null)
            {
                return await graph.GetOrganizationAsync(id, cancellationToken) is null
                    ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Organization not found.", detail: $"No organization has id '{id}'.")
                    : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No recommendations yet.",
                        detail: $"Recommendations for '{id}' have not been computed yet; they appear after the next recompute.");
            }
            // The ETag is the run, the feedback version and the query that shaped the page.
            var json = ListPageWriter.Write(list, state, new ListPageWriter.Filters(kind, sector, city, minScore, includeExistingPartners == true),
                offset, limit ?? 20, next => Cursor.Encode(next.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            page = new CachedPage(generation, state.Version, $"\"{Hash($"{list.RunId}|{state.Version}|{query}")}\"", coding,
                PageCodings.Compress(json.Span, coding));
            pages.Add(id, query, page);
        }

        var headers = http.Response.Headers;
        headers.ETag = coding == PageCoding.Identity ? page.ETag : page.WeakETag;
        headers.CacheControl = "private, max-age=0, must-revalidate";
        headers.Vary = "Accept-Encoding";
        if (IsNotModified(http.Request.Headers.IfNoneMatch, page.ETag)) return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        if (PageCodings.HeaderValue(coding) is { } encoding) headers.ContentEncoding = encoding;
        return TypedResults.Bytes(pages.Body(page, coding), "application/json; charset=utf-8");
    }

    /// <summary>The canonical form of a list query: every known parameter, defaults written out, codes as the catalogue spells them.</summary>
    internal static string PageKey(string? kind, string? sector, string? city, double? minScore, bool includeExistingPartners, int limit, int offset) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"kind={kind}&sector={sector}&city={city}&minScore={(minScore is { } m ? (m == 0 ? 0 : m).ToString("R", System.Globalization.CultureInfo.InvariantCulture) : "")}&all={(includeExistingPartners ? 1 : 0)}&limit={limit}&offset={offset}");

    /// <summary>If-None-Match with the weak comparison RFC 9110 asks for: a tag matches with or without W/, and * matches.</summary>
    private static bool IsNotModified(Microsoft.Extensions.Primitives.StringValues ifNoneMatch, string etag)
    {
        foreach (var value in ifNoneMatch)
        {
            if (value is null) continue;
            foreach (var range in value.AsSpan().Split(','))
            {
                var tag = value.AsSpan()[range].Trim();
                if (tag.StartsWith("W/", StringComparison.Ordinal)) tag = tag[2..];
                if (tag is "*" || tag.SequenceEqual(etag)) return true;
            }
        }
        return false;
    }

    internal static async Task<Results<Ok<PairRecommendation>, ValidationProblem, ProblemHttpResult>> Pair(
        string id, string candidateId, HttpContext http, RecomputeService recompute, IRecommendationStore store, FeedbackIndex feedback,
        Matchmaker.Engine.Planning.IPlanStore plans, TimeProvider time, CancellationToken cancellationToken)
    {
        if (candidateId == id) return FieldErrors.Problem("candidateId", "is the organization itself");
        var list = await store.GetCurrentAsync(id, cancellationToken);
        var state = await feedback.GetStateAsync(id, cancellationToken);
        // A bound key names only candidates it has been shown; any other id, existing or not, gets one answer.
        var bound = CandidateReach.IsBound(http);
        if (bound && !await CandidateReach.ReachesAsync(id, candidateId, list, state, plans, cancellationToken)) return NotACandidate(id);
        var explained = await recompute.ExplainPairAsync(id, candidateId, cancellationToken);
        if (explained is not { } result)
        {
            return bound ? NotACandidate(id) : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Organization not found.",
                detail: $"No organization has id '{id}' or '{candidateId}' in the current graph.");
        }
        var pair = result.Pair;
        // The rank the list endpoint serves it at: declined candidates hidden, existing partners only beside an existing partner.
        var served = list?.Items.Where(i => !state.IsDeclined(i.CandidateId) && (!i.ExistingPartner || pair.ExistingPartner)).ToList();
        var position = served?.FindIndex(i => i.CandidateId == candidateId) ?? -1;
        int? strength = list is { Items.Count: > 0 } ? MatchStrength.Of(pair.Score, list.Items.Max(i => i.Score)) : null;
        return TypedResults.Ok(new PairRecommendation(id, candidateId, pair.Score, position >= 0 ? position + 1 : null,
            pair.ExistingPartner, pair.Candidate, pair.Reasons, result.ModelVersion, time.GetUtcNow(),
            state.Given.TryGetValue(candidateId, out var given) ? FeedbackCodes.ToCode(given.Action) : null, state.IsMutual(candidateId), state.IsDeclined(candidateId),
            list?.Items.FirstOrDefault(i => i.CandidateId == candidateId)?.Rank, strength, strength is { } st ? MatchStrength.Level(st) : null));
    }

    /// <summary>What a bound key gets for an id it has not been shown, whether or not an organization has it.</summary>
    internal static ProblemHttpResult NotACandidate(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Candidate not found.",
            detail: $"The candidate is not among those shown to '{id}' (its list, its feedback, its plans).");

    private static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..32];
}
