using System.Globalization;
using Matchmaker.Api.Access;
using Matchmaker.Api.Infrastructure;
using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Feedback;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Recommendations;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matchmaker.Api.Feedback;

/// <summary>Feedback on one recommended candidate.</summary>
/// <param name="CandidateId">The recommended organization the feedback is about.</param>
/// <param name="Action">accept, decline, contacted or formed.</param>
/// <param name="Reason">Required when declining, otherwise absent: wrong-field, too-far, already-partners, not-right-stage, no-capacity or other.</param>
/// <param name="Comment">Optional free text, at most 1,000 characters.</param>
public sealed record FeedbackRequest(string? CandidateId, string? Action, string? Reason, string? Comment);

/// <summary>Recorded feedback.</summary>
/// <param name="Sequence">Orders all feedback; later feedback on a pair supersedes earlier.</param>
/// <param name="GivenBy">The id of the API key that gave it.</param>
public sealed record FeedbackItem(long Sequence, string OrganizationId, string CandidateId, string Action, string? Reason, string? Comment, string GivenBy, DateTimeOffset At)
{
    public static FeedbackItem Of(FeedbackEntry e) => new(e.Sequence, e.OrganizationId, e.CandidateId, FeedbackCodes.ToCode(e.Action),
        e.Reason is { } r ? FeedbackCodes.ToCode(r) : null, e.Comment, e.GivenBy, e.At);
}

public sealed record FeedbackListPage(IReadOnlyList<FeedbackItem> Items, string? NextCursor);

/// <summary>An organization that both sides are interested in: each one's latest feedback about the other is accept, contacted or formed.</summary>
public sealed record MutualInterestItem(string CandidateId, CandidateSummary? Candidate, string OurAction, DateTimeOffset OurAt, string TheirAction, DateTimeOffset TheirAt);

public sealed record MutualInterestResponse(string OrganizationId, IReadOnlyList<MutualInterestItem> Items);

public static class FeedbackEndpoints
{
    public const int MaxBodyBytes = 16 * 1024;
    public const int MaxPageSize = 100;

    public static IEndpointRouteBuilder MapFeedback(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/organizations/{id}")
            .WithTags("Feedback")
            .ScopedToOrganization()
            .ProducesCommonProblems(StatusCodes.Status404NotFound, StatusCodes.Status500InternalServerError);

        group.MapPost("/feedback", Give)
            .RequireAuthorization(AccessPolicies.Feedback)
            .WithName("GiveFeedback")
            .WithSummary("Give feedback on a recommended candidate")
            .WithDescription("accept, decline (with a reason), contacted or formed. Recorded with the key that gave it and when; the latest feedback on a pair counts. "
                + "A declined candidate disappears from the organization's recommendation lists; when both sides accepted each other, both see it as mutual interest. "
                + "Feedback is also a training label for the next ranking model (formed > contacted > accept > decline).")
            .Accepts<FeedbackRequest>("application/json")
            .Produces<FeedbackItem>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        // The log and mutual interest are the organization's private dealings (comments, decline reasons, who gave
        // them): the feedback scope, never the read scope handed to dashboards and pages.
        group.MapGet("/feedback", List)
            .RequireAuthorization(AccessPolicies.Feedback)
            .WithName("ListFeedback")
            .WithSummary("The feedback an organization gave, newest first")
            .ProducesValidationProblem();

        group.MapGet("/mutual-interest", Mutual)
            .RequireAuthorization(AccessPolicies.Feedback)
            .WithName("MutualInterest")
            .WithSummary("Organizations with mutual interest")
            .WithDescription("Candidates this organization is interested in that are also interested in it (both sides' latest feedback is accept, contacted or " +
                "formed). Interest that is not returned is never shown to the other side, and interest in a candidate the organization had not been shown (in " +
                "its served list) counts on neither side.");
        return app;
    }

