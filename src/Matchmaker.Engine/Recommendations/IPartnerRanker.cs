using Matchmaker.Engine.Graph;

namespace Matchmaker.Engine.Recommendations;

/// <summary>Ranks and explains partners for organizations of one snapshot. Thread-safe.</summary>
public interface IPartnerRanker
{
    string ModelVersion { get; }

    /// <summary>The best <paramref name="topK"/> partners for one organization (compact id), with reasons.</summary>
    RankedPartners Recommend(int organization, int topK);

    /// <summary>Scores and explains one pair on demand (rank 0: the pair is not placed in a list).</summary>
    RecommendedPartner ExplainPair(int organization, int candidate);

    /// <summary>
    /// Partners for a query computed now, with what the asker wrote (a call topic, a challenge, a draft abstract):
    /// the best <see cref="PartnerQuery.TopK"/> new organizations that pass <see cref="PartnerQuery.Accept"/>, then,
    /// labelled, as many existing partners (discovery first, as the stored lists).
    /// </summary>
    RankedPartners Query(PartnerQuery query);
}

/// <summary>An on-demand query: the asking organization (compact id), its text and call topics, a filter and a length.</summary>
public sealed record PartnerQuery(int Organization, string? Text, IReadOnlyList<string> Topics, int TopK)
{
    /// <summary>Candidates (compact ids) that may be listed; null accepts all.</summary>
    public Func<int, bool>? Accept { get; init; }
}

/// <summary>Binds a ranker to a snapshot (rankers precompute per-snapshot statistics).</summary>
public interface IPartnerRankerFactory
{
    IPartnerRanker Create(GraphSnapshot snapshot);
}

public sealed record RankedPartners(IReadOnlyList<RecommendedPartner> Items, int PairsScored)
{
    /// <summary>Where the time of this list went, in <see cref="System.Diagnostics.Stopwatch"/> ticks (zero when the ranker does not say).</summary>
    public RankerPhases Phases { get; init; }
}

/// <summary>
/// Time one list took by phase, in <see cref="System.Diagnostics.Stopwatch"/> ticks: preparing the query and
/// generating candidates, pair features, the trees' scores, choosing the list, and the reasons with the list's items.
/// </summary>
public readonly record struct RankerPhases(long Candidates, long Features, long Trees, long Choose, long Reasons)
{
    public static RankerPhases operator +(RankerPhases x, RankerPhases y) =>
        new(x.Candidates + y.Candidates, x.Features + y.Features, x.Trees + y.Trees, x.Choose + y.Choose, x.Reasons + y.Reasons);
}
