namespace Matchmaker.Engine.Delivery;

/// <summary>The <c>Delivery</c> section: weekly lists, webhooks and the widget.</summary>
public sealed class DeliveryOptions
{
    public const string Section = "Delivery";

    /// <summary>The service's address as subscribers reach it; list pages and unsubscribe links start with it.</summary>
    public string PublicBaseUrl { get; set; } = "http://localhost:5180";

    /// <summary>
    /// The key that signs list and unsubscribe links (32+ characters, from a secret store). Required in the production
    /// mode; the embedded mode generates one into the data directory when it is not set.
    /// </summary>
    public string? TokenKey { get; set; }

    /// <summary>
    /// Keys that signed links and sealed secrets before <see cref="TokenKey"/> replaced them: they still verify and
    /// open, never sign. Drop one once its links have expired and its secrets have been written again.
    /// </summary>
    public string[]? PreviousTokenKeys { get; set; }

    /// <summary>How long a list or unsubscribe link works after it was made (days, 1-3,650).</summary>
    public int LinkLifetimeDays { get; set; } = 120;

    /// <summary>Allows plain-http webhook and robot targets on loopback addresses (tests and local development only).</summary>
    public bool AllowLoopbackTargets { get; set; }

    /// <summary>
    /// Allows targets on private, loopback and link-local networks (an intranet receiver). Off unless set, in every
    /// mode: checked when a subscription is saved and again on every connection.
    /// </summary>
    public bool? AllowPrivateTargets { get; set; }

    /// <summary>Most subscriptions one organization may have (unsubscribed ones count until deleted).</summary>
    public int MaxSubscriptionsPerOrganization { get; set; } = 20;

    /// <summary>Most candidates in one weekly list.</summary>
    public int MaxItems { get; set; } = 10;

    /// <summary>A candidate shown before is listed again when its score rose by at least this fraction (same model only).</summary>
    public double RepeatScoreRise { get; set; } = 0.25;

    /// <summary>Waits between attempts of a failing message; its length is the number of retries. Default 1 min, 5 min, 30 min, 2 h.</summary>
    public int[]? RetryDelaysSeconds { get; set; }

    /// <summary>Failed messages in a row after which a subscription is paused.</summary>
    public int PauseAfterFailures { get; set; } = 3;

    /// <summary>Timeout of one webhook or robot request.</summary>
    public int HttpTimeoutSeconds { get; set; } = 10;

    /// <summary>WeCom group robots refuse markdown content over 4,096 bytes (UTF-8).</summary>
    public int WeComMaxBytes { get; set; } = 4096;

    /// <summary>DingTalk publishes no figure for markdown text; the same cap as WeCom keeps messages readable on a phone.</summary>
    public int DingTalkMaxBytes { get; set; } = 4096;

    public SmtpOptions Smtp { get; set; } = new();

    public IReadOnlyList<int> RetryDelays => RetryDelaysSeconds is { Length: > 0 } d ? d : [60, 300, 1800, 7200];

    public bool SmtpConfigured => !string.IsNullOrWhiteSpace(Smtp.Host);
}

/// <summary>The <c>Delivery:Smtp</c> section. The password comes from a secret store and is never logged.</summary>
public sealed class SmtpOptions
{
    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    /// <summary>
    /// StartTls (the default: STARTTLS required, so a server or a network in between that hides the offer fails the
    /// send instead of getting the mail in clear), SslOnConnect, None (local relays), or Auto (STARTTLS only when
    /// offered, which a network in between can strip). Any other value stops the service at start.
    /// </summary>
    public string Security { get; set; } = "StartTls";

    public static readonly string[] SecurityValues = ["StartTls", "SslOnConnect", "None", "Auto"];

    public static bool IsKnownSecurity(string? value) => value is not null && SecurityValues.Contains(value.Trim(), StringComparer.OrdinalIgnoreCase);

    public string? User { get; set; }

    public string? Password { get; set; }

    /// <summary>The sender, e.g. <c>G60 Matchmaker &lt;lists@example.cn&gt;</c>.</summary>
    public string From { get; set; } = "Matchmaker <lists@localhost>";

    public int TimeoutSeconds { get; set; } = 30;
}
