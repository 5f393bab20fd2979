namespace Matchmaker.Engine.Access;

/// <summary>The port for API keys. Adapters: <see cref="Sqlite.SqliteApiKeyStore"/>, <see cref="Postgres.PostgresApiKeyStore"/>.</summary>
public interface IApiKeyStore
{
    Task InitializeAsync(CancellationToken cancellationToken = default);

    /// <summary>Stores a new key; false when the id already exists.</summary>
    Task<bool> CreateAsync(ApiKey key, byte[] secretHash, CancellationToken cancellationToken = default);

    Task<StoredApiKey?> FindAsync(string keyId, CancellationToken cancellationToken = default);

    /// <summary>All keys, revoked ones included, oldest first.</summary>
    Task<IReadOnlyList<ApiKey>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Revokes a key; false when it does not exist or was already revoked.</summary>
    Task<bool> RevokeAsync(string keyId, DateTimeOffset now, CancellationToken cancellationToken = default);
}
