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
}

/// <summary>Binds a ranker to a snapshot (rankers precompute per-snapshot statistics).</summary>
public interface IPartnerRankerFactory
{
    IPartnerRanker Create(GraphSnapshot snapshot);
}

public sealed record RankedPartners(IReadOnlyList<RecommendedPartner> Items, int PairsScored);
