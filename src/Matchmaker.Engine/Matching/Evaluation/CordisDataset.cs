using System.Globalization;
using System.IO.Compression;
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

    public static CordisDataset Load(string directory)
    {
        var parts = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var row in ReadCsv(FindFile(directory, "programme_parts.csv")))
        {
            var rcn = row["rcn"];
            if (!parts.TryGetValue(rcn, out var list)) parts[rcn] = list = [];
            list.Add(row["programme_part"]);
        }

        var order = new List<string>();
        var members = new Dictionary<string, (int Year, List<Member> Members)>(StringComparer.Ordinal);
        foreach (var row in ReadCsv(FindFile(directory, "participations.csv")))
        {
            var rcn = row["rcn"];
            if (!members.TryGetValue(rcn, out var project))
            {
                project = (int.Parse(row["start_year"], CultureInfo.InvariantCulture), []);
                members[rcn] = project;
                order.Add(rcn);
            }
            _ = float.TryParse(row["contribution"], NumberStyles.Float, CultureInfo.InvariantCulture, out var contribution);
            project.Members.Add(new Member(row["pic"], string.Equals(row["role"], "coordinator", StringComparison.Ordinal),
                row["type"], row["country"], contribution));
        }
        return new CordisDataset(order.Select(rcn => new ProjectRecord(rcn, members[rcn].Year,
            parts.TryGetValue(rcn, out var p) ? p : [], members[rcn].Members)).ToArray());
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

    private static string FindFile(string directory, string name)
    {
        foreach (var candidate in new[] { name + ".gz", name })
        {
            var path = Path.Combine(directory, candidate);
            if (File.Exists(path)) return path;
        }
        throw new FileNotFoundException($"Neither {name}.gz nor {name} is in {directory}.");
    }

    /// <summary>Plain comma-separated values without quoting, as the CORDIS extract is written.</summary>
    private static IEnumerable<Dictionary<string, string>> ReadCsv(string path)
    {
        using var file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var reader = new StreamReader(stream);
        var header = reader.ReadLine()?.Split(',') ?? throw new InvalidDataException($"{path} is empty.");
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            if (line.Length == 0) continue;
            var cells = line.Split(',');
            if (cells.Length != header.Length) throw new InvalidDataException($"{path}: a row has {cells.Length} cells, the header {header.Length}.");
            var row = new Dictionary<string, string>(header.Length, StringComparer.Ordinal);
            for (var i = 0; i < header.Length; i++) row[header[i]] = cells[i];
            yield return row;
        }
    }
}
