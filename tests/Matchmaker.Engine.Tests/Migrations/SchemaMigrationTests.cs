using Matchmaker.Engine.Access;
using Matchmaker.Engine.Access.Postgres;
using Matchmaker.Engine.Access.Sqlite;
using Matchmaker.Engine.Delivery;
using Matchmaker.Engine.Delivery.Postgres;
using Matchmaker.Engine.Delivery.Sqlite;
using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Feedback;
using Matchmaker.Engine.Feedback.Postgres;
using Matchmaker.Engine.Feedback.Sqlite;
using Matchmaker.Engine.Graph.Sqlite;
using Matchmaker.Engine.Migrations;
using Matchmaker.Engine.Planning;
using Matchmaker.Engine.Planning.Postgres;
using Matchmaker.Engine.Planning.Sqlite;
using Matchmaker.Engine.Recommendations;
using Matchmaker.Engine.Recommendations.Postgres;
using Matchmaker.Engine.Recommendations.Sqlite;
using Matchmaker.Testing;
using Microsoft.Data.Sqlite;
using Npgsql;
using Xunit;

namespace Matchmaker.Engine.Tests.Migrations;

/// <summary>
/// The SQLite stores' schema through DbUp, on the two embedded-mode files (service and lists): from empty files, and
/// from files written before versioned migrations (Data/schema-v0, see its README).
/// </summary>
public sealed class SqliteSchemaMigrationTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"matchmaker-migrations-{Guid.NewGuid():N}");
    private string ServicePath => Path.Combine(_folder, "matchmaker.db");
    private string ListsPath => Path.Combine(_folder, "matchmaker-lists.db");

    private static readonly string[] ServiceScripts =
    [
        "Matchmaker.Engine.Migrations.Sqlite.Changes.0001_initial.sql",
        "Matchmaker.Engine.Migrations.Sqlite.Changes.0002_change_intents.sql",
        "Matchmaker.Engine.Migrations.Sqlite.Delivery.0001_initial.sql",
        "Matchmaker.Engine.Migrations.Sqlite.Delivery.0002_link_versions.sql",
        "Matchmaker.Engine.Migrations.Sqlite.Feedback.0001_initial.sql",
        "Matchmaker.Engine.Migrations.Sqlite.Feedback.0002_feedback_latest.sql",
        "Matchmaker.Engine.Migrations.Sqlite.Feedback.0003_feedback_shown.sql",
        "Matchmaker.Engine.Migrations.Sqlite.Graph.0001_initial.sql",
        "Matchmaker.Engine.Migrations.Sqlite.Graph.0002_project_texts.sql",
        "Matchmaker.Engine.Migrations.Sqlite.Keys.0001_initial.sql",
        "Matchmaker.Engine.Migrations.Sqlite.Plans.0001_initial.sql",
        "Matchmaker.Engine.Migrations.Sqlite.Plans.0002_plan_quota.sql",
    ];

    private static readonly string[] ServiceTables =
    [
        "api_keys", "consortium_plans", "delivery_attempts", "delivery_digests", "delivery_messages", "delivery_shown",
        "delivery_subscriptions", "feedback", "feedback_latest", "organizations", "project_members", "projects", "rec_changes", "rec_flags",
        "schema_versions", "ties",
    ];

    public SqliteSchemaMigrationTests() => Directory.CreateDirectory(_folder);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }

    private async Task InitializeEveryStoreAsync()
    {
        await new SqliteGraphStore(ServicePath).InitializeAsync();
        await new SqliteRecommendationStore(ListsPath, ServicePath).InitializeAsync();
        await new SqliteApiKeyStore(ServicePath).InitializeAsync();
        await new SqliteFeedbackStore(ServicePath).InitializeAsync();
        await new SqliteDeliveryStore(ServicePath).InitializeAsync();
        await new SqlitePlanStore(ServicePath).InitializeAsync();
    }

    [Fact]
    public async Task Empty_files_get_every_script_once_and_each_file_only_its_own_tables()
    {
        await InitializeEveryStoreAsync();

        Assert.Equal(ServiceScripts, await JournalAsync(ServicePath));
        Assert.Equal(["Matchmaker.Engine.Migrations.Sqlite.Lists.0001_initial.sql"], await JournalAsync(ListsPath));
        Assert.Equal(ServiceTables, await TablesAsync(ServicePath));
        Assert.Equal(["rec_lists", "rec_runs", "rec_serving", "rec_shards", "schema_versions"], await TablesAsync(ListsPath));
        Assert.Equal("wal", await ScalarAsync(ServicePath, "PRAGMA journal_mode"));

        // A second start finds nothing to do.
        await InitializeEveryStoreAsync();
        Assert.Equal(ServiceScripts, await JournalAsync(ServicePath));
        Assert.Empty(SchemaMigrations.ApplySqlite($"Data Source={ServicePath}", MigrationScope.Graph));
    }

    [Fact]
    public async Task Files_written_before_migrations_are_adopted_and_keep_their_rows()
    {
        foreach (var name in new[] { "matchmaker.db", "matchmaker-lists.db" })
        {
            File.Copy(Path.Combine(AppContext.BaseDirectory, "Data", "schema-v0", name), Path.Combine(_folder, name));
        }
        Assert.Equal(0L, await ScalarAsync(ServicePath, "SELECT count(*) FROM sqlite_master WHERE name = 'schema_versions'"));

        await InitializeEveryStoreAsync();

        Assert.Equal(ServiceScripts, await JournalAsync(ServicePath));
        Assert.Equal(["Matchmaker.Engine.Migrations.Sqlite.Lists.0001_initial.sql"], await JournalAsync(ListsPath));
        Assert.Equal(ServiceTables, await TablesAsync(ServicePath));

        // The rows written by the old code read through today's stores (see Data/schema-v0/README.md for what was written).
        var graph = new SqliteGraphStore(ServicePath);
        var counts = await graph.CountAsync();
        Assert.Equal((4L, 2L, 4L), (counts.Organizations, counts.Projects, counts.Memberships));
        var project = await graph.GetProjectAsync("p2016-lae-ops-01");
        Assert.NotNull(project);
        Assert.Equal("通航机务维修人才培训 / Training general-aviation maintenance staff", project.Title);
        Assert.Null(project.Summary);
        Assert.Empty(project.Keywords);
        Assert.Empty(project.Topics);
        // 0002 added the project texts to the old table: a project written now keeps them.
        await graph.UpsertProjectAsync(new Project(project.Id, project.Title, project.Year, project.Sector, project.SubField, project.Members,
            "通航维修培训。 / Maintenance training.", ["通航", "maintenance"], [new ProjectTopic("G60-LAE-2016-01", "通航人才")]));
        var updated = await graph.GetProjectAsync(project.Id);
        Assert.Equal("通航维修培训。 / Maintenance training.", updated!.Summary);
        Assert.Equal(["通航", "maintenance"], updated.Keywords);
        Assert.Equal([new ProjectTopic("G60-LAE-2016-01", "通航人才")], updated.Topics);
        var key = await new SqliteApiKeyStore(ServicePath).FindAsync("key-fixture");
        Assert.Equal("fixture reader", key?.Key.Name);
        var feedback = await new SqliteFeedbackStore(ServicePath).GetStateAsync("baolong-auto");
        Assert.Equal(["sues-air"], feedback.Given.Keys);
        var changes = await new SqliteRecommendationStore(ListsPath, ServicePath).TakeChangedAsync();
        Assert.Equal(["baolong-auto"], changes.OrganizationIds);
    }

    [Fact]
    public async Task Concurrent_starts_on_one_file_run_each_script_once()
    {
        // Separate connections contend for the file's lock as separate processes would.
        var connectionString = $"Data Source={ServicePath};Default Timeout=30";
        using var start = new ManualResetEventSlim();
        var runs = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            start.Wait();
            return SchemaMigrations.ApplySqlite(connectionString, MigrationScope.Graph);
        })).ToList();
        start.Set();
        var applied = await Task.WhenAll(runs);

        Assert.Single(applied, a => a.Count > 0);
        Assert.Equal(3, applied.Count(a => a.Count == 0));
        Assert.Equal(["Matchmaker.Engine.Migrations.Sqlite.Graph.0001_initial.sql", "Matchmaker.Engine.Migrations.Sqlite.Graph.0002_project_texts.sql"],
            await JournalAsync(ServicePath));
    }

    private static async Task<List<string>> JournalAsync(string path) =>
        await ColumnAsync(path, "SELECT scriptname FROM schema_versions ORDER BY scriptname");

    private static async Task<List<string>> TablesAsync(string path) =>
        await ColumnAsync(path, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name");

    private static async Task<List<string>> ColumnAsync(string path, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var values = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) values.Add(reader.GetString(0));
        return values;
    }

    private static async Task<object?> ScalarAsync(string path, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}

