using Matchmaker.Engine.Recommendations;
using Matchmaker.Engine.Recommendations.Sqlite;
using Matchmaker.Reliability.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Matchmaker.Reliability.Tests.Contention;

/// <summary>A service file from before the lists had their own file: its served lists survive the upgrade.</summary>
public sealed class ListsFileUpgradeTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Lists_served_from_the_service_file_move_to_the_lists_file_and_the_old_tables_are_dropped()
    {
        using var directory = new TempDirectory("matchmaker-upgrade-");
        string servicePath = directory.File("matchmaker.db"), listsPath = directory.File("matchmaker-lists.db");
        var before = new SqliteRecommendationStore(servicePath);
        await before.InitializeAsync();
        await PublishAsync(before, "run-old", T0, "tongji-auto", "baolong-auto");
        await PublishAsync(before, "run-new", T0.AddHours(1), "tongji-auto", kind: RunKind.Incremental);
        await before.PruneAsync();
        await before.CreateRunAsync(new RecomputeRun("run-going", RunKind.Full, RunStatus.Running, "heuristic-v1", T0.AddHours(2), null, 2, 0, 0, 0, 0, null));
        await before.WriteShardAsync("run-going", new ShardResult(0, [List("tongji-auto", "run-going", T0.AddHours(2))], 5, 0.1));
        await before.MarkChangedAsync(["donghua-mse"], structural: true, T0);
        var served = await before.GetCurrentJsonAsync("tongji-auto");

        var after = new SqliteRecommendationStore(listsPath, servicePath);
        await after.InitializeAsync();
        await after.InitializeAsync(); // a second start finds nothing more to move

        var moved = await after.GetCurrentJsonAsync("tongji-auto");
        Assert.Equal("run-new", moved!.RunId);
        Assert.Equal(served!.ItemsUtf8, moved.ItemsUtf8);
        Assert.Equal("run-old", (await after.GetCurrentAsync("baolong-auto"))!.RunId);
        Assert.Equal((RunStatus.Running, 1), ((await after.GetRunAsync("run-going"))!.Status, (await after.GetRunAsync("run-going"))!.ShardsDone));
        Assert.Equal(["run-going", "run-new", "run-old"], (await after.ListRunsAsync(10)).Select(r => r.Id).Order(StringComparer.Ordinal));
        var changes = await after.TakeChangedAsync();
        Assert.Equal(["donghua-mse"], changes.OrganizationIds);
        Assert.True(changes.Structural);
        Assert.Empty(await TablesAsync(servicePath, "rec_runs", "rec_shards", "rec_lists", "rec_serving"));
        Assert.Equal(["rec_changes", "rec_flags"], await TablesAsync(servicePath, "rec_changes", "rec_flags"));
        Assert.Equal("ok", await SqliteProbe.IntegrityCheckAsync(listsPath));
    }

    private static async Task PublishAsync(IRecommendationStore store, string runId, DateTimeOffset startedAt, string organization, string? other = null,
        RunKind kind = RunKind.Full)
    {
        string[] organizations = other is null ? [organization] : [organization, other];
        await store.CreateRunAsync(new RecomputeRun(runId, kind, RunStatus.Running, "heuristic-v1", startedAt, null, 1, 0, 0, 0, 0, null));
        await store.WriteShardAsync(runId, new ShardResult(0, organizations.Select(o => List(o, runId, startedAt)).ToList(), 10, 0.1));
        Assert.True(await store.TryPublishAsync(runId, startedAt.AddMinutes(1)));
    }

    private static RecommendationList List(string organizationId, string runId, DateTimeOffset at) =>
        new(organizationId, runId, "heuristic-v1", at, [new RecommendedPartner($"{runId}-candidate", 1, 0.9, [], false, null)]);

    private static async Task<List<string>> TablesAsync(string path, params string[] names)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ({string.Join(", ", names.Select((_, i) => $"$n{i}"))}) ORDER BY name";
        for (var i = 0; i < names.Length; i++) command.Parameters.AddWithValue($"$n{i}", names[i]);
        var tables = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        return tables;
    }
}