    internal static async Task<Results<Created<FeedbackItem>, ValidationProblem, ProblemHttpResult>> Give(
        string id, HttpRequest request, HttpContext http, IFeedbackStore feedback, FeedbackIndex index, IGraphStore graph, IRecommendationStore lists,
        Matchmaker.Engine.Planning.IPlanStore plans, TimeProvider time, CancellationToken cancellationToken)
    {
        var mediaType = (request.ContentType ?? "").Split(';')[0].Trim().ToLowerInvariant();
        if (mediaType != "application/json")
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type.",
                detail: $"Content-Type '{mediaType}' is not supported here; send application/json.");
        }
        await using var body = await RequestBodies.ReadLimitedAsync(request, MaxBodyBytes, cancellationToken);
        var input = RequestBodies.ParseJson<FeedbackRequest>(body);

        var (action, reason, errors) = Validate(input);
        if (errors.Count > 0) return errors.ToProblem();
        // The record's constructor enforces the rest (ids, a reason exactly when declining, comment length); it throws
        // DomainValidationException, which becomes a 400 naming the field.
        var entry = new NewFeedback(id, input.CandidateId!, action, reason, input.Comment,
            ApiKeyClaims.KeyIdOf(http.User) ?? "unknown", time.GetUtcNow());

        if (await graph.GetOrganizationAsync(id, cancellationToken) is null) return NotFound(id);
        var list = await lists.GetCurrentAsync(id, cancellationToken);
        var state = await index.GetStateAsync(id, cancellationToken);
        // A bound key names only candidates it has been shown; any other id, existing or not, gets one answer.
        var bound = CandidateReach.IsBound(http);
        var notACandidate = FieldErrors.Messages.NotShown(id, "candidates");
        if (bound && !await CandidateReach.ReachesAsync(id, entry.CandidateId, list, state, plans, cancellationToken))
        {
            return FieldErrors.Problem("candidateId", notACandidate);
        }
        if (await graph.GetOrganizationAsync(entry.CandidateId, cancellationToken) is null)
        {
            return FieldErrors.Problem("candidateId", bound ? notACandidate : FieldErrors.Messages.NoOrganization(entry.CandidateId));
        }
        // Shown: in the organization's served list now, or shown when earlier feedback on it was given. Only such
        // interest reveals mutual interest and becomes a training label (see NewFeedback.Shown).
        entry = entry with
        {
            Shown = list?.Items.Any(i => i.CandidateId == entry.CandidateId) == true
                || (state.Given.TryGetValue(entry.CandidateId, out var earlier) && earlier.Shown),
        };
        var stored = await feedback.AddAsync(entry, cancellationToken);
        index.Record(stored);
        return TypedResults.Created($"/api/v1/organizations/{id}/feedback?candidateId={Uri.EscapeDataString(stored.CandidateId)}", FeedbackItem.Of(stored));
    }

    /// <param name="candidateId">Only feedback about this candidate.</param>
    /// <param name="limit">Page size, 1-100 (default 20).</param>
    /// <param name="cursor">The nextCursor of the previous page.</param>
    internal static async Task<Results<Ok<FeedbackListPage>, ValidationProblem, ProblemHttpResult>> List(
        string id, string? candidateId, int? limit, string? cursor, IFeedbackStore feedback, IGraphStore graph, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        errors.Range("limit", limit, 1, MaxPageSize);
        if (candidateId is { Length: > 64 }) errors.Add("candidateId", "must be at most 64 characters");
        var before = errors.SequenceCursor("cursor", cursor);
        if (errors.Count > 0) return errors.ToProblem();
        if (await graph.GetOrganizationAsync(id, cancellationToken) is null) return NotFound(id);

        var page = await feedback.ListAsync(id, candidateId, before, limit ?? 20, cancellationToken);
        return TypedResults.Ok(new FeedbackListPage(page.Items.Select(FeedbackItem.Of).ToList(),
            page.NextBefore is { } n ? Cursor.Encode(n.ToString(CultureInfo.InvariantCulture)) : null));
    }

    internal static async Task<Results<Ok<MutualInterestResponse>, ProblemHttpResult>> Mutual(
        string id, IFeedbackStore feedback, IGraphStore graph, IRecommendationStore recommendations, CancellationToken cancellationToken)
    {
        if (await graph.GetOrganizationAsync(id, cancellationToken) is null) return NotFound(id);
        var state = await feedback.GetStateAsync(id, cancellationToken);
        var items = new List<MutualInterestItem>();
        foreach (var candidate in state.Mutual.Order(StringComparer.Ordinal))
        {
            var ours = state.Given[candidate];
            var theirs = state.InterestedInUs[candidate];
            var organization = await graph.GetOrganizationAsync(candidate, cancellationToken);
            var summary = organization is null ? null : new CandidateSummary(organization.NameZh, organization.NameEn, Codes.ToCode(organization.Kind),
                organization.City, organization.Sectors.ToList());
            items.Add(new MutualInterestItem(candidate, summary, FeedbackCodes.ToCode(ours.Action), ours.At, FeedbackCodes.ToCode(theirs.Action), theirs.At));
        }
        return TypedResults.Ok(new MutualInterestResponse(id, items));
    }

    private static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Organization not found.", detail: $"No organization has id '{id}'.");

    /// <summary>The validator of <see cref="FeedbackRequest"/>'s codes; <see cref="NewFeedback"/>'s constructor checks the rest.</summary>
    internal static (FeedbackAction Action, DeclineReason? Reason, FieldErrors Errors) Validate(FeedbackRequest input)
    {
        var errors = new FieldErrors();
        if (input.Action is null) errors.Add("action", "is required");
        errors.Code("action", input.Action, "an action", FeedbackCodes.TryParseAction, FeedbackCodes.ActionValues, out FeedbackAction action);
        DeclineReason? reason = null;
        if (errors.Code("reason", input.Reason, "a reason", FeedbackCodes.TryParseReason, FeedbackCodes.ReasonValues, out DeclineReason parsed)
            && input.Reason is not null) reason = parsed;
        return (action, reason, errors);
    }
}
