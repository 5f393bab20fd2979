using System.Text.Json;
using System.Text.Json.Serialization;
using Matchmaker.Engine.Domain;

namespace Matchmaker.Engine.Import;

/// <summary>
/// The wire shape of an organization: the JSON Lines seed files, the API bodies and the import formats all use
/// it. Mapping to the domain goes through the constructors, so every invariant is checked in one place.
/// </summary>
public sealed record OrganizationRecord
{
    public string? Id { get; init; }
    public string? NameZh { get; init; }
    public string? NameEn { get; init; }
    public IReadOnlyList<string>? Aliases { get; init; }
    public string? Kind { get; init; }
    public string? City { get; init; }
    public IReadOnlyList<string>? Sectors { get; init; }
    public IReadOnlyList<string>? SubFields { get; init; }
    public IReadOnlyList<string>? Capabilities { get; init; }
    public IReadOnlyList<string>? Needs { get; init; }
    public string? Description { get; init; }
    public int? Employees { get; init; }
    public bool? Illustrative { get; init; }

    public Organization ToDomain() => new(
        Id!, NameZh, NameEn, Codes.ParseKind(Kind), City ?? "", Aliases, Sectors, SubFields, Capabilities, Needs,
        Description, Employees, Illustrative ?? false);

    public static OrganizationRecord FromDomain(Organization o) => new()
    {
        Id = o.Id,
        NameZh = o.NameZh,
        NameEn = o.NameEn,
        Aliases = o.Aliases,
        Kind = o.Kind.ToCode(),
        City = o.City,
        Sectors = o.Sectors,
        SubFields = o.SubFields,
        Capabilities = o.Capabilities,
        Needs = o.Needs,
        Description = o.Description,
        Employees = o.Employees,
        Illustrative = o.Illustrative,
    };
}

public sealed record ProjectMemberRecord
{
    public string? Org { get; init; }
    public string? Role { get; init; }
}

public sealed record ProjectTopicRecord
{
    public string? Code { get; init; }
    public string? Title { get; init; }
}

public sealed record ProjectRecord
{
    public string? Id { get; init; }
    public string? Title { get; init; }
    public int? Year { get; init; }
    public string? Sector { get; init; }
    public string? SubField { get; init; }
    public IReadOnlyList<ProjectMemberRecord>? Members { get; init; }
    /// <summary>The project's abstract or objective.</summary>
    public string? Summary { get; init; }
    public IReadOnlyList<string>? Keywords { get; init; }
    /// <summary>Call topics answered: codes with their titles.</summary>
    public IReadOnlyList<ProjectTopicRecord?>? Topics { get; init; }

    public Project ToDomain()
    {
        if (Year is null) throw new DomainValidationException("year", "is required");
        if (Members is null) throw new DomainValidationException("members", "is required");
        var members = Members.Select((m, i) => m is null
            ? throw new DomainValidationException($"members[{i}]", "must not be null")
            : new ProjectMember(
                m.Org ?? throw new DomainValidationException($"members[{i}].org", "is required"),
                Codes.ParseRole(m.Role, $"members[{i}].role"))).ToList();
        var topics = Topics?.Select((t, i) =>
        {
            if (t is null) throw new DomainValidationException($"topics[{i}]", "must not be null");
            try
            {
                return new ProjectTopic(t.Code!, t.Title);
            }
            catch (DomainValidationException e)
            {
                throw new DomainValidationException($"topics[{i}].{e.Field}", e.Reason);
            }
        }).ToList();
        return new Project(Id!, Title, Year.Value, Sector ?? "", SubField, members, Summary, Keywords, topics);
    }

    public static ProjectRecord FromDomain(Project p) => new()
    {
        Id = p.Id,
        Title = p.Title,
        Year = p.Year,
        Sector = p.Sector,
        SubField = p.SubField,
        Members = p.Members.Select(m => new ProjectMemberRecord { Org = m.OrganizationId, Role = m.Role.ToCode() }).ToList(),
        Summary = p.Summary,
        Keywords = p.Keywords.Count == 0 ? null : p.Keywords,
        Topics = p.Topics.Count == 0 ? null : p.Topics.Select(t => new ProjectTopicRecord { Code = t.Code, Title = t.Title }).ToList(),
    };
}

public sealed record TieRecord
{
    public string? From { get; init; }
    public string? To { get; init; }
    public string? Type { get; init; }
    public int? Year { get; init; }

    public Tie ToDomain() => new(From!, To!, Codes.ParseTieType(Type), Year);

    public static TieRecord FromDomain(Tie t) => new() { From = t.From, To = t.To, Type = t.Type.ToCode(), Year = t.Year };
}

/// <summary>A whole graph (or part of one) in wire form: the JSON body of a bulk import.</summary>
public sealed record GraphRecords
{
    public IReadOnlyList<OrganizationRecord?>? Organizations { get; init; }
    public IReadOnlyList<ProjectRecord?>? Projects { get; init; }
    public IReadOnlyList<TieRecord?>? Ties { get; init; }
}

public static class WireJson
{
    /// <summary>camelCase, nulls left out, strict about numbers: the one JSON dialect of the project.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.Strict,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        AllowDuplicateProperties = false,
    };
}
