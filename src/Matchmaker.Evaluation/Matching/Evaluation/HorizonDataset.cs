using System.Globalization;
using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Graph;

namespace Matchmaker.Engine.Matching.Evaluation;

/// <summary>What a protocol query may carry as text: nothing, the call topic (titles and codes), or the proposal's texts.</summary>
public enum QueryTextMode
{
    None,
    Topic,
    Full,
}

/// <summary>
/// Horizon Europe projects published by CORDIS (European Commission), with their texts and members (see the data's
/// README for the columns and the fixed protocol). Activity types become kinds and roles, countries become cities,
/// the main legal basis (programme part) becomes the sector, and titles, objectives, keywords and call topics
/// become <see cref="ProjectText"/>.
/// </summary>
public sealed class HorizonDataset
{
    /// <summary>An organisation as its first member row describes it (PIC, names, country, activity type, SME flag).</summary>
    public sealed record OrganizationRecord(string OrgId, string LegalName, string? ShortName, string Country, string? City, string ActivityType, bool? Sme);

    public sealed record Member(string OrgId, bool IsCoordinator, string ActivityType, float Contribution);

    public sealed record ProjectRecord(
        string Id, int StartYear, string Acronym, string Title, string Objective, IReadOnlyList<string> Keywords,
        IReadOnlyList<string> Topics, IReadOnlyList<string> TopicTitles, IReadOnlyList<string> LegalBasis, IReadOnlyList<Member> Members)
    {
        /// <summary>The main programme part (the first legal basis), e.g. <c>HORIZON.2.5</c>; empty when unknown.</summary>
        public string MainLegalBasis => LegalBasis.Count > 0 ? LegalBasis[0] : "";

        public Member? Coordinator => Members.FirstOrDefault(m => m.IsCoordinator);

        /// <summary>The destination of the first topic (<see cref="Destination"/>), or empty.</summary>
        public string MainDestination => Topics.Count > 0 ? Destination(Topics[0]) : "";

        public ProjectText Text => new(Title, Objective, Keywords, Topics, TopicTitles.Cast<string?>().ToArray());
    }

    /// <summary>The member roles of the protocol; third parties are left out everywhere.</summary>
    public static readonly IReadOnlySet<string> MemberRoles = new HashSet<string>(StringComparer.Ordinal) { "coordinator", "participant", "associatedPartner" };

    private HorizonDataset(IReadOnlyList<ProjectRecord> projects, IReadOnlyDictionary<string, OrganizationRecord> organizations, IReadOnlyList<LoadReport> reports)
    {
        Projects = projects;
        Organizations = organizations;
        Reports = reports;
        _byId = projects.ToDictionary(p => p.Id, StringComparer.Ordinal);
    }

    private readonly Dictionary<string, ProjectRecord> _byId;

    /// <summary>Projects in file order.</summary>
    public IReadOnlyList<ProjectRecord> Projects { get; }

    /// <summary>Every organisation with a member row, by PIC.</summary>
    public IReadOnlyDictionary<string, OrganizationRecord> Organizations { get; }

    /// <summary>What the load read and what it skipped or defaulted (projects, then participations).</summary>
    public IReadOnlyList<LoadReport> Reports { get; }

    public ProjectRecord? Project(string id) => _byId.GetValueOrDefault(id);

    /// <summary>
    /// The topic code cut after the segment that follows the year: <c>HORIZON-CL5-2021-D2-01-11</c> gives
    /// <c>HORIZON-CL5-2021-D2</c>. A code without a year segment is its own destination.
    /// </summary>
    public static string Destination(string topic)
    {
        var segments = topic.Split('-');
        for (var i = 0; i < segments.Length; i++)
        {
            if (segments[i].Length == 4 && segments[i].All(char.IsAsciiDigit)) return string.Join('-', segments, 0, Math.Min(i + 2, segments.Length));
        }
        return topic;
    }

