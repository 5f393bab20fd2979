using System.Net;
using System.Net.Sockets;
using Matchmaker.Engine.Access;
using Matchmaker.Engine.Planning;
using Matchmaker.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Matchmaker.Jobs.Tests;

/// <summary>
/// The composition both hosts share: the store initializer runs at start in any host composed by
/// <see cref="StorageSetup.AddMatchmakerCore"/>, and bad settings stop the start with the setting's name.
/// </summary>
public sealed class HostingTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("matchmaker-hosting-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    // No defaults: the operator's environment variables and appsettings files never reach these hosts.
    private IHost Build(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Testing", ContentRootPath = _directory });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Mode"] = "Embedded",
            ["Storage:SqlitePath"] = Path.Combine(_directory, "matchmaker.db"),
            ["Graph:Provider"] = "Sqlite",
            ["Delivery:TokenKey"] = "hosting-tests-link-key-of-at-least-32-characters",
        });
        if (settings is not null) builder.Configuration.AddInMemoryCollection(settings);
        builder.AddMatchmakerCore();
        return builder.Build();
    }

    [Fact]
    public async Task A_host_composed_like_the_worker_readies_every_store_at_start_the_plan_store_too()
    {
        using var host = Build();
        var database = Path.Combine(_directory, "matchmaker.db");
        Assert.False(File.Exists(database));

        await host.StartAsync();

        Assert.True(File.Exists(database));
        // Each query needs its store's tables: a store left uninitialized answers "no such table".
        Assert.Empty(await host.Services.GetRequiredService<IPlanStore>().ListByLeadAsync("baolong-auto", 10));
        Assert.Empty(await host.Services.GetRequiredService<IApiKeyStore>().ListAsync());
        Assert.Empty(await host.Services.GetRequiredService<Engine.Recommendations.IRecommendationStore>().ListRunsAsync(1));
        Assert.Equal(0, (await host.Services.GetRequiredService<Engine.Graph.IGraphStore>().CountAsync()).Organizations);
        await host.StopAsync();
    }

    [Fact]
    public async Task An_unreachable_neo4j_server_stops_the_start_with_the_reason_before_any_store_is_touched()
    {
        using var host = Build(new Dictionary<string, string?>
        {
            ["Graph:Provider"] = "Neo4j",
            ["Graph:Neo4j:BaseUrl"] = $"http://127.0.0.1:{ClosedPort()}/",
            ["Graph:Neo4j:User"] = "neo4j",
            ["Graph:Neo4j:Password"] = "verysecret",
            ["Graph:Neo4j:MaxRetryAttempts"] = "0",
            ["Graph:Neo4j:RequestTimeout"] = "00:00:10",
        });

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.StartsWith("Graph:Provider is Neo4j but the server cannot be used: ", refused.Message);
        Assert.Contains("cannot be reached", refused.Message);
        // The SQLite stores come after the check: nothing was created.
        Assert.False(File.Exists(Path.Combine(_directory, "matchmaker.db")));
    }

    [Theory]
    [InlineData("Schedules:DeliverySweep", "every five minutes", "Schedules:DeliverySweep is not a cron expression")]
    [InlineData("Schedules:RecomputeAll", "0 2 * *", "Schedules:RecomputeAll is not a cron expression")]
    [InlineData("Schedules:TimeZone", "Mars/Olympus_Mons", "Schedules:TimeZone is not a known time zone id.")]
    [InlineData("Jobs:InvisibilityTimeout", "00:00:00", "Jobs:InvisibilityTimeout must be between 00:00:01 and 1.00:00:00")]
    public async Task A_bad_jobs_or_schedule_setting_stops_the_start_naming_the_setting(string key, string value, string message)
    {
        using var host = Build(new Dictionary<string, string?> { [key] = value });

        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(refused.Failures, f => f.StartsWith(message, StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(_directory, "matchmaker.db")));
    }

    [Theory]
    [InlineData("Embedded", null, true)]
    [InlineData("Postgres", null, false)]
    [InlineData("Embedded", "false", false)]
    [InlineData("Postgres", "true", true)]
    public void The_api_runs_a_job_server_in_the_embedded_mode_unless_told_otherwise(string mode, string? runServer, bool expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Mode"] = mode,
            ["Jobs:RunServer"] = runServer,
        }).Build();

        Assert.Equal(expected, JobsOptions.From(configuration).RunServer);
    }

    [Fact]
    public void Jobs_settings_are_bound_with_their_defaults()
    {
        using var host = Build(new Dictionary<string, string?> { ["Jobs:InvisibilityTimeout"] = "00:00:15" });

        var jobs = host.Services.GetRequiredService<IOptions<JobsOptions>>().Value;
        var schedules = host.Services.GetRequiredService<IOptions<ScheduleOptions>>().Value;

        Assert.Equal(TimeSpan.FromSeconds(15), jobs.InvisibilityTimeout);
        Assert.True(jobs.RunServer);
        Assert.Equal("*/5 * * * *", schedules.DeliverySweep);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
