using System.Text.Json;
using Matchmaker.Engine.Import;
using Matchmaker.Engine.Migrations;
using Microsoft.Data.Sqlite;

namespace Matchmaker.Engine.Planning.Sqlite;

/// <summary>The embedded plan store: one table in the service's SQLite file.</summary>
public sealed class SqlitePlanStore(string databasePath) : IPlanStore
{
    private readonly string _connectionString = SqliteFile.ConnectionString(databasePath);

    public Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        SchemaMigrations.ApplySqlite(_connectionString, MigrationScope.Plans);
        return Task.CompletedTask;
    }

    public async Task SaveAsync(ConsortiumPlan plan, string keyId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await Sql.ExecuteAsync(connection, null, """
            INSERT INTO consortium_plans (id, key_id, lead_id, created_at, plan) VALUES ($id, $key, $lead, $created, $plan)
            """, cancellationToken,
            ("$id", plan.Id), ("$key", keyId), ("$lead", plan.LeadId), ("$created", SqliteFile.Time(plan.CreatedAt)),
            ("$plan", JsonSerializer.Serialize(plan, WireJson.Options)));
    }

    public async Task<PlanSaveResult> SaveWithinQuotaAsync(ConsortiumPlan plan, string keyId, int maxPerKey, DateTimeOffset keepSince,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        // Immediate: the count and the insert hold the write lock together, so two saves cannot both pass a full quota.
        await using var transaction = connection.BeginTransaction(deferred: false);
        await Sql.ExecuteAsync(connection, transaction, "DELETE FROM consortium_plans WHERE created_at < $since", cancellationToken,
            ("$since", SqliteFile.Time(keepSince)));
        await using (var count = connection.CreateCommand())
        {
            count.Transaction = transaction;
            count.CommandText = "SELECT count(*), min(created_at) FROM consortium_plans WHERE key_id = $key";
            count.Parameters.AddWithValue("$key", keyId);
            await using var reader = await count.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            if (reader.GetInt64(0) >= maxPerKey)
            {
                var oldest = SqliteFile.ParseTime(reader.GetString(1));
                await reader.DisposeAsync();
                await transaction.CommitAsync(cancellationToken);
                return new PlanSaveResult(false, oldest);
            }
        }
        await Sql.ExecuteAsync(connection, transaction, """
            INSERT INTO consortium_plans (id, key_id, lead_id, created_at, plan) VALUES ($id, $key, $lead, $created, $plan)
            """, cancellationToken,
            ("$id", plan.Id), ("$key", keyId), ("$lead", plan.LeadId), ("$created", SqliteFile.Time(plan.CreatedAt)),
            ("$plan", JsonSerializer.Serialize(plan, WireJson.Options)));
        await transaction.CommitAsync(cancellationToken);
        return new PlanSaveResult(true, null);
    }

    public async Task<ConsortiumPlan?> FindAsync(string planId, string keyId, DateTimeOffset? keepSince = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // created_at is ISO 8601 in UTC with a fixed width, so text order is time order.
        command.CommandText = "SELECT plan FROM consortium_plans WHERE id = $id AND key_id = $key AND created_at >= $since";
        command.Parameters.AddWithValue("$id", planId);
        command.Parameters.AddWithValue("$key", keyId);
        command.Parameters.AddWithValue("$since", SqliteFile.Time(keepSince ?? DateTimeOffset.UnixEpoch));
        return await command.ExecuteScalarAsync(cancellationToken) is string json ? JsonSerializer.Deserialize<ConsortiumPlan>(json, WireJson.Options) : null;
    }

    public async Task<IReadOnlyList<ConsortiumPlan>> ListByLeadAsync(string leadId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // created_at is ISO 8601 in UTC with a fixed width, so text order is time order.
        command.CommandText = "SELECT plan FROM consortium_plans WHERE lead_id = $lead ORDER BY created_at DESC, id LIMIT $limit";
        command.Parameters.AddWithValue("$lead", leadId);
        command.Parameters.AddWithValue("$limit", limit);
        var plans = new List<ConsortiumPlan>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) plans.Add(JsonSerializer.Deserialize<ConsortiumPlan>(reader.GetString(0), WireJson.Options)!);
        return plans;
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }
}
