using Matchmaker.Engine.Domain;

namespace Matchmaker.Engine.Feedback;

/// <summary>What an organization says about a recommended candidate.</summary>
public enum FeedbackAction
{
    /// <summary>Interested: wants to talk to the candidate.</summary>
    Accept,
    /// <summary>Not interested, with a <see cref="DeclineReason"/>; hides the candidate from the organization's lists.</summary>
    Decline,
    /// <summary>Has contacted the candidate (implies interest).</summary>
    Contacted,
    /// <summary>Formed a consortium with the candidate (the strongest positive label).</summary>
    Formed,
}

/// <summary>Why a candidate was declined: a fixed list, so that reasons can be counted and learned from.</summary>
public enum DeclineReason
{
    WrongField,
    TooFar,
    AlreadyPartners,
    NotRightStage,
    NoCapacity,
    Other,
}

/// <summary>Wire names (kebab-case) of actions and reasons, shared by the API, the stores and the docs.</summary>
public static class FeedbackCodes
{
    public static readonly IReadOnlyList<string> ActionValues = ["accept", "decline", "contacted", "formed"];
    public static readonly IReadOnlyList<string> ReasonValues = ["wrong-field", "too-far", "already-partners", "not-right-stage", "no-capacity", "other"];

    public static string ToCode(FeedbackAction action) => ActionValues[(int)action];

    public static string ToCode(DeclineReason reason) => ReasonValues[(int)reason];

    public static bool TryParseAction(string? value, out FeedbackAction action) => TryParse(ActionValues, value, out action);

    public static bool TryParseReason(string? value, out DeclineReason reason) => TryParse(ReasonValues, value, out reason);

    /// <summary>Accept, contacted and formed all say "interested"; only decline says otherwise.</summary>
    public static bool IsInterest(FeedbackAction action) => action != FeedbackAction.Decline;

    /// <summary>The ranking label a pair's latest feedback gives: formed 3, contacted 2, accept 1, decline 0.</summary>
    public static float Grade(FeedbackAction action) => action switch
    {
        FeedbackAction.Formed => 3,
        FeedbackAction.Contacted => 2,
        FeedbackAction.Accept => 1,
        _ => 0,
    };

    private static bool TryParse<T>(IReadOnlyList<string> values, string? value, out T result) where T : struct, Enum
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (string.Equals(values[i], value, StringComparison.OrdinalIgnoreCase))
            {
                result = (T)(object)i;
                return true;
            }
        }
        result = default;
        return false;
    }
}

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

/// <summary>Recorded feedback. <see cref="Sequence"/> orders all feedback (later feedback on a pair supersedes earlier).</summary>
/// <see cref="Shown"/>: see <see cref="NewFeedback.Shown"/>.
public sealed record FeedbackEntry(
    long Sequence, string OrganizationId, string CandidateId, FeedbackAction Action, DeclineReason? Reason, string? Comment, string GivenBy, DateTimeOffset At,
    bool Shown = true);

/// <summary>
/// An organization's feedback as it stands: its latest feedback per candidate, and who is interested in it (their
/// latest feedback about it is accept, contacted or formed). <see cref="Version"/> changes whenever either side
/// changes, so responses that depend on it can be cached by it.
/// </summary>
public sealed record FeedbackState(
    string OrganizationId,
    long Version,
    IReadOnlyDictionary<string, FeedbackEntry> Given,
    IReadOnlyDictionary<string, FeedbackEntry> InterestedInUs)
{
    public static FeedbackState Empty(string organizationId) =>
        new(organizationId, 0, new Dictionary<string, FeedbackEntry>(), new Dictionary<string, FeedbackEntry>());

    /// <summary>The organization declined the candidate (and has not changed its mind since).</summary>
    public bool IsDeclined(string candidateId) => Given.TryGetValue(candidateId, out var e) && e.Action == FeedbackAction.Decline;

    /// <summary>
    /// Both sides' latest feedback about each other says interested, each about a candidate it had been shown: an
    /// organization that accepts every id learns nothing from the ones it was never shown, and its blind accepts
    /// make no one else see mutual interest either.
    /// </summary>
    public bool IsMutual(string candidateId) =>
        Given.TryGetValue(candidateId, out var e) && FeedbackCodes.IsInterest(e.Action) && e.Shown
        && InterestedInUs.TryGetValue(candidateId, out var theirs) && theirs.Shown;

    public IEnumerable<string> Mutual => Given.Keys.Where(IsMutual);
}

public sealed record FeedbackPage(IReadOnlyList<FeedbackEntry> Items, long? NextBefore);

/// <summary>
/// Feedback on recommendations: an append-only log (who said what about whom, when) and, written in the same
/// transaction, the latest entry per (organization, candidate) pair, from which the current state is read (lists,
/// widget, pairs, digests, training) at a cost of the pairs, not of the log's length. "Latest" is the highest
/// <see cref="FeedbackEntry.Sequence"/>, whatever the entries' times. Two adapters, SQLite (embedded) and PostgreSQL
/// (production), held to one contract test suite.
/// </summary>
public interface IFeedbackStore
{
    Task InitializeAsync(CancellationToken cancellationToken = default);

    /// <summary>Appends feedback; once this returns, it is durable.</summary>
    Task<FeedbackEntry> AddAsync(NewFeedback feedback, CancellationToken cancellationToken = default);

    /// <summary>The organization's feedback, newest first, optionally about one candidate; <paramref name="before"/> pages on by sequence.</summary>
    Task<FeedbackPage> ListAsync(string organizationId, string? candidateId, long? before, int limit, CancellationToken cancellationToken = default);

    Task<FeedbackState> GetStateAsync(string organizationId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Organizations on either side of a pair whose latest feedback has a sequence above <paramref name="afterSequence"/>
    /// (the same organizations as the log entries above it), and the highest sequence seen.
    /// </summary>
    Task<(IReadOnlyCollection<string> Organizations, long MaxSequence)> InvolvedSinceAsync(long afterSequence, CancellationToken cancellationToken = default);

    /// <summary>The latest feedback on every pair, for training (one entry per organization and candidate).</summary>
    Task<IReadOnlyList<FeedbackEntry>> LatestPerPairAsync(CancellationToken cancellationToken = default);
}
