namespace Matchmaker.Engine.Delivery;

/// <summary>
/// Subscriptions, weekly lists and the outbox with its attempt log. Two adapters, SQLite (embedded) and PostgreSQL
/// (production), held to one contract test suite.
/// </summary>
public interface IDeliveryStore
{
    Task InitializeAsync(CancellationToken cancellationToken = default);

    Task CreateSubscriptionAsync(Subscription subscription, CancellationToken cancellationToken = default);

    Task<Subscription?> GetSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken = default);

    /// <summary>An organization's subscriptions, oldest first.</summary>
    Task<IReadOnlyList<Subscription>> ListSubscriptionsAsync(string organizationId, CancellationToken cancellationToken = default);

    /// <summary>Active subscriptions on the given channels, in id order.</summary>
    Task<IReadOnlyList<Subscription>> ListActiveSubscriptionsAsync(IReadOnlyCollection<DeliveryChannel> channels, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces the subscriber's settings (target, filters, language, secret, status and reason). Setting a paused or
    /// unsubscribed subscription active clears its failure count and queues its failed and waiting messages again.
    /// False when it does not exist.
    /// </summary>
    Task<bool> UpdateSubscriptionAsync(Subscription subscription, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Raises the subscription's link version, so that every list and unsubscribe link sent for it so far stops
    /// opening. Returns the subscription with its new version, or null when it does not exist.
    /// </summary>
    Task<Subscription?> RevokeLinksAsync(string subscriptionId, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Deletes a subscription with its lists, messages and attempts. False when it does not exist.</summary>
    Task<bool> DeleteSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records a composed list and its message (keyed <c>list:{digestId}</c>; none for an empty list) in one transaction, unless a list exists for
    /// its subscription and week: then nothing is written. Also remembers each listed candidate as shown (latest
    /// showing per candidate). Returns what is stored for the week either way, and whether this call stored it.
    /// </summary>
    Task<(Digest Digest, OutboxMessage? Message, bool Created)> RecordListAsync(Digest digest, OutboxMessage? message, CancellationToken cancellationToken = default);

    Task<Digest?> GetDigestAsync(string digestId, CancellationToken cancellationToken = default);

    /// <summary>The subscription's list for an ISO week, if composed.</summary>
    Task<Digest?> GetDigestForWeekAsync(string subscriptionId, string week, CancellationToken cancellationToken = default);

    /// <summary>Every candidate the subscription's lists have shown, with its latest showing.</summary>
    Task<IReadOnlyDictionary<string, ShownCandidate>> ShownAsync(string subscriptionId, CancellationToken cancellationToken = default);

    /// <summary>A subscription's lists, newest week first.</summary>
    Task<IReadOnlyList<Digest>> ListDigestsAsync(string subscriptionId, int limit, CancellationToken cancellationToken = default);

    /// <summary>Records a message unless one with its key exists; returns the stored one either way.</summary>
    Task<OutboxMessage> AddMessageAsync(OutboxMessage message, CancellationToken cancellationToken = default);

    Task<OutboxMessage?> GetMessageAsync(string messageId, CancellationToken cancellationToken = default);

    Task<OutboxMessage?> GetMessageByKeyAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>The subscription's newest message of a kind.</summary>
    Task<OutboxMessage?> LastMessageAsync(string subscriptionId, MessageKind kind, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes a message for one attempt: only a pending message that is due, whose subscription is active and that
    /// no other worker holds (a lease until <paramref name="leaseUntil"/>). Null when any of that fails.
    /// </summary>
    Task<OutboxMessage?> TryClaimAsync(string messageId, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records an attempt and its effect in one transaction: the message's new status; on success the subscription's
    /// failure count is cleared; when the message is given up the count rises, and at <see cref="AttemptResult.PauseAfterFailures"/>
    /// the subscription is paused with the error as its reason. Returns the subscription as it is afterwards.
    /// </summary>
    Task<Subscription?> RecordAttemptAsync(AttemptResult result, CancellationToken cancellationToken = default);

    /// <summary>A subscription's messages, newest first; <paramref name="before"/> pages on by sequence.</summary>
    Task<IReadOnlyList<OutboxMessage>> ListMessagesAsync(string subscriptionId, long? before, int limit, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<DeliveryAttempt>> ListAttemptsAsync(IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken = default);

    /// <summary>Pending messages of active subscriptions that are due and not held by a worker (to enqueue again after a lost job).</summary>
    Task<IReadOnlyList<string>> DueMessagesAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default);

    /// <summary>Pending messages (waiting for their first attempt or a retry, paused subscriptions' included) by their subscription's channel.</summary>
    Task<IReadOnlyDictionary<DeliveryChannel, long>> CountPendingAsync(CancellationToken cancellationToken = default);

    /// <summary>Marks a message cancelled (its subscription was unsubscribed before its turn). False unless it was pending.</summary>
    Task<bool> CancelMessageAsync(string messageId, CancellationToken cancellationToken = default);
}
