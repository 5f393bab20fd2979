using Matchmaker.Engine.Access;
using Matchmaker.Engine.Access.Postgres;
using Matchmaker.Engine.Access.Sqlite;
using Matchmaker.Testing;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Matchmaker.Api.Tests;

/// <summary>The behaviour both API key store adapters must have, through the service that issues and checks tokens.</summary>
public abstract class ApiKeyStoreContract
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 1, 0, 0, TimeSpan.Zero);

    protected abstract Task<IApiKeyStore> CreateStoreAsync();

    /// <summary>The raw secret_hash column of a key, to prove what is stored.</summary>
    protected abstract Task<byte[]> ReadStoredHashAsync(string keyId);

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [Fact]
    public async Task Issued_key_round_trips_and_its_token_authenticates()
    {
        var store = await CreateStoreAsync();
        var service = new ApiKeyService(store, new FixedTime(T0));

        var issued = await service.IssueAsync("park website", [ApiScope.Read, ApiScope.Feedback, ApiScope.Read], "tongji-auto", ["https://park.example.cn"]);

        var found = await store.FindAsync(issued.Key.Id);
        Assert.NotNull(found);
        Assert.Equal("park website", found.Key.Name);
        Assert.Equal([ApiScope.Read, ApiScope.Feedback], found.Key.Scopes);
        Assert.Equal("tongji-auto", found.Key.OrganizationId);
        Assert.Equal(["https://park.example.cn"], found.Key.AllowedOrigins);
        Assert.Equal(T0, found.Key.CreatedAt);
        Assert.Null(found.Key.RevokedAt);
        Assert.Equal(issued.Key.Id, (await service.AuthenticateAsync(issued.Token))?.Id);
    }

    [Fact]
    public async Task Only_the_sha256_of_the_secret_is_stored()
    {
        var store = await CreateStoreAsync();
        var issued = await new ApiKeyService(store, new FixedTime(T0)).IssueAsync("k", [ApiScope.Admin], null, null);
        // The token's shape as the README gives it, read without the code under test: mm_<keyId>_<secret>.
        var prefix = $"mm_{issued.Key.Id}_";
        Assert.StartsWith(prefix, issued.Token, StringComparison.Ordinal);
        var secret = issued.Token[prefix.Length..];
        Assert.True(secret.Length >= 43); // 256 bits

        Assert.Equal(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret)), await ReadStoredHashAsync(issued.Key.Id));
    }

    [Fact]
    public async Task Wrong_unknown_or_malformed_tokens_do_not_authenticate()
    {
        var store = await CreateStoreAsync();
        var service = new ApiKeyService(store, new FixedTime(T0));
        var issued = await service.IssueAsync("k", [ApiScope.Read], null, null);

        Assert.Null(await service.AuthenticateAsync(ApiKeyTokens.Format(issued.Key.Id, "wrong-secret")));
        Assert.Null(await service.AuthenticateAsync(ApiKeyTokens.Format("0123456789abcdef", "whatever-secret-value")));
        Assert.Null(await service.AuthenticateAsync("not a token at all"));
        Assert.Null(await service.AuthenticateAsync(issued.Token.ToUpperInvariant()));
        Assert.Null(await store.FindAsync("0123456789abcdef"));
    }

    [Fact]
    public async Task Revoked_key_stops_authenticating_at_once_and_stays_listed()
    {
        var store = await CreateStoreAsync();
        var service = new ApiKeyService(store, new FixedTime(T0));
        var issued = await service.IssueAsync("k", [ApiScope.Read], null, null);
        var other = await service.IssueAsync("other", [ApiScope.Read], null, null);

        Assert.True(await store.RevokeAsync(issued.Key.Id, T0.AddHours(1)));
        Assert.False(await store.RevokeAsync(issued.Key.Id, T0.AddHours(2)));
        Assert.False(await store.RevokeAsync("0123456789abcdef", T0));

        Assert.Null(await service.AuthenticateAsync(issued.Token));
        Assert.NotNull(await service.AuthenticateAsync(other.Token));
        var listed = (await store.ListAsync()).Single(k => k.Id == issued.Key.Id);
        Assert.Equal(T0.AddHours(1), listed.RevokedAt);
        Assert.Contains(await store.ListAsync(), k => k.Id == other.Key.Id && k.RevokedAt is null);
    }

    private sealed class SteppedTime(DateTimeOffset start) : TimeProvider
    {
        private long _ticks;

        public override DateTimeOffset GetUtcNow() => start.AddTicks(Interlocked.Read(ref _ticks));

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }

    [Fact]
    public async Task A_checked_key_is_remembered_for_the_check_interval_and_a_revocation_through_the_service_applies_at_once()
    {
        var store = await CreateStoreAsync();
        var time = new SteppedTime(T0);
        var service = new ApiKeyService(store, time);
        var otherReplica = new ApiKeyService(store, time);
        var revokedHere = await service.IssueAsync("revoked here", [ApiScope.Read], null, null);
        var revokedElsewhere = await service.IssueAsync("revoked elsewhere", [ApiScope.Read], null, null);
        Assert.NotNull(await service.AuthenticateAsync(revokedHere.Token));
        Assert.NotNull(await service.AuthenticateAsync(revokedElsewhere.Token));
        // A remembered key still has its secret checked.
        Assert.Null(await service.AuthenticateAsync(ApiKeyTokens.Format(revokedHere.Key.Id, "wrong-secret-value")));

        Assert.True(await service.RevokeAsync(revokedHere.Key.Id));
        Assert.Null(await service.AuthenticateAsync(revokedHere.Token));
        Assert.False(await service.RevokeAsync(revokedHere.Key.Id));

        // Another replica's revocation reaches this one when the interval has passed, not before.
        Assert.True(await otherReplica.RevokeAsync(revokedElsewhere.Key.Id));
        Assert.Null(await otherReplica.AuthenticateAsync(revokedElsewhere.Token));
        Assert.NotNull(await service.AuthenticateAsync(revokedElsewhere.Token));
        time.Advance(ApiKeyService.CheckInterval);
        Assert.Null(await service.AuthenticateAsync(revokedElsewhere.Token));
        Assert.Equal(T0, (await store.FindAsync(revokedElsewhere.Key.Id))!.Key.RevokedAt);
    }

    [Fact]
    public async Task Creating_an_existing_id_is_refused()
    {
        var store = await CreateStoreAsync();
        var key = new ApiKey(ApiKeyTokens.NewKeyId(), "k", [ApiScope.Read], null, T0, null, []);

        Assert.True(await store.CreateAsync(key, ApiKeyTokens.Hash("a")));
        Assert.False(await store.CreateAsync(key with { Name = "again" }, ApiKeyTokens.Hash("b")));
        Assert.Equal("k", (await store.FindAsync(key.Id))!.Key.Name);
    }
}

