namespace Matchmaker.Engine.Delivery;

public enum AttemptOutcome
{
    Sent,
    /// <summary>May work later (timeouts, 4xx SMTP replies, HTTP 5xx, 408, 429).</summary>
    TransientFailure,
    /// <summary>Will not work by retrying (SMTP 5xx such as an unknown mailbox, HTTP 4xx, a robot's error code).</summary>
    PermanentFailure,
}

/// <summary>One attempt at a message, for the delivery log.</summary>
public sealed record DeliveryAttempt(
    string MessageId, int Attempt, DateTimeOffset At, AttemptOutcome Outcome, int? StatusCode, string? Error, long DurationMs);

/// <summary>How an attempt ends a message: its new status, when to try again, and what it does to the subscription.</summary>
public sealed record AttemptResult(DeliveryAttempt Attempt, MessageStatus Status, DateTimeOffset? NextAttemptAt, int PauseAfterFailures);
