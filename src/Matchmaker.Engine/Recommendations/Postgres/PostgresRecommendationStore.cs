using System.Text.Json;
using Matchmaker.Engine.Import;
using Matchmaker.Engine.Migrations;
using Npgsql;
using NpgsqlTypes;

namespace Matchmaker.Engine.Recommendations.Postgres;

/// <summary>
/// The production recommendation store on PostgreSQL, shared by the API replicas and every worker host.
/// Same tables and semantics as the SQLite adapter; publishing is one transaction, so MVCC readers see either
/// the old or the new lists, never a mix.
/// </summary>
public sealed class PostgresRecommendationStore(NpgsqlDataSource dataSource) : IRecommendationStore
{
    public Task InitializeAsync(CancellationToken cancellationToken = default) =>
        SchemaMigrations.ApplyPostgresAsync(dataSource, MigrationScope.Recommendations, cancellationToken);

    public async Task CreateRunAsync(RecomputeRun run, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await Sql.ExecuteAsync(connection, null, """
            INSERT INTO rec_runs (id, kind, status, model_version, started_at, shards_total)
            VALUES (@id, @kind, 'Running', @model, @started, @shards)
            ON CONFLICT (id) DO NOTHING
            """, cancellationToken,
            ("id", run.Id), ("kind", run.Kind.ToString()), ("model", run.ModelVersion), ("started", run.StartedAt.ToUniversalTime()), ("shards", run.ShardsTotal));
    }

    /// <summary>The advisory lock's key (an arbitrary constant, the same in every process of one database).</summary>
    internal const long FullRunPlanningLock = 0x4D4D_5052_554E; // "MMPRUN"

