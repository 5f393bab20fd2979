using Matchmaker.Engine.Recommendations;
using Matchmaker.Testing;
using Npgsql;

namespace Matchmaker.Engine.Tests.Recommendations;

public sealed class SqliteRecommendationStoreTests : RecommendationStoreContract, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("matchmaker-rec-").FullName;

    protected override async Task<IRecommendationStore> CreateStoreAsync()
    {
        var store = new SqliteRecommendationStore(Path.Combine(_directory, "app.db"));
        await store.InitializeAsync();
        return store;
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
}
