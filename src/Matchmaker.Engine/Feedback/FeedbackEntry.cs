namespace Matchmaker.Engine.Feedback;

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
