namespace Matchmaker.Engine.Recommendations;

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
