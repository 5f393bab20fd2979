using Microsoft.Extensions.Configuration;

namespace Matchmaker.Hosting;

/// <summary>The <c>Jobs</c> section: whether a process runs a job server, and how long a dead worker holds a job.</summary>
public sealed class JobsOptions
{
    public const string Section = "Jobs";

    /// <summary>
    /// Whether the API process runs a Hangfire server. Unset: yes in the embedded mode (its jobs live in its memory),
    /// no in the production mode (worker hosts run them). Worker hosts always run one.
    /// </summary>
    public bool? RunServer { get; set; }

    /// <summary>
    /// PostgreSQL mode: a job whose worker or connection died is taken again this long after its last heartbeat (the
    /// timeout slides while a live worker holds it, so long shards are not taken twice).
    /// </summary>
    public TimeSpan InvisibilityTimeout { get; set; } = TimeSpan.FromMinutes(30);

    internal static readonly TimeSpan MinInvisibilityTimeout = TimeSpan.FromSeconds(1);
    internal static readonly TimeSpan MaxInvisibilityTimeout = TimeSpan.FromDays(1);

    /// <summary>
    /// The section as composition reads it, before the host is built (whether to add a job server is decided then);
    /// the same values are bound and validated again at start.
    /// </summary>
    public static JobsOptions From(IConfiguration configuration)
    {
        var options = configuration.GetSection(Section).Get<JobsOptions>() ?? new JobsOptions();
        var mode = configuration.GetValue<StorageMode?>($"{StorageOptions.Section}:Mode") ?? StorageMode.Embedded;
        options.RunServer ??= mode != StorageMode.Postgres;
        return options;
    }
}
