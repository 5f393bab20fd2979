using Hangfire;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Matchmaker.Engine.Access;
using Matchmaker.Engine.Delivery;
using Matchmaker.Engine.Feedback;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Graph.Neo4j;
using Matchmaker.Engine.Graph.Sqlite;
using Matchmaker.Engine.Matching;
using Matchmaker.Engine.Planning;
using Matchmaker.Engine.Recommendations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Matchmaker.Jobs.Hosting;

public enum StorageMode
{
    /// <summary>One process: SQLite for the graph and app data, Hangfire in memory, the job server inside the API.</summary>
    Embedded,
    /// <summary>PostgreSQL for app data and Hangfire; the API and any number of worker hosts share it.</summary>
    Postgres,
}

public enum GraphProvider
{
    Sqlite,
    Neo4j,
}

/// <summary>The <c>Storage</c> section: the one switch between the embedded and the production mode.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    public StorageMode Mode { get; set; } = StorageMode.Embedded;

    /// <summary>The SQLite file of the embedded mode (graph and app data); relative paths are under the content root.</summary>
    public string SqlitePath { get; set; } = "data/matchmaker.db";

    /// <summary>
    /// The SQLite file of the recommendation lists in the embedded mode; defaults to one beside <see cref="SqlitePath"/>
    /// (data/matchmaker.db: data/matchmaker-lists.db). A file of its own, so that a recompute writing lists never holds
    /// the write lock that feedback, keys, subscriptions, plans and graph edits need.
    /// </summary>
    public string? ListsSqlitePath { get; set; }

    /// <summary>The lists' file: <see cref="ListsSqlitePath"/>, or the service's file name with "-lists".</summary>
    public string ListsPath => ListsSqlitePath ?? Path.Combine(Path.GetDirectoryName(SqlitePath) ?? "",
        Path.GetFileNameWithoutExtension(SqlitePath) + "-lists" + Path.GetExtension(SqlitePath));

    /// <summary>PostgreSQL connection string of the production mode (ConnectionStrings:Postgres also works).</summary>
    public string? PostgresConnectionString { get; set; }
}

/// <summary>The <c>Graph</c> section.</summary>
public sealed class GraphOptions
{
    public const string Section = "Graph";

    public GraphProvider Provider { get; set; } = GraphProvider.Sqlite;

    /// <summary>The SQLite graph file; defaults to the Storage:SqlitePath file.</summary>
    public string? SqlitePath { get; set; }

    /// <summary>The G60 demo graph (JSON Lines), loaded on first start when the store is empty.</summary>
    public string SeedDirectory { get; set; } = Path.Combine(AppContext.BaseDirectory, "graph", "seed");

    public bool LoadDemoWhenEmpty { get; set; } = true;
}

/// <summary>Recurring schedules (cron) and their time zone.</summary>
public sealed class ScheduleOptions
{
    public const string Section = "Schedules";

    public string TimeZone { get; set; } = "Asia/Shanghai";
    public string RecomputeAll { get; set; } = "0 2 * * *";
    public string RetrainModel { get; set; } = "0 3 * * 0";
    public string WeeklyDigest { get; set; } = "0 8 * * 1";
}

public static class StorageSetup
{
    /// <summary>
    /// Registers the graph store, the recommendation store, the API key store, the plan store, the engine services and Hangfire's storage for the
    /// configured mode. The API and the worker host both call it; only they decide whether to run a job server.
    /// </summary>
    public static IHostApplicationBuilder AddMatchmakerCore(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section)
            .PostConfigure<IConfiguration>((o, config) => o.PostgresConnectionString ??= config.GetConnectionString("Postgres"))
            .Validate(o => o.Mode != StorageMode.Postgres || !string.IsNullOrWhiteSpace(o.PostgresConnectionString),
                "Storage:Mode is Postgres but no connection string is set (Storage:PostgresConnectionString or ConnectionStrings:Postgres).")
            .ValidateOnStart();
        services.AddOptions<GraphOptions>().BindConfiguration(GraphOptions.Section).ValidateOnStart();
        services.AddOptions<ScheduleOptions>().BindConfiguration(ScheduleOptions.Section)
            .Validate(o => TryFindTimeZone(o.TimeZone) is not null, "Schedules:TimeZone is not a known time zone id.")
            .ValidateOnStart();
        var mode = builder.Configuration.GetValue<StorageMode?>($"{StorageOptions.Section}:Mode") ?? StorageMode.Embedded;
        services.AddOptions<RecomputeOptions>().BindConfiguration(RecomputeOptions.Section)
            // The embedded process computes and answers requests on the same cores: the recompute leaves them one.
            .PostConfigure(o => o.MaxDegreeOfParallelism ??= mode == StorageMode.Embedded ? Math.Max(1, Environment.ProcessorCount - 1) : null)
            .Validate(o => o.ShardSize is >= 1 and <= 1_000_000 && o.TopK is >= 1 and <= 200, "Recompute:ShardSize must be 1-1,000,000 and Recompute:TopK 1-200.")
            .Validate(o => o.MaxDegreeOfParallelism is null or (>= 1 and <= 1024), "Recompute:MaxDegreeOfParallelism must be 1-1,024.")
            .ValidateOnStart();
        services.AddSingleton(TimeProvider.System);

