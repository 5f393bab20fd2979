using System.Globalization;
using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Graph;

namespace Matchmaker.Engine.Matching.Evaluation;

/// <summary>
/// The Horizon 2020 participations published by CORDIS (European Commission): one row per organisation per
/// project, plus the programme parts of each project. Organisation types become kinds, countries become
/// cities and programme parts become sectors, so that the generic engine runs on it unchanged.
/// </summary>
public sealed class CordisDataset
{
    public sealed record Member(string Pic, bool IsCoordinator, string Type, string Country, float Contribution);

    public sealed record ProjectRecord(string Rcn, int StartYear, IReadOnlyList<string> ProgrammeParts, IReadOnlyList<Member> Members)
    {
        /// <summary>The first coordinator in file order (a handful of projects list two).</summary>
        public Member? Coordinator => Members.FirstOrDefault(m => m.IsCoordinator);
    }

    private CordisDataset(IReadOnlyList<ProjectRecord> projects) => Projects = projects;

    /// <summary>Projects in file order of their first row.</summary>
    public IReadOnlyList<ProjectRecord> Projects { get; }

    /// <summary>What the last load read and what it skipped or defaulted (participations, then programme parts).</summary>
    public IReadOnlyList<LoadReport> Reports { get; private init; } = [];

    /// <summary>
    /// Reads the extract. Cells the upstream export leaves empty or writes as <c>NA</c> are defaulted and counted:
    /// a start year falls back to the year of the start date (a row with neither is skipped), an unknown contribution
    /// is NaN (unknown, not 0), an unknown role is a participant, an unknown type is OTH, an unknown country is empty.
    /// <c>NA</c> in the country column is Namibia (ISO 3166), not a missing value.
    /// </summary>
    public static CordisDataset Load(string directory)
    {
        var partsReport = new LoadReport("programme_parts.csv");
        var parts = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var row in LoadReport.ReadRows(LoadReport.FindFile(directory, "programme_parts.csv"), ',', partsReport))
        {
            var rcn = row["rcn"];
            var part = row["programme_part"];
            if (LoadReport.IsMissing(rcn) || LoadReport.IsMissing(part))
            {
                partsReport.Skip(LoadReport.IsMissing(rcn) ? "no rcn" : "no programme_part");
                continue;
            }
            if (!parts.TryGetValue(rcn, out var list)) parts[rcn] = list = [];
            list.Add(part);
            partsReport.Load();
        }

        var report = new LoadReport("participations.csv");
        var order = new List<string>();
        var members = new Dictionary<string, (int Year, List<Member> Members)>(StringComparer.Ordinal);
        // Rows whose own start year is unknown join their project once another row of it gives the year.
        var pending = new List<(string Rcn, Member Member)>();
        foreach (var row in LoadReport.ReadRows(LoadReport.FindFile(directory, "participations.csv"), ',', report))
        {
            var rcn = row["rcn"];
            var pic = row["pic"];
            if (LoadReport.IsMissing(rcn) || LoadReport.IsMissing(pic))
            {
                report.Skip(LoadReport.IsMissing(rcn) ? "no rcn" : "no pic");
                continue;
            }
            var member = ReadMember(row, pic, report);
            if (!members.TryGetValue(rcn, out var project))
            {
                if (StartYear(row, report) is not { } year)
                {
                    pending.Add((rcn, member));
                    continue;
                }
                project = (year, []);
                members[rcn] = project;
                order.Add(rcn);
            }
            project.Members.Add(member);
            report.Load();
        }
        foreach (var (rcn, member) in pending)
        {
            if (!members.TryGetValue(rcn, out var project))
            {
                report.Skip("no start_year nor start_date");
                continue;
            }
            project.Members.Add(member);
            report.Load();
        }
        return new CordisDataset(order.Select(rcn => new ProjectRecord(rcn, members[rcn].Year,
            parts.TryGetValue(rcn, out var p) ? p : [], members[rcn].Members)).ToArray())
        {
            Reports = [report, partsReport],
        };
    }

    private static Member ReadMember(Dictionary<string, string> row, string pic, LoadReport report)
    {
        var contribution = float.NaN;
        if (!float.TryParse(row["contribution"], NumberStyles.Float, CultureInfo.InvariantCulture, out var money)) report.Default("contribution");
        else contribution = money;
        var role = row["role"];
        if (LoadReport.IsMissing(role)) report.Default("role");
        var type = row["type"];
        if (LoadReport.IsMissing(type))
        {
            report.Default("type");
            type = "OTH";
        }
        var country = row["country"];
        if (country.Length == 0) report.Default("country");
        return new Member(pic, string.Equals(role, "coordinator", StringComparison.Ordinal), type, country, contribution);
    }

    private static int? StartYear(Dictionary<string, string> row, LoadReport report)
    {
        if (int.TryParse(row["start_year"], NumberStyles.None, CultureInfo.InvariantCulture, out var year)) return year;
        var date = row.GetValueOrDefault("start_date") ?? "";
        if (date.Length >= 4 && int.TryParse(date.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out year))
        {
            report.Default("start_year (from start_date)");
            return year;
        }
        return null;
    }

    public static OrganizationKind KindOf(string type) => type switch
    {
        "HES" => OrganizationKind.University,
        "REC" => OrganizationKind.ResearchInstitute,
        "PRC" => OrganizationKind.Enterprise,
        "PUB" => OrganizationKind.PublicBody,
        _ => OrganizationKind.Platform,
    };

    public static ConsortiumRole RoleOf(string type) => type switch
    {
        "HES" => ConsortiumRole.Academia,
        "REC" => ConsortiumRole.Research,
        "PRC" => ConsortiumRole.Industry,
        "PUB" => ConsortiumRole.User,
        _ => ConsortiumRole.Platform,
    };

    /// <summary>The graph of every project that started before <paramref name="beforeYear"/>, and only those.</summary>
    public GraphSnapshot BuildSnapshot(int beforeYear, DateTimeOffset builtAt)
    {
        var builder = new GraphSnapshotBuilder();
        // Organizations are numbered in id order, not in order of appearance: ties in a ranking are broken by
        // index, and ids carry no hint of activity whereas early appearance does.
        var organizations = new SortedDictionary<string, Member>(StringComparer.Ordinal);
        foreach (var project in Projects.Where(p => p.StartYear < beforeYear))
        {
            foreach (var m in project.Members) organizations.TryAdd(m.Pic, m);
        }
        foreach (var m in organizations.Values) builder.AddOrganization(m.Pic, KindOf(m.Type), m.Country, []);
        foreach (var project in Projects)
        {
            if (project.StartYear >= beforeYear) continue;
            builder.AddProject(project.Rcn, project.StartYear, project.ProgrammeParts,
                project.Members.Select(m => new GraphSnapshotBuilder.Membership(m.Pic, RoleOf(m.Type), m.IsCoordinator, m.Contribution)));
        }
        return builder.Build(builtAt);
    }

    /// <summary>The projects of one start year as protocol input: lead, sectors and members.</summary>
    public IEnumerable<TimeSplit.FutureProject> ProjectsOfYear(int year) =>
        Projects.Where(p => p.StartYear == year).Select(p => new TimeSplit.FutureProject(
            p.Rcn, p.StartYear, p.ProgrammeParts, p.Coordinator?.Pic, p.Members.Select(m => m.Pic).ToArray()));
}
