using Matchmaker.Engine.Graph;

namespace Matchmaker.Engine.Matching.Evaluation;

/// <summary>
/// The evaluation protocol on a time split: the snapshot holds only what happened before the query year; each
/// later project with at least <see cref="MinMembers"/> members and a lead known to the snapshot asks "who
/// should join?", and its answers are the other members known to the snapshot. Queries with no such answer
/// are dropped, since nothing could be found for them.
/// </summary>
public static class TimeSplit
{
    public const int MinMembers = 3;

    public sealed record FutureProject(string Id, int Year, IReadOnlyList<string> Sectors, string? LeadId, IReadOnlyList<string> MemberIds)
    {
        /// <summary>What the lead wrote before the consortium was complete (topics, title, summary, keywords), or null.</summary>
        public string? Text { get; init; }
        /// <summary>The call topic codes the project answered.</summary>
        public string[] Topics { get; init; } = [];

        /// <summary>The query text and topics of a project with these texts (the protocol's query: topic titles, title, summary, keywords).</summary>
        public FutureProject WithText(Graph.ProjectText? text) =>
            text is null ? this : this with { Text = text.FullText, Topics = [.. text.TopicCodes] };
    }

    public static IReadOnlyList<MatchQuery> Queries(GraphSnapshot before, IEnumerable<FutureProject> projects)
    {
        var queries = new List<MatchQuery>();
        foreach (var project in projects)
        {
            if (project.MemberIds.Count < MinMembers || project.LeadId is null) continue;
            var lead = before.IndexOf(project.LeadId);
            if (lead < 0) continue;
            var relevant = project.MemberIds.Select(before.IndexOf).Where(i => i >= 0 && i != lead).Distinct().ToArray();
            if (relevant.Length == 0) continue;
            var sectors = project.Sectors.Select(before.SectorIndexOf).Where(s => s >= 0).Distinct().ToArray();
            queries.Add(new MatchQuery(lead, sectors, project.Year) { Id = project.Id, Relevant = relevant, Text = project.Text, Topics = project.Topics });
        }
        return queries;
    }

    /// <summary>
    /// The new-partner track: each query keeps only the answers its organization had no joint project with in
    /// <paramref name="before"/>; queries left without an answer are dropped.
    /// </summary>
    public static IReadOnlyList<MatchQuery> NewPartnerQueries(GraphSnapshot before, IEnumerable<MatchQuery> queries)
    {
        var result = new List<MatchQuery>();
        foreach (var q in queries)
        {
            var partners = before.Partners[q.Organization].ToArray();
            var fresh = q.Relevant.Where(r => Array.IndexOf(partners, r) < 0).ToArray();
            if (fresh.Length > 0) result.Add(q with { Relevant = fresh });
        }
        return result;
    }

    /// <summary>Sets the score of the query organization's previous partners to -infinity (removed from the ranking).</summary>
    public static void RemovePreviousPartners(GraphSnapshot before, MatchQuery query, Span<double> scores)
    {
        foreach (var b in before.Partners[query.Organization]) scores[b] = double.NegativeInfinity;
    }

    /// <summary>True when the snapshot holds nothing from the query years or later (no label inside the feature window).</summary>
    public static bool IsLeakFree(GraphSnapshot before, IEnumerable<MatchQuery> queries)
    {
        var minYear = queries.Select(q => q.Year).DefaultIfEmpty(int.MaxValue).Min();
        return before.ProjectYears.All(y => y < minYear);
    }
}
