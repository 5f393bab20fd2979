namespace Matchmaker.Engine.Delivery;

public enum MessageKind
{
    WeeklyList,
    Webhook,
}

public enum MessageStatus
{
    /// <summary>Waiting for its first or next attempt.</summary>
    Pending,
    Sent,
    /// <summary>Given up: a permanent refusal, or every retry failed. Resuming the subscription queues it again.</summary>
    Failed,
    /// <summary>Not sent because the subscription was unsubscribed or deleted before its turn.</summary>
    Cancelled,
}

/// <summary>
/// What is sent, rendered once when the message is recorded. E-mail uses subject, HTML and text (and the unsubscribe
/// link for its List-Unsubscribe header); HTTP channels send the JSON body.
/// </summary>
public sealed record MessageContent(string Subject, string? Html, string? Text, string? Json, string? UnsubscribeUrl = null);

/// <summary>A message in the outbox: recorded before any attempt, so that nothing is lost and nothing is sent twice.</summary>
public sealed record OutboxMessage(
    long Sequence,
    string Id,
    string SubscriptionId,
    MessageKind Kind,
    /// <summary>The idempotency key: one message per key (list:{digestId}, webhook:{runId}:{subscriptionId}).</summary>
    string Key,
    MessageContent Content,
    MessageStatus Status,
    /// <summary>Attempts so far, over the message's whole life (the attempt log is numbered by it).</summary>
    int Attempts,
    /// <summary>Attempts made before the subscription was last resumed; retries are counted from here.</summary>
    int RetryBase,
    string? LastError,
    bool PermanentFailure,
    DateTimeOffset CreatedAt,
    DateTimeOffset NextAttemptAt,
    DateTimeOffset? SentAt);
