using System.Globalization;
using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Matching.Evaluation;

namespace Matchmaker.Engine.Import;

/// <summary>
/// Converts the Horizon Europe data (CORDIS, European Commission) into the bulk-import wire records, so that the
/// service runs on real organizations: ids <c>pic-</c> + PIC, the legal name as the English name (the short name as
/// an alias), activity types as kinds, countries as places (<see cref="G60Catalog.EuropeanPlaces"/>; <c>ZZ</c> outside
/// Europe), main programme parts as sectors (<see cref="G60Catalog.HorizonProgrammeParts"/>), and each project with its
/// title, objective (as summary), keywords and call topics. What had to be cut or left out to fit the domain's
/// limits is counted in <see cref="Result.Adjusted"/>.
/// </summary>
public static class HorizonImport
{
    public const string OrganizationIdPrefix = "pic-";
    public const string ProjectIdPrefix = "horizon-";
    public const string OutsideEurope = "ZZ";

    public sealed record Result(IReadOnlyList<OrganizationRecord> Organizations, IReadOnlyList<ProjectRecord> Projects, IReadOnlyDictionary<string, int> Adjusted);

    public static Result Convert(HorizonDataset data)
    {
        var adjusted = new SortedDictionary<string, int>(StringComparer.Ordinal);
        void Count(string what) => adjusted[what] = adjusted.GetValueOrDefault(what) + 1;

        var projects = new List<ProjectRecord>();
        var fields = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        foreach (var p in data.Projects)
        {
            var sector = G60Catalog.FindSector(p.MainLegalBasis)?.Code;
            if (sector is null)
            {
                Count("project left out: no known programme part");
                continue;
            }
            if (p.Members.Count == 0)
            {
                Count("project left out: no member");
                continue;
            }
            // The first member is the lead by the domain's convention: the coordinator.
            var members = p.Members.OrderByDescending(m => m.IsCoordinator).ToList();
            if (members.Count > Project.MaxMembers)
            {
                Count("members cut to the domain's maximum");
                members = members.Take(Project.MaxMembers).ToList();
            }
            foreach (var m in members)
            {
                if (!fields.TryGetValue(m.OrgId, out var counts)) fields[m.OrgId] = counts = new(StringComparer.Ordinal);
                counts[sector] = counts.GetValueOrDefault(sector) + 1;
            }
            var keywords = p.Keywords.Select(k => Cut(k, Project.MaxKeywordLength, "keyword cut", Count)).Distinct(StringComparer.Ordinal).ToList();
            if (keywords.Count > DomainLimits.MaxListLength)
            {
                Count("keywords cut to the domain's maximum");
                keywords = keywords.Take(DomainLimits.MaxListLength).ToList();
            }
            projects.Add(new ProjectRecord
            {
                Id = ProjectIdPrefix + p.Id,
                Title = p.Title.Length == 0 ? p.Acronym : Cut(p.Title, Project.MaxTitleLength, "title cut", Count),
                Year = p.StartYear,
                Sector = sector,
                Members = members.Select(m => new ProjectMemberRecord { Org = OrganizationIdPrefix + m.OrgId, Role = CordisDataset.RoleOf(m.ActivityType).ToCode() }).ToList(),
                Summary = p.Objective.Length == 0 ? null : Cut(p.Objective, Project.MaxSummaryLength, "summary cut", Count),
                Keywords = keywords.Count == 0 ? null : keywords,
                Topics = p.Topics.Count == 0 ? null : p.Topics.Take(Project.MaxTopics).Select((code, i) => new ProjectTopicRecord
                {
                    Code = code,
                    Title = i < p.TopicTitles.Count ? Cut(p.TopicTitles[i], DomainLimits.MaxNameLength, "topic title cut", Count) : null,
                }).ToList(),
            });
        }

        var organizations = new List<OrganizationRecord>();
        foreach (var o in data.Organizations.Values.OrderBy(o => o.OrgId, StringComparer.Ordinal))
        {
            if (!fields.TryGetValue(o.OrgId, out var sectors)) continue;
            var place = G60Catalog.EuropeanPlaces.FirstOrDefault(c => c.Code == o.Country)?.Code;
            if (place is null)
            {
                Count("place outside Europe (ZZ)");
                place = OutsideEurope;
            }
            var name = Cut(o.LegalName, DomainLimits.MaxNameLength, "name cut", Count);
            var shortName = o.ShortName is { } s
                && !string.Equals(s, o.LegalName, StringComparison.OrdinalIgnoreCase) ? Cut(s, DomainLimits.MaxNameLength, "name cut", Count) : null;
            organizations.Add(new OrganizationRecord
            {
                Id = OrganizationIdPrefix + o.OrgId,
                NameEn = name,
                Aliases = shortName is null ? null : [shortName],
                Kind = CordisDataset.KindOf(o.ActivityType).ToCode(),
                City = place,
                // Its programme parts, most projects first.
                Sectors = sectors.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key).ToList(),
                Description = Description(o),
            });
        }
        return new Result(organizations, projects, adjusted);
    }

    /// <summary>Where the organization is and what it is, in the words of the data (country and city, SME).</summary>
    private static string Description(HorizonDataset.OrganizationRecord o)
    {
        var where = o.City is null ? o.Country : $"{o.City}, {o.Country}";
        var sme = o.Sme == true ? "; SME" : "";
        return string.Create(CultureInfo.InvariantCulture, $"{where}{sme}. Source: CORDIS, European Commission (PIC {o.OrgId}).");
    }

    private static string Cut(string text, int max, string what, Action<string> count)
    {
        if (text.Length <= max) return text;
        count(what);
        // Never split a surrogate pair.
        var end = char.IsHighSurrogate(text[max - 1]) ? max - 1 : max;
        return text[..end].TrimEnd();
    }

    /// <summary>Writes organizations.jsonl and projects.jsonl (the seed directory's shape) into <paramref name="directory"/>.</summary>
    public static void WriteJsonLines(Result result, string directory)
    {
        Directory.CreateDirectory(directory);
        Write(Path.Combine(directory, "organizations.jsonl"), result.Organizations);
        Write(Path.Combine(directory, "projects.jsonl"), result.Projects);
    }

    private static void Write<T>(string path, IEnumerable<T> rows)
    {
        using var writer = new StreamWriter(path, append: false, new System.Text.UTF8Encoding(false)) { NewLine = "\n" };
        foreach (var row in rows) writer.WriteLine(System.Text.Json.JsonSerializer.Serialize(row, WireJson.Options));
    }
}
