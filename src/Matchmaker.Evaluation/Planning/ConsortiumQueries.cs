using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Matching.Evaluation;

namespace Matchmaker.Engine.Planning;

/// <summary>
/// A real consortium of the test year as a planner request: the coordinator as lead, the main programme part(s) as
/// sectors, one slot per activity type of the other members (HES, REC, PRC, PUB, OTH, as many places as the project
/// had members of that type, only organizations of that type's kind), and the proposal's text as the challenge.
/// <see cref="KnownTypes"/> holds the other members known before the year, the ones a team can recover, by PIC.
/// </summary>
public sealed record ConsortiumQuery(
    string ProjectId, string Lead, IReadOnlyList<string> Sectors, IReadOnlyList<SlotRequest> Slots, IReadOnlyList<string> SlotTypes,
    IReadOnlyDictionary<string, string> KnownTypes)
{
    /// <summary>The planner's challenge: the proposal's text, or null when the data has none (CORDIS H2020).</summary>
    public string? Challenge { get; init; }

    /// <summary>How many members known before the year each activity type has.</summary>
    public IReadOnlyDictionary<string, int> KnownByType { get; } =
        KnownTypes.Values.GroupBy(t => t, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    public PlanRequest Request(ObjectiveWeights weights) =>
        new() { LeadId = Lead, Sectors = Sectors, Slots = Slots, Challenge = Challenge, Alternatives = 1, Weights = weights };
}

/// <summary>The consortium track's queries of both CORDIS datasets, built the same way from their members.</summary>
public static class ConsortiumQueries
{
    /// <summary>
    /// CORDIS H2020: every project of <paramref name="year"/> with at least 3 members, a coordinator known to
    /// <paramref name="before"/> and another member known to it; its programme parts are the sectors; no text.
    /// </summary>
    public static IReadOnlyList<ConsortiumQuery> Cordis(CordisDataset data, GraphSnapshot before, int year)
    {
        var result = new List<ConsortiumQuery>();
        foreach (var project in data.Projects.Where(p => p.StartYear == year))
        {
            if (project.Members.Count < TimeSplit.MinMembers || project.Coordinator is not { } lead) continue;
            var query = Build(project.Rcn, lead.Pic, project.ProgrammeParts, project.Members.Select(m => (m.Pic, m.Type)), before);
            if (query is not null) result.Add(query);
        }
        return result;
    }

    /// <summary>
    /// Horizon Europe: the protocol's queries of <paramref name="year"/> (data README: at least 3 members, a coordinator
    /// known before the year, at least one other member known), with the main legal basis as the sector and the text
    /// <paramref name="text"/> allows (<see cref="HorizonDataset.QueryText"/>) as the challenge.
    /// </summary>
    public static IReadOnlyList<ConsortiumQuery> Horizon(HorizonDataset data, GraphSnapshot before, int year, QueryTextMode text = QueryTextMode.Full)
    {
        var result = new List<ConsortiumQuery>();
        foreach (var q in TimeSplit.Queries(before, data.ProjectsOfYear(year)))
        {
            var project = data.Project(q.Id!)!;
            var sectors = project.MainLegalBasis.Length == 0 ? [] : new[] { project.MainLegalBasis };
            var query = Build(project.Id, project.Coordinator!.OrgId, sectors, project.Members.Select(m => (m.OrgId, m.ActivityType)), before);
            if (query is not null) result.Add(query with { Challenge = HorizonDataset.QueryText(project, text) });
        }
        return result;
    }

    /// <summary>
    /// One slot per activity type of the members other than the lead (an organization listed twice counts once, with
    /// its first type), in type order; null when none of them is known to <paramref name="before"/> or the lead is not.
    /// </summary>
    public static ConsortiumQuery? Build(string projectId, string lead, IEnumerable<string> sectors, IEnumerable<(string Id, string Type)> members, GraphSnapshot before)
    {
        if (before.IndexOf(lead) < 0) return null;
        var others = members.Where(m => m.Id != lead).GroupBy(m => m.Id, StringComparer.Ordinal).Select(g => g.First()).ToArray();
        var known = others.Where(m => before.IndexOf(m.Id) >= 0).ToDictionary(m => m.Id, m => m.Type, StringComparer.Ordinal);
        if (known.Count == 0) return null;
        var byType = others.GroupBy(m => m.Type, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToArray();
        var slots = byType.Select(g => new SlotRequest(CordisDataset.RoleOf(g.Key), g.Count(), [CordisDataset.KindOf(g.Key)])).ToArray();
        return new ConsortiumQuery(projectId, lead, sectors.ToArray(), slots, byType.Select(g => g.Key).ToArray(), known);
    }
}
