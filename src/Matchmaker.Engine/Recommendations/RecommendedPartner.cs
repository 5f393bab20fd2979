namespace Matchmaker.Engine.Recommendations;

/// <summary>One reason a candidate fits, in Chinese and English, with the evidence behind it (names, tags, years).</summary>
public sealed record Reason(string Code, string Zh, string En, IReadOnlyList<string> Evidence);

/// <summary>
/// A scored, explained candidate in an organization's list. It carries the candidate's display fields so that
/// readers filter and render lists from the recommendation store alone, without the graph.
/// </summary>
public sealed record RecommendedPartner(
    string CandidateId,
    int Rank,
    double Score,
    IReadOnlyList<Reason> Reasons,
    bool ExistingPartner,
    CandidateSummary? Candidate = null);

/// <summary>What a list shows of a candidate.</summary>
public sealed record CandidateSummary(string? NameZh, string? NameEn, string Kind, string City, IReadOnlyList<string> Sectors)
{
    public static CandidateSummary Of(Graph.GraphSnapshot snapshot, int organization)
    {
        var details = snapshot.Details[organization];
        return new CandidateSummary(details?.NameZh, details?.NameEn ?? snapshot.OrganizationIds[organization],
            Domain.Codes.ToCode(snapshot.Kinds[organization]), snapshot.CityCodes[snapshot.OrganizationCities[organization]],
            details?.Sectors ?? [.. snapshot.OrganizationSectors[organization].ToArray().Select(s => snapshot.SectorCodes[s])]);
    }
}

/// <summary>An organization's whole list, as computed by one run. Readers always get a whole list of one run.</summary>
public sealed record RecommendationList(
    string OrganizationId,
    string RunId,
    string ModelVersion,
    DateTimeOffset ComputedAt,
    IReadOnlyList<RecommendedPartner> Items);

/// <summary>
/// An organization's current list with its items as stored: a UTF-8 JSON array of <see cref="RecommendedPartner"/>
/// in the wire shape, so that readers can serve it without decoding it into objects.
/// </summary>
public sealed record StoredListJson(string OrganizationId, string RunId, string ModelVersion, DateTimeOffset ComputedAt, byte[] ItemsUtf8)
{
    public RecommendationList Decode() => new(OrganizationId, RunId, ModelVersion, ComputedAt,
        System.Text.Json.JsonSerializer.Deserialize<List<RecommendedPartner>>(ItemsUtf8, Import.WireJson.Options)!);
}

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
