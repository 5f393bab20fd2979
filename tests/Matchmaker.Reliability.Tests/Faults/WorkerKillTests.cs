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
/// The production mode scaled out: one API (no job server) and two standalone workers on one PostgreSQL, a full
/// recompute split across the workers, and one worker killed with SIGKILL while it holds a shard.
/// </summary>
public sealed class WorkerKillTests(PostgresFixture postgres, ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    private const int Organizations = 1200;
    private const int ShardSize = 50;

    [Fact]
    public async Task A_worker_killed_mid_run_leaves_its_shard_to_the_other_worker_and_the_run_publishes_once_with_every_list_whole()
    {
        using var directory = new TempDirectory("matchmaker-scaleout-");
        var graph = new SqliteGraphStore(directory.File("graph.db"));
        await graph.InitializeAsync();
        var batch = SyntheticGraph.Generate(new SyntheticGraph.Options { Organizations = Organizations, Seed = 5 });
        await graph.ImportAsync(batch);
        var ids = batch.Organizations.Select(o => o.Id).ToArray();
        var connectionString = _connectionString = await postgres.Server.CreateDatabaseAsync("scaleout");
        var shared = new Dictionary<string, string>
        {
            ["Storage:Mode"] = "Postgres",
            ["ConnectionStrings:Postgres"] = connectionString,
            ["Graph:SqlitePath"] = directory.File("graph.db"),
            ["Graph:LoadDemoWhenEmpty"] = "false",
            ["Models:Directory"] = directory.File("models"),
            ["Models:MinimumTrainingQueries"] = "1000000000",
            // A shard whose worker died is taken again this long after the worker's last heartbeat on it.
            ["Jobs:InvisibilityTimeout"] = "00:00:10",
            // A job-store lock the killed worker held (changing a job's state) is taken over this long after it was taken.
            ["Jobs:DistributedLockTimeout"] = "00:00:15",
            ["Recompute:ShardSize"] = ShardSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };

        // The API only serves and enqueues: the two workers take every shard.
        await using var api = await ApiProcess.StartAsync(new Dictionary<string, string>(shared)
        {
            ["Storage:SqlitePath"] = directory.File("unused.db"),
            ["Jobs:RunServer"] = "false",
        });
        await using var survivor = WorkerProcess.Start(shared);
        var victim = WorkerProcess.Start(shared);
        try
        {
            // The start's own full run, taken by the workers: both are up and working once it is published.
            var initial = await Runs.WaitForPublishedFullRunAsync(api.Client, _ => true, TimeSpan.FromMinutes(4), () => Diagnostics(api, survivor, victim));
            output.WriteLine($"first run {initial.Id}: {initial.ShardsTotal} shards");

            var trigger = await api.Client.PostAsync("/api/v1/recompute/runs", null);
            Assert.Equal(HttpStatusCode.Accepted, trigger.StatusCode);
            var runId = JsonDocument.Parse(await trigger.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;

            // Killed when some shards are written and the victim is computing one of this run's.
            var deadline = DateTime.UtcNow.AddMinutes(3);
            IReadOnlyList<(long Job, int Shard)> held = [];
            RunView run;
            while (true)
            {
                Assert.True(DateTime.UtcNow < deadline, "the victim never held a shard of the run while others were written\n" + Diagnostics(api, survivor, victim));
                run = await Runs.GetAsync(api.Client, runId);
                Assert.NotEqual("published", run.Status);
                if (run.ShardsDone >= 2 && (held = await ShardsProcessedByAsync(connectionString, runId, victim.Id)).Count > 0) break;
                await Task.Delay(20);
            }
            var victimId = victim.Id;
            victim.Kill();
            // What the victim held when it died, read again after the kill: a shard seen above may have been finished
            // (and marked succeeded) by the victim in the moment before the kill, and another one taken. The job store
            // keeps a dead server's jobs in Processing until another worker takes them, which the invisibility timeout
            // delays by 10 s, so this read is exact.
            var seenBefore = held;
            held = await ShardsProcessedByAsync(connectionString, runId, victimId);
            var atKill = await Runs.GetAsync(api.Client, runId);
            output.WriteLine($"victim killed holding shard(s) {string.Join(", ", held.Select(h => h.Shard))} of {runId} " +
                $"(seen before the kill: {string.Join(", ", seenBefore.Select(h => h.Shard))}); {atKill.ShardsDone}/{atKill.ShardsTotal} written");
            Assert.True(held.Count > 0, "the victim finished its shards in the moment before the kill and held none when it died\n" + Diagnostics(api, survivor, victim));
            Assert.InRange(atKill.ShardsDone, 1, atKill.ShardsTotal - 1);
            var victimLines = victim.Lines;

            var killedAt = System.Diagnostics.Stopwatch.StartNew();
            var published = await Runs.WaitForPublishedFullRunAsync(api.Client, r => r.Id == runId, TimeSpan.FromMinutes(3), () => Diagnostics(api, survivor, victim));
            output.WriteLine($"{runId} published {killedAt.Elapsed.TotalSeconds:F0} s after the kill");
            Assert.Equal(published.ShardsTotal, published.ShardsDone);
            Assert.Equal(Organizations, published.OrganizationsScored);
            Assert.Equal((Organizations + ShardSize - 1) / ShardSize, published.ShardsTotal);

            // The shards the victim held were taken again by the survivor: computed, or skipped when the victim had
            // committed its write just before the kill and the run was published by then.
            var waitForJobs = DateTime.UtcNow.AddMinutes(1);
            while (!await SucceededAsync(connectionString, held.Select(h => h.Job)))
            {
                Assert.True(DateTime.UtcNow < waitForJobs, "the killed worker's shard jobs did not succeed on the other worker\n" + Diagnostics(api, survivor, victim));
                await Task.Delay(200);
            }
            foreach (var (_, shard) in held)
            {
                Assert.True(survivor.Lines.Any(l => l.Contains($"Shard {shard + 1}/{published.ShardsTotal} of {runId}:", StringComparison.Ordinal)
                    || l.Contains($"Shard {shard} of {runId} skipped", StringComparison.Ordinal)),
                    $"the survivor's log has no line for shard {shard} (log 'Shard {shard + 1}/{published.ShardsTotal}') of {runId}\n" + Diagnostics(api, survivor, victim));
            }
            // Published once: one publish line in both workers' logs together, one published row, no other full run since.
            var publishLines = survivor.Lines.Concat(victimLines).Count(l => l.Contains($"Published run {runId}:", StringComparison.Ordinal));
            Assert.Equal(1, publishLines);
            var runs = await Runs.ListAsync(api.Client);
            Assert.Single(runs, r => r.Id == runId);
            Assert.Equal([initial.Id, runId], runs.Where(r => r.Kind == "full").Select(r => r.Id).Reverse());

            // Every list is whole and from this run: one run id, ranks 1..n without a gap.
            foreach (var id in ids)
            {
                var list = await api.Client.GetFromJsonAsync<JsonElement>($"/api/v1/organizations/{id}/recommendations?includeExistingPartners=true");
                Assert.Equal(runId, list.GetProperty("runId").GetString());
                var ranks = list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("rank").GetInt32()).ToList();
                Assert.Equal(Enumerable.Range(1, ranks.Count), ranks);
                Assert.DoesNotContain(list.GetProperty("items").EnumerateArray(), i => i.GetProperty("candidateId").GetString() == id);
            }
            Assert.Equal(Organizations, await ServedFromAsync(connectionString, runId));
        }
        finally
        {
            await victim.DisposeAsync();
        }
    }

    /// <summary>Shards of the run that the given worker process is processing, from Hangfire's job store.</summary>
    private static async Task<IReadOnlyList<(long Job, int Shard)>> ShardsProcessedByAsync(string connectionString, string runId, int pid)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        // A server is named "<machine>:<pid>" (AddMatchmakerJobServer); the Processing state names the server.
        await using var command = new NpgsqlCommand("""
            SELECT j.arguments, j.id FROM hangfire.job j JOIN hangfire.state s ON s.id = j.stateid
            WHERE j.statename = 'Processing' AND s.data::text LIKE @server AND j.arguments::text LIKE @run
            """, connection);
        command.Parameters.AddWithValue("server", $"%:{pid}:%");
        command.Parameters.AddWithValue("run", $"%{runId}%");
        var shards = new List<(long, int)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            // Arguments: [runId, shard, from, to, context, token], each JSON-encoded.
            var arguments = JsonDocument.Parse(reader.GetValue(0).ToString()!).RootElement;
            shards.Add((Convert.ToInt64(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture),
                int.Parse(arguments[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture)));
        }
        return shards;
    }

    /// <summary>Whether every one of the jobs has succeeded.</summary>
    private static async Task<bool> SucceededAsync(string connectionString, IEnumerable<long> jobs)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM hangfire.job WHERE id = ANY(@jobs) AND statename IS DISTINCT FROM 'Succeeded'", connection);
        command.Parameters.AddWithValue("jobs", jobs.ToArray());
        return (long)(await command.ExecuteScalarAsync())! == 0;
    }

    /// <summary>Organizations whose served list is the run's, from the store itself.</summary>
    private static async Task<long> ServedFromAsync(string connectionString, string runId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM rec_serving WHERE run_id = @run", connection);
        command.Parameters.AddWithValue("run", runId);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private string Diagnostics(ApiProcess api, WorkerProcess survivor, WorkerProcess victim) =>
        $"api:\n{api.Output}\nsurvivor:\n{survivor.Output}\nvictim:\n{victim.Output}\n{HangfireJobs.DescribeUnfinishedAsync(_connectionString).GetAwaiter().GetResult()}";

    private string? _connectionString;
}
