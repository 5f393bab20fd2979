using System.Text.Json;
using Matchmaker.Engine.Migrations;
using Microsoft.Data.Sqlite;

namespace Matchmaker.Engine.Access.Sqlite;

/// <summary>The embedded key store: one table in the service's SQLite file.</summary>
public sealed class SqliteApiKeyStore(string databasePath) : IApiKeyStore
{
    private readonly string _connectionString = SqliteFile.ConnectionString(databasePath);

    private const string Columns = "id, name, scopes, organization_id, created_at, revoked_at, allowed_origins, secret_hash";

    public Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        SchemaMigrations.ApplySqlite(_connectionString, MigrationScope.Keys);
        return Task.CompletedTask;
    }

    public async Task<bool> CreateAsync(ApiKey key, byte[] secretHash, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await Sql.ExecuteAsync(connection, null, """
            INSERT INTO api_keys (id, name, scopes, organization_id, secret_hash, created_at, allowed_origins)
            VALUES ($id, $name, $scopes, $org, $hash, $created, $origins)
            ON CONFLICT (id) DO NOTHING
            """, cancellationToken,
            ("$id", key.Id), ("$name", key.Name), ("$scopes", ApiKeyColumns.Scopes(key.Scopes)), ("$org", (object?)key.OrganizationId ?? DBNull.Value),
            ("$hash", secretHash), ("$created", SqliteFile.Time(key.CreatedAt)), ("$origins", JsonSerializer.Serialize(key.AllowedOrigins))) == 1;
    }

    public async Task<StoredApiKey?> FindAsync(string keyId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return (await ReadAsync(connection, $"SELECT {Columns} FROM api_keys WHERE id = $id", cancellationToken, ("$id", keyId))).FirstOrDefault();
    }

    public async Task<IReadOnlyList<ApiKey>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return (await ReadAsync(connection, $"SELECT {Columns} FROM api_keys ORDER BY created_at, id", cancellationToken)).Select(k => k.Key).ToList();
    }

    public async Task<bool> RevokeAsync(string keyId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await Sql.ExecuteAsync(connection, null, "UPDATE api_keys SET revoked_at = $now WHERE id = $id AND revoked_at IS NULL",
            cancellationToken, ("$id", keyId), ("$now", SqliteFile.Time(now))) == 1;
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    private static async Task<List<StoredApiKey>> ReadAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken,
        params (string Name, object Value)[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        var keys = new List<StoredApiKey>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add(new StoredApiKey(new ApiKey(reader.GetString(0), reader.GetString(1), ApiKeyColumns.ParseScopes(reader.GetString(2)),
                reader.IsDBNull(3) ? null : reader.GetString(3), SqliteFile.ParseTime(reader.GetString(4)), reader.IsDBNull(5) ? null : SqliteFile.ParseTime(reader.GetString(5)),
                JsonSerializer.Deserialize<List<string>>(reader.GetString(6)) ?? []), (byte[])reader.GetValue(7)));
        }
        return keys;
    }
}
