using System.Text.Json.Serialization;
using Matchmaker.Engine.Domain;

namespace Matchmaker.Engine.Import;

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
