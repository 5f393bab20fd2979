using Matchmaker.Engine.Domain;

namespace Matchmaker.Engine.Matching;

/// <summary>The pair features, in column order. Names are stored with a model and must not be reordered.</summary>
public enum PairFeature
{
    JointProjects,
    JointRecencyWeighted,
    YearsSinceJoint,
    JointInQuerySectors,
    JointLedByQuery,
    JointLedByCandidate,
    JointInverseSize,
    CommonPartners,
    AdamicAdar,
    ResourceAllocation,
    PathLength,
    CandidateProjects,
    CandidateProjectsInSectors,
    CandidateRecentProjects,
    CandidateRecentInSectors,
    CandidateLed,
    CandidateDegree,
    CandidateSectorShare,
    CandidateKind,
    QueryKind,
    KindAffinity,
    SectorKindShare,
    SameCity,
    CityAffinity,
    DistanceKm,
    QueryProjects,
    QueryDegree,
    CandidateContributionLog,
    CandidateYearsSinceActive,
    CandidateMeetsQueryNeeds,
    QueryMeetsCandidateNeeds,
    DeclaredSectorOverlap,
    CityPairShare,
    // Appended for new ties (issue 10); earlier columns keep their positions.
    TwoHopRecent,
    TwoHopInSectors,
    ConsortiumKindShare,
    KindGap,
    QueryContributionLog,
    CandidatePartnersPerProject,
    TwoHopRecentInSectors,
    CandidateRecentNewPartners,
    // Appended for discovery (issue 10): mass diffusion from the query (DiscoveryDiffusion). Every model has the
    // product's two-hop Diffusion (DiffusionOptions.TwoHops, the other two 0); the new-partner model's extractor
    // walks three hops and writes all three.
    Diffusion,
    DiffusionBeyondTwoHops,
    DiffusionRelative,
    // Appended for text matching (issue 19): what the asker wrote (TextMatcher). All 0 without a text matcher;
    // the query-text columns are 0 for a query without text, the topic columns for one without topics.
    QueryHasText,
    TextProfile,
    TextProfileRelative,
    TextSimilarProjects,
    TextSimilarProjectCount,
    ProfileSimilarity,
    TopicProjects,
    TopicDestinationProjects,
    TextProfileRank,
    TextBestSimilarProject,
}
