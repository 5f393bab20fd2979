using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Recommendations;

namespace Matchmaker.Engine.Delivery;

/// <summary>Where a subscription's messages go.</summary>
public enum DeliveryChannel
{
    /// <summary>An e-mail address: the weekly list as HTML and plain-text e-mail.</summary>
    Email,
    /// <summary>An integrator's HTTPS endpoint: signed <c>recommendations.updated</c> events after each recompute.</summary>
    Webhook,
    /// <summary>A WeCom (企业微信) group robot: the weekly list as Markdown.</summary>
    WeCom,
    /// <summary>A DingTalk (钉钉) group robot: the weekly list as Markdown.</summary>
    DingTalk,
}

public enum DigestLanguage
{
    Zh,
    En,
    Both,
}

public enum SubscriptionStatus
{
    Active,
    /// <summary>Stopped by the service after repeated failures (see the reason) or by the subscriber; resumes when set active again.</summary>
    Paused,
    /// <summary>Stopped through the unsubscribe link; set active again through the API to resume.</summary>
    Unsubscribed,
}

/// <summary>Wire names of the delivery enums, shared by the API, the stores and the docs.</summary>
public static class DeliveryCodes
{
    public static readonly IReadOnlyList<string> ChannelValues = ["email", "webhook", "wecom", "dingtalk"];
    public static readonly IReadOnlyList<string> LanguageValues = ["zh", "en", "both"];
    public static readonly IReadOnlyList<string> StatusValues = ["active", "paused", "unsubscribed"];

    public static string ToCode(DeliveryChannel channel) => ChannelValues[(int)channel];
    public static string ToCode(DigestLanguage language) => LanguageValues[(int)language];
    public static string ToCode(SubscriptionStatus status) => StatusValues[(int)status];

    public static bool TryParseChannel(string? value, out DeliveryChannel channel) => TryParse(ChannelValues, value, out channel);
    public static bool TryParseLanguage(string? value, out DigestLanguage language) => TryParse(LanguageValues, value, out language);
    public static bool TryParseStatus(string? value, out SubscriptionStatus status) => TryParse(StatusValues, value, out status);

    /// <summary>The weekly list goes to these channels; webhooks get events instead.</summary>
    public static bool GetsWeeklyList(DeliveryChannel channel) => channel != DeliveryChannel.Webhook;

    private static bool TryParse<T>(IReadOnlyList<string> values, string? value, out T result) where T : struct, Enum
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (string.Equals(values[i], value?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                result = (T)(object)i;
                return true;
            }
        }
        result = default;
        return false;
    }
}

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
            Check(sectors, "filters.sectors", errors, v => G60Catalog.FindSector(v.Trim()) is { } s ? s.Code : null, $"one of {string.Join(", ", G60Catalog.Sectors.Select(s => s.Code))}"),
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
            errors[field] = [$"has {(values is IReadOnlyCollection<string> ? list.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) : "more than " + Guard.MaxListLength)} entries; at most {Guard.MaxListLength} are allowed"];
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

/// <summary>The roles an organization of a kind can play in a consortium (role belongs to the membership, kind to the organization).</summary>
public static class ConsortiumRoles
{
    public static IReadOnlyList<ConsortiumRole> OfKind(string kindCode) => Codes.TryParseKind(kindCode, out var kind) ? OfKind(kind) : [];

    public static IReadOnlyList<ConsortiumRole> OfKind(OrganizationKind kind) => kind switch
    {
        OrganizationKind.University => [ConsortiumRole.Academia, ConsortiumRole.Research],
        OrganizationKind.ResearchInstitute => [ConsortiumRole.Research],
        OrganizationKind.Enterprise => [ConsortiumRole.Industry, ConsortiumRole.User],
        OrganizationKind.FinancialInstitution => [ConsortiumRole.Finance],
        OrganizationKind.Platform => [ConsortiumRole.Platform],
        OrganizationKind.PublicBody => [ConsortiumRole.User],
        _ => [],
    };
}

/// <summary>
/// A subscription as stored. <see cref="Secret"/> is the webhook signing secret (generated, shown once) or a
/// DingTalk robot's signing secret (given by the subscriber); other channels have none.
/// </summary>
public sealed record Subscription(
    string Id,
    string OrganizationId,
    DeliveryChannel Channel,
    string Target,
    SubscriptionFilters Filters,
    DigestLanguage Language,
    SubscriptionStatus Status,
    string? StatusReason,
    string? Secret,
    int ConsecutiveFailures,
    string? LastError,
    DateTimeOffset? LastErrorAt,
    DateTimeOffset? LastDeliveredAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public const int MaxSecretLength = 200;

    /// <summary>
    /// The version its list and unsubscribe links are signed with; only links of the current version open. Revoking
    /// the links raises it (<see cref="IDeliveryStore.RevokeLinksAsync"/>); settings updates leave it as it is.
    /// </summary>
    public int LinkVersion { get; init; }
}

/// <summary>A role slot that an organization's saved consortium plan has not filled yet.</summary>
public sealed record PlanGap(string PlanId, string PlanName, ConsortiumRole Role);

/// <summary>
/// The consortium plans an organization has saved, seen from delivery: the role slots they lack. Optional: when no
/// source is registered, weekly lists have no gap section.
/// </summary>
public interface IPlanGapSource
{
    Task<IReadOnlyList<PlanGap>> GetGapsAsync(string organizationId, CancellationToken cancellationToken = default);
}
