using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Recommendations;

namespace Matchmaker.Engine.Delivery;

/// <summary>
/// Which candidates a subscriber wants to hear about; an empty list means "any". Codes are canonical (roles in
/// English even when given as 产学研金用). A candidate's roles are those its kind can play in a consortium.
/// </summary>
public sealed record SubscriptionFilters(IReadOnlyList<string> Kinds, IReadOnlyList<string> Roles, IReadOnlyList<string> Sectors, IReadOnlyList<string> Cities)
{
    public static SubscriptionFilters None { get; } = new([], [], [], []);

    /// <summary>Checks and canonicalizes the codes; each problem is reported against its field (filters.kinds[1]).</summary>
    public static SubscriptionFilters Create(IEnumerable<string>? kinds, IEnumerable<string>? roles, IEnumerable<string>? sectors, IEnumerable<string>? cities,
        IDictionary<string, string[]> errors)
    {
        return new SubscriptionFilters(
            Check(kinds, "filters.kinds", errors, v => Codes.TryParseKind(v, out var k) ? k.ToCode() : null, $"one of {string.Join(", ", Codes.KindValues)}"),
            Check(roles, "filters.roles", errors, v => Codes.TryParseRole(v, out var r) ? r.ToCode() : null, $"one of {string.Join(", ", Codes.RoleValues)} (or 产学研金用)"),
            Check(sectors, "filters.sectors", errors, v => G60Catalog.FindSector(v.Trim()) is { } s ? s.Code : null,
                $"one of {string.Join(", ", G60Catalog.Sectors.Select(s => s.Code))}"),
            Check(cities, "filters.cities", errors, v => G60Catalog.FindCity(v.Trim()) is { } c ? c.Code : null, "a city code such as shanghai-songjiang or hefei"));
    }

    public bool Matches(CandidateSummary? candidate)
    {
        if (candidate is null) return Kinds.Count == 0 && Roles.Count == 0 && Sectors.Count == 0 && Cities.Count == 0;
        return (Kinds.Count == 0 || Kinds.Contains(candidate.Kind))
            && (Roles.Count == 0 || ConsortiumRoles.OfKind(candidate.Kind).Any(r => Roles.Contains(r.ToCode())))
            && (Sectors.Count == 0 || candidate.Sectors.Any(Sectors.Contains))
            && (Cities.Count == 0 || Cities.Contains(candidate.City));
    }

    private static List<string> Check(IEnumerable<string>? values, string field, IDictionary<string, string[]> errors, Func<string, string?> parse, string expected)
    {
        var result = new List<string>();
        // Counted before the entries are parsed: an over-long list is one error, not one per entry.
        var list = values as IReadOnlyCollection<string> ?? (values ?? []).Take(Guard.MaxListLength + 1).ToList();
        if (list.Count > Guard.MaxListLength)
        {
            errors[field] = [$"has {(values is IReadOnlyCollection<string>
                ? list.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)
                : "more than " + Guard.MaxListLength)} entries; at most {Guard.MaxListLength} are allowed"];
            return result;
        }
        var i = 0;
        foreach (var value in list)
        {
            if (parse(value ?? "") is { } code)
            {
                if (!result.Contains(code)) result.Add(code);
            }
            else
            {
                errors[$"{field}[{i}]"] = [$"'{(value is { Length: > 40 } ? value[..40] + "…" : value)}' is not known; expected {expected}"];
            }
            i++;
        }
        return result;
    }
}
