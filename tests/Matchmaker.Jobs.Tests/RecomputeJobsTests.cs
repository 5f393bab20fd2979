using Hangfire;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Recommendations;
using Matchmaker.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Matchmaker.Jobs.Tests;

public sealed class RecomputeJobsTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("matchmaker-jobs-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    private static async Task AssertEveryOrganizationHasAListAsync(JobsHost host, string runId)
    {
        var graph = host.Services.GetRequiredService<IGraphStore>();
        var store = host.Services.GetRequiredService<IRecommendationStore>();
        var count = 0;
        await foreach (var organization in graph.ExportOrganizationsAsync())
        {
            var list = await store.GetCurrentAsync(organization.Id);
            Assert.True(list is not null, $"no list for {organization.Id}");
            Assert.Equal(runId, list.RunId);
            count++;
        }
        Assert.True(count > 100);
    }

    [Fact]
    public async Task Full_recompute_through_in_memory_hangfire_publishes_a_list_for_every_organization()
    {
        await using var host = await JobsHost.StartAsync(_directory);
        var jobs = host.Services.GetRequiredService<IBackgroundJobClient>();

        jobs.Enqueue<RecomputeJobs>(RecomputeJobs.Queue, j => j.RecomputeAll(CancellationToken.None));
        var runId = await host.WaitForLatestRunAsync();
        var run = await host.WaitForRunAsync(runId, r => r.Status != RunStatus.Running);

        Assert.Equal(RunStatus.Published, run.Status);
        Assert.Equal(6, run.ShardsTotal); // 101 organizations in shards of 20
        Assert.Equal(run.ShardsTotal, run.ShardsDone);
        Assert.True(run.PairsScored > 0 && run.PairsPerSecond > 0);
        await AssertEveryOrganizationHasAListAsync(host, runId);
    }

    [Fact]
    public async Task Full_recompute_through_hangfire_on_postgresql_publishes_a_list_for_every_organization()
    {
        await using var host = await JobsHost.StartAsync(_directory, await postgres.Server.CreateDatabaseAsync());
        var jobs = host.Services.GetRequiredService<IBackgroundJobClient>();

        jobs.Enqueue<RecomputeJobs>(RecomputeJobs.Queue, j => j.RecomputeAll(CancellationToken.None));
        var runId = await host.WaitForLatestRunAsync();
        var run = await host.WaitForRunAsync(runId, r => r.Status != RunStatus.Running);

        Assert.Equal(RunStatus.Published, run.Status);
        await AssertEveryOrganizationHasAListAsync(host, runId);
    }

    [Fact]
    public async Task The_shard_that_publishes_hands_the_replaced_lists_to_a_prune_job()
    {
        await using var host = await JobsHost.StartAsync(_directory);
        var service = host.Services.GetRequiredService<RecomputeService>();
        var first = await service.PlanFullRunAsync();
        foreach (var shard in first.Shards) await service.RunShardAsync(first.RunId, shard);
        Assert.Equal(101, (await DumpListsAsync(first.RunId)).Count); // publishing alone deletes nothing

        var jobs = host.Services.GetRequiredService<IBackgroundJobClient>();
        jobs.Enqueue<RecomputeJobs>(RecomputeJobs.Queue, j => j.RecomputeAll(CancellationToken.None));
        var secondId = await WaitForAnotherRunAsync(host, first.RunId);
        var second = await host.WaitForRunAsync(secondId, r => r.Status != RunStatus.Running);
        Assert.Equal(RunStatus.Published, second.Status);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while ((await DumpListsAsync(first.RunId)).Count > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the replaced run's lists were not pruned");
            await Task.Delay(100);
        }
        Assert.Equal(101, (await DumpListsAsync(secondId)).Count);
        await AssertEveryOrganizationHasAListAsync(host, secondId);
    }

    private static async Task<string> WaitForAnotherRunAsync(JobsHost host, string previous)
    {
        var store = host.Services.GetRequiredService<IRecommendationStore>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if ((await store.ListRunsAsync(5)).FirstOrDefault(r => r.Id != previous) is { } run) return run.Id;
            await Task.Delay(100);
        }
        throw new TimeoutException("No second run was created.");
    }

    [Fact]
    public async Task Running_a_shard_twice_leaves_identical_rows()
    {
        await using var host = await JobsHost.StartAsync(_directory, runServer: false);
        var service = host.Services.GetRequiredService<RecomputeService>();
        var plan = await service.PlanFullRunAsync();

        await service.RunShardAsync(plan.RunId, plan.Shards[0]);
        var first = await DumpListsAsync(plan.RunId);
        var progress = await service.RunShardAsync(plan.RunId, plan.Shards[0]);
        var second = await DumpListsAsync(plan.RunId);

        Assert.Equal(20, first.Count);
        Assert.Equal(first, second);
        Assert.Equal(1, progress.ShardsDone);
    }

    private async Task<List<string>> DumpListsAsync(string runId)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_directory, "matchmaker-lists.db")}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT org_id || '|' || shard || '|' || computed_at || '|' || model_version || '|' || hex(items) FROM rec_lists WHERE run_id = $run ORDER BY org_id";
        command.Parameters.AddWithValue("$run", runId);
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows.Add(reader.GetString(0));
        return rows;
    }

    [Fact]
    public async Task A_run_whose_shard_keeps_failing_is_marked_failed_and_the_previous_lists_stay_served()
    {
        await using var host = await JobsHost.StartAsync(_directory, configure: services =>
            services.AddSingleton<IPartnerRankerFactory>(new FailingRankerFactory(failFor: "tongji-auto")));
        var service = host.Services.GetRequiredService<RecomputeService>();
        var store = host.Services.GetRequiredService<IRecommendationStore>();
        // A good run first (the failing ranker only fails once armed).
        var good = await service.PlanFullRunAsync();
        foreach (var shard in good.Shards) await service.RunShardAsync(good.RunId, shard);
        var before = await store.GetCurrentAsync("tongji-auto");
        Assert.Equal(good.RunId, before!.RunId);

        FailingRankerFactory.Armed = true;
        try
        {
            var jobs = host.Services.GetRequiredService<IBackgroundJobClient>();
            var plan = await service.PlanFullRunAsync();
            foreach (var shard in plan.Shards)
            {
                jobs.Enqueue<RecomputeJobs>(RecomputeJobs.Queue, j => j.RecomputeShard(plan.RunId, shard.Index, shard.From, shard.To, null, CancellationToken.None));
            }
            // The failing shard is retried three times (2 s, 10 s, 30 s apart) before it lands in Failed.
            var run = await host.WaitForRunAsync(plan.RunId, r => r.Status != RunStatus.Running, TimeSpan.FromSeconds(120));

            Assert.Equal(RunStatus.Failed, run.Status);
            Assert.Contains("tongji-auto", run.Error);
            Assert.Contains("after 3 retries", run.Error);
            Assert.Equal(good.RunId, (await store.GetCurrentAsync("tongji-auto"))!.RunId);
            Assert.Equal(good.RunId, (await store.GetCurrentAsync("donghua-mse"))!.RunId);
        }
        finally
        {
            FailingRankerFactory.Armed = false;
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_full_run_over_an_empty_graph_is_refused_and_the_previous_lists_stay_served(bool onPostgres)
    {
        var postgresDatabase = onPostgres ? await postgres.Server.CreateDatabaseAsync() : null;
        var share = new Dictionary<string, string?> { ["Recompute:MaxDroppedListShare"] = "0.5" };
        string goodRunId;
        await using (var host = await JobsHost.StartAsync(_directory, postgresDatabase, runServer: false, settings: share))
        {
            var service = host.Services.GetRequiredService<RecomputeService>();
            var good = await service.PlanFullRunAsync();
            foreach (var shard in good.Shards) await service.RunShardAsync(good.RunId, shard);
            goodRunId = good.RunId;
            await AssertEveryOrganizationHasAListAsync(host, goodRunId);
        }
        var served = await ServedOrganizationsAsync(postgresDatabase);
        Assert.Equal(101, served.Count);

        // The same service, pointed at an empty graph (a wrong database): its full run would stop serving all 101 lists.
        var emptyGraph = new Dictionary<string, string?>(share) { ["Graph:SqlitePath"] = Path.Combine(_directory, "empty-graph.db") };
        await using (var host = await JobsHost.StartAsync(_directory, postgresDatabase, runServer: false, loadGraph: false, settings: emptyGraph))
        {
            var service = host.Services.GetRequiredService<RecomputeService>();
            var store = host.Services.GetRequiredService<IRecommendationStore>();
            var empty = await service.PlanFullRunAsync();
            foreach (var shard in empty.Shards) await service.RunShardAsync(empty.RunId, shard);

            var run = await store.GetRunAsync(empty.RunId);
            Assert.Equal(RunStatus.Failed, run!.Status);
            Assert.Contains("it would stop serving 101 of the 101 lists served now", run.Error);
            Assert.Contains("Recompute:MaxDroppedListShare", run.Error);
            Assert.Equal(served, await ServedOrganizationsAsync(postgresDatabase));
            foreach (var organization in served) Assert.Equal(goodRunId, (await store.GetCurrentAsync(organization))!.RunId);
        }

        // With the check off (share 1) the operator's run publishes and drops them: the setting, not the data, decided.
        var checkOff = new Dictionary<string, string?>(emptyGraph) { ["Recompute:MaxDroppedListShare"] = "1" };
        await using (var host = await JobsHost.StartAsync(_directory, postgresDatabase, runServer: false, loadGraph: false, settings: checkOff))
        {
            var service = host.Services.GetRequiredService<RecomputeService>();
            var empty = await service.PlanFullRunAsync();
            foreach (var shard in empty.Shards) await service.RunShardAsync(empty.RunId, shard);
            Assert.Equal(RunStatus.Published, (await host.Services.GetRequiredService<IRecommendationStore>().GetRunAsync(empty.RunId))!.Status);
            Assert.Empty(await ServedOrganizationsAsync(postgresDatabase));
        }
    }

    /// <summary>The organizations whose lists are served, read past the store.</summary>
    private async Task<List<string>> ServedOrganizationsAsync(string? postgresDatabase)
    {
        var rows = new List<string>();
        if (postgresDatabase is null)
        {
            await using var connection = new SqliteConnection($"Data Source={Path.Combine(_directory, "matchmaker-lists.db")};Pooling=false");
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT org_id || '|' || run_id FROM rec_serving ORDER BY org_id";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) rows.Add(reader.GetString(0));
        }
        else
        {
            await using var dataSource = Npgsql.NpgsqlDataSource.Create(postgresDatabase);
            await using var command = dataSource.CreateCommand("SELECT org_id || '|' || run_id FROM rec_serving ORDER BY org_id");
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) rows.Add(reader.GetString(0));
        }
        return rows.Select(r => r[..r.IndexOf('|', StringComparison.Ordinal)]).ToList();
    }

    [Fact]
    public async Task A_cancelled_shard_writes_nothing_and_the_previous_lists_stay_served()
    {
        await using var host = await JobsHost.StartAsync(_directory, runServer: false);
        var service = host.Services.GetRequiredService<RecomputeService>();
        var store = host.Services.GetRequiredService<IRecommendationStore>();
        var good = await service.PlanFullRunAsync();
        foreach (var shard in good.Shards) await service.RunShardAsync(good.RunId, shard);

        var plan = await service.PlanFullRunAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => service.RunShardAsync(plan.RunId, plan.Shards[0], cancelled.Token));

        var run = await store.GetRunAsync(plan.RunId);
        Assert.Equal((RunStatus.Running, 0), (run!.Status, run.ShardsDone));
        Assert.Equal(good.RunId, (await store.GetCurrentAsync("tongji-auto"))!.RunId);
    }

    [Fact]
    public async Task Two_hangfire_servers_on_one_postgresql_finish_every_shard_once_in_effect()
    {
        var connectionString = await postgres.Server.CreateDatabaseAsync();
        var second = Directory.CreateTempSubdirectory("matchmaker-jobs-b-").FullName;
        try
        {
            // Both workers read the same graph file (as two hosts would read one Neo4j) and share PostgreSQL.
            await using var a = await JobsHost.StartAsync(_directory, connectionString, shardSize: 7, serverName: "worker-a");
            SqliteConnection.ClearAllPools();
            File.Copy(Path.Combine(_directory, "matchmaker.db"), Path.Combine(second, "matchmaker.db"));
            await using var b = await JobsHost.StartAsync(second, connectionString, shardSize: 7, serverName: "worker-b");

            var jobs = a.Services.GetRequiredService<IBackgroundJobClient>();
            jobs.Enqueue<RecomputeJobs>(RecomputeJobs.Queue, j => j.RecomputeAll(CancellationToken.None));
            var runId = await a.WaitForLatestRunAsync();
            var run = await a.WaitForRunAsync(runId, r => r.Status != RunStatus.Running, TimeSpan.FromSeconds(120));

            Assert.Equal(RunStatus.Published, run.Status);
            Assert.Equal(15, run.ShardsTotal); // 101 organizations in shards of 7
            Assert.Equal(101, run.OrganizationsScored); // each organization counted once: no shard done twice in effect
            await AssertEveryOrganizationHasAListAsync(a, runId);
            await using var connection = new Npgsql.NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*), count(DISTINCT org_id) FROM rec_lists WHERE run_id = @run";
            command.Parameters.AddWithValue("run", runId);
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            Assert.Equal((101L, 101L), (reader.GetInt64(0), reader.GetInt64(1)));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            try { Directory.Delete(second, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public async Task A_burst_of_changes_queues_one_recompute_that_refreshes_the_changed_lists()
    {
        await using var host = await JobsHost.StartAsync(_directory);
        var service = host.Services.GetRequiredService<RecomputeService>();
        var store = host.Services.GetRequiredService<IRecommendationStore>();
        var full = await service.PlanFullRunAsync();
        foreach (var shard in full.Shards) await service.RunShardAsync(full.RunId, shard);
        var notifier = host.Services.GetRequiredService<ChangeNotifier>();

        await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => notifier.OrganizationsChangedAsync(["tongji-auto"], structural: false)));

        var deadline = DateTime.UtcNow.AddSeconds(30);
        RecommendationList? list;
        do
        {
            await Task.Delay(100);
            list = await store.GetCurrentAsync("tongji-auto");
        }
        while (list!.RunId == full.RunId && DateTime.UtcNow < deadline);
        Assert.StartsWith("inc-", list.RunId);
        // Count once no job waits, runs or is scheduled: every recompute the burst queued has then finished, and none can follow.
        var monitoring = host.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        deadline = DateTime.UtcNow.AddSeconds(30);
        while (monitoring.GetStatistics() is { Enqueued: > 0 } or { Processing: > 0 } or { Scheduled: > 0 })
        {
            Assert.True(DateTime.UtcNow < deadline, "the queued recomputes did not finish");
            await Task.Delay(100);
        }
        Assert.DoesNotContain(await store.ListRunsAsync(100), r => r.Status == RunStatus.Running);
        var incremental = (await store.ListRunsAsync(100)).Where(r => r.Kind == RunKind.Incremental).ToList();
        // One run takes every change recorded so far; a change recorded while a run is under way queues one more. So a
        // burst gives one run per run-length of the burst (1-2 on a quiet machine, 3 seen on a loaded one), never one per edit.
        Assert.InRange(incremental.Count, 1, 10);
    }

    private sealed class FailingRankerFactory(string failFor) : IPartnerRankerFactory
    {
        public static volatile bool Armed;

        public IPartnerRanker Create(GraphSnapshot snapshot) => new Ranker(new HeuristicRankerFactory().Create(snapshot), snapshot.IndexOf(failFor));

        private sealed class Ranker(IPartnerRanker inner, int failing) : IPartnerRanker
        {
            public string ModelVersion => inner.ModelVersion;

            public RankedPartners Recommend(int organization, int topK) =>
                Armed && organization == failing ? throw new InvalidOperationException("scoring tongji-auto failed") : inner.Recommend(organization, topK);

            public RecommendedPartner ExplainPair(int organization, int candidate) => inner.ExplainPair(organization, candidate);
            public RankedPartners Query(PartnerQuery query) => inner.Query(query);
        }
    }
}