    public static HorizonDataset Load(string directory)
    {
        var projectReport = new LoadReport("projects.tsv");
        var rows = new List<(Dictionary<string, string> Row, int Year)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in LoadReport.ReadRows(LoadReport.FindFile(directory, "projects.tsv"), '\t', projectReport))
        {
            var id = row["id"];
            if (LoadReport.IsMissing(id))
            {
                projectReport.Skip("no id");
                continue;
            }
            if (!seen.Add(id))
            {
                projectReport.Skip("repeated id");
                continue;
            }
            if (StartYear(row, projectReport) is not { } year)
            {
                projectReport.Skip("no startYear nor startDate");
                continue;
            }
            rows.Add((row, year));
        }

        var memberReport = new LoadReport("participations.tsv");
        var members = new Dictionary<string, List<Member>>(StringComparer.Ordinal);
        var organizations = new Dictionary<string, OrganizationRecord>(StringComparer.Ordinal);
        foreach (var row in LoadReport.ReadRows(LoadReport.FindFile(directory, "participations.tsv"), '\t', memberReport))
        {
            var projectId = row["projectId"];
            var orgId = row["orgId"];
            var role = row["role"];
            if (LoadReport.IsMissing(projectId) || LoadReport.IsMissing(orgId))
            {
                memberReport.Skip(LoadReport.IsMissing(projectId) ? "no projectId" : "no orgId");
                continue;
            }
            if (!seen.Contains(projectId))
            {
                memberReport.Skip("unknown project");
                continue;
            }
            if (!MemberRoles.Contains(role))
            {
                memberReport.Skip(role == "thirdParty" ? "thirdParty, not a member" : "unknown role");
                continue;
            }
            var type = row["activityType"];
            if (LoadReport.IsMissing(type))
            {
                memberReport.Default("activityType");
                type = "OTH";
            }
            if (!organizations.ContainsKey(orgId))
            {
                // Country "NA" is Namibia; only an empty country is unknown.
                var country = row["country"];
                if (country.Length == 0) memberReport.Default("country");
                bool? sme = row["sme"] switch { "true" => true, "false" => false, _ => null };
                if (sme is null) memberReport.Default("sme");
                var legalName = row["legalName"];
                if (legalName.Length == 0) memberReport.Default("legalName");
                organizations[orgId] = new OrganizationRecord(orgId, legalName.Length == 0 ? orgId : legalName,
                    NullIfEmpty(row["shortName"]), country, NullIfEmpty(row["city"]), type, sme);
            }
            var contribution = float.NaN;
            // Associated partners get no EU funding: their contribution is empty, i.e. not applicable.
            if (float.TryParse(row["ecContribution"], NumberStyles.Float, CultureInfo.InvariantCulture, out var money)) contribution = money;
            else if (role != "associatedPartner") memberReport.Default("ecContribution");
            if (!members.TryGetValue(projectId, out var list)) members[projectId] = list = [];
            var at = list.FindIndex(m => m.OrgId == orgId);
            var member = new Member(orgId, role == "coordinator", type, contribution);
            if (at < 0) list.Add(member);
            // An organisation twice in one project counts once, as coordinator if either row says so.
            else list[at] = list[at] with { IsCoordinator = list[at].IsCoordinator || member.IsCoordinator };
            memberReport.Load();
        }

