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

    /// <summary>
    /// PostgreSQL mode: a job-store lock left by a killed process is taken over this long after it was taken. Hangfire's
    /// locks are rows, and one left by a worker killed while it changed a job's state keeps every other worker from
    /// finishing that job until then (Hangfire's default, 10 minutes, stalled a run). The longest lock held on purpose
    /// is a DisableConcurrentExecution job's (planning a run, pruning lists: seconds).
    /// </summary>
    public TimeSpan DistributedLockTimeout { get; set; } = TimeSpan.FromMinutes(1);

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
