using System.Text.Json;
using Matchmaker.Engine.Import;
using Matchmaker.Engine.Migrations;
using Npgsql;
using NpgsqlTypes;

namespace Matchmaker.Engine.Planning.Postgres;

/// <summary>The production plan store on PostgreSQL, shared by every API replica.</summary>
public sealed class PostgresPlanStore(NpgsqlDataSource dataSource) : IPlanStore
{
    public Task InitializeAsync(CancellationToken cancellationToken = default) =>
        SchemaMigrations.ApplyPostgresAsync(dataSource, MigrationScope.Plans, cancellationToken);

    public async Task SaveAsync(ConsortiumPlan plan, string keyId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO consortium_plans (id, key_id, lead_id, created_at, plan) VALUES (@id, @key, @lead, @created, @plan)
            """);
        command.Parameters.AddWithValue("id", plan.Id);
        command.Parameters.AddWithValue("key", keyId);
        command.Parameters.AddWithValue("lead", plan.LeadId);
        command.Parameters.AddWithValue("created", plan.CreatedAt.ToUniversalTime());
        command.Parameters.AddWithValue("plan", NpgsqlDbType.Jsonb, JsonSerializer.Serialize(plan, WireJson.Options));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<PlanSaveResult> SaveWithinQuotaAsync(ConsortiumPlan plan, string keyId, int maxPerKey, DateTimeOffset keepSince,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var prepare = new NpgsqlCommand("""
            DELETE FROM consortium_plans WHERE created_at < @since;
            SELECT pg_advisory_xact_lock(hashtext('consortium_plans:' || @key));
            """, connection, transaction))
        {
            // The key's lock: two saves by one key cannot both pass a full quota.
            prepare.Parameters.AddWithValue("since", keepSince.ToUniversalTime());
            prepare.Parameters.AddWithValue("key", keyId);
            await prepare.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var count = new NpgsqlCommand("SELECT count(*), min(created_at) FROM consortium_plans WHERE key_id = @key", connection, transaction))
        {
            count.Parameters.AddWithValue("key", keyId);
            await using var reader = await count.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            if (reader.GetInt64(0) >= maxPerKey)
            {
                var oldest = new DateTimeOffset(reader.GetFieldValue<DateTime>(1), TimeSpan.Zero);
                await reader.DisposeAsync();
                await transaction.CommitAsync(cancellationToken);
                return new PlanSaveResult(false, oldest);
            }
        }
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO consortium_plans (id, key_id, lead_id, created_at, plan) VALUES (@id, @key, @lead, @created, @plan)
            """, connection, transaction))
        {
            insert.Parameters.AddWithValue("id", plan.Id);
            insert.Parameters.AddWithValue("key", keyId);
            insert.Parameters.AddWithValue("lead", plan.LeadId);
            insert.Parameters.AddWithValue("created", plan.CreatedAt.ToUniversalTime());
            insert.Parameters.AddWithValue("plan", NpgsqlDbType.Jsonb, JsonSerializer.Serialize(plan, WireJson.Options));
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return new PlanSaveResult(true, null);
    }

    public async Task<ConsortiumPlan?> FindAsync(string planId, string keyId, DateTimeOffset? keepSince = null, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT plan::text FROM consortium_plans WHERE id = @id AND key_id = @key AND created_at >= @since");
        command.Parameters.AddWithValue("id", planId);
        command.Parameters.AddWithValue("key", keyId);
        command.Parameters.AddWithValue("since", (keepSince ?? DateTimeOffset.UnixEpoch).ToUniversalTime());
        return await command.ExecuteScalarAsync(cancellationToken) is string json ? JsonSerializer.Deserialize<ConsortiumPlan>(json, WireJson.Options) : null;
    }

    public async Task<IReadOnlyList<ConsortiumPlan>> ListByLeadAsync(string leadId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await using var command = dataSource.CreateCommand("SELECT plan::text FROM consortium_plans WHERE lead_id = @lead ORDER BY created_at DESC, id LIMIT @limit");
        command.Parameters.AddWithValue("lead", leadId);
        command.Parameters.AddWithValue("limit", limit);
        var plans = new List<ConsortiumPlan>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) plans.Add(JsonSerializer.Deserialize<ConsortiumPlan>(reader.GetString(0), WireJson.Options)!);
        return plans;
    }
}
