using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Matchmaker.Engine.Graph.Sqlite;
using Matchmaker.Engine.Synthetic;
using Matchmaker.Reliability.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Matchmaker.Reliability.Tests.Load;

/// <summary>
/// Guarantee 9, bounded: the mixed load of the <c>api-load --mixed</c> benchmark for a minute, in the test suite. The
/// embedded service (its own Release build, a child process, job server on, keys and rate limiting on) serves list
/// reads and takes feedback writes while full recomputes run back to back in the same process.
/// </summary>
public sealed class MixedLoadTests(ITestOutputHelper output)
{
    private const int Organizations = 1500;
    private const int Readers = 6;
    private const int Writers = 2;

    /// <summary>How long the load runs: long enough for several full recomputes under it, short enough for every ./test.sh.</summary>
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(60);

    /// <summary>What wrk waits for an answer in the benchmark: a slower answer is a failure here too.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private sealed record Answer(string Kind, int Status, double Milliseconds, string? Marker, string? Error);

    [Fact]
    public async Task Under_reads_feedback_writes_and_back_to_back_full_recomputes_no_request_fails_no_acknowledged_feedback_is_lost_and_every_run_publishes()
    {
        using var directory = new TempDirectory("matchmaker-mixed-");
        var database = directory.File("matchmaker.db");
        var graph = new SqliteGraphStore(database);
        await graph.InitializeAsync();
        var batch = SyntheticGraph.Generate(new SyntheticGraph.Options { Organizations = Organizations, Seed = 11 });
        await graph.ImportAsync(batch);
        var ids = batch.Organizations.Select(o => o.Id).ToArray();
        await using var api = await ApiProcess.StartAsync(new Dictionary<string, string>
        {
            ["Storage:SqlitePath"] = database,
            ["Models:Directory"] = directory.File("models"),
            // The mix is reads, feedback and recomputes: model training stays out of it, as in the benchmark.
            ["Models:MinimumTrainingQueries"] = "1000000000",
            ["Graph:LoadDemoWhenEmpty"] = "false",
            ["Jobs:RunServer"] = "true",
            ["Recompute:ShardSize"] = "150",
            ["Logging:LogLevel:Matchmaker"] = "Warning",
        });
        var first = await Runs.WaitForPublishedFullRunAsync(api.Client, _ => true, TimeSpan.FromMinutes(3), () => api.Output);
        output.WriteLine($"first run {first.Id}: {first.ShardsTotal} shards");

        // A read key and a feedback key, as the benchmark's wrk script uses.
        HttpClient KeyClient(string token)
        {
            var client = new HttpClient { BaseAddress = api.Client.BaseAddress, Timeout = Patience };
            client.DefaultRequestHeaders.Add("X-Api-Key", token);
            return client;
        }
        async Task<string> KeyAsync(string scope)
        {
            var created = await api.Client.PostAsJsonAsync("/api/v1/keys", new { name = $"mixed load {scope}", scopes = new[] { scope } });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
        }
        using var reader = KeyClient(await KeyAsync("read"));
        using var writer = KeyClient(await KeyAsync("feedback"));

        var answers = new ConcurrentQueue<Answer>();
        using var stop = new CancellationTokenSource(Window);
        async Task TimedAsync(string kind, string? marker, Func<Task<HttpResponseMessage>> send)
        {
            var clock = Stopwatch.StartNew();
            try
            {
                using var response = await send();
                var error = response.IsSuccessStatusCode ? null : await response.Content.ReadAsStringAsync();
                answers.Enqueue(new Answer(kind, (int)response.StatusCode, clock.Elapsed.TotalMilliseconds, marker, error));
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                answers.Enqueue(new Answer(kind, 0, clock.Elapsed.TotalMilliseconds, marker, e.Message));
            }
        }
        var readers = Enumerable.Range(0, Readers).Select(r => Task.Run(async () =>
        {
            var random = new Random(r);
            while (!stop.IsCancellationRequested)
            {
                await TimedAsync("read", null, () => reader.GetAsync($"/api/v1/organizations/{ids[random.Next(ids.Length)]}/recommendations"));
            }
        })).ToArray();
        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            var random = new Random(100 + w);
            var sequence = 0;
            while (!stop.IsCancellationRequested)
            {
                var organization = ids[random.Next(ids.Length)];
                var candidate = ids[random.Next(ids.Length)];
                if (candidate == organization) continue;
                var marker = $"mixed-w{w}-{sequence++}-{Guid.NewGuid():N}";
                var decline = random.Next(3) == 0;
                await TimedAsync("feedback", marker, () => writer.PostAsJsonAsync($"/api/v1/organizations/{organization}/feedback",
                    new { candidateId = candidate, action = decline ? "decline" : "accept", reason = decline ? "too-far" : null, comment = marker }));
            }
        })).ToArray();

        // Full recomputes back to back: each one asked for, followed to its end, then the next.
        var requested = new List<string>();
        var published = new List<RunView>();
        var window = Stopwatch.StartNew();
        while (!stop.IsCancellationRequested)
        {
            var started = await api.Client.PostAsync("/api/v1/recompute/runs", null);
            Assert.True(started.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.OK, $"recompute answered {(int)started.StatusCode}");
            var runId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            requested.Add(runId);
            // The run that is going when the load ends is waited for too: every run asked for publishes.
            var run = await Runs.WaitForPublishedFullRunAsync(api.Client, r => r.Id == runId, TimeSpan.FromMinutes(3), () => api.Output);
            published.Add(run);
            output.WriteLine($"run {run.Id} published at {window.Elapsed.TotalSeconds:F0} s");
        }
        await Task.WhenAll(readers.Concat(writers));

        var all = answers.ToList();
        var failures = all.Where(a => a.Status is not (200 or 201)).ToList();
        var acknowledged = all.Where(a => a.Kind == "feedback" && a.Status == 201).Select(a => a.Marker!).ToList();
        var stored = new HashSet<string>(StringComparer.Ordinal);
        await using (var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT comment FROM feedback WHERE comment LIKE 'mixed-%'";
            await using var rows = await command.ExecuteReaderAsync();
            while (await rows.ReadAsync()) stored.Add(rows.GetString(0));
        }
        foreach (var kind in new[] { "read", "feedback" })
        {
            var times = all.Where(a => a.Kind == kind).Select(a => a.Milliseconds).Order().ToList();
            output.WriteLine($"{kind}: {times.Count} requests, p50 {times[times.Count / 2]:F0} ms, p99 {times[times.Count * 99 / 100]:F0} ms, slowest {times[^1]:F0} ms");
        }
        output.WriteLine($"{published.Count} full runs published of {requested.Count} asked for in {window.Elapsed.TotalSeconds:F0} s; "
            + $"{acknowledged.Count} feedback acknowledged, {stored.Count} stored; {failures.Count} failed");

        Assert.True(failures.Count == 0,
            $"{failures.Count} requests failed: " + string.Join("; ", failures.Take(10).Select(f => $"{f.Kind} {f.Status} after {f.Milliseconds:F0} ms: {f.Error}")));
        Assert.All(acknowledged, marker => Assert.Contains(marker, stored));
        Assert.Equal(requested, published.Select(r => r.Id));
        Assert.All(published, r => Assert.Equal((r.ShardsTotal, (long)Organizations), (r.ShardsDone, r.OrganizationsScored)));
        // Enough of everything for the property to mean something.
        Assert.True(published.Count >= 2, $"only {published.Count} full runs under the load");
        Assert.True(acknowledged.Count >= 100 && all.Count(a => a.Kind == "read") >= 1000, "too few requests under the load");
    }
}