        var provider = builder.Configuration.GetValue<GraphProvider?>($"{GraphOptions.Section}:Provider") ?? GraphProvider.Sqlite;

        if (provider == GraphProvider.Neo4j)
        {
            // Only configuration changes between the providers: the engine and API see the same IGraphStore.
            services.AddNeo4jGraphStore(builder.Configuration.GetSection($"{GraphOptions.Section}:Neo4j"));
        }
        else
        {
            services.AddSingleton<IGraphStore>(sp => new SqliteGraphStore(ResolvePath(sp, sp.GetRequiredService<IOptions<GraphOptions>>().Value.SqlitePath
                ?? sp.GetRequiredService<IOptions<StorageOptions>>().Value.SqlitePath)));
        }

        if (mode == StorageMode.Postgres)
        {
            services.AddSingleton(sp => NpgsqlDataSource.Create(sp.GetRequiredService<IOptions<StorageOptions>>().Value.PostgresConnectionString!));
            services.AddSingleton<IRecommendationStore>(sp => new PostgresRecommendationStore(sp.GetRequiredService<NpgsqlDataSource>()));
            services.AddSingleton<IApiKeyStore>(sp => new PostgresApiKeyStore(sp.GetRequiredService<NpgsqlDataSource>()));
            services.AddSingleton<IFeedbackStore>(sp => new PostgresFeedbackStore(sp.GetRequiredService<NpgsqlDataSource>()));
            services.AddSingleton<IDeliveryStore>(sp => new PostgresDeliveryStore(sp.GetRequiredService<NpgsqlDataSource>()) { Secrets = sp.GetRequiredService<SubscriptionSecrets>() });
            services.AddSingleton<IPlanStore>(sp => new PostgresPlanStore(sp.GetRequiredService<NpgsqlDataSource>()));
        }
        else
        {
            services.AddSingleton<IRecommendationStore>(sp => new SqliteRecommendationStore(ResolvePath(sp, sp.GetRequiredService<IOptions<StorageOptions>>().Value.ListsPath),
                ResolvePath(sp, sp.GetRequiredService<IOptions<StorageOptions>>().Value.SqlitePath)));
            services.AddSingleton<IApiKeyStore>(sp => new SqliteApiKeyStore(ResolvePath(sp, sp.GetRequiredService<IOptions<StorageOptions>>().Value.SqlitePath)));
            services.AddSingleton<IFeedbackStore>(sp => new SqliteFeedbackStore(ResolvePath(sp, sp.GetRequiredService<IOptions<StorageOptions>>().Value.SqlitePath)));
            services.AddSingleton<IDeliveryStore>(sp => new SqliteDeliveryStore(ResolvePath(sp, sp.GetRequiredService<IOptions<StorageOptions>>().Value.SqlitePath)) { Secrets = sp.GetRequiredService<SubscriptionSecrets>() });
            services.AddSingleton<IPlanStore>(sp => new SqlitePlanStore(ResolvePath(sp, sp.GetRequiredService<IOptions<StorageOptions>>().Value.SqlitePath)));
        }
        services.AddOptions<PlanOptions>().BindConfiguration(PlanOptions.Section)
            .Validate(o => o.MaxSavedPerKey is >= 1 and <= 1_000_000 && o.RetentionDays is >= 1 and <= 3650,
                "Plans:MaxSavedPerKey must be 1-1,000,000 and Plans:RetentionDays 1-3,650.")
            .ValidateOnStart();
        // Weekly lists name the roles the organization's newest saved plan leaves out (docs/planner.md).
        services.AddSingleton<IPlanGapSource>(sp => new SavedPlanGaps(sp.GetRequiredService<IPlanStore>()));

        services.AddOptions<ModelOptions>().BindConfiguration(ModelOptions.Section)
            .Validate(o => o.TrainingYears is >= 1 and <= 20, "Models:TrainingYears must be 1-20.")
            .ValidateOnStart();
        services.AddSingleton(sp => new ModelRegistry(ResolvePath(sp, sp.GetRequiredService<IOptions<ModelOptions>>().Value.Directory)));
        services.AddSingleton(sp => new ModelTrainingService(sp.GetRequiredService<SnapshotSource>(), sp.GetRequiredService<ModelRegistry>(),
            sp.GetRequiredService<IOptions<ModelOptions>>().Value, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ModelTrainingService>>(),
            sp.GetRequiredService<IFeedbackStore>()));
        services.AddSingleton<SnapshotSource>();
        services.AddSingleton<TextMatchers>();
        services.AddSingleton<IPartnerRankerFactory, LearnedRankerFactory>();
        services.AddSingleton<RecomputeService>();
        services.AddSingleton<PlannerSource>();
        services.AddTransient<RecomputeJobs>();
        services.AddTransient<DigestJobs>();
        services.AddTransient<DeliveryJobs>();
        // Weekly lists, webhooks and their outbox; the embedded mode keeps its generated link key beside its SQLite file.
        services.AddDelivery(mode != StorageMode.Postgres,
            sp => Path.GetDirectoryName(ResolvePath(sp, sp.GetRequiredService<IOptions<StorageOptions>>().Value.SqlitePath))!);
        services.AddTransient<ModelJobs>();
        services.AddSingleton<ChangeNotifier>();
        services.AddSingleton<ApiKeyService>();
        services.AddSingleton<FeedbackIndex>();