    public async Task<IAsyncDisposable> HoldFullRunPlanningAsync(CancellationToken cancellationToken = default)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            // Transaction-scoped: ending the transaction (or losing the connection) releases it, and a pooled
            // connection can never be handed back still holding it.
            var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, transaction);
            command.Parameters.AddWithValue("key", FullRunPlanningLock);
            await command.ExecuteNonQueryAsync(cancellationToken);
            return new PlanningHold(connection, transaction);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private sealed class PlanningHold(NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
    {
        private int _released;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0) return;
            try { await transaction.RollbackAsync(); }
            finally { await connection.DisposeAsync(); }
        }
    }

    public async Task<RecomputeRun?> GetRunAsync(string runId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await ReadRunsAsync(connection, null, "WHERE r.id = @id", cancellationToken, ("id", runId))).FirstOrDefault();
    }

    public async Task PingAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await Sql.ExistsAsync(connection, null, "SELECT 1 FROM rec_serving LIMIT 1", cancellationToken);
    }

    public async Task<IReadOnlyList<RecomputeRun>> ListRunsAsync(int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await ReadRunsAsync(connection, null, "ORDER BY r.started_at DESC, r.id LIMIT @limit", cancellationToken, ("limit", limit));
    }

    public async Task<RecomputeRun> WriteShardAsync(string runId, ShardResult shard, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Lock the run row: a concurrent publish or fail waits for this shard to commit (or sees it done).
        await Sql.ExecuteAsync(connection, transaction, "SELECT 1 FROM rec_runs WHERE id = @id FOR SHARE", cancellationToken, ("id", runId));
        var run = (await ReadRunsAsync(connection, transaction, "WHERE r.id = @id", cancellationToken, ("id", runId))).FirstOrDefault()
            ?? throw new InvalidOperationException($"Run '{runId}' does not exist.");
        if (run.Status != RunStatus.Running) return run;

        // Only a shard written before has rows to replace (the delete walks every list of the run).
        if (await Sql.ExistsAsync(connection, transaction, "SELECT 1 FROM rec_shards WHERE run_id = @run AND shard = @shard", cancellationToken,
            ("run", runId), ("shard", shard.Shard)))
        {
            await Sql.ExecuteAsync(connection, transaction, "DELETE FROM rec_lists WHERE run_id = @run AND shard = @shard", cancellationToken,
                ("run", runId), ("shard", shard.Shard));
        }
        if (shard.Lists.Count > 0)
        {
            // Serializing is the expensive part of a write: every core does it before the one COPY stream.
            var json = new string[shard.Lists.Count];
            Parallel.For(0, json.Length, new ParallelOptions { CancellationToken = cancellationToken },
                i => json[i] = ListItemsJson.ToJsonString(shard.Lists[i].Items));
            // Binary COPY of the whole shard: one round trip instead of one per organization.
            await using var writer = await connection.BeginBinaryImportAsync(
                "COPY rec_lists (run_id, org_id, shard, computed_at, model_version, items) FROM STDIN (FORMAT BINARY)", cancellationToken);
            for (var i = 0; i < json.Length; i++)
            {
                var list = shard.Lists[i];
                await writer.StartRowAsync(cancellationToken);
                await writer.WriteAsync(runId, NpgsqlDbType.Text, cancellationToken);
                await writer.WriteAsync(list.OrganizationId, NpgsqlDbType.Text, cancellationToken);
                await writer.WriteAsync(shard.Shard, NpgsqlDbType.Integer, cancellationToken);
                await writer.WriteAsync(list.ComputedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken);
                await writer.WriteAsync(list.ModelVersion, NpgsqlDbType.Text, cancellationToken);
                await writer.WriteAsync(json[i], NpgsqlDbType.Jsonb, cancellationToken);
            }
            await writer.CompleteAsync(cancellationToken);
        }
        await Sql.ExecuteAsync(connection, transaction, """
            INSERT INTO rec_shards (run_id, shard, organizations, pairs, seconds) VALUES (@run, @shard, @orgs, @pairs, @seconds)
            ON CONFLICT (run_id, shard) DO UPDATE SET organizations = excluded.organizations, pairs = excluded.pairs, seconds = excluded.seconds
            """, cancellationToken, ("run", runId), ("shard", shard.Shard), ("orgs", shard.Lists.Count), ("pairs", shard.PairsScored), ("seconds", shard.ComputeSeconds));
        var progress = (await ReadRunsAsync(connection, transaction, "WHERE r.id = @id", cancellationToken, ("id", runId))).First();
        await transaction.CommitAsync(cancellationToken);
        return progress;
    }

    public async Task<bool> TryPublishAsync(string runId, DateTimeOffset now, double maxDroppedShare = 1, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // FOR UPDATE on the run row serializes racing publishers and waits for shard writers holding FOR SHARE.
        await Sql.ExecuteAsync(connection, transaction, "SELECT 1 FROM rec_runs WHERE id = @run FOR UPDATE", cancellationToken, ("run", runId));
        var published = await Sql.ExecuteAsync(connection, transaction, """
            UPDATE rec_runs SET status = 'Published', finished_at = @now
            WHERE id = @run AND status = 'Running' AND shards_total = (SELECT count(*) FROM rec_shards WHERE run_id = @run)
            """, cancellationToken, ("run", runId), ("now", now.ToUniversalTime()));
        if (published == 0) return false;
        if (maxDroppedShare < 1)
        {
            // What the delete below would drop, against what is served now: a full run over an empty or wrong graph
            // would otherwise stop serving every list.
            var counts = await Sql.QueryPairAsync(connection, transaction, """
                SELECT (SELECT count(*) FROM rec_serving),
                       (SELECT count(*) FROM rec_serving s
                        WHERE (SELECT kind FROM rec_runs WHERE id = @run) = 'Full'
                          AND NOT EXISTS (SELECT 1 FROM rec_lists l WHERE l.run_id = @run AND l.org_id = s.org_id)
                          AND (SELECT started_at FROM rec_runs WHERE id = s.run_id) < (SELECT started_at FROM rec_runs WHERE id = @run))
                """, cancellationToken, ("run", runId));
            if (PublishGuard.Refuses(counts.First, counts.Second, maxDroppedShare))
            {
                await Sql.ExecuteAsync(connection, transaction, "UPDATE rec_runs SET status = 'Failed', error = @error, finished_at = @now WHERE id = @run",
                    cancellationToken, ("run", runId), ("error", PublishGuard.Reason(counts.First, counts.Second, maxDroppedShare)), ("now", now.ToUniversalTime()));
                await transaction.CommitAsync(cancellationToken);
                return false;
            }
        }
        await Sql.ExecuteAsync(connection, transaction, """
            INSERT INTO rec_serving AS s (org_id, run_id) SELECT org_id, run_id FROM rec_lists WHERE run_id = @run
            ON CONFLICT (org_id) DO UPDATE SET run_id = excluded.run_id
            WHERE (SELECT started_at FROM rec_runs WHERE id = s.run_id) <= (SELECT started_at FROM rec_runs WHERE id = excluded.run_id)
            """, cancellationToken, ("run", runId));
        await Sql.ExecuteAsync(connection, transaction, """
            DELETE FROM rec_serving s
            WHERE (SELECT kind FROM rec_runs WHERE id = @run) = 'Full'
              AND NOT EXISTS (SELECT 1 FROM rec_lists l WHERE l.run_id = @run AND l.org_id = s.org_id)
              AND (SELECT started_at FROM rec_runs WHERE id = s.run_id) < (SELECT started_at FROM rec_runs WHERE id = @run)
            """, cancellationToken, ("run", runId));
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task FailRunAsync(string runId, string error, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await Sql.ExecuteAsync(connection, null, "UPDATE rec_runs SET status = 'Failed', error = @error, finished_at = @now WHERE id = @run AND status = 'Running'",
            cancellationToken, ("run", runId), ("error", error), ("now", now.ToUniversalTime()));
    }

    public async Task<RecommendationList?> GetCurrentAsync(string organizationId, CancellationToken cancellationToken = default) =>
        (await GetCurrentJsonAsync(organizationId, cancellationToken))?.Decode();

    public async Task<StoredListJson?> GetCurrentJsonAsync(string organizationId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT l.run_id, l.model_version, l.computed_at, l.items::text
            FROM rec_serving s JOIN rec_lists l ON l.run_id = s.run_id AND l.org_id = s.org_id
            WHERE s.org_id = @org
            """);
        command.Parameters.AddWithValue("org", organizationId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        return new StoredListJson(organizationId, reader.GetString(0), reader.GetString(1), new DateTimeOffset(reader.GetDateTime(2), TimeSpan.Zero),
            System.Text.Encoding.UTF8.GetBytes(reader.GetString(3)));
    }

    public async Task<string> GetPublicationStampAsync(CancellationToken cancellationToken = default)
    {
        // A publish marks its run Published with its finish time in the transaction that switches the served lists.
        await using var command = dataSource.CreateCommand(
            "SELECT count(*)::text || '|' || coalesce(max(finished_at)::text, '') FROM rec_runs WHERE status = 'Published'");
        return (string)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<int> PruneAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await Sql.ExecuteAsync(connection, null, """
            DELETE FROM rec_lists l
            WHERE l.run_id IN (SELECT id FROM rec_runs WHERE status <> 'Running')
              AND NOT EXISTS (SELECT 1 FROM rec_serving s WHERE s.run_id = l.run_id AND s.org_id = l.org_id)
            """, cancellationToken);
    }

    public async Task<bool> MarkChangedAsync(IReadOnlyCollection<string> organizationIds, bool structural, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = """
                INSERT INTO rec_changes AS c (org_id, changed_at, structural) SELECT unnest(@ids), @now, @structural
                ON CONFLICT (org_id) DO UPDATE SET changed_at = excluded.changed_at, structural = c.structural OR excluded.structural
                """;
            insert.Parameters.AddWithValue("ids", organizationIds.Distinct().ToArray());
            insert.Parameters.AddWithValue("now", now.ToUniversalTime());
            insert.Parameters.AddWithValue("structural", structural);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        var flipped = await RecommendationSql.FlagScheduledAsync(connection, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return flipped;
    }

    public async Task BeginChangeAsync(IReadOnlyCollection<string> organizationIds, bool structural, DateTimeOffset now, DateTimeOffset due,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO rec_changes AS c (org_id, changed_at, structural, pending, due_ms) SELECT unnest(@ids), @now, @structural, 1, @due
            ON CONFLICT (org_id) DO UPDATE SET changed_at = excluded.changed_at, structural = c.structural OR excluded.structural,
                pending = c.pending + 1, due_ms = greatest(c.due_ms, excluded.due_ms)
            """;
        command.Parameters.AddWithValue("ids", organizationIds.Distinct().ToArray());
        command.Parameters.AddWithValue("now", now.ToUniversalTime());
        command.Parameters.AddWithValue("structural", structural);
        command.Parameters.AddWithValue("due", due.ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> EndChangeAsync(IReadOnlyCollection<string> organizationIds, bool structural, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            // The row may be gone (taken after its due time): it is recorded again, takeable.
            command.CommandText = """
                INSERT INTO rec_changes AS c (org_id, changed_at, structural, pending, due_ms) SELECT unnest(@ids), @now, @structural, 0, 0
                ON CONFLICT (org_id) DO UPDATE SET changed_at = excluded.changed_at, structural = c.structural OR excluded.structural,
                    pending = greatest(c.pending - 1, 0)
                """;
            command.Parameters.AddWithValue("ids", organizationIds.Distinct().ToArray());
            command.Parameters.AddWithValue("now", now.ToUniversalTime());
            command.Parameters.AddWithValue("structural", structural);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        var flipped = await RecommendationSql.FlagScheduledAsync(connection, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return flipped;
    }

    public async Task<int> CountChangedAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await RecommendationSql.CountChangesAsync(connection, cancellationToken);
    }

    public async Task<ChangeSet> TakeChangedAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var changes = await RecommendationSql.TakeChangesAsync(connection, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return changes;
    }

    private static Task<List<RecomputeRun>> ReadRunsAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string tail,
        CancellationToken cancellationToken, params (string Name, object Value)[] parameters) =>
        RecommendationSql.ReadRunsAsync(connection, transaction, tail, (reader, i) => new DateTimeOffset(reader.GetDateTime(i), TimeSpan.Zero), cancellationToken, parameters);
}
