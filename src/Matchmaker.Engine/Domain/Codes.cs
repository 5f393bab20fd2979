namespace Matchmaker.Engine.Domain;

/// <summary>
/// The wire codes of the enums (kebab-case in JSON, CSV, SQL and Cypher), kept in one place so that every
/// adapter and the API agree. Roles also accept their Chinese characters 产学研金用.
/// </summary>
public static class Codes
{
    private static readonly (OrganizationKind Kind, string Code)[] KindCodes =
    [
        (OrganizationKind.University, "university"),
        (OrganizationKind.ResearchInstitute, "research-institute"),
        (OrganizationKind.Enterprise, "enterprise"),
        (OrganizationKind.FinancialInstitution, "financial-institution"),
        (OrganizationKind.Platform, "platform"),
        (OrganizationKind.PublicBody, "public-body"),
    ];

    private static readonly (ConsortiumRole Role, string Code, string Zh)[] RoleCodes =
    [
        (ConsortiumRole.Industry, "industry", "产"),
        (ConsortiumRole.Academia, "academia", "学"),
        (ConsortiumRole.Research, "research", "研"),
        (ConsortiumRole.Finance, "finance", "金"),
        (ConsortiumRole.User, "user", "用"),
        (ConsortiumRole.Platform, "platform", "平台"),
    ];

    private static readonly (TieType Type, string Code)[] TieCodes =
    [
        (TieType.HostedBy, "hosted-by"),
        (TieType.FinancedBy, "financed-by"),
        (TieType.InvestedIn, "invested-in"),
    ];

    public static IReadOnlyList<string> KindValues { get; } = KindCodes.Select(k => k.Code).ToArray();
    public static IReadOnlyList<string> RoleValues { get; } = RoleCodes.Select(r => r.Code).ToArray();
    public static IReadOnlyList<string> TieValues { get; } = TieCodes.Select(t => t.Code).ToArray();

    public static string ToCode(this OrganizationKind kind) => KindCodes.First(k => k.Kind == kind).Code;
    public static string ToCode(this ConsortiumRole role) => RoleCodes.First(r => r.Role == role).Code;
    public static string ToChinese(this ConsortiumRole role) => RoleCodes.First(r => r.Role == role).Zh;
    public static string ToCode(this TieType type) => TieCodes.First(t => t.Type == type).Code;

    public static bool TryParseKind(string? code, out OrganizationKind kind)
    {
        foreach (var (k, c) in KindCodes)
        {
            if (string.Equals(c, code?.Trim(), StringComparison.OrdinalIgnoreCase)) { kind = k; return true; }
        }
        kind = default;
        return false;
    }

    public static bool TryParseRole(string? code, out ConsortiumRole role)
    {
        var value = code?.Trim();
        foreach (var (r, c, zh) in RoleCodes)
        {
            if (string.Equals(c, value, StringComparison.OrdinalIgnoreCase) || string.Equals(zh, value, StringComparison.Ordinal))
            {
                role = r;
                return true;
            }
        }
        role = default;
        return false;
    }

    public static bool TryParseTieType(string? code, out TieType type)
    {
        foreach (var (t, c) in TieCodes)
        {
            if (string.Equals(c, code?.Trim(), StringComparison.OrdinalIgnoreCase)) { type = t; return true; }
        }
        type = default;
        return false;
    }

    public static OrganizationKind ParseKind(string? code, string field = "kind") =>
        TryParseKind(code, out var kind) ? kind
        : throw new DomainValidationException(field, $"'{code}' is not a kind; expected one of {string.Join(", ", KindValues)}");

    public static ConsortiumRole ParseRole(string? code, string field = "role") =>
        TryParseRole(code, out var role) ? role
        : throw new DomainValidationException(field, $"'{code}' is not a role; expected one of {string.Join(", ", RoleValues)} (or 产学研金用)");

    public static TieType ParseTieType(string? code, string field = "type") =>
        TryParseTieType(code, out var type) ? type
        : throw new DomainValidationException(field, $"'{code}' is not a tie type; expected one of {string.Join(", ", TieValues)}");
}
