namespace Matchmaker.Engine.Domain;

/// <summary>
/// An organization of the corridor: a university (or one of its schools), a research institute, an enterprise,
/// a bank or investor, a park or platform, or a public body. All invariants are checked here, once.
/// </summary>
public sealed class Organization
{
    public Organization(
        string id,
        string? nameZh,
        string? nameEn,
        OrganizationKind kind,
        string city,
        IEnumerable<string>? aliases = null,
        IEnumerable<string>? sectors = null,
        IEnumerable<string>? subFields = null,
        IEnumerable<string>? capabilities = null,
        IEnumerable<string>? needs = null,
        string? description = null,
        int? employees = null,
        bool illustrative = false)
    {
        Id = Guard.Id(id, "id");
        NameZh = Guard.Name(nameZh, "nameZh");
        NameEn = Guard.Name(nameEn, "nameEn");
        if (NameZh is null && NameEn is null) throw new DomainValidationException("nameZh", "an organization needs a Chinese or an English name");
        if (!Enum.IsDefined(kind)) throw new DomainValidationException("kind", $"{(int)kind} is not a kind");
        Kind = kind;
        if (string.IsNullOrWhiteSpace(city)) throw new DomainValidationException("city", "is required");
        City = G60Catalog.FindCity(city)?.Code
            ?? throw new DomainValidationException("city", $"'{city}' is not a known city; expected one of {string.Join(", ", G60Catalog.AllPlaces.Select(c => c.Code))}");
        Aliases = Guard.Distinct(aliases, "aliases", (v, f) => Guard.Name(v, f) ?? throw new DomainValidationException(f, "must not be empty"));
        Sectors = Guard.Distinct(sectors, "sectors", (v, f) => G60Catalog.FindSector(v?.Trim() ?? "")?.Code
            ?? throw new DomainValidationException(f, $"'{v}' is not a sector; expected one of {string.Join(", ", G60Catalog.AllSectors.Select(s => s.Code))}"));
        SubFields = Guard.Distinct(subFields, "subFields", (v, f) =>
        {
            var sector = G60Catalog.SectorOfSubField(v?.Trim() ?? "")
                ?? throw new DomainValidationException(f, $"'{v}' is not a known sub-field");
            if (!Sectors.Contains(sector.Code)) throw new DomainValidationException(f, $"sub-field '{v}' belongs to sector '{sector.Code}', which the organization does not list");
            return v!.Trim();
        });
        Capabilities = Guard.Distinct(capabilities, "capabilities", Guard.Tag);
        Needs = Guard.Distinct(needs, "needs", Guard.Tag);
        Description = Guard.Text(description, "description", Guard.MaxTextLength);
        if (employees is < 0) throw new DomainValidationException("employees", "must not be negative");
        Employees = employees;
        Illustrative = illustrative;
    }

    /// <summary>Stable id (slug), never reused for another organization.</summary>
    public string Id { get; }
    public string? NameZh { get; }
    public string? NameEn { get; }
    public IReadOnlyList<string> Aliases { get; }
    public OrganizationKind Kind { get; }
    /// <summary>Place code from <see cref="G60Catalog.AllPlaces"/> (a corridor city, or a European country for real consortia).</summary>
    public string City { get; }
    public IReadOnlyList<string> Sectors { get; }
    public IReadOnlyList<string> SubFields { get; }
    /// <summary>What the organization can offer, as tags.</summary>
    public IReadOnlyList<string> Capabilities { get; }
    /// <summary>What the organization seeks, as tags.</summary>
    public IReadOnlyList<string> Needs { get; }
    /// <summary>Free text in Chinese and/or English about capabilities and needs.</summary>
    public string? Description { get; }
    public int? Employees { get; }
    /// <summary>True for demo organizations invented to complete the G60 consortia (not real data).</summary>
    public bool Illustrative { get; }

    /// <summary>
    /// Names and aliases, lower-cased and joined by U+001F (which no query can contain): what every graph store
    /// searches with a substring match, so that the stores find the same organizations.
    /// </summary>
    internal string SearchText =>
        string.Join('\u001f', new[] { NameZh, NameEn }.Concat(Aliases).Where(s => s is not null)).ToLowerInvariant();

    /// <summary>The name to show: Chinese first, as the corridor's users read it.</summary>
    public string DisplayName => NameZh ?? NameEn!;
}