        var projects = new List<ProjectRecord>(rows.Count);
        foreach (var (row, year) in rows)
        {
            var topics = List(row["topics"], ';');
            var titles = row["topicTitles"];
            // Topic titles may contain ';': with a single topic, the whole cell is its title.
            IReadOnlyList<string> topicTitles = LoadReport.IsMissing(titles) ? [] : topics.Count <= 1 ? [titles] : List(titles, ';');
            var legalBasis = List(row["legalBasis"], ';');
            if (legalBasis.Count == 0) projectReport.Default("legalBasis");
            var title = row["title"];
            var objective = row["objective"];
            if (LoadReport.IsMissing(title)) projectReport.Default("title");
            if (LoadReport.IsMissing(objective)) projectReport.Default("objective");
            projects.Add(new ProjectRecord(row["id"], year, row["acronym"], LoadReport.IsMissing(title) ? "" : title,
                LoadReport.IsMissing(objective) ? "" : objective, List(row["keywords"], ','), topics, topicTitles, legalBasis,
                members.TryGetValue(row["id"], out var list) ? list : []));
            projectReport.Load();
        }
        return new HorizonDataset(projects, organizations, [projectReport, memberReport]);
    }

    private static int? StartYear(Dictionary<string, string> row, LoadReport report)
    {
        if (int.TryParse(row["startYear"], NumberStyles.None, CultureInfo.InvariantCulture, out var year)) return year;
        var date = row["startDate"];
        if (date.Length >= 4 && int.TryParse(date.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out year))
        {
            report.Default("startYear (from startDate)");
            return year;
        }
        return null;
    }

    private static string? NullIfEmpty(string cell) => LoadReport.IsMissing(cell) ? null : cell;

    private static IReadOnlyList<string> List(string cell, char separator) =>
        LoadReport.IsMissing(cell) ? [] : cell.Split(separator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>
    /// The graph of every project that started before <paramref name="beforeYear"/> (with its texts), and only those.
    /// The sector of a project is its main legal basis.
    /// </summary>
    public GraphSnapshot BuildSnapshot(int beforeYear, DateTimeOffset builtAt)
    {
        var builder = new GraphSnapshotBuilder();
        // Organizations are numbered in id order (PICs have 9 digits, so ordinal order is numeric order): ties in a
        // ranking are broken by index, which is then the protocol's last tie-break.
        var known = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var project in Projects.Where(p => p.StartYear < beforeYear))
        {
            foreach (var m in project.Members) known.Add(m.OrgId);
        }
        foreach (var id in known)
        {
            var o = Organizations[id];
            builder.AddOrganization(id, CordisDataset.KindOf(o.ActivityType), o.Country, []);
        }
        foreach (var project in Projects)
        {
            if (project.StartYear >= beforeYear) continue;
            builder.AddProject(project.Id, project.StartYear, Sectors(project),
                project.Members.Select(m => new GraphSnapshotBuilder.Membership(m.OrgId, CordisDataset.RoleOf(m.ActivityType), m.IsCoordinator, m.Contribution)),
                project.Text);
        }
        return builder.Build(builtAt);
    }

    private static string[] Sectors(ProjectRecord p) => p.MainLegalBasis.Length == 0 ? [] : [p.MainLegalBasis];

    /// <summary>The projects of one start year as protocol input: coordinator, sector and members.</summary>
    public IEnumerable<TimeSplit.FutureProject> ProjectsOfYear(int year) =>
        Projects.Where(p => p.StartYear == year).Select(p => new TimeSplit.FutureProject(
            p.Id, p.StartYear, Sectors(p), p.Coordinator?.OrgId, p.Members.Select(m => m.OrgId).ToArray()));

    /// <summary>
    /// The protocol's queries of <paramref name="year"/> on <paramref name="before"/> (a snapshot of the projects before
    /// it): at least 3 members, a coordinator known before, answers = the other members known before. Each carries
    /// the text <paramref name="text"/> allows: topic titles and codes, or those plus title, objective and keywords.
    /// </summary>
    public IReadOnlyList<MatchQuery> Queries(GraphSnapshot before, int year, QueryTextMode text = QueryTextMode.Full) =>
        TimeSplit.Queries(before, ProjectsOfYear(year)).Select(q => WithText(q, _byId[q.Id], text)).ToArray();

    /// <summary>The query's text in the protocol's field order: topic titles, title, objective, keywords.</summary>
    public static string? QueryText(ProjectRecord p, QueryTextMode mode) => mode switch
    {
        QueryTextMode.None => null,
        QueryTextMode.Topic => string.Join('\n', p.TopicTitles),
        _ => string.Join('\n', p.TopicTitles.Append(p.Title).Append(p.Objective).Append(string.Join(", ", p.Keywords)).Where(t => t.Length > 0)),
    };

    private static MatchQuery WithText(MatchQuery q, ProjectRecord p, QueryTextMode mode) =>
        q with { Text = QueryText(p, mode), Topics = mode == QueryTextMode.None ? [] : p.Topics.ToArray() };

    /// <summary>True when the project id is even (the tuning half of the protocol); ids are grant numbers.</summary>
    public static bool IsEven(string projectId) =>
        long.TryParse(projectId, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n % 2 == 0 : projectId.Length > 0 && (projectId[^1] - '0') % 2 == 0;
}
