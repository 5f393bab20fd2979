namespace Matchmaker.Engine.Domain;

public sealed record ProjectMember
{
    public ProjectMember(string organizationId, ConsortiumRole role)
    {
        OrganizationId = Guard.Id(organizationId, "org");
        if (!Enum.IsDefined(role)) throw new DomainValidationException("role", $"{(int)role} is not a role");
        Role = role;
    }

    public string OrganizationId { get; }
    public ConsortiumRole Role { get; }
}

/// <summary>
/// A past collaboration or consortium: a year, a sector and members with their roles. By convention the first
/// member is the lead (the coordinator who formed the consortium).
/// </summary>
public sealed class Project
{
    public const int MinYear = 1950;
    public const int MaxYear = 2100;
    public const int MaxMembers = 500;

    public Project(string id, string? title, int year, string sector, string? subField, IEnumerable<ProjectMember> members)
    {
        Id = Guard.Id(id, "id");
        Title = Guard.Text(title, "title", Guard.MaxNameLength * 2);
        if (year is < MinYear or > MaxYear) throw new DomainValidationException("year", $"{year} is outside {MinYear}-{MaxYear}");
        Year = year;
        Sector = G60Catalog.FindSector(sector?.Trim() ?? "")?.Code
            ?? throw new DomainValidationException("sector", $"'{sector}' is not a sector; expected one of {string.Join(", ", G60Catalog.Sectors.Select(s => s.Code))}");
        if (!string.IsNullOrWhiteSpace(subField))
        {
            var owner = G60Catalog.SectorOfSubField(subField.Trim())
                ?? throw new DomainValidationException("subField", $"'{subField}' is not a known sub-field");
            if (owner.Code != Sector) throw new DomainValidationException("subField", $"sub-field '{subField}' belongs to sector '{owner.Code}', not '{Sector}'");
            SubField = subField.Trim();
        }
        ArgumentNullException.ThrowIfNull(members);
        var list = members.ToList();
        if (list.Count == 0) throw new DomainValidationException("members", "a project needs at least one member");
        if (list.Count > MaxMembers) throw new DomainValidationException("members", $"has {list.Count} members; at most {MaxMembers} are allowed");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < list.Count; i++)
        {
            if (!seen.Add(list[i].OrganizationId))
            {
                throw new DomainValidationException($"members[{i}].org", $"'{list[i].OrganizationId}' is listed twice");
            }
        }
        Members = list;
    }

    public string Id { get; }
    public string? Title { get; }
    public int Year { get; }
    public string Sector { get; }
    public string? SubField { get; }
    public IReadOnlyList<ProjectMember> Members { get; }
}