        // Each host owns its JobStorage through DI instead of Hangfire's process-wide JobStorage.Current, so that
        // two hosts in one process (tests, or an API beside a worker) never take each other's jobs.
        services.AddSingleton<JobStorage>(sp =>
        {
            if (mode != StorageMode.Postgres) return new InMemoryStorage(new InMemoryStorageOptions { MaxExpirationTime = TimeSpan.FromHours(6) });
            // A job whose worker died (or lost its database connection) is taken again once its fetch is older than the
            // invisibility timeout; sliding keeps long shards of live workers fetched, so the timeout may be short.
            var options = new PostgreSqlStorageOptions
            {
                PrepareSchemaIfNecessary = true, QueuePollInterval = TimeSpan.FromMilliseconds(200),
                InvisibilityTimeout = sp.GetRequiredService<IConfiguration>().GetValue("Jobs:InvisibilityTimeout", TimeSpan.FromMinutes(30)),
                UseSlidingInvisibilityTimeout = true,
                // Hangfire's locks are rows: one left by a worker killed while it changed a job's state (taken only for
                // that moment) kept any other worker from finishing the job until the row aged past this (10 minutes by
                // default), so a killed worker's shard stalled its run. The longest lock held on purpose is a
                // DisableConcurrentExecution job's (planning a run, pruning lists: seconds).
                DistributedLockTimeout = sp.GetRequiredService<IConfiguration>().GetValue("Jobs:DistributedLockTimeout", TimeSpan.FromMinutes(1)),
            };
            return new PostgreSqlStorage(new PostgresConnections(sp.GetRequiredService<IOptions<StorageOptions>>().Value.PostgresConnectionString!), options);
        });
        services.AddHangfire(config => config.SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());
        return builder;
    }

    /// <summary>Runs a Hangfire server in this process (the API in embedded mode, every worker host in production).</summary>
    public static IHostApplicationBuilder AddMatchmakerJobServer(this IHostApplicationBuilder builder, string? serverName = null)
    {
        builder.Services.AddHangfireServer((sp, o) =>
        {
            o.ServerName = serverName ?? $"{Environment.MachineName}:{Environment.ProcessId}";
            o.Queues = [RecomputeJobs.Queue, "default"];
            o.WorkerCount = Math.Max(2, Environment.ProcessorCount);
            o.SchedulePollingInterval = TimeSpan.FromSeconds(1);
        });
        return builder;
    }

    /// <summary>Registers (or updates) the recurring jobs with their configured cron and time zone.</summary>
    public static void RegisterRecurringJobs(IRecurringJobManager manager, ScheduleOptions schedules)
    {
        var options = new RecurringJobOptions { TimeZone = TryFindTimeZone(schedules.TimeZone)! };
        manager.AddOrUpdate<RecomputeJobs>("recompute-all", RecomputeJobs.Queue, j => j.RecomputeAll(CancellationToken.None), schedules.RecomputeAll, options);
        manager.AddOrUpdate<ModelJobs>("retrain-model", "default", j => j.RetrainModel(CancellationToken.None), schedules.RetrainModel, options);
        manager.AddOrUpdate<DigestJobs>("weekly-digest", "default", j => j.SendWeeklyDigests(CancellationToken.None), schedules.WeeklyDigest, options);
        manager.AddOrUpdate<DeliveryJobs>("delivery-sweep", "default", j => j.Sweep(CancellationToken.None), "*/5 * * * *", options);
    }

    public static TimeZoneInfo? TryFindTimeZone(string id)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (TimeZoneNotFoundException)
        {
            return null;
        }
    }

    private static string ResolvePath(IServiceProvider sp, string path) =>
        Path.IsPathRooted(path) ? path : Path.Combine(sp.GetRequiredService<IHostEnvironment>().ContentRootPath, path);
}

/// <summary>Hangfire's PostgreSQL storage opens its connections here (Npgsql pools them).</summary>
internal sealed class PostgresConnections(string connectionString) : Hangfire.PostgreSql.IConnectionFactory
{
    public NpgsqlConnection GetOrCreateConnection() => new(connectionString);
}
