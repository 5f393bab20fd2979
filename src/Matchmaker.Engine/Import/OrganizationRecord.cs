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
