using System.Globalization;
using Hangfire;
using Matchmaker.Api.Access;
using Matchmaker.Api.Infrastructure;
using Matchmaker.Engine.Delivery;
using Matchmaker.Engine.Graph;
using Matchmaker.Jobs;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matchmaker.Api.Delivery;

/// <summary>Filters of a subscription; an empty or missing list means any. Roles accept 产学研金用 too.</summary>
public sealed record SubscriptionFiltersBody(IReadOnlyList<string>? Kinds, IReadOnlyList<string>? Roles, IReadOnlyList<string>? Sectors, IReadOnlyList<string>? Cities);

/// <summary>
/// A subscription: <c>channel</c> email, webhook, wecom or dingtalk; <c>target</c> the e-mail address or the URL;
/// <c>language</c> zh, en or both (default zh); <c>secret</c> a DingTalk robot's signing secret (加签), optional;
/// <c>status</c> (updates only) active or paused.
/// </summary>
public sealed record SubscriptionRequest(string? Channel, string? Target, SubscriptionFiltersBody? Filters, string? Language, string? Secret, string? Status);

public sealed record SubscriptionResponse(
    string Id, string OrganizationId, string Channel, string Target, SubscriptionFiltersBody Filters, string Language, string Status, string? StatusReason,
    int ConsecutiveFailures, string? LastError, DateTimeOffset? LastErrorAt, DateTimeOffset? LastDeliveredAt, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    bool HasSecret, string UnsubscribeUrl)
{
    /// <summary>A robot URL's key is its credential: shown without the query (<c>…/send?…</c>), like the signing secrets it is not returned.</summary>
    public static string ShownTarget(Subscription s) => s.Channel is DeliveryChannel.WeCom or DeliveryChannel.DingTalk ? DeliveryTargets.Redact(s.Target) : s.Target;

    public static SubscriptionResponse From(Subscription s, DeliveryService delivery) => new(
        s.Id, s.OrganizationId, DeliveryCodes.ToCode(s.Channel), ShownTarget(s), new SubscriptionFiltersBody(s.Filters.Kinds, s.Filters.Roles, s.Filters.Sectors, s.Filters.Cities),
        DeliveryCodes.ToCode(s.Language), DeliveryCodes.ToCode(s.Status), s.StatusReason, s.ConsecutiveFailures, s.LastError, s.LastErrorAt, s.LastDeliveredAt,
        s.CreatedAt, s.UpdatedAt, s.Secret is not null, delivery.UnsubscribeUrl(s));
}

/// <summary>The new subscription; a webhook's <c>signingSecret</c> is shown here once (keep it to verify signatures).</summary>
public sealed record CreatedSubscriptionResponse(SubscriptionResponse Subscription, string? SigningSecret);

public sealed record DeliveryAttemptResponse(int Attempt, DateTimeOffset At, string Outcome, int? StatusCode, string? Error, long DurationMs);

public sealed record DeliveryResponse(
    string Id, string Kind, string Key, string Subject, string Status, int Attempts, string? LastError, bool PermanentFailure,
    DateTimeOffset CreatedAt, DateTimeOffset? NextAttemptAt, DateTimeOffset? SentAt, IReadOnlyList<DeliveryAttemptResponse> AttemptLog);

public sealed record DeliveryPage(string SubscriptionId, IReadOnlyList<DeliveryResponse> Items, string? NextCursor);

public static class SubscriptionsEndpoints
{
    /// <summary>A subscription is a channel, a target, a secret and a few short filter lists.</summary>
    public const int MaxBodyBytes = 16 * 1024;

    /// <summary>Messages per page of the delivery log.</summary>
    public const int MaxPageSize = 100;

    /// <summary>Subscriptions, the public list and unsubscribe pages, and the widget.</summary>
    public static IEndpointRouteBuilder MapDelivery(this IEndpointRouteBuilder app)
    {
        app.MapSubscriptions();
        app.MapListPages();
        app.MapWidget();
        return app;
    }

