using System.Globalization;
using System.IO.Compression;

namespace Matchmaker.Bench.Dense;

/// <summary>One Horizon Europe project's fields that the dense experiment reads (CORDIS, European Commission).</summary>
internal sealed record HorizonProject(long Id, int StartYear, string Title, string Objective, string Keywords, string TopicTitles)
{
    /// <summary>A past project as an organisation's profile sees it (title, objective, keywords, topic titles).</summary>
    public string DocumentText => Join(Title, Objective, Keywords, TopicTitles);

    /// <summary>The protocol's query text: topic titles, title, objective, keywords.</summary>
    public string QueryText => Join(TopicTitles, Title, Objective, Keywords);

    private static string Join(params string[] parts) =>
        string.Join(". ", parts.Where(p => p.Length > 0).Select(p => p.Replace(';', ' ')));
}

internal sealed record HorizonQuery(HorizonProject Project, int Coordinator, int[] Relevant, int[] RelevantNew, HashSet<int> PreviousPartners);

/// <summary>
/// The data README's protocol for one test year, read with a minimal private TSV reader (split on tabs, header by
/// name): known organisations (members of projects before Y, thirdParty left out), their past projects, activity and
/// partners, and the even- or odd-id queries of year Y with their answers. Organisations are indexed 0..n-1.
/// </summary>
internal sealed class HorizonSplit
{
    public required long[] OrgIds { get; init; }
    public required int[] Activity { get; init; }
    /// <summary>Tie order of the README: more projects before Y first, then the smaller orgId.</summary>
    public required int[] TieRank { get; init; }
    public required List<HorizonProject> PastProjects { get; init; }
    /// <summary>Per organisation, indexes into <see cref="PastProjects"/>.</summary>
    public required List<int>[] OrgProjects { get; init; }
    public required List<HorizonQuery> Queries { get; init; }
    public int SkippedRows { get; init; }

    private static readonly HashSet<string> MemberRoles = ["coordinator", "participant", "associatedPartner"];

    public static HorizonSplit Load(string dataDir, int testYear, Func<long, bool> keepQuery)
    {
        var skipped = 0;
        var projects = new Dictionary<long, HorizonProject>();
        foreach (var row in ReadTsv(Path.Combine(dataDir, "projects.tsv.gz")))
        {
            if (!long.TryParse(row("id"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var id)
                || !int.TryParse(row("startYear"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var year))
            {
                skipped++;
                continue;
            }
            projects[id] = new HorizonProject(id, year, row("title"), row("objective"), row("keywords"), row("topicTitles"));
        }

        var members = new Dictionary<long, HashSet<long>>();
        var coordinators = new Dictionary<long, long>();
        foreach (var row in ReadTsv(Path.Combine(dataDir, "participations.tsv.gz")))
        {
            var role = row("role");
            if (!MemberRoles.Contains(role)) continue;
            if (!long.TryParse(row("projectId"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid)
                || !long.TryParse(row("orgId"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var org)
                || !projects.ContainsKey(pid))
            {
                skipped++;
                continue;
            }
            if (!members.TryGetValue(pid, out var set)) members[pid] = set = [];
            set.Add(org);
            if (role == "coordinator") coordinators[pid] = org;
        }

        var past = projects.Values.Where(p => p.StartYear < testYear && members.ContainsKey(p.Id)).OrderBy(p => p.Id).ToList();
        var orgIds = past.SelectMany(p => members[p.Id]).Distinct().Order().ToArray();
        var index = new Dictionary<long, int>(orgIds.Length);
        for (var i = 0; i < orgIds.Length; i++) index[orgIds[i]] = i;
        var orgProjects = orgIds.Select(_ => new List<int>()).ToArray();
        var partners = orgIds.Select(_ => new HashSet<int>()).ToArray();
        for (var p = 0; p < past.Count; p++)
        {
            var ms = members[past[p].Id].Select(o => index[o]).ToArray();
            foreach (var m in ms)
            {
                orgProjects[m].Add(p);
                foreach (var other in ms) if (other != m) partners[m].Add(other);
            }
        }
        var activity = orgProjects.Select(l => l.Count).ToArray();
        var order = Enumerable.Range(0, orgIds.Length).OrderByDescending(i => activity[i]).ThenBy(i => orgIds[i]).ToArray();
        var tieRank = new int[orgIds.Length];
        for (var r = 0; r < order.Length; r++) tieRank[order[r]] = r;

        var queries = new List<HorizonQuery>();
        foreach (var p in projects.Values.Where(p => p.StartYear == testYear && keepQuery(p.Id)).OrderBy(p => p.Id))
        {
            if (!members.TryGetValue(p.Id, out var ms) || ms.Count < 3) continue;
            if (!coordinators.TryGetValue(p.Id, out var coordId) || !index.TryGetValue(coordId, out var coord)) continue;
            var relevant = ms.Where(o => o != coordId && index.ContainsKey(o)).Select(o => index[o]).Order().ToArray();
            if (relevant.Length == 0) continue;
            var previous = partners[coord];
            queries.Add(new HorizonQuery(p, coord, relevant, relevant.Where(r => !previous.Contains(r)).ToArray(), previous));
        }
        return new HorizonSplit
        {
            OrgIds = orgIds, Activity = activity, TieRank = tieRank, PastProjects = past, OrgProjects = orgProjects,
            Queries = queries, SkippedRows = skipped,
        };
    }

    /// <summary>Rows of a gzip TSV without quoting, each as a lookup by column name (a missing column reads empty).</summary>
    private static IEnumerable<Func<string, string>> ReadTsv(string path)
    {
        using var reader = new StreamReader(new GZipStream(File.OpenRead(path), CompressionMode.Decompress));
        var header = (reader.ReadLine() ?? "").Split('\t');
        var columns = header.Select((name, i) => (name, i)).ToDictionary(x => x.name, x => x.i);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0) continue;
            var cells = line.Split('\t');
            yield return name => columns.TryGetValue(name, out var i) && i < cells.Length ? cells[i] : "";
        }
    }
}
