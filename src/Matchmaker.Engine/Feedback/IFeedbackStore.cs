namespace Matchmaker.Engine.Feedback;

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
