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