    // Subscriptions need the feedback scope: they send an organization's matches somewhere, which a read-only
    // (publishable) key, visible in a partner's web page, must not be able to arrange or read back.
    public static IEndpointRouteBuilder MapSubscriptions(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/organizations/{id}/subscriptions")
            .WithTags("Subscriptions")
            .RequireAuthorization(AccessPolicies.Feedback)
            .ScopedToOrganization()
            .WithRequestBodyLimit(MaxBodyBytes)
            .ProducesCommonProblems(StatusCodes.Status404NotFound);

        group.MapPost("/", Create)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Subscribe to the weekly list (e-mail, WeCom or DingTalk robot) or to webhook events")
            .WithDescription("The weekly list goes out on Monday mornings with new matches only; webhooks receive recommendations.updated after each recompute " +
                "that changes the organization's matches, signed with HMAC-SHA256. A webhook's signing secret is returned once.")
            .ProducesValidationProblem();
        group.MapGet("/", List).WithSummary("The organization's subscriptions with their delivery state");
        group.MapGet("/{subscriptionId}", Get).WithName("GetSubscription").WithSummary("One subscription with its delivery state");
        group.MapPut("/{subscriptionId}", Update)
            .WithSummary("Change a subscription's target, filters, language or status")
            .WithDescription("status active resumes a paused or unsubscribed subscription and queues again what failed or waited; paused stops it. The channel cannot change.")
            .ProducesValidationProblem();
        group.MapDelete("/{subscriptionId}", Delete).WithSummary("Delete a subscription with its lists and delivery log");
        group.MapPost("/{subscriptionId}/revoke-links", RevokeLinks)
            .WithName("RevokeSubscriptionLinks")
            .WithSummary("Revoke every list and unsubscribe link sent for a subscription")
            .WithDescription("Links sent so far (in e-mails and robot messages) answer 410 from now on; the subscription and its settings stay as they are, and " +
                "the unsubscribeUrl returned, like the links in later lists, works. Other subscriptions' links are not affected; changing Delivery:TokenKey revokes every link.");
        group.MapGet("/{subscriptionId}/deliveries", Deliveries)
            .WithSummary("The delivery log: each message, its status and every attempt")
            .ProducesValidationProblem();
        return app;
    }

