using Matchmaker.Engine.Recommendations;
using Matchmaker.Engine.Recommendations.Postgres;
using Matchmaker.Engine.Recommendations.Sqlite;
using Matchmaker.Testing;
using Npgsql;

namespace Matchmaker.Engine.Tests.Recommendations;

public sealed class SqliteRecommendationStoreTests : RecommendationStoreContract, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("matchmaker-rec-").FullName;

    [Fact]
    public async Task Full_run_planning_is_held_in_turn_by_stores_on_one_file_and_separately_per_file()
    {
        var first = new SqliteRecommendationStore(Path.Combine(_directory, "app.db"));
        var sameFile = new SqliteRecommendationStore(Path.Combine(_directory, ".", "app.db"));
        var otherFile = new SqliteRecommendationStore(Path.Combine(_directory, "other.db"));

        var held = await first.HoldFullRunPlanningAsync();
        var waiting = sameFile.HoldFullRunPlanningAsync();
        Assert.False(waiting.IsCompleted);
        await using (await otherFile.HoldFullRunPlanningAsync()) { } // another file's turn is its own

        await held.DisposeAsync();
        await held.DisposeAsync(); // a second dispose releases nothing more
        var taken = await waiting.WaitAsync(TimeSpan.FromSeconds(30));
        var next = first.HoldFullRunPlanningAsync();
        Assert.False(next.IsCompleted);
        await taken.DisposeAsync();
        await (await next.WaitAsync(TimeSpan.FromSeconds(30))).DisposeAsync();
    }

    protected override async Task<IRecommendationStore> CreateStoreAsync()
    {
        var store = new SqliteRecommendationStore(Path.Combine(_directory, "app.db"));
        await store.InitializeAsync();
        return store;
    }

    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 1, 0, 0, TimeSpan.Zero);

    private static RecommendationList LongList(string org, string run) =>
        new(org, run, "model-v1", T0, Enumerable.Range(1, 40).Select(i => new RecommendedPartner($"cand-{i}", i, 1.0 / i,
            [new Reason("shared-partners", $"{i} 个共同合作伙伴：同济大学汽车学院、上海保隆汽车科技股份有限公司", $"{i} shared partners: Tongji SAS, Baolong", ["同济大学汽车学院", "上海保隆汽车科技股份有限公司"])],
            i % 3 == 0, new CandidateSummary("芜湖元智汽车科技有限公司", $"Wuhu Automotive {i}", "enterprise", "wuhu", ["new-energy-vehicles"]))).ToList());

    private async Task<object> StoredItemsAsync(string org, string run)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_directory, "app.db")}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT items FROM rec_lists WHERE run_id = $run AND org_id = $org";
        command.Parameters.AddWithValue("$run", run);
        command.Parameters.AddWithValue("$org", org);
        return (await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Lists_are_stored_compressed_and_read_back_unchanged()
    {
        var store = await CreateStoreAsync();
        var list = LongList("tongji-auto", "run-compressed");
        await store.CreateRunAsync(new RecomputeRun(list.RunId, RunKind.Full, RunStatus.Running, "model-v1", T0, null, 1, 0, 0, 0, 0, null));
        await store.WriteShardAsync(list.RunId, new ShardResult(0, [list], 40, 0.1));
        Assert.True(await store.TryPublishAsync(list.RunId, T0));

        var stored = Assert.IsType<byte[]>(await StoredItemsAsync(list.OrganizationId, list.RunId));
        var json = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(list.Items, Engine.Import.WireJson.Options);
        Assert.True(stored.Length * 4 < json.Length, $"{stored.Length} bytes stored for {json.Length} bytes of JSON");
        var served = await store.GetCurrentAsync(list.OrganizationId);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(list.Items, Engine.Import.WireJson.Options),
            System.Text.Json.JsonSerializer.Serialize(served!.Items, Engine.Import.WireJson.Options));
    }

    [Fact]
    public async Task A_list_stored_as_JSON_text_by_an_earlier_version_is_still_served()
    {
        var store = await CreateStoreAsync();
        var list = LongList("baolong", "run-text");
        await store.CreateRunAsync(new RecomputeRun(list.RunId, RunKind.Full, RunStatus.Running, "model-v1", T0, null, 1, 0, 0, 0, 0, null));
        await store.WriteShardAsync(list.RunId, new ShardResult(0, [list], 40, 0.1));
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_directory, "app.db")}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "UPDATE rec_lists SET items = $json WHERE run_id = $run";
            command.Parameters.AddWithValue("$json", System.Text.Json.JsonSerializer.Serialize(list.Items, Engine.Import.WireJson.Options));
            command.Parameters.AddWithValue("$run", list.RunId);
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }
        Assert.True(await store.TryPublishAsync(list.RunId, T0));

        Assert.IsType<string>(await StoredItemsAsync(list.OrganizationId, list.RunId));
        var served = await store.GetCurrentAsync(list.OrganizationId);
        Assert.Equal(40, served!.Items.Count);
        Assert.Equal("芜湖元智汽车科技有限公司", served.Items[39].Candidate!.NameZh);
        Assert.Equal(["同济大学汽车学院", "上海保隆汽车科技股份有限公司"], served.Items[0].Reasons[0].Evidence);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}

/// <summary>The same contract on a real PostgreSQL cluster started by the fixture.</summary>
public sealed class PostgresRecommendationStoreTests(PostgresFixture postgres) : RecommendationStoreContract, IClassFixture<PostgresFixture>
{
    protected override async Task<IRecommendationStore> CreateStoreAsync()
    {
        var store = new PostgresRecommendationStore(NpgsqlDataSource.Create(await postgres.Server.CreateDatabaseAsync()));
        await store.InitializeAsync();
        return store;
    }

    [Fact]
    public async Task Full_run_planning_is_held_in_turn_by_stores_of_two_processes_on_one_database()
    {
        var connectionString = await postgres.Server.CreateDatabaseAsync();
        // Two data sources: two connection pools, as two API replicas would have.
        await using var firstSource = NpgsqlDataSource.Create(connectionString);
        await using var secondSource = NpgsqlDataSource.Create(connectionString);
        var first = new PostgresRecommendationStore(firstSource);
        var second = new PostgresRecommendationStore(secondSource);
        await first.InitializeAsync();

        var held = await first.HoldFullRunPlanningAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var waiting = second.HoldFullRunPlanningAsync(timeout.Token);
        // The server shows the second holder waiting for the advisory lock the first one holds.
        await using (var observer = NpgsqlDataSource.Create(connectionString))
        {
            long waiters = 0;
            while (waiters == 0)
            {
                timeout.Token.ThrowIfCancellationRequested();
                await using var command = observer.CreateCommand("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted");
                waiters = (long)(await command.ExecuteScalarAsync(timeout.Token))!;
            }
        }
        Assert.False(waiting.IsCompleted);

        await held.DisposeAsync();
        await using var taken = await waiting;
        // Released with its holder: the first store can take it again once the second lets go.
        await taken.DisposeAsync();
        await using var again = await first.HoldFullRunPlanningAsync(timeout.Token);
    }
}

/// <summary>The same contract with the embedded mode's layout: the lists in a file of their own, the changes in the service's file.</summary>
public sealed class SqliteListsFileRecommendationStoreTests : RecommendationStoreContract, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("matchmaker-rec-split-").FullName;

    protected override async Task<IRecommendationStore> CreateStoreAsync()
    {
        var store = new SqliteRecommendationStore(Path.Combine(_directory, "app-lists.db"), Path.Combine(_directory, "app.db"));
        await store.InitializeAsync();
        return store;
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
