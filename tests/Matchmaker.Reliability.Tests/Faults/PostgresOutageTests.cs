using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Matchmaker.Engine.Graph.Sqlite;
using Matchmaker.Engine.Synthetic;
using Matchmaker.Reliability.Tests.Infrastructure;
using Matchmaker.Testing;
using Npgsql;
using Xunit.Abstractions;

namespace Matchmaker.Reliability.Tests.Faults;

/// <summary>
/// The production mode (app data and Hangfire on PostgreSQL) while PostgreSQL is stopped, as a crash would stop it,
/// in the middle of feedback writes and a full recompute, and started again.
/// </summary>
public sealed class PostgresOutageTests(PostgresFixture postgres, ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    private const int Organizations = 1200;
    private const int Writers = 4;

    private sealed record Attempt(string Marker, int Status, bool DuringOutage);

    [Fact]
    public async Task Every_acknowledged_feedback_survives_a_database_crash_refusals_are_503_and_the_interrupted_run_resumes()
    {
        using var directory = new TempDirectory("matchmaker-pgdown-");
        var graph = new SqliteGraphStore(directory.File("graph.db"));
        await graph.InitializeAsync();
        var batch = SyntheticGraph.Generate(new SyntheticGraph.Options { Organizations = Organizations, Seed = 7 });
        await graph.ImportAsync(batch);
        var ids = batch.Organizations.Select(o => o.Id).ToArray();
        var connectionString = await postgres.Server.CreateDatabaseAsync("pgdown");

        await using var api = await ApiProcess.StartAsync(new Dictionary<string, string>
        {
            ["Storage:Mode"] = "Postgres",
            ["ConnectionStrings:Postgres"] = connectionString,
            ["Storage:SqlitePath"] = directory.File("unused.db"),
            ["Graph:SqlitePath"] = directory.File("graph.db"),
            ["Graph:LoadDemoWhenEmpty"] = "false",
            ["Models:Directory"] = directory.File("models"),
            ["Models:MinimumTrainingQueries"] = "1000000000",
            ["Jobs:RunServer"] = "true",
            // A job cut off with its connection is taken again this long after its last heartbeat.
            ["Jobs:InvisibilityTimeout"] = "00:00:15",
            ["Recompute:ShardSize"] = "60",
            // Thousands of refusals during the outage would push the job server's lines out of the kept output.
            ["Logging:LogLevel:Matchmaker.Requests"] = "None",
            ["Logging:LogLevel:Matchmaker.Api.Infrastructure.ProblemMapping"] = "Error",
            ["Logging:LogLevel:Hangfire"] = "Information",
        });

        var attempts = new ConcurrentQueue<Attempt>();
        var outage = 0; // 1 while PostgreSQL is down
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            var sequence = 0;
            while (!stop.IsCancellationRequested)
            {
                var organization = ids[random.Next(ids.Length)];
                var candidate = ids[random.Next(ids.Length)];
                if (candidate == organization) continue;
                var marker = $"w{w}-{sequence++}-{Guid.NewGuid():N}";
                var during = Volatile.Read(ref outage) == 1;
                try
                {
                    var response = await api.Client.PostAsJsonAsync($"/api/v1/organizations/{organization}/feedback",
                        new { candidateId = candidate, action = "accept", comment = marker });
                    if (response.StatusCode != HttpStatusCode.Created && response.StatusCode != HttpStatusCode.ServiceUnavailable)
                    {
                        output.WriteLine($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                    }
                    attempts.Enqueue(new Attempt(marker, (int)response.StatusCode, during || Volatile.Read(ref outage) == 1));
                    if (response.StatusCode != HttpStatusCode.Created) await Task.Delay(20);
                }
                catch (HttpRequestException e)
                {
                    attempts.Enqueue(new Attempt(marker, 0, during));
                    output.WriteLine($"no answer: {e.Message}");
                }
            }
        })).ToArray();

        // The start enqueued the first full run; PostgreSQL goes down once some of its shards are written.
        var deadline = DateTime.UtcNow.AddMinutes(3);
        RunView? run = null;
        while (run is not { ShardsDone: >= 2 })
        {
            Assert.True(DateTime.UtcNow < deadline, "the first run made no progress\n" + api.Output);
            run = (await Runs.ListAsync(api.Client)).FirstOrDefault(r => r.Kind == "full");
            if (run is { Status: "published" }) Assert.Fail("the run finished before the outage; give it more organizations");
            await Task.Delay(50);
        }
        var ackedBefore = attempts.Count(a => a.Status == 201);
        Volatile.Write(ref outage, 1);
        await postgres.Server.StopClusterAsync();
        output.WriteLine($"PostgreSQL stopped at shard {run.ShardsDone}/{run.ShardsTotal}, {ackedBefore} feedback acknowledged so far");

        // Down: lists cannot be served, so the service is not ready; writes are refused with 503, not 500.
        using var anonymous = new HttpClient { BaseAddress = api.Client.BaseAddress };
        var ready = await anonymous.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var refused = await api.Client.PostAsJsonAsync($"/api/v1/organizations/{ids[0]}/feedback", new { candidateId = ids[1], action = "accept" });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(refused.Headers.RetryAfter);
        await Task.Delay(TimeSpan.FromSeconds(3));

        await postgres.Server.StartClusterAsync();
        Volatile.Write(ref outage, 0);
        var restarted = attempts.Count;
        deadline = DateTime.UtcNow.AddSeconds(60);
        while (attempts.Skip(restarted).Count(a => a.Status == 201) < 40)
        {
            Assert.True(DateTime.UtcNow < deadline, "feedback writes did not resume after PostgreSQL came back\n" + api.Output);
            await Task.Delay(100);
        }
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        var resumed = await Runs.WaitForPublishedFullRunAsync(api.Client, r => r.Id == run.Id, TimeSpan.FromMinutes(2),
            () => api.Output + "\n" + HangfireJobs.DescribeUnfinishedAsync(connectionString).GetAwaiter().GetResult());
        Assert.Equal(resumed.ShardsTotal, resumed.ShardsDone);
        Assert.Equal(Organizations, resumed.OrganizationsScored);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/ready")).StatusCode);

        var stored = new HashSet<string>(StringComparer.Ordinal);
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT comment FROM feedback", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) stored.Add(reader.GetString(0));
        }
        var all = attempts.ToList();
        var acked = all.Where(a => a.Status == 201).ToList();
        output.WriteLine($"{all.Count} feedback requests: {acked.Count} acknowledged, {all.Count(a => a.Status == 503)} refused with 503, {stored.Count} rows stored");
        Assert.All(acked, a => Assert.Contains(a.Marker, stored));
        Assert.All(all, a => Assert.True(a.Status is 201 or 503, $"{a.Marker}: answered {a.Status}"));
        Assert.Contains(all, a => a.Status == 503 && a.DuringOutage);
        Assert.True(ackedBefore > 0, "no feedback was acknowledged before the outage");
        var lists = await api.Client.GetFromJsonAsync<JsonElement>($"/api/v1/organizations/{ids[5]}/recommendations?includeExistingPartners=true");
        Assert.Equal(resumed.Id, lists.GetProperty("runId").GetString());
    }
}
