using DbUp;
using DbUp.Builder;
using DbUp.Engine;
using DbUp.Postgresql;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Matchmaker.Engine.Migrations;

/// <summary>
/// The tables of one store, migrated together: the scripts under <c>Migrations/{dialect}/{scope}/</c>, applied in
/// name order. A scope belongs to one store, so whichever files the configuration gives the stores (one for
/// everything, the lists apart, the graph apart), each file gets exactly the tables of the stores that live in it.
/// </summary>
public enum MigrationScope
{
    /// <summary>Organizations, projects, memberships and ties (SQLite graph store).</summary>
    Graph,
    /// <summary>Runs, shards, lists and what is served (the SQLite lists' file).</summary>
    Lists,
    /// <summary>Changes waiting for a recompute and the recompute flag (the SQLite service file).</summary>
    Changes,
    /// <summary>Every recommendation table (PostgreSQL keeps lists and changes in one database).</summary>
    Recommendations,
    Keys,
    Feedback,
    Delivery,
    Plans,
}

/// <summary>
/// Versioned schema migrations with DbUp: each database records the scripts it has run in <c>schema_versions</c>
/// and runs only the new ones, all in one transaction. Every scope's 0001 is the schema as it was before versions
/// (<c>CREATE ... IF NOT EXISTS</c>), so a database made then runs it harmlessly and is adopted.
/// </summary>
public static class SchemaMigrations
{
    public const string JournalTable = "schema_versions";

    /// <summary>Same key the stores used for their schema before: hosts that start together migrate one at a time.</summary>
    private const long PostgresLockKey = 60060;

    private static readonly System.Reflection.Assembly Scripts = typeof(SchemaMigrations).Assembly;

    /// <summary>The resource-name prefix of a scope's scripts, e.g. <c>Matchmaker.Engine.Migrations.Sqlite.Graph.</c>.</summary>
    public static string Prefix(string dialect, MigrationScope scope) => $"Matchmaker.Engine.Migrations.{dialect}.{scope}.";

    /// <summary>The names of a scope's scripts in the order they run.</summary>
    public static IReadOnlyList<string> ScriptNames(string dialect, MigrationScope scope) =>
        Scripts.GetManifestResourceNames().Where(n => n.StartsWith(Prefix(dialect, scope), StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToList();

    /// <summary>Brings a SQLite file's tables of <paramref name="scope"/> to the latest version.</summary>
    /// <returns>The scripts run now (empty when the file was up to date).</returns>
    public static IReadOnlyList<string> ApplySqlite(string connectionString, MigrationScope scope)
    {
        SqliteFile.EnsureFile(connectionString);
        using (var connection = new SqliteConnection(connectionString))
        {
            // WAL cannot be switched on inside a transaction, and DbUp runs the scripts in one: set it first.
            connection.Open();
            using var wal = connection.CreateCommand();
            wal.CommandText = "PRAGMA journal_mode = WAL";
            wal.ExecuteNonQuery();
        }
        // Microsoft.Data.Sqlite begins transactions IMMEDIATE: a second process migrating the same file waits for the
        // write lock (busy timeout) before it reads the journal, so no script runs twice.
        var builder = DeployChanges.To.SqliteDatabase(connectionString).JournalToSqliteTable(JournalTable);
        return Run(builder, "Sqlite", scope);
    }

    /// <summary>Brings a PostgreSQL database's tables of <paramref name="scope"/> to the latest version.</summary>
    public static async Task<IReadOnlyList<string>> ApplyPostgresAsync(NpgsqlDataSource dataSource, MigrationScope scope, CancellationToken cancellationToken = default)
    {
        // Several hosts may start at once: a session lock on a connection of its own serializes them while DbUp
        // works on its own connections.
        await using var lockConnection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({PostgresLockKey})", lockConnection))
        {
            await take.ExecuteNonQueryAsync(cancellationToken);
        }
        try
        {
            var builder = DeployChanges.To.PostgresqlDatabase(new PostgresqlConnectionManager(dataSource)).JournalToPostgresqlTable(null, JournalTable);
            return await Task.Run(() => Run(builder, "Postgres", scope), cancellationToken);
        }
        finally
        {
            await using var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({PostgresLockKey})", lockConnection);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private static IReadOnlyList<string> Run(UpgradeEngineBuilder builder, string dialect, MigrationScope scope)
    {
        var prefix = Prefix(dialect, scope);
        if (ScriptNames(dialect, scope).Count == 0) throw new ArgumentException($"No {dialect} migration scripts for {scope}.", nameof(scope));
        var result = builder
            .WithScriptsEmbeddedInAssembly(Scripts, name => name.StartsWith(prefix, StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
            .WithScriptNameComparer(StringComparer.Ordinal)
            .WithTransaction()
            .WithVariablesDisabled()
            .LogToNowhere()
            .Build()
            .PerformUpgrade();
        if (!result.Successful)
        {
            throw new InvalidOperationException($"Schema migration {result.ErrorScript?.Name ?? prefix} failed: {result.Error?.Message}", result.Error);
        }
        return result.Scripts.Select(s => s.Name).ToList();
    }
}