    internal static async Task<Results<Created<CreatedSubscriptionResponse>, ValidationProblem, ProblemHttpResult>> Create(
        string id, SubscriptionRequest request, DeliveryService delivery, IDeliveryStore store, IGraphStore graph, CancellationToken cancellationToken)
    {
        if (await graph.GetOrganizationAsync(id, cancellationToken) is null) return OrganizationNotFound(id);
        // A quota per organization: each subscription is mail or calls every week, and its rows stay until deleted.
        var max = delivery.Options.MaxSubscriptionsPerOrganization;
        if ((await store.ListSubscriptionsAsync(id, cancellationToken)).Count >= max)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Too many subscriptions.",
                detail: $"This organization has {max} subscriptions, the most allowed (Delivery:MaxSubscriptionsPerOrganization); delete one first. Nothing was written.");
        }
        var errors = new FieldErrors();
        if (!DeliveryCodes.TryParseChannel(request.Channel, out var channel))
        {
            errors.Add("channel", FieldErrors.Messages.NotOneOf(request.Channel, "a channel", DeliveryCodes.ChannelValues));
        }
        else if (await delivery.CheckTargetAsync(channel, request.Target, cancellationToken) is { } problem)
        {
            errors.Add("target", problem);
        }
        var (filters, language, secret) = CheckSettings(request, channel, errors);
        if (request.Status is not null) errors.Add("status", "is set on updates only; a new subscription is active");
        if (errors.Count > 0) return errors.ToProblem();

        var subscription = await delivery.CreateSubscriptionAsync(id, channel, request.Target!, filters, language, secret, cancellationToken);
        return TypedResults.Created($"/api/v1/organizations/{id}/subscriptions/{subscription.Id}",
            new CreatedSubscriptionResponse(SubscriptionResponse.From(subscription, delivery), channel == DeliveryChannel.Webhook ? subscription.Secret : null));
    }

    internal static async Task<Results<Ok<IReadOnlyList<SubscriptionResponse>>, ProblemHttpResult>> List(
        string id, IDeliveryStore store, DeliveryService delivery, IGraphStore graph, CancellationToken cancellationToken)
    {
        var subscriptions = await store.ListSubscriptionsAsync(id, cancellationToken);
        if (subscriptions.Count == 0 && await graph.GetOrganizationAsync(id, cancellationToken) is null) return OrganizationNotFound(id);
        return TypedResults.Ok<IReadOnlyList<SubscriptionResponse>>(subscriptions.Select(s => SubscriptionResponse.From(s, delivery)).ToList());
    }

    internal static async Task<Results<Ok<SubscriptionResponse>, ProblemHttpResult>> Get(
        string id, string subscriptionId, IDeliveryStore store, DeliveryService delivery, CancellationToken cancellationToken) =>
        await FindAsync(store, id, subscriptionId, cancellationToken) is { } s ? TypedResults.Ok(SubscriptionResponse.From(s, delivery)) : SubscriptionNotFound(subscriptionId);

    internal static async Task<Results<Ok<SubscriptionResponse>, ValidationProblem, ProblemHttpResult>> Update(
        string id, string subscriptionId, SubscriptionRequest request, IDeliveryStore store, DeliveryService delivery, IBackgroundJobClient jobs, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var existing = await FindAsync(store, id, subscriptionId, cancellationToken);
        if (existing is null) return SubscriptionNotFound(subscriptionId);
        var errors = new FieldErrors();
        if (request.Channel is not null && (!DeliveryCodes.TryParseChannel(request.Channel, out var channel) || channel != existing.Channel))
        {
            errors.Add("channel", $"cannot change (it is {DeliveryCodes.ToCode(existing.Channel)}); create a new subscription instead");
        }
        // The masked robot URL a GET showed, sent back unchanged, means "keep it".
        var target = request.Target is null || request.Target == SubscriptionResponse.ShownTarget(existing) ? existing.Target : request.Target;
        if (target != existing.Target && await delivery.CheckTargetAsync(existing.Channel, target, cancellationToken) is { } problem) errors.Add("target", problem);
        var (filters, language, secret) = CheckSettings(request with { Language = request.Language ?? DeliveryCodes.ToCode(existing.Language) }, existing.Channel, errors);
        var status = existing.Status;
        if (request.Status is not null && !(DeliveryCodes.TryParseStatus(request.Status, out status) && status != SubscriptionStatus.Unsubscribed))
        {
            errors.Add("status", "must be active or paused");
        }
        if (errors.Count > 0) return errors.ToProblem();

        var now = time.GetUtcNow();
        var updated = existing with
        {
            Target = target.Trim(),
            Filters = request.Filters is null ? existing.Filters : filters,
            Language = language,
            Secret = existing.Channel == DeliveryChannel.DingTalk && request.Secret is not null ? secret : existing.Secret,
            Status = status,
            StatusReason = status == existing.Status ? existing.StatusReason : status == SubscriptionStatus.Paused ? "paused by the subscriber" : null,
            UpdatedAt = now,
        };
        await store.UpdateSubscriptionAsync(updated, now, cancellationToken);
        // Resuming queued again what failed or waited; send it now rather than at the next sweep.
        if (status == SubscriptionStatus.Active && existing.Status != SubscriptionStatus.Active) jobs.Enqueue<DeliveryJobs>(j => j.Sweep(CancellationToken.None));
        return TypedResults.Ok(SubscriptionResponse.From((await store.GetSubscriptionAsync(subscriptionId, cancellationToken))!, delivery));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> Delete(string id, string subscriptionId, IDeliveryStore store, CancellationToken cancellationToken)
    {
        if (await FindAsync(store, id, subscriptionId, cancellationToken) is null) return SubscriptionNotFound(subscriptionId);
        await store.DeleteSubscriptionAsync(subscriptionId, cancellationToken);
        return TypedResults.NoContent();
    }

    internal static async Task<Results<Ok<SubscriptionResponse>, ProblemHttpResult>> RevokeLinks(
        string id, string subscriptionId, IDeliveryStore store, DeliveryService delivery, CancellationToken cancellationToken)
    {
        if (await FindAsync(store, id, subscriptionId, cancellationToken) is null) return SubscriptionNotFound(subscriptionId);
        var revoked = await delivery.RevokeLinksAsync(subscriptionId, cancellationToken);
        return revoked is null ? SubscriptionNotFound(subscriptionId) : TypedResults.Ok(SubscriptionResponse.From(revoked, delivery));
    }

    /// <param name="limit">Messages per page, 1-100 (default 20).</param>
    /// <param name="cursor">The nextCursor of the previous page.</param>
    internal static async Task<Results<Ok<DeliveryPage>, ValidationProblem, ProblemHttpResult>> Deliveries(
        string id, string subscriptionId, int? limit, string? cursor, IDeliveryStore store, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        errors.Range("limit", limit, 1, MaxPageSize);
        var before = errors.SequenceCursor("cursor", cursor);
        if (errors.Count > 0) return errors.ToProblem();
        if (await FindAsync(store, id, subscriptionId, cancellationToken) is null) return SubscriptionNotFound(subscriptionId);

        var size = limit ?? 20;
        var messages = await store.ListMessagesAsync(subscriptionId, before, size + 1, cancellationToken);
        var page = messages.Take(size).ToList();
        var attempts = (await store.ListAttemptsAsync(page.Select(m => m.Id).ToList(), cancellationToken)).ToLookup(a => a.MessageId);
        var items = page.Select(m => new DeliveryResponse(m.Id, DeliveryStore.ToCode(m.Kind), m.Key, m.Content.Subject, DeliveryStore.ToCode(m.Status), m.Attempts,
            m.LastError, m.PermanentFailure, m.CreatedAt, m.Status == MessageStatus.Pending ? m.NextAttemptAt : null, m.SentAt,
            attempts[m.Id].Select(a => new DeliveryAttemptResponse(a.Attempt, a.At, DeliveryStore.ToCode(a.Outcome), a.StatusCode, a.Error, a.DurationMs)).ToList())).ToList();
        var next = messages.Count > size ? Cursor.Encode(page[^1].Sequence.ToString(CultureInfo.InvariantCulture)) : null;
        return TypedResults.Ok(new DeliveryPage(subscriptionId, items, next));
    }

    /// <summary>The part of <see cref="SubscriptionRequest"/>'s validator that creation and update share.</summary>
    private static (SubscriptionFilters Filters, DigestLanguage Language, string? Secret) CheckSettings(
        SubscriptionRequest request, DeliveryChannel channel, FieldErrors errors)
    {
        var f = request.Filters;
        var filters = SubscriptionFilters.Create(f?.Kinds, f?.Roles, f?.Sectors, f?.Cities, errors);
        if (!errors.Code("language", request.Language, "a language", DeliveryCodes.TryParseLanguage, DeliveryCodes.LanguageValues, out DigestLanguage language)
            || request.Language is null)
        {
            language = DigestLanguage.Zh;
        }
        var secret = string.IsNullOrWhiteSpace(request.Secret) ? null : request.Secret.Trim();
        if (secret is not null && channel != DeliveryChannel.DingTalk)
        {
            errors.Add("secret", "is only given for DingTalk robots (their signing secret); webhook secrets are generated");
        }
        else if (secret is not null && (secret.Length > Subscription.MaxSecretLength || secret.Any(char.IsControl)))
        {
            errors.Add("secret", $"must be at most {Subscription.MaxSecretLength} printable characters");
        }
        return (filters, language, secret);
    }

    private static async Task<Subscription?> FindAsync(IDeliveryStore store, string organizationId, string subscriptionId, CancellationToken cancellationToken) =>
        await store.GetSubscriptionAsync(subscriptionId, cancellationToken) is { } s && s.OrganizationId == organizationId ? s : null;

    private static ProblemHttpResult OrganizationNotFound(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Organization not found.", detail: $"No organization has id '{id}'.");

    private static ProblemHttpResult SubscriptionNotFound(string subscriptionId) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Subscription not found.", detail: $"This organization has no subscription '{subscriptionId}'.");
}
