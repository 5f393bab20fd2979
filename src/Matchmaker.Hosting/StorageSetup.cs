using Hangfire;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Matchmaker.Engine.Access;
using Matchmaker.Engine.Access.Postgres;
using Matchmaker.Engine.Access.Sqlite;
using Matchmaker.Engine.Delivery;
using Matchmaker.Engine.Delivery.Postgres;
using Matchmaker.Engine.Delivery.Sqlite;
using Matchmaker.Engine.Feedback;
using Matchmaker.Engine.Feedback.Postgres;
using Matchmaker.Engine.Feedback.Sqlite;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Graph.Neo4j;
using Matchmaker.Engine.Graph.Sqlite;
using Matchmaker.Engine.Matching;
using Matchmaker.Engine.Planning;
using Matchmaker.Engine.Planning.Postgres;
using Matchmaker.Engine.Planning.Sqlite;
using Matchmaker.Engine.Recommendations;
using Matchmaker.Engine.Recommendations.Postgres;
using Matchmaker.Engine.Recommendations.Sqlite;
using Matchmaker.Jobs;
using Matchmaker.Rendering;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Matchmaker.Hosting;

public static class StorageSetup
{
    /// <summary>
    /// Registers the settings (bound and validated at start), the graph store, the recommendation store, the API key store,
    /// the feedback, delivery and plan stores, the engine services and Hangfire's storage for the configured mode, and the
    /// <see cref="StoreInitializer"/> that readies the stores at start. The API and the worker host both call it; only
    /// they decide whether to run a job server.
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
        services.AddOptions<ScheduleOptions>().BindConfiguration(ScheduleOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ScheduleOptions>, ScheduleOptionsValidator>();
        services.AddOptions<JobsOptions>().BindConfiguration(JobsOptions.Section)
            .PostConfigure<IOptions<StorageOptions>>((o, storage) => o.RunServer ??= storage.Value.Mode != StorageMode.Postgres)
            .Validate(o => o.InvisibilityTimeout >= JobsOptions.MinInvisibilityTimeout && o.InvisibilityTimeout <= JobsOptions.MaxInvisibilityTimeout,
                "Jobs:InvisibilityTimeout must be between 00:00:01 and 1.00:00:00 (one day).")
            .Validate(o => o.DistributedLockTimeout >= JobsOptions.MinInvisibilityTimeout && o.DistributedLockTimeout <= JobsOptions.MaxInvisibilityTimeout,
                "Jobs:DistributedLockTimeout must be between 00:00:01 and 1.00:00:00 (one day).")
            .ValidateOnStart();
        var mode = builder.Configuration.GetValue<StorageMode?>($"{StorageOptions.Section}:Mode") ?? StorageMode.Embedded;
        services.AddOptions<RecomputeOptions>().BindConfiguration(RecomputeOptions.Section)
            // The embedded process computes and answers requests on the same cores: the recompute leaves them one.
            .PostConfigure(o => o.MaxDegreeOfParallelism ??= mode == StorageMode.Embedded ? Math.Max(1, Environment.ProcessorCount - 1) : null)
            .Validate(o => o.ShardSize is >= 1 and <= 1_000_000 && o.TopK is >= 1 and <= 200, "Recompute:ShardSize must be 1-1,000,000 and Recompute:TopK 1-200.")
            .Validate(o => o.MaxDegreeOfParallelism is null or (>= 1 and <= 1024), "Recompute:MaxDegreeOfParallelism must be 1-1,024.")
            .Validate(o => o.MaxDroppedListShare is >= 0 and <= 1, "Recompute:MaxDroppedListShare must be 0-1 (1 turns the check off).")
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
            services.AddSingleton<IDeliveryStore>(sp =>
                new PostgresDeliveryStore(sp.GetRequiredService<NpgsqlDataSource>()) { Secrets = sp.GetRequiredService<SubscriptionSecrets>() });
            services.AddSingleton<IPlanStore>(sp => new PostgresPlanStore(sp.GetRequiredService<NpgsqlDataSource>()));
        }
        else
        {
            services.AddSingleton<IRecommendationStore>(sp => new SqliteRecommendationStore(ResolvePath(sp, sp.GetRequiredService<IOptions<StorageOptions>>().Value.ListsPath),
                ResolvePath(sp, sp.GetRequiredService<IOptions<StorageOptions>>().Value.SqlitePath)));
            services.AddSingleton<IApiKeyStore>(sp => new SqliteApiKeyStore(ResolvePath(sp, sp.GetRequiredService<IOptions<StorageOptions>>().Value.SqlitePath)));
            services.AddSingleton<IFeedbackStore>(sp => new SqliteFeedbackStore(ResolvePath(sp, sp.GetRequiredService<IOptions<StorageOptions>>().Value.SqlitePath)));
            services.AddSingleton<IDeliveryStore>(sp =>
                new SqliteDeliveryStore(ResolvePath(sp,
                sp.GetRequiredService<IOptions<StorageOptions>>().Value.SqlitePath)) { Secrets = sp.GetRequiredService<SubscriptionSecrets>() });
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
        // The e-mail's HTML (and the API's pages): Razor components, kept out of the Engine with their ASP.NET Core dependency.
        services.AddHtmlPages();
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
                InvisibilityTimeout = sp.GetRequiredService<IOptions<JobsOptions>>().Value.InvisibilityTimeout,
                UseSlidingInvisibilityTimeout = true,
                // A lock left by a killed process must not stall a run for Hangfire's default 10 minutes (JobsOptions).
                DistributedLockTimeout = sp.GetRequiredService<IOptions<JobsOptions>>().Value.DistributedLockTimeout,
            };
            return new PostgreSqlStorage(new PostgresConnections(sp.GetRequiredService<IOptions<StorageOptions>>().Value.PostgresConnectionString!), options);
        });
        // First among the hosted services: the stores are ready before a job server or the web server starts.
        services.Insert(0, ServiceDescriptor.Singleton<IHostedService, StoreInitializer>());
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
        var options = new RecurringJobOptions { TimeZone = ScheduleOptions.TryFindTimeZone(schedules.TimeZone)! };
        manager.AddOrUpdate<RecomputeJobs>("recompute-all", RecomputeJobs.Queue, j => j.RecomputeAll(CancellationToken.None), schedules.RecomputeAll, options);
        manager.AddOrUpdate<ModelJobs>("retrain-model", "default", j => j.RetrainModel(CancellationToken.None), schedules.RetrainModel, options);
        manager.AddOrUpdate<DigestJobs>("weekly-digest", "default", j => j.SendWeeklyDigests(CancellationToken.None), schedules.WeeklyDigest, options);
        manager.AddOrUpdate<DeliveryJobs>("delivery-sweep", "default", j => j.Sweep(CancellationToken.None), schedules.DeliverySweep, options);
    }

    /// <summary>Whether this API process runs a job server (<see cref="JobsOptions.RunServer"/>), decided while composing.</summary>
    public static bool RunsJobServer(this IHostApplicationBuilder builder) => JobsOptions.From(builder.Configuration).RunServer!.Value;

    private static string ResolvePath(IServiceProvider sp, string path) =>
        Path.IsPathRooted(path) ? path : Path.Combine(sp.GetRequiredService<IHostEnvironment>().ContentRootPath, path);
}

/// <summary>Hangfire's PostgreSQL storage opens its connections here (Npgsql pools them).</summary>
internal sealed class PostgresConnections(string connectionString) : Hangfire.PostgreSql.IConnectionFactory
{
    public NpgsqlConnection GetOrCreateConnection() => new(connectionString);
}
