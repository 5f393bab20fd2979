using Matchmaker.Engine.Recommendations;

namespace Matchmaker.Engine.Delivery;

/// <summary>One candidate in a weekly list. <see cref="Repeated"/>: shown before, listed again because its score rose markedly or interest became mutual.</summary>
public sealed record DigestItem(
    string CandidateId, int Rank, double Score, bool Mutual, bool Repeated, CandidateSummary? Candidate, IReadOnlyList<Reason> Reasons);

/// <summary>A role slot missing from a saved consortium plan, with candidates from the list who can fill it.</summary>
public sealed record DigestGap(string PlanId, string PlanName, string Role, IReadOnlyList<DigestItem> Candidates);

/// <summary>
/// A weekly list as composed: once per subscription per ISO week (<see cref="Week"/>, e.g. 2026-W48), which is its
/// idempotency key. The list page and every rendering are made from this record.
/// </summary>
public sealed record Digest(
    string Id,
    string SubscriptionId,
    string OrganizationId,
    string? OrganizationNameZh,
    string? OrganizationNameEn,
    string Week,
    DateTimeOffset ComposedAt,
    string RunId,
    string ModelVersion,
    DigestLanguage Language,
    IReadOnlyList<DigestItem> Items,
    IReadOnlyList<DigestGap> Gaps)
{
    public bool IsEmpty => Items.Count == 0 && Gaps.Count == 0;
}

/// <summary>The latest time a list showed a candidate: its week, score and model, and whether interest was mutual then.</summary>
public sealed record ShownCandidate(string CandidateId, string Week, double Score, bool Mutual, string ModelVersion);
