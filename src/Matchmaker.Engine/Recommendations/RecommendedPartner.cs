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
