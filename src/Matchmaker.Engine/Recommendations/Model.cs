namespace Matchmaker.Engine.Recommendations;

/// <summary>One reason a candidate fits, in Chinese and English, with the evidence behind it (names, tags, years).</summary>
public sealed record Reason(string Code, string Zh, string En, IReadOnlyList<string> Evidence);

/// <summary>A scored, explained candidate in an organization's list.</summary>
public sealed record RecommendedPartner(
    string CandidateId,
    int Rank,
    double Score,
    IReadOnlyList<Reason> Reasons,
    bool ExistingPartner);

/// <summary>An organization's whole list, as computed by one run. Readers always get a whole list of one run.</summary>
public sealed record RecommendationList(
    string OrganizationId,
    string RunId,
    string ModelVersion,
    DateTimeOffset ComputedAt,
    IReadOnlyList<RecommendedPartner> Items);

public enum RunKind
{
    /// <summary>Every organization, split into shards by compact id range.</summary>
    Full,
    /// <summary>A few organizations after graph changes.</summary>
    Incremental,
}

public enum RunStatus
{
    Running,
    Published,
    Failed,
}

/// <summary>A recompute run and its progress, as stored (shared by every worker).</summary>
public sealed record RecomputeRun(
    string Id,
    RunKind Kind,
    RunStatus Status,
    string ModelVersion,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    int ShardsTotal,
    int ShardsDone,
    long OrganizationsScored,
    long PairsScored,
    double ComputeSeconds,
    string? Error)
{
    /// <summary>Pairs scored per second of shard compute time (summed over workers).</summary>
    public double PairsPerSecond => ComputeSeconds > 0 ? PairsScored / ComputeSeconds : 0;
}

/// <summary>What one shard produced: the lists plus the work it took, for progress reporting.</summary>
public sealed record ShardResult(int Shard, IReadOnlyList<RecommendationList> Lists, long PairsScored, double ComputeSeconds);
