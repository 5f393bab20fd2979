using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Feedback;
using Matchmaker.Engine.Graph;
using Matchmaker.Api.Infrastructure;
using Matchmaker.Engine.Recommendations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Matchmaker.Api.Recommendations;

/// <summary>
/// An on-demand query: what the coordinator wrote (<c>text</c>: a call topic, a challenge, a draft abstract; Chinese
/// and/or English), an optional call <c>topic</c> code, filters on the candidates (<c>kind</c>, <c>sector</c>,
/// <c>city</c>), whether existing partners are listed too, and the list's length (<c>limit</c>, 1-100, default 20).
/// </summary>
public sealed record RecommendationQueryRequest(
    string? Text, string? Topic, string? Kind, string? Sector, string? City, bool? IncludeExistingPartners, int? Limit);

/// <summary>A list computed now for a query's text: same items as the stored lists, best first, ranks 1..n as served.</summary>
/// <param name="PairsScored">Candidates the model scored for this query.</param>
public sealed record RecommendationQueryResult(
    string OrganizationId, string ModelVersion, DateTimeOffset ComputedAt, string? Topic, IReadOnlyList<RecommendationItem> Items, int PairsScored);

public static class RecommendationQueryEndpoints
{
    public const int MaxTextLength = Project.MaxSummaryLength;
    /// <summary>Largest body: the longest text in UTF-8 (up to 3 bytes a character) with room for the other fields.</summary>
    public const int MaxBodyBytes = 32 * 1024;

    /// <summary>Maps <c>POST /api/v1/organizations/{id}/recommendations/query</c> into the recommendations group.</summary>
    public static RouteHandlerBuilder MapRecommendationQuery(this RouteGroupBuilder group) =>
        group.MapPost("/query", Query)
            .WithName("QueryRecommendations")
            .WithSummary("Partners for a text (a call topic, a challenge, a draft abstract), computed now")
            .WithDescription("""
                Ranks and explains partners for what the organization wrote, now (not precomputed), with the current model and
                graph: organizations whose profiles and past projects match the text, beside the usual network and field signals.
                Same items as the stored list (reasons in Chinese and English; text reasons quote the candidate's matching project
                titles and the matched words). Discovery first: existing partners only with includeExistingPartners=true, labelled.
                Candidates the organization declined are left out. Example body: {"text": "固态电池电解质 / solid-state battery
                electrolytes for electric buses", "topic": "G60-2026-NEV-03", "kind": "university", "limit": 10}. 400 names each bad field
                (an empty text is refused); bodies over 32 KB get 413.
                """)
            .Accepts<RecommendationQueryRequest>("application/json")
            .WithRequestBodyLimit(MaxBodyBytes)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .Produces<RecommendationQueryResult>(StatusCodes.Status200OK)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    internal static async Task<Results<Ok<RecommendationQueryResult>, ValidationProblem, ProblemHttpResult>> Query(
        string id, HttpRequest request, RecomputeService recompute, FeedbackIndex feedback, TimeProvider time,
        ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        // Read with an explicit limit (413 above it) whatever the server in front enforces, then parsed strictly.
        RecommendationQueryRequest body;
        using (var stream = await Infrastructure.RequestBodies.ReadLimitedAsync(request, MaxBodyBytes, cancellationToken))
        {
            body = Infrastructure.RequestBodies.ParseJson<RecommendationQueryRequest>(stream);
        }
        var errors = Validate(body, out var kind);
        if (errors.Count > 0) return errors.ToProblem("The query was refused.");
        var limit = body.Limit ?? 20;
        var includeExisting = body.IncludeExistingPartners == true;
        var state = await feedback.GetStateAsync(id, cancellationToken);
        var sector = body.Sector;
        var city = body.City;

        // Filters and declines are applied inside the ranking, so a filtered list is still `limit` long when enough pass.
        bool Accept(GraphSnapshot snapshot, int candidate)
        {
            if (kind is { } k && snapshot.Kinds[candidate] != k) return false;
            if (city is not null && snapshot.CityCodes[snapshot.OrganizationCities[candidate]] != city) return false;
            if (sector is not null)
            {
                var inSector = false;
                foreach (var s in snapshot.OrganizationSectors[candidate]) inSector |= snapshot.SectorCodes[s] == sector;
                if (!inSector) return false;
            }
            return !state.IsDeclined(snapshot.OrganizationIds[candidate]);
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var topics = string.IsNullOrWhiteSpace(body.Topic) ? Array.Empty<string>() : [body.Topic.Trim()];
        var result = await recompute.QueryAsync(id, body.Text!.Trim(), topics, limit, Accept, cancellationToken);
        if (result is not { } answer)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Organization not found.", detail: $"No organization has id '{id}'.");
        }
        var items = new List<RecommendationItem>(limit);
        foreach (var p in answer.Ranked.Items)
        {
            if (p.ExistingPartner && !includeExisting) continue;
            if (items.Count == limit) break;
            var given = state.Given.TryGetValue(p.CandidateId, out var entry) ? FeedbackCodes.ToCode(entry.Action) : null;
            items.Add(new RecommendationItem(p.CandidateId, items.Count + 1, p.Score, p.ExistingPartner, p.Candidate, p.Reasons, given, state.IsMutual(p.CandidateId)));
        }
        loggers.CreateLogger("Matchmaker.Recommendations").LogInformation(
            "On-demand query for {Organization}: {Items} items from {Pairs} pairs in {Milliseconds:F1} ms ({TextLength} characters of text)",
            id, items.Count, answer.Ranked.PairsScored, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds, body.Text!.Length);
        return TypedResults.Ok(new RecommendationQueryResult(id, answer.ModelVersion, time.GetUtcNow(), topics.FirstOrDefault(), items, answer.Ranked.PairsScored));
    }

    /// <summary>The validator of <see cref="RecommendationQueryRequest"/>: every bad field named once.</summary>
    internal static FieldErrors Validate(RecommendationQueryRequest body, out OrganizationKind? kind)
    {
        kind = null;
        var errors = new FieldErrors();
        if (string.IsNullOrWhiteSpace(body.Text)) errors.Add("text", "is required: what you look for partners for (a call topic, a challenge, a draft abstract)");
        else if (body.Text.Length > MaxTextLength) errors.Add("text", $"is {body.Text.Length} characters long; at most {MaxTextLength} are allowed");
        else if (body.Text.Any(c => char.IsControl(c) && c is not '\n' and not '\r' and not '\t')) errors.Add("text", "contains control characters");
        if (body.Topic is { } topic && !string.IsNullOrWhiteSpace(topic))
        {
            try
            {
                _ = new ProjectTopic(topic);
            }
            catch (DomainValidationException e)
            {
                errors.Add("topic", e.Reason);
            }
        }
        if (errors.Code("kind", body.Kind, "a kind", Codes.TryParseKind, Codes.KindValues, out OrganizationKind parsed) && body.Kind is not null) kind = parsed;
        errors.Sector("sector", body.Sector);
        errors.City("city", body.City);
        errors.Range("limit", body.Limit, 1, RecommendationsEndpoints.MaxPageSize);
        return errors;
    }
}
