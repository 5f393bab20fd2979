using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Feedback;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Import;
using Matchmaker.Engine.Recommendations;
using Matchmaker.Engine.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Matchmaker.Engine.Delivery;

/// <summary>What one weekly run did: lists composed now (with news, or empty), lists found composed before, failures, and the messages to send.</summary>
public sealed record WeekResult(string Week, int Composed, int Empty, int Existing, int Failed, IReadOnlyList<string> MessageIds);

/// <summary>What one send attempt decided. <see cref="RetryAt"/> is set when the message waits for another attempt.</summary>
public sealed record SendOutcome(string MessageId, MessageStatus? Status, DateTimeOffset? RetryAt, string Note);

/// <summary>
/// Weekly lists, webhooks and their delivery. The jobs call it (thin classes in jobs/); all rules live here:
/// composition once per subscription per ISO week, the outbox that records each message before it is sent, the
/// claim that keeps a message from being sent twice, retries with backoff, and pausing a subscription that keeps failing.
/// </summary>
public sealed class DeliveryService(
    IDeliveryStore store,
    IRecommendationStore recommendations,
    IFeedbackStore feedback,
    IGraphStore graph,
    IEnumerable<IPlanGapSource> gapSources,
    IEnumerable<IMessageSender> senders,
    IDigestHtmlRenderer html,
    DeliveryTokens tokens,
    IOptions<DeliveryOptions> options,
    TimeProvider time,
    ILogger<DeliveryService> logger,
    HostResolver? resolver = null)
{
    /// <summary>Candidates suggested per missing plan role.</summary>
    public const int GapCandidates = 3;

    private static readonly DeliveryChannel[] ListChannels = [DeliveryChannel.Email, DeliveryChannel.WeCom, DeliveryChannel.DingTalk];

    public DeliveryOptions Options => options.Value;

    /// <summary>The ISO week (e.g. 2026-W48) of an instant, on the calendar of the schedules' time zone.</summary>
    public static string IsoWeek(DateTimeOffset instant, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(instant, zone).DateTime;
        return $"{ISOWeek.GetYear(local)}-W{ISOWeek.GetWeekOfYear(local):00}";
    }

    public string ListUrl(string digestId, int linkVersion) => $"{options.Value.PublicBaseUrl.TrimEnd('/')}/lists/{tokens.ForList(digestId, linkVersion)}";

    public string UnsubscribeUrl(Subscription subscription) =>
        $"{options.Value.PublicBaseUrl.TrimEnd('/')}/unsubscribe/{tokens.ForUnsubscribe(subscription.Id, subscription.LinkVersion)}";

    /// <summary>
    /// Revokes every list and unsubscribe link sent for the subscription so far (they answer "no longer valid"); the
    /// links made from now on work. Messages already composed but not yet sent carry the revoked links.
    /// </summary>
    public async Task<Subscription?> RevokeLinksAsync(string subscriptionId, CancellationToken cancellationToken = default)
    {
        var revoked = await store.RevokeLinksAsync(subscriptionId, time.GetUtcNow(), cancellationToken);
        if (revoked is not null) logger.LogInformation("Subscription {SubscriptionId}: links revoked, now at version {LinkVersion}", subscriptionId, revoked.LinkVersion);
        return revoked;
    }

    public TargetPolicy Policy => new(options.Value.AllowLoopbackTargets, options.Value.AllowPrivateTargets ?? false);

    /// <summary>The reason a target cannot be used (syntax, scheme, and in the production mode where the host resolves), or null.</summary>
    public async Task<string?> CheckTargetAsync(DeliveryChannel channel, string? target, CancellationToken cancellationToken = default)
    {
        if (DeliveryTargets.Check(channel, target, Policy) is { } problem) return problem;
        if (channel == DeliveryChannel.Email)
        {
            return options.Value.SmtpConfigured ? null : "cannot be used: e-mail delivery is not configured on this service (Delivery:Smtp:Host)";
        }
        return await DeliveryTargets.CheckResolvedAsync(target!, Policy, cancellationToken, resolver);
    }

    public static string NewId(string prefix) => $"{prefix}_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}";

    /// <summary>Stores a new subscription; webhooks get a generated signing secret (returned here, once).</summary>
    public async Task<Subscription> CreateSubscriptionAsync(string organizationId, DeliveryChannel channel, string target, SubscriptionFilters filters,
        DigestLanguage language, string? robotSecret, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var secret = channel == DeliveryChannel.Webhook ? WebhookSignature.NewSecret() : channel == DeliveryChannel.DingTalk ? robotSecret : null;
        var subscription = new Subscription(NewId("sub"), organizationId, channel, target.Trim(), filters, language, SubscriptionStatus.Active, null, secret,
            0, null, null, null, now, now);
        await store.CreateSubscriptionAsync(subscription, cancellationToken);
        logger.LogInformation("Subscription {SubscriptionId} for {OrganizationId}: {Channel} to {Target}", subscription.Id, organizationId, channel,
            DeliveryTargets.Redact(subscription.Target));
        return subscription;
    }

    /// <summary>Stops a subscription through its unsubscribe link. Idempotent; false when it does not exist.</summary>
    public async Task<Subscription?> UnsubscribeAsync(string subscriptionId, CancellationToken cancellationToken = default)
    {
        var subscription = await store.GetSubscriptionAsync(subscriptionId, cancellationToken);
        if (subscription is null || subscription.Status == SubscriptionStatus.Unsubscribed) return subscription;
        var now = time.GetUtcNow();
        var stopped = subscription with { Status = SubscriptionStatus.Unsubscribed, StatusReason = $"unsubscribed through the link on {now:yyyy-MM-dd}", UpdatedAt = now };
        await store.UpdateSubscriptionAsync(stopped, now, cancellationToken);
        logger.LogInformation("Subscription {SubscriptionId} unsubscribed through its link", subscriptionId);
        return stopped;
    }

    /// <summary>
    /// Composes this week's list for every active e-mail and robot subscription that has none yet, records one message
    /// per non-empty list in the outbox, and returns the messages waiting to be sent (new ones and any left from an
    /// interrupted run). Running it again in the same week composes nothing new.
    /// </summary>
    public async Task<WeekResult> ComposeWeekAsync(TimeZoneInfo zone, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var week = IsoWeek(now, zone);
        var subscriptions = await store.ListActiveSubscriptionsAsync(ListChannels, cancellationToken);
        int composed = 0, empty = 0, existing = 0, failed = 0;
        var messages = new List<string>();
        foreach (var subscription in subscriptions)
        {
            try
            {
                var (digest, message, created) = await ComposeAndRecordAsync(subscription, week, now, cancellationToken);
                if (digest is null || !created) existing += digest is null ? 0 : 1;
                else if (digest.IsEmpty) empty++;
                else composed++;
                if (message is { Status: MessageStatus.Pending }) messages.Add(message.Id);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One subscription's fault does not hold up the others; the job fails at the end and its retry composes the rest.
                failed++;
                logger.LogError(e, "Composing the {Week} list of subscription {SubscriptionId} failed", week, subscription.Id);
            }
        }
        logger.LogInformation("Weekly lists {Week}: {Composed} with news, {Empty} empty, {Existing} composed before, {Failed} failed, {Messages} messages to send",
            week, composed, empty, existing, failed, messages.Count);
        if (failed > 0) throw new InvalidOperationException($"{failed} of {subscriptions.Count} weekly lists could not be composed; see the log.");
        return new WeekResult(week, composed, empty, existing, failed, messages);
    }

    /// <summary>
    /// The subscription's list for the week and its outbox message (none for an empty list): composed, rendered and
    /// recorded in one transaction now, unless they exist. <c>Created</c> says which.
    /// </summary>
    public async Task<(Digest? Digest, OutboxMessage? Message, bool Created)> ComposeAndRecordAsync(Subscription subscription, string week, DateTimeOffset now,
        CancellationToken cancellationToken = default)
    {
        if (await store.GetDigestForWeekAsync(subscription.Id, week, cancellationToken) is { } existing)
        {
            return (existing, await store.GetMessageByKeyAsync(DeliveryStore.ListKey(existing.Id), cancellationToken), false);
        }
        var digest = await ComposeAsync(subscription, week, now, await store.ShownAsync(subscription.Id, cancellationToken), cancellationToken);
        if (digest is null) return (null, null, false);
        OutboxMessage? message = null;
        if (!digest.IsEmpty)
        {
            var listUrl = ListUrl(digest.Id, subscription.LinkVersion);
            var unsubscribeUrl = UnsubscribeUrl(subscription);
            var content = subscription.Channel switch
            {
                DeliveryChannel.Email => new MessageContent(DigestRenderer.Subject(digest), await html.EmailHtmlAsync(digest, listUrl, unsubscribeUrl),
                    DigestRenderer.EmailText(digest, listUrl, unsubscribeUrl), null, unsubscribeUrl),
                DeliveryChannel.WeCom => DigestRenderer.Robot(DeliveryChannel.WeCom, digest, listUrl, unsubscribeUrl, options.Value.WeComMaxBytes),
                _ => DigestRenderer.Robot(DeliveryChannel.DingTalk, digest, listUrl, unsubscribeUrl, options.Value.DingTalkMaxBytes),
            };
            message = new OutboxMessage(0, NewId("msg"), subscription.Id, MessageKind.WeeklyList, DeliveryStore.ListKey(digest.Id), content,
                MessageStatus.Pending, 0, 0, null, false, now, now, null);
        }
        // A concurrent run for the same week loses here and gets the winner's list and message.
        return await store.RecordListAsync(digest, message, cancellationToken);
    }

    /// <summary>A list's id follows from its subscription and week, so two runs composing the same week agree on it.</summary>
    public static string DigestId(string subscriptionId, string week) =>
        "dg_" + Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{subscriptionId}|{week}")))[..16];

    /// <summary>
    /// Composes a weekly list: the organization's current recommendations without existing partners and declined
    /// candidates, narrowed by the subscription's filters, mutual interest first, leaving out candidates shown in an
    /// earlier list unless their score rose markedly (same model) or interest became mutual since; plus the role slots
    /// its saved consortium plans lack, with candidates for each. Null when no list was ever computed for it.
    /// </summary>
    public async Task<Digest?> ComposeAsync(Subscription subscription, string week, DateTimeOffset now, IReadOnlyDictionary<string, ShownCandidate> shown,
        CancellationToken cancellationToken = default)
    {
        var list = await recommendations.GetCurrentAsync(subscription.OrganizationId, cancellationToken);
        if (list is null) return null;
        var state = await feedback.GetStateAsync(subscription.OrganizationId, cancellationToken);
        var eligible = list.Items
            .Where(i => !i.ExistingPartner && !state.IsDeclined(i.CandidateId) && i.CandidateId != subscription.OrganizationId)
            .OrderByDescending(i => state.IsMutual(i.CandidateId)).ThenBy(i => i.Rank)
            .ToList();
        var items = new List<DigestItem>();
        foreach (var i in eligible)
        {
            if (items.Count >= options.Value.MaxItems) break;
            if (!subscription.Filters.Matches(i.Candidate)) continue;
            var mutual = state.IsMutual(i.CandidateId);
            var repeated = false;
            if (shown.TryGetValue(i.CandidateId, out var before))
            {
                var rose = before.ModelVersion == list.ModelVersion && i.Score - before.Score >= options.Value.RepeatScoreRise * Math.Max(Math.Abs(before.Score), 1e-9);
                if (!rose && !(mutual && !before.Mutual)) continue;
                repeated = true;
            }
            items.Add(Item(i, mutual, repeated));
        }
        var gaps = new List<DigestGap>();
        foreach (var source in gapSources)
        {
            foreach (var gap in await source.GetGapsAsync(subscription.OrganizationId, cancellationToken))
            {
                var candidates = eligible.Where(i => i.Candidate is { } c && ConsortiumRoles.OfKind(c.Kind).Contains(gap.Role)).Take(GapCandidates)
                    .Select(i => Item(i, state.IsMutual(i.CandidateId), false)).ToList();
                if (candidates.Count > 0) gaps.Add(new DigestGap(gap.PlanId, gap.PlanName, gap.Role.ToCode(), candidates));
            }
        }
        var organization = await graph.GetOrganizationAsync(subscription.OrganizationId, cancellationToken);
        return new Digest(DigestId(subscription.Id, week), subscription.Id, subscription.OrganizationId, organization?.NameZh, organization?.NameEn, week, now,
            list.RunId, list.ModelVersion, subscription.Language, items, gaps);
    }

    /// <summary>
    /// After a published recompute run: one <c>recommendations.updated</c> event per active webhook subscription whose
    /// organization the run covered and whose matches changed since its last event. Returns the messages to send.
    /// </summary>
    public async Task<IReadOnlyList<string>> QueueWebhooksAsync(string runId, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var queued = new List<string>();
        foreach (var subscription in await store.ListActiveSubscriptionsAsync([DeliveryChannel.Webhook], cancellationToken))
        {
            var list = await recommendations.GetCurrentAsync(subscription.OrganizationId, cancellationToken);
            if (list is null || list.RunId != runId) continue;
            var state = await feedback.GetStateAsync(subscription.OrganizationId, cancellationToken);
            var items = list.Items
                .Where(i => !i.ExistingPartner && !state.IsDeclined(i.CandidateId) && subscription.Filters.Matches(i.Candidate))
                .Select((i, index) => new WebhookItem(i.CandidateId, index + 1, i.Score, state.IsMutual(i.CandidateId), i.Candidate?.NameZh, i.Candidate?.NameEn,
                    i.Candidate?.Kind, i.Candidate?.City, i.Rank))
                .ToList();
            var last = await store.LastMessageAsync(subscription.Id, MessageKind.Webhook, cancellationToken);
            var previous = last?.Content.Json is { } json ? JsonSerializer.Deserialize<WebhookEvent>(json, WireJson.Options)?.Data.Items.Select(i => i.CandidateId).ToList() : null;
            var current = items.Select(i => i.CandidateId).ToList();
            if (previous is not null && previous.SequenceEqual(current, StringComparer.Ordinal)) continue;
            var id = NewId("msg");
            var body = new WebhookEvent($"evt_{id[4..]}", WebhookEvents.RecommendationsUpdated, now, new WebhookData(
                subscription.OrganizationId, runId, list.ModelVersion, list.ComputedAt,
                $"{options.Value.PublicBaseUrl.TrimEnd('/')}/api/v1/organizations/{Uri.EscapeDataString(subscription.OrganizationId)}/recommendations",
                items, current.Except(previous ?? []).ToList(), (previous ?? []).Except(current).ToList()));
            var message = await store.AddMessageAsync(new OutboxMessage(0, id, subscription.Id, MessageKind.Webhook, $"webhook:{runId}:{subscription.Id}",
                new MessageContent(WebhookEvents.RecommendationsUpdated, null, null, JsonSerializer.Serialize(body, WireJson.Options)),
                MessageStatus.Pending, 0, 0, null, false, now, now, null), cancellationToken);
            if (message.Status == MessageStatus.Pending) queued.Add(message.Id);
        }
        if (queued.Count > 0) logger.LogInformation("Run {RunId}: {Count} webhook events queued", runId, queued.Count);
        return queued;
    }

    /// <summary>
    /// One attempt at a message. Only a claimed message is sent, so a message that was sent is never sent again (a
    /// retried job finds it sent and stops). Transient failures wait for the next delay; permanent ones, and the last
    /// retry, give the message up and count against the subscription.
    /// </summary>
    public async Task<SendOutcome> SendAsync(string messageId, CancellationToken cancellationToken = default)
    {
        // One span per turn: an attempt, or the decision not to make one. The target stays out of it (webhook URLs and
        // robot keys are secrets of their own); the subscription and message ids identify it.
        using var activity = MatchmakerTelemetry.Source.StartActivity("delivery.send");
        activity?.SetTag("matchmaker.message_id", messageId);
        var now = time.GetUtcNow();
        var lease = TimeSpan.FromSeconds(Math.Max(options.Value.HttpTimeoutSeconds, options.Value.Smtp.TimeoutSeconds) * 3 + 60);
        var message = await store.TryClaimAsync(messageId, now, now + lease, cancellationToken);
        if (message is null)
        {
            var skipped = await NotClaimedAsync(messageId, now, cancellationToken);
            MatchmakerTelemetry.CountDelivery(skipped.Channel ?? "unknown", "skipped");
            activity?.SetTag("matchmaker.delivery.outcome", "skipped");
            activity?.SetTag("matchmaker.delivery.note", skipped.Outcome.Note);
            return skipped.Outcome;
        }
        var subscription = await store.GetSubscriptionAsync(message.SubscriptionId, cancellationToken);
        if (subscription is null)
        {
            MatchmakerTelemetry.CountDelivery("unknown", "skipped");
            activity?.SetTag("matchmaker.delivery.outcome", "skipped");
            return new SendOutcome(messageId, null, null, "the subscription was deleted");
        }
        var channel = DeliveryCodes.ToCode(subscription.Channel);
        activity?.SetTag("matchmaker.subscription_id", subscription.Id);
        activity?.SetTag("matchmaker.delivery.channel", channel);
        activity?.SetTag("matchmaker.delivery.attempt", message.Attempts + 1);
        var sender = senders.FirstOrDefault(s => s.Handles(subscription.Channel)) ?? throw new InvalidOperationException($"No sender handles {subscription.Channel}.");
        var clock = Stopwatch.StartNew();
        SendResult result;
        try
        {
            result = await sender.SendAsync(subscription, message, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A fault of ours, not the target's answer: record it so the message neither hangs on its lease nor vanishes.
            logger.LogError(e, "Sending message {MessageId} failed unexpectedly", message.Id);
            result = SendResult.Transient(null, $"{e.GetType().Name}: {e.Message}");
        }
        var attempt = message.Attempts + 1;
        var retry = attempt - message.RetryBase; // 1 for the first attempt since the message was recorded or its subscription resumed
        var delays = options.Value.RetryDelays;
        var (status, next) = result.Outcome switch
        {
            AttemptOutcome.Sent => (MessageStatus.Sent, (DateTimeOffset?)null),
            AttemptOutcome.TransientFailure when retry <= delays.Count => (MessageStatus.Pending, time.GetUtcNow() + TimeSpan.FromSeconds(delays[retry - 1])),
            _ => (MessageStatus.Failed, null),
        };
        var after = await store.RecordAttemptAsync(new AttemptResult(
            new DeliveryAttempt(message.Id, attempt, time.GetUtcNow(), result.Outcome, result.StatusCode, result.Error, clock.ElapsedMilliseconds),
            status, next, options.Value.PauseAfterFailures), cancellationToken);
        var counted = status switch { MessageStatus.Sent => "sent", MessageStatus.Pending => "retried", _ => "failed" };
        MatchmakerTelemetry.CountDelivery(channel, counted);
        activity?.SetTag("matchmaker.delivery.outcome", counted);
        if (result.StatusCode is { } code) activity?.SetTag("matchmaker.delivery.status_code", code);
        if (status != MessageStatus.Sent) activity?.SetStatus(ActivityStatusCode.Error, DeliveryTargets.RedactAddresses(result.Error));
        var target = DeliveryTargets.Redact(subscription.Target);
        switch (status)
        {
            case MessageStatus.Sent:
                logger.LogInformation("Message {MessageId} sent to {Channel} {Target} on attempt {Attempt}", message.Id, subscription.Channel, target, attempt);
                break;
            case MessageStatus.Pending:
                logger.LogWarning("Message {MessageId} to {Target}: attempt {Attempt} failed ({Error}); next at {Next:O}", message.Id, target, attempt,
                    DeliveryTargets.RedactAddresses(result.Error), next);
                break;
            default:
                logger.LogWarning("Message {MessageId} to {Target} given up after attempt {Attempt}: {Error}", message.Id, target, attempt,
                    DeliveryTargets.RedactAddresses(result.Error));
                if (after?.Status == SubscriptionStatus.Paused && subscription.Status == SubscriptionStatus.Active)
                {
                    logger.LogWarning("Subscription {SubscriptionId} paused: {Reason}", subscription.Id, DeliveryTargets.RedactAddresses(after.StatusReason));
                }
                break;
        }
        return new SendOutcome(message.Id, status, next, result.Error ?? "sent");
    }

    /// <summary>Messages that are due but no job holds (after a restart of the in-memory job storage, say).</summary>
    public Task<IReadOnlyList<string>> DueMessagesAsync(CancellationToken cancellationToken = default) =>
        store.DueMessagesAsync(time.GetUtcNow(), 500, cancellationToken);

    /// <summary>Why a message was not claimed, and its subscription's channel code when known (for the outcome counter).</summary>
    /// <param name="now">The instant the claim was tried at: a message that became due since then was not due for the claim, and comes back.</param>
    private async Task<(SendOutcome Outcome, string? Channel)> NotClaimedAsync(string messageId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var message = await store.GetMessageAsync(messageId, cancellationToken);
        if (message is null) return (new SendOutcome(messageId, null, null, "no such message"), null);
        var subscription = await store.GetSubscriptionAsync(message.SubscriptionId, cancellationToken);
        var channel = subscription is null ? null : DeliveryCodes.ToCode(subscription.Channel);
        if (message.Status != MessageStatus.Pending) return (new SendOutcome(messageId, message.Status, null, $"already {message.Status}"), channel);
        if (subscription is null || subscription.Status == SubscriptionStatus.Unsubscribed)
        {
            await store.CancelMessageAsync(messageId, cancellationToken);
            return (new SendOutcome(messageId, MessageStatus.Cancelled, null, "the subscription was stopped"), channel);
        }
        if (subscription.Status == SubscriptionStatus.Active && message.NextAttemptAt > now)
        {
            // Early: job schedulers keep whole seconds, so a scheduled attempt can fire just before it is due. Come back then.
            return (new SendOutcome(messageId, MessageStatus.Pending, message.NextAttemptAt.AddSeconds(1), "not due yet"), channel);
        }
        // Paused (resuming queues it again) or held by another worker (which records the attempt).
        return (new SendOutcome(messageId, MessageStatus.Pending, null, "not claimable now"), channel);
    }

    private static DigestItem Item(RecommendedPartner i, bool mutual, bool repeated) =>
        new(i.CandidateId, i.Rank, i.Score, mutual, repeated, i.Candidate, i.Reasons);
}

public static class WebhookEvents
{
    public const string RecommendationsUpdated = "recommendations.updated";
}

/// <summary>The body of a webhook delivery. <see cref="Id"/> is the same on every retry of one event (deduplicate by it).</summary>
public sealed record WebhookEvent(string Id, string Type, DateTimeOffset CreatedAt, WebhookData Data);

/// <summary>The organization's matches after the run: the whole current list (discovery only), and what entered and left it since the last event.</summary>
public sealed record WebhookData(
    string OrganizationId, string RunId, string ModelVersion, DateTimeOffset ComputedAt, string RecommendationsUrl,
    IReadOnlyList<WebhookItem> Items, IReadOnlyList<string> Added, IReadOnlyList<string> Removed);

/// <param name="Rank">The position in the event's list, 1..n.</param>
/// <param name="ModelRank">The position in the organization's full stored list, as the model ordered it.</param>
public sealed record WebhookItem(string CandidateId, int Rank, double Score, bool Mutual, string? NameZh, string? NameEn, string? Kind, string? City, int? ModelRank = null);
