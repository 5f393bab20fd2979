using Matchmaker.Engine.Migrations;
using Npgsql;

namespace Matchmaker.Engine.Access.Postgres;

/// <summary>The production key store on PostgreSQL, shared by every API replica.</summary>
public sealed class PostgresApiKeyStore(NpgsqlDataSource dataSource) : IApiKeyStore
{
    private const string Columns = "id, name, scopes, organization_id, created_at, revoked_at, allowed_origins, secret_hash";

    public Task InitializeAsync(CancellationToken cancellationToken = default) =>
        SchemaMigrations.ApplyPostgresAsync(dataSource, MigrationScope.Keys, cancellationToken);

    public async Task<bool> CreateAsync(ApiKey key, byte[] secretHash, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await Sql.ExecuteAsync(connection, null, """
            INSERT INTO api_keys (id, name, scopes, organization_id, secret_hash, created_at, allowed_origins)
            VALUES (@id, @name, @scopes, @org, @hash, @created, @origins)
            ON CONFLICT (id) DO NOTHING
            """, cancellationToken,
            ("id", key.Id), ("name", key.Name), ("scopes", ApiKeyColumns.Scopes(key.Scopes)), ("org", (object?)key.OrganizationId ?? DBNull.Value),
            ("hash", secretHash), ("created", key.CreatedAt.ToUniversalTime()), ("origins", key.AllowedOrigins.ToArray())) == 1;
    }

    public async Task<StoredApiKey?> FindAsync(string keyId, CancellationToken cancellationToken = default) =>
        (await ReadAsync($"SELECT {Columns} FROM api_keys WHERE id = @id", cancellationToken, ("id", keyId))).FirstOrDefault();

    public async Task<IReadOnlyList<ApiKey>> ListAsync(CancellationToken cancellationToken = default) =>
        (await ReadAsync($"SELECT {Columns} FROM api_keys ORDER BY created_at, id", cancellationToken)).Select(k => k.Key).ToList();

    public async Task<bool> RevokeAsync(string keyId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await Sql.ExecuteAsync(connection, null, "UPDATE api_keys SET revoked_at = @now WHERE id = @id AND revoked_at IS NULL",
            cancellationToken, ("id", keyId), ("now", now.ToUniversalTime())) == 1;
    }

    private async Task<List<StoredApiKey>> ReadAsync(string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = dataSource.CreateCommand(sql);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        var keys = new List<StoredApiKey>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add(new StoredApiKey(new ApiKey(reader.GetString(0), reader.GetString(1), ApiKeyColumns.ParseScopes(reader.GetString(2)),
                reader.IsDBNull(3) ? null : reader.GetString(3), new DateTimeOffset(reader.GetDateTime(4), TimeSpan.Zero),
                reader.IsDBNull(5) ? null : new DateTimeOffset(reader.GetDateTime(5), TimeSpan.Zero),
                reader.GetFieldValue<string[]>(6)), reader.GetFieldValue<byte[]>(7)));
        }
        return keys;
    }
}