public sealed class SqliteApiKeyStoreTests : ApiKeyStoreContract, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("matchmaker-keys-").FullName;

    private string DatabasePath => Path.Combine(_directory, "app.db");

    protected override async Task<IApiKeyStore> CreateStoreAsync()
    {
        var store = new SqliteApiKeyStore(DatabasePath);
        await store.InitializeAsync();
        return store;
    }

    protected override async Task<byte[]> ReadStoredHashAsync(string keyId)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT secret_hash FROM api_keys WHERE id = $id";
        command.Parameters.AddWithValue("$id", keyId);
        return (byte[])(await command.ExecuteScalarAsync())!;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}

/// <summary>The same contract on a real PostgreSQL cluster started by the fixture.</summary>
public sealed class PostgresApiKeyStoreTests(PostgresFixture postgres) : ApiKeyStoreContract, IClassFixture<PostgresFixture>
{
    private NpgsqlDataSource? _dataSource;

    protected override async Task<IApiKeyStore> CreateStoreAsync()
    {
        _dataSource = NpgsqlDataSource.Create(await postgres.Server.CreateDatabaseAsync());
        var store = new PostgresApiKeyStore(_dataSource);
        await store.InitializeAsync();
        return store;
    }

    protected override async Task<byte[]> ReadStoredHashAsync(string keyId)
    {
        await using var command = _dataSource!.CreateCommand("SELECT secret_hash FROM api_keys WHERE id = @id");
        command.Parameters.AddWithValue("id", keyId);
        return (byte[])(await command.ExecuteScalarAsync())!;
    }
}