/// <summary>The PostgreSQL stores' schema through DbUp on a throwaway cluster.</summary>
public sealed class PostgresSchemaMigrationTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly string[] Scripts =
    [
        "Matchmaker.Engine.Migrations.Postgres.Delivery.0001_initial.sql",
        "Matchmaker.Engine.Migrations.Postgres.Delivery.0002_link_versions.sql",
        "Matchmaker.Engine.Migrations.Postgres.Feedback.0001_initial.sql",
        "Matchmaker.Engine.Migrations.Postgres.Feedback.0002_feedback_latest.sql",
        "Matchmaker.Engine.Migrations.Postgres.Feedback.0003_feedback_shown.sql",
        "Matchmaker.Engine.Migrations.Postgres.Keys.0001_initial.sql",
        "Matchmaker.Engine.Migrations.Postgres.Plans.0001_initial.sql",
        "Matchmaker.Engine.Migrations.Postgres.Plans.0002_plan_quota.sql",
        "Matchmaker.Engine.Migrations.Postgres.Recommendations.0001_initial.sql",
        "Matchmaker.Engine.Migrations.Postgres.Recommendations.0002_change_intents.sql",
    ];

    private static readonly string[] Tables =
    [
        "api_keys", "consortium_plans", "delivery_attempts", "delivery_digests", "delivery_messages", "delivery_shown",
        "delivery_subscriptions", "feedback", "feedback_latest", "rec_changes", "rec_flags", "rec_lists", "rec_runs", "rec_serving", "rec_shards", "schema_versions",
    ];

    private static async Task InitializeEveryStoreAsync(NpgsqlDataSource dataSource)
    {
        // Concurrently, as several hosts starting at once would: the advisory lock serializes them.
        await Task.WhenAll(
            new PostgresRecommendationStore(dataSource).InitializeAsync(),
            new PostgresApiKeyStore(dataSource).InitializeAsync(),
            new PostgresFeedbackStore(dataSource).InitializeAsync(),
            new PostgresDeliveryStore(dataSource).InitializeAsync(),
            new PostgresPlanStore(dataSource).InitializeAsync(),
            new PostgresApiKeyStore(dataSource).InitializeAsync());
    }

    [Fact]
    public async Task An_empty_database_gets_every_script_once()
    {
        await using var dataSource = NpgsqlDataSource.Create(await postgres.Server.CreateDatabaseAsync());
        await InitializeEveryStoreAsync(dataSource);

        Assert.Equal(Scripts, await ColumnAsync(dataSource, "SELECT scriptname FROM schema_versions ORDER BY scriptname"));
        Assert.Equal(Tables, await ColumnAsync(dataSource, "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"));

        await InitializeEveryStoreAsync(dataSource);
        Assert.Equal(Scripts, await ColumnAsync(dataSource, "SELECT scriptname FROM schema_versions ORDER BY scriptname"));
        Assert.Empty(await SchemaMigrations.ApplyPostgresAsync(dataSource, MigrationScope.Keys));
    }

    [Fact]
    public async Task A_database_made_before_migrations_is_adopted_and_keeps_its_rows()
    {
        await using var dataSource = NpgsqlDataSource.Create(await postgres.Server.CreateDatabaseAsync());
        // Today's key table as the store created it before migrations (no journal), with one key in it.
        await using (var command = dataSource.CreateCommand("""
            CREATE TABLE api_keys (
                id text PRIMARY KEY, name text NOT NULL, scopes text NOT NULL, organization_id text,
                secret_hash bytea NOT NULL, created_at timestamptz NOT NULL, revoked_at timestamptz, allowed_origins text[] NOT NULL);
            INSERT INTO api_keys VALUES ('key-old', 'old reader', 'read', NULL, '\x00', '2026-12-01T08:00:00Z', NULL, '{}');
            """))
        {
            await command.ExecuteNonQueryAsync();
        }

        await InitializeEveryStoreAsync(dataSource);

        Assert.Equal(Scripts, await ColumnAsync(dataSource, "SELECT scriptname FROM schema_versions ORDER BY scriptname"));
        var key = await new PostgresApiKeyStore(dataSource).FindAsync("key-old");
        Assert.Equal("old reader", key?.Key.Name);
    }

    private static async Task<List<string>> ColumnAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync()) values.Add(reader.GetString(0));
        return values;
    }
}
