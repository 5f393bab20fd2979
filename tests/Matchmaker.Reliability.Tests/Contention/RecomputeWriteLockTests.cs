using System.Net;
using System.Net.Http.Json;
using Matchmaker.Engine.Feedback;
using Matchmaker.Engine.Feedback.Sqlite;
using Matchmaker.Engine.Recommendations;
using Matchmaker.Engine.Recommendations.Sqlite;
using Matchmaker.Reliability.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Matchmaker.Reliability.Tests.Contention;

/// <summary>
/// SQLite lets one connection write a file at a time, and a full recompute writes a shard's thousands of lists in one
/// transaction. The embedded mode keeps the lists in a file of their own, so that feedback, keys and graph edits never
/// queue behind a shard write. A write that did queue would wait the 30 s busy timeout and then be refused with 503:
/// each of these tests holds the lists' write lock for as long as it needs, so its 20 s bound can only be met by a write
/// that does not wait for that lock at all.
/// </summary>
public sealed class RecomputeWriteLockTests(InProcessApi api) : IClassFixture<InProcessApi>
{
    private static readonly TimeSpan WellWithinBusyTimeout = TimeSpan.FromSeconds(20);
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Feedback_and_change_records_are_written_while_a_shard_write_holds_its_transaction_on_the_lists_file()
    {
        using var directory = new TempDirectory("matchmaker-lock-");
        string listsPath = directory.File("matchmaker-lists.db"), servicePath = directory.File("matchmaker.db");
        var store = new SqliteRecommendationStore(listsPath, servicePath);
        await store.InitializeAsync();
        var feedback = new SqliteFeedbackStore(servicePath);
        await feedback.InitializeAsync();
        await store.CreateRunAsync(new RecomputeRun("run-held", RunKind.Full, RunStatus.Running, "heuristic-v1", T0, null, 2, 0, 0, 0, 0, null));

        await using var shardWrite = await HoldShardWriteAsync(listsPath, "run-held");
        // The control: another shard of the same run does wait for the held transaction.
        var secondShard = Task.Run(() => store.WriteShardAsync("run-held", new ShardResult(1, [List("baolong", "run-held")], 10, 0.1)));

        using var bound = new CancellationTokenSource(WellWithinBusyTimeout);
        var entry = await feedback.AddAsync(new NewFeedback("tongji-auto", "donghua-mse", FeedbackAction.Contacted, null, "while a shard writes", "key-1", T0), bound.Token);
        var scheduled = await store.MarkChangedAsync(["tongji-auto"], structural: false, T0, bound.Token);

        Assert.True(entry.Sequence > 0);
        Assert.True(scheduled);
        Assert.False(secondShard.IsCompleted, "the held transaction did not hold the lists' write lock, so this test proves nothing");
        await shardWrite.DisposeAsync(); // the held shard write ends
        var progress = await secondShard.WaitAsync(WellWithinBusyTimeout);
        Assert.Equal(1, progress.ShardsDone);
        Assert.Equal(["tongji-auto"], (await store.TakeChangedAsync()).OrganizationIds);
    }

    [Fact]
    public async Task The_service_takes_feedback_keys_and_graph_edits_and_serves_lists_while_the_lists_file_is_write_locked()
    {
        using var admin = api.CreateAdminClient();
        var before = await admin.GetStringAsync("/api/v1/organizations/baolong-auto/recommendations");
        var organization = await admin.GetFromJsonAsync<Dictionary<string, object>>("/api/v1/organizations/donghua-mse");

        await using var shardWrite = await HoldShardWriteAsync(api.ListsPath, "run-held-by-test");
        Assert.False(await CanTakeWriteLockAsync(api.ListsPath), "the lists' write lock is not held, so this test proves nothing");
        using var bound = new CancellationTokenSource(WellWithinBusyTimeout);

        var given = await admin.PostAsJsonAsync("/api/v1/organizations/tongji-auto/feedback",
            new { candidateId = "donghua-mse", action = "contacted", comment = "while the lists are locked" }, bound.Token);
        var key = await admin.PostAsJsonAsync("/api/v1/keys", new { name = "issued while the lists are locked", scopes = new[] { "read" } }, bound.Token);
        organization!["employees"] = 4321;
        var edited = await admin.PutAsJsonAsync("/api/v1/organizations/donghua-mse", organization, bound.Token);
        var read = await admin.GetStringAsync("/api/v1/organizations/baolong-auto/recommendations", bound.Token);

        Assert.Equal(HttpStatusCode.Created, given.StatusCode);
        Assert.Equal(HttpStatusCode.Created, key.StatusCode);
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        Assert.Equal(before, read);
        Assert.False(await CanTakeWriteLockAsync(api.ListsPath), "the lists' write lock was released before the writes were done");
    }

    [Fact]
    public void The_embedded_recompute_leaves_the_requests_a_core()
    {
        var options = api.Services.GetRequiredService<IOptions<RecomputeOptions>>().Value;

        Assert.Equal(Math.Max(1, Environment.ProcessorCount - 1), options.MaxDegreeOfParallelism);
    }

    /// <summary>
    /// What a shard write holds: an IMMEDIATE transaction on the lists' file with rows written into rec_lists, open
    /// until disposed (then rolled back, leaving nothing behind).
    /// </summary>
    private static async Task<HeldTransaction> HoldShardWriteAsync(string listsPath, string runId)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = listsPath, Pooling = false }.ToString());
        await connection.OpenAsync();
        var transaction = connection.BeginTransaction(deferred: false);
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO rec_lists (run_id, org_id, shard, computed_at, model_version, items)
            VALUES ($run, $org, 0, '2026-11-26T02:00:00.0000000Z', 'heuristic-v1', x'00')
            """;
        insert.Parameters.AddWithValue("$run", runId);
        var org = insert.Parameters.Add("$org", SqliteType.Text);
        for (var i = 0; i < 500; i++)
        {
            org.Value = $"held-{i:D4}";
            await insert.ExecuteNonQueryAsync();
        }
        return new HeldTransaction(connection, transaction);
    }

    private static async Task<bool> CanTakeWriteLockAsync(string path)
    {
        await using var probe = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, DefaultTimeout = 1 }.ToString());
        await probe.OpenAsync();
        try
        {
            using var transaction = probe.BeginTransaction(deferred: false);
            transaction.Rollback();
            return true;
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 5) // SQLITE_BUSY
        {
            return false;
        }
    }

    private static RecommendationList List(string organizationId, string runId) =>
        new(organizationId, runId, "heuristic-v1", T0, [new RecommendedPartner("tongji-auto", 1, 0.9, [], false, null)]);

    private sealed class HeldTransaction(SqliteConnection connection, SqliteTransaction transaction) : IAsyncDisposable
    {
        private bool _done;

        public async ValueTask DisposeAsync()
        {
            if (_done) return;
            _done = true;
            await transaction.RollbackAsync();
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }
}
