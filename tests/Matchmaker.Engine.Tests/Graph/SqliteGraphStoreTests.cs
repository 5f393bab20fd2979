using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Graph.Sqlite;

namespace Matchmaker.Engine.Tests.Graph;

/// <summary>The store contract on a real SQLite file (one per test class instance, deleted afterwards).</summary>
public sealed class SqliteGraphStoreTests : GraphStoreContract, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("matchmaker-graph-").FullName;

    protected override async Task<IGraphStore> CreateStoreAsync()
    {
        var store = new SqliteGraphStore(Path.Combine(_directory, "graph.db"));
        await store.InitializeAsync();
        return store;
    }

    [Fact]
    public async Task Database_runs_in_wal_mode()
    {
        var store = (SqliteGraphStore)await CreateStoreAsync();
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={store.DatabasePath}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
