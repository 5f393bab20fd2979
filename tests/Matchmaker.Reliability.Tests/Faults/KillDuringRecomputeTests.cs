using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Matchmaker.Engine.Graph.Sqlite;
using Matchmaker.Engine.Recommendations;
using Matchmaker.Engine.Recommendations.Sqlite;
using Matchmaker.Engine.Synthetic;
using Matchmaker.Reliability.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Matchmaker.Reliability.Tests.Faults;

/// <summary>
/// The embedded service killed with SIGKILL in the middle of a full recompute, while a reader keeps reading lists,
/// then started again on the same SQLite file.
/// </summary>
public sealed class KillDuringRecomputeTests(ITestOutputHelper output)
{
    private const int Organizations = 1500;
    private const int TopK = 20;

    [Fact]
    public async Task A_process_killed_mid_recompute_shows_readers_only_whole_published_lists_and_a_replacement_run_completes_after_restart()
    {
        using var directory = new TempDirectory("matchmaker-kill-");
        var database = directory.File("matchmaker.db");
        var lists = directory.File("matchmaker-lists.db");
        var graph = new SqliteGraphStore(database);
        await graph.InitializeAsync();
        var batch = SyntheticGraph.Generate(new SyntheticGraph.Options { Organizations = Organizations });
        await graph.ImportAsync(batch);
        var ids = batch.Organizations.Select(o => o.Id).ToArray();
        var settings = new Dictionary<string, string>
        {
            ["Storage:SqlitePath"] = database,
            ["Models:Directory"] = directory.File("models"),
            // No model: the heuristic ranker serves, so that only the recompute runs compete for the two cores.
            ["Models:MinimumTrainingQueries"] = "1000000000",
            ["Graph:LoadDemoWhenEmpty"] = "false",
            ["Recompute:ShardSize"] = "75",
            ["Recompute:TopK"] = TopK.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };

        var first = await ApiProcess.StartAsync(settings);
        RunView killed;
        var reader = new ListReader(ids, TopK);
        try
        {
            // A fresh store: the start enqueued the first full run. Readers start once it is published.
            var initial = await Runs.WaitForPublishedFullRunAsync(first.Client, _ => true, TimeSpan.FromMinutes(4), () => first.Output);
            output.WriteLine($"first run {initial.Id}: {initial.ShardsTotal} shards published");
            reader.Start(first.Client);

            var trigger = await first.Client.PostAsync("/api/v1/recompute/runs", null);
            Assert.Equal(HttpStatusCode.Accepted, trigger.StatusCode);
            var runId = JsonDocument.Parse(await trigger.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
            var deadline = DateTime.UtcNow.AddMinutes(3);
            while ((await Runs.GetAsync(first.Client, runId)).ShardsDone < 2)
            {
                Assert.True(DateTime.UtcNow < deadline, "the second run made no progress\n" + first.Output);
                await Task.Delay(20);
            }
            reader.Restarting();
            first.Kill();
            killed = View((await new SqliteRecommendationStore(lists, database).GetRunAsync(runId))!);
            output.WriteLine($"killed during {killed.Id}: {killed.ShardsDone}/{killed.ShardsTotal} shards written");
            Assert.Equal("running", killed.Status);
            Assert.InRange(killed.ShardsDone, 1, killed.ShardsTotal - 1);
        }
        finally
        {
            await first.DisposeAsync();
        }

        var restartedAt = DateTimeOffset.UtcNow;
        await using var second = await ApiProcess.StartAsync(settings);
        reader.Resume(second.Client);
        var replacement = await Runs.WaitForPublishedFullRunAsync(second.Client, r => r.Id != killed.Id && r.StartedAt > killed.StartedAt,
            TimeSpan.FromMinutes(4), () => second.Output);
        // Let the reader see the replacement's lists for a moment.
        var seenReplacement = Stopwatch.StartNew();
        while (!reader.Saw(replacement.Id) && seenReplacement.Elapsed < TimeSpan.FromSeconds(20)) await Task.Delay(100);
        await reader.StopAsync();

        var store = new SqliteRecommendationStore(lists, database);
        var interrupted = (await store.GetRunAsync(killed.Id))!;
        Assert.Equal(RunStatus.Failed, interrupted.Status);
        Assert.Contains("interrupted", interrupted.Error, StringComparison.Ordinal);
        Assert.Equal(replacement.ShardsTotal, replacement.ShardsDone);
        Assert.Equal(Organizations, replacement.OrganizationsScored);
        foreach (var id in ids) Assert.Equal(replacement.Id, (await store.GetCurrentJsonAsync(id))?.RunId);

        var runs = (await store.ListRunsAsync(1000)).ToDictionary(r => r.Id);
        output.WriteLine($"reader: {reader.Lists} whole lists, {reader.Unavailable} refused connections, runs seen {string.Join(", ", reader.RunsSeen)}");
        Assert.True(reader.Violations.IsEmpty, string.Join('\n', reader.Violations.Take(20)));
        Assert.True(reader.ListsBeforeKill > 0 && reader.Saw(replacement.Id), "the reader did not read on both sides of the kill");
        Assert.DoesNotContain(killed.Id, reader.RunsSeen);
        foreach (var seen in reader.RunsSeen) Assert.Equal(RunStatus.Published, runs[seen].Status);
        // Publishing switches every list at once: once a reader saw a newer run it never sees an older one again.
        var order = reader.Sequence.Select(r => runs[r].StartedAt).ToList();
        Assert.True(order.Zip(order.Skip(1)).All(p => p.First <= p.Second), "a reader saw an older run after a newer one");
        Assert.Equal("ok", await SqliteProbe.IntegrityCheckAsync(database));
        Assert.Equal("ok", await SqliteProbe.IntegrityCheckAsync(lists));
        Assert.True(restartedAt <= replacement.StartedAt);
    }

    private static RunView View(RecomputeRun r) => new(r.Id, r.Kind.ToString().ToLowerInvariant(), r.Status.ToString().ToLowerInvariant(), r.StartedAt,
        r.ShardsTotal, r.ShardsDone, r.OrganizationsScored, r.Error);
}
