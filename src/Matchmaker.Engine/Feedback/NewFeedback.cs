using Matchmaker.Engine.Domain;

namespace Matchmaker.Engine.Feedback;

/// <summary>Feedback to record. The constructor enforces the rules: a decline needs a reason, nothing else takes one.</summary>
public sealed record NewFeedback
{
    public const int MaxCommentLength = 1000;

    public NewFeedback(string organizationId, string candidateId, FeedbackAction action, DeclineReason? reason, string? comment, string givenBy, DateTimeOffset at)
    {
        OrganizationId = Guard.Id(organizationId, "organizationId");
        CandidateId = Guard.Id(candidateId, "candidateId");
        if (CandidateId == OrganizationId) throw new DomainValidationException("candidateId", "is the organization itself");
        if (!Enum.IsDefined(action)) throw new DomainValidationException("action", "is not a known action");
        if (action == FeedbackAction.Decline && reason is null)
        {
            throw new DomainValidationException("reason", $"is required when declining; one of {string.Join(", ", FeedbackCodes.ReasonValues)}");
        }
        if (action != FeedbackAction.Decline && reason is not null) throw new DomainValidationException("reason", "is only given when declining");
        if (reason is { } r && !Enum.IsDefined(r)) throw new DomainValidationException("reason", "is not a known reason");
        Action = action;
        Reason = reason;
        Comment = Guard.Text(comment, "comment", MaxCommentLength);
        GivenBy = string.IsNullOrWhiteSpace(givenBy) ? throw new DomainValidationException("givenBy", "is required") : givenBy;
        At = at;
    }

    public string OrganizationId { get; }
    public string CandidateId { get; }
    public FeedbackAction Action { get; }
    public DeclineReason? Reason { get; }
    public string? Comment { get; }
    /// <summary>The API key that gave it (its id, never its secret).</summary>
    public string GivenBy { get; }
    public DateTimeOffset At { get; }

    /// <summary>
    /// The candidate had been shown to the organization when it was given: it was in the organization's served list
    /// then, or an earlier feedback on it was shown. Interest in a candidate never shown (anyone can accept every
    /// id, to see who accepted back) is kept in the log but counts toward no mutual interest and is no training label.
    /// </summary>
    public bool Shown { get; init; } = true;
}
