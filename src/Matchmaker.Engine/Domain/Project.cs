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

/// <summary>A call topic a project answered: its code (e.g. <c>HORIZON-CL5-2021-D2-01-11</c>) and title.</summary>
public sealed record ProjectTopic
{
    public const int MaxCodeLength = 100;

    public ProjectTopic(string code, string? title = null)
    {
        if (string.IsNullOrWhiteSpace(code)) throw new DomainValidationException("code", "is required");
        var trimmed = code.Trim();
        if (trimmed.Length > MaxCodeLength || trimmed.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw new DomainValidationException("code",
                $"'{(trimmed.Length > 40 ? trimmed[..40] + "…" : trimmed)}' is not a topic code: use 1-{MaxCodeLength} characters without spaces");
        }
        Code = trimmed;
        Title = Guard.Name(title, "title");
    }

    public string Code { get; }
    public string? Title { get; }
}

/// <summary>
/// A past collaboration or consortium: a year, a sector and members with their roles. By convention the first
/// member is the lead (the coordinator who formed the consortium). Its texts (title, summary, keywords, call
/// topics) are what text matching reads about its members.
/// </summary>
public sealed class Project
{
    public const int MinYear = 1950;
    public const int MaxYear = 2100;
    public const int MaxMembers = 500;
    public const int MaxTitleLength = 400;
    public const int MaxSummaryLength = 8000;
    public const int MaxKeywordLength = 200;
    public const int MaxTopics = 16;

    public Project(string id, string? title, int year, string sector, string? subField, IEnumerable<ProjectMember> members,
        string? summary = null, IEnumerable<string>? keywords = null, IEnumerable<ProjectTopic>? topics = null)
    {
        Id = Guard.Id(id, "id");
        Title = Guard.Text(title, "title", MaxTitleLength);
        Summary = Guard.Text(summary, "summary", MaxSummaryLength);
        Keywords = Guard.Distinct(keywords, "keywords", (v, f) => Guard.Text(v, f, MaxKeywordLength) is { } k && k.AsSpan().IndexOfAny('\n', '\r', '\t') < 0
            ? k : throw new DomainValidationException(f, "must be one non-empty line"));
        var topicList = topics?.ToList() ?? [];
        if (topicList.Count > MaxTopics) throw new DomainValidationException("topics", $"has {topicList.Count} topics; at most {MaxTopics} are allowed");
        var codes = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < topicList.Count; i++)
        {
            if (topicList[i] is null) throw new DomainValidationException($"topics[{i}]", "must not be null");
            if (!codes.Add(topicList[i].Code)) throw new DomainValidationException($"topics[{i}].code", $"'{topicList[i].Code}' is listed twice");
        }
        Topics = topicList;
        if (year is < MinYear or > MaxYear) throw new DomainValidationException("year", $"{year} is outside {MinYear}-{MaxYear}");
        Year = year;
        Sector = G60Catalog.FindSector(sector?.Trim() ?? "")?.Code
            ?? throw new DomainValidationException("sector", $"'{sector}' is not a sector; expected one of {string.Join(", ", G60Catalog.AllSectors.Select(s => s.Code))}");
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
    /// <summary>The abstract or objective: what the project did, in Chinese and/or English.</summary>
    public string? Summary { get; }
    /// <summary>Free keywords as the project wrote them.</summary>
    public IReadOnlyList<string> Keywords { get; }
    public IReadOnlyList<ProjectTopic> Topics { get; }
    public int Year { get; }
    public string Sector { get; }
    public string? SubField { get; }
    public IReadOnlyList<ProjectMember> Members { get; }
}
