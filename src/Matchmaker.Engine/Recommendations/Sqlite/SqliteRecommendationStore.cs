using System.Data.Common;
using System.IO.Compression;
using System.Text.Json;
using Matchmaker.Engine.Import;
using Matchmaker.Engine.Migrations;
using Microsoft.Data.Sqlite;

namespace Matchmaker.Engine.Recommendations.Sqlite;

/// <summary>
/// The embedded recommendation store: tables in SQLite files (WAL). Runs, shards, lists and what is served live in
/// the lists' file; the changes waiting for an incremental recompute live in the service's file, beside the graph
/// edits, feedback and keys that write them.
/// </summary>
/// <remarks>
/// SQLite lets one connection write a file at a time. A full recompute writes thousands of lists per shard, so with
/// the lists in the service's file every interactive write (feedback, keys, subscriptions, plans, graph edits) queued
/// behind the shard writes, and under load some waited out the 30 s busy timeout. In their own file the recompute's
/// writes take their own lock; publishing stays one transaction in one file, so readers still switch from one run to
/// the next at once. Both paths may name the same file (one file for everything, as before).
/// </remarks>
public sealed class SqliteRecommendationStore : IRecommendationStore
{
    private readonly string _connectionString;
    private readonly string _changesConnectionString;
    private readonly string _gateKey;

    /// <summary>One planning gate per lists file in this process (an embedded service is one process per file).</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, SemaphoreSlim> PlanningGates = new(StringComparer.Ordinal);

    public async Task<IAsyncDisposable> HoldFullRunPlanningAsync(CancellationToken cancellationToken = default)
    {
        var gate = PlanningGates.GetOrAdd(_gateKey, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        return new GateHold(gate);
    }

    private sealed class GateHold(SemaphoreSlim gate) : IAsyncDisposable
    {
        private int _released;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) gate.Release();
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Every table in one file.</summary>
    public SqliteRecommendationStore(string databasePath) : this(databasePath, databasePath)
    {
    }

    /// <param name="listsPath">The file of runs, shards, lists and what is served: written by recomputes.</param>
    /// <param name="changesPath">The file of the changes to recompute: written by graph edits (the service's file).</param>
    public SqliteRecommendationStore(string listsPath, string changesPath)
    {
        _connectionString = SqliteFile.ConnectionString(listsPath);
        _gateKey = Path.GetFullPath(listsPath);
        _changesConnectionString = SqliteFile.ConnectionString(changesPath);
    }

    private bool SeparateFiles => !string.Equals(_connectionString, _changesConnectionString, StringComparison.Ordinal);

    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        SchemaMigrations.ApplySqlite(_connectionString, MigrationScope.Lists);
        SchemaMigrations.ApplySqlite(_changesConnectionString, MigrationScope.Changes);
        if (SeparateFiles) await MoveListsOutOfServiceFileAsync(cancellationToken);
    }

    /// <summary>
    /// A service file written before the lists had their own file still holds them: the served lists (and runs still
    /// going) move to the lists' file in one transaction, so readers keep their lists across the upgrade, and the old
    /// tables are dropped from the service's file.
    /// </summary>
    private async Task MoveListsOutOfServiceFileAsync(CancellationToken cancellationToken)
    {
        await using var service = await OpenChangesAsync(cancellationToken);
        await using (var exists = service.CreateCommand())
        {
            exists.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('rec_runs', 'rec_shards', 'rec_lists', 'rec_serving')";
            if ((long)(await exists.ExecuteScalarAsync(cancellationToken))! < 4) return;
        }
        await using (var connection = await OpenAsync(cancellationToken))
        {
            await using var attach = connection.CreateCommand();
            attach.CommandText = "ATTACH DATABASE $old AS old";
            attach.Parameters.AddWithValue("$old", new SqliteConnectionStringBuilder(_changesConnectionString).DataSource);
            await attach.ExecuteNonQueryAsync(cancellationToken);
            try
            {
                await using var transaction = connection.BeginTransaction(deferred: false);
                await using (var empty = connection.CreateCommand())
                {
                    empty.Transaction = transaction;
                    empty.CommandText = "SELECT NOT EXISTS (SELECT 1 FROM main.rec_runs)";
                    if ((long)(await empty.ExecuteScalarAsync(cancellationToken))! == 1)
                    {
                        await Sql.ExecuteAsync(connection, transaction, """
                            INSERT INTO main.rec_runs SELECT * FROM old.rec_runs;
                            INSERT INTO main.rec_shards SELECT * FROM old.rec_shards;
                            INSERT INTO main.rec_lists SELECT l.* FROM old.rec_lists l
                            WHERE l.run_id IN (SELECT id FROM old.rec_runs WHERE status = 'Running')
                               OR EXISTS (SELECT 1 FROM old.rec_serving s WHERE s.run_id = l.run_id AND s.org_id = l.org_id);
                            INSERT INTO main.rec_serving SELECT * FROM old.rec_serving;
                            """, cancellationToken);
                    }
                }
                await transaction.CommitAsync(cancellationToken);
            }
            finally
            {
                await using var detach = connection.CreateCommand();
                detach.CommandText = "DETACH DATABASE old";
                await detach.ExecuteNonQueryAsync(CancellationToken.None);
            }
        }
        // Only once the copy is committed: a stop in between leaves the old tables, and the next start finds the lists'
        // file filled and only drops them.
        await using var drop = service.BeginTransaction(deferred: false);
        await Sql.ExecuteAsync(service, drop, "DROP TABLE rec_serving; DROP TABLE rec_lists; DROP TABLE rec_shards; DROP TABLE rec_runs;", cancellationToken);
        await drop.CommitAsync(cancellationToken);
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    private async Task<SqliteConnection> OpenChangesAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_changesConnectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    public async Task CreateRunAsync(RecomputeRun run, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await Sql.ExecuteAsync(connection, null, """
            INSERT INTO rec_runs (id, kind, status, model_version, started_at, shards_total)
            VALUES ($id, $kind, 'Running', $model, $started, $shards)
            ON CONFLICT (id) DO NOTHING
            """, cancellationToken,
            ("$id", run.Id), ("$kind", run.Kind.ToString()), ("$model", run.ModelVersion), ("$started", SqliteFile.Time(run.StartedAt)), ("$shards", run.ShardsTotal));
    }

    public async Task<RecomputeRun?> GetRunAsync(string runId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return (await ReadRunsAsync(connection, null, "WHERE r.id = $id", cancellationToken, ("$id", runId))).FirstOrDefault();
    }

    public async Task PingAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await Sql.ExistsAsync(connection, null, "SELECT 1 FROM rec_serving LIMIT 1", cancellationToken);
    }

    public async Task<IReadOnlyList<RecomputeRun>> ListRunsAsync(int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await ReadRunsAsync(connection, null, "ORDER BY r.started_at DESC, r.id LIMIT $limit", cancellationToken, ("$limit", limit));
    }

    public async Task<RecomputeRun> WriteShardAsync(string runId, ShardResult shard, CancellationToken cancellationToken = default)
    {
        // Encoding is the expensive part of a write and needs no connection: every core does it before the one
        // writer inserts, and before the write lock is taken, so that the lock is held for the inserts only.
        var payloads = new byte[shard.Lists.Count][];
        Parallel.For(0, payloads.Length, new ParallelOptions { CancellationToken = cancellationToken }, i => payloads[i] = ListItems.Encode(shard.Lists[i].Items));
        await using var connection = await OpenAsync(cancellationToken);
        // IMMEDIATE: a deferred transaction that reads and then writes fails at once (no busy wait) when another shard
        // committed in between; taking the write lock first makes concurrent shard writes wait for each other instead.
        await using var transaction = connection.BeginTransaction(deferred: false);
        var run = (await ReadRunsAsync(connection, transaction, "WHERE r.id = $id", cancellationToken, ("$id", runId))).FirstOrDefault()
            ?? throw new InvalidOperationException($"Run '{runId}' does not exist.");
        if (run.Status != RunStatus.Running) return run; // a late duplicate of a finished run changes nothing

        // Only a shard written before has rows to replace. The delete walks every list of the run (the key does not
        // lead with the shard), so the usual first write skips it instead of paying more with each shard.
        if (await Sql.ExistsAsync(connection, transaction, "SELECT 1 FROM rec_shards WHERE run_id = $run AND shard = $shard", cancellationToken,
            ("$run", runId), ("$shard", shard.Shard)))
        {
            await Sql.ExecuteAsync(connection, transaction, "DELETE FROM rec_lists WHERE run_id = $run AND shard = $shard", cancellationToken,
                ("$run", runId), ("$shard", shard.Shard));
        }
        await using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = """
                INSERT INTO rec_lists (run_id, org_id, shard, computed_at, model_version, items) VALUES ($run, $org, $shard, $at, $model, $items)
                ON CONFLICT (run_id, org_id) DO UPDATE SET shard = excluded.shard, computed_at = excluded.computed_at,
                    model_version = excluded.model_version, items = excluded.items
                """;
            var org = insert.Parameters.Add("$org", SqliteType.Text);
            var at = insert.Parameters.Add("$at", SqliteType.Text);
            var model = insert.Parameters.Add("$model", SqliteType.Text);
            var items = insert.Parameters.Add("$items", SqliteType.Blob);
            insert.Parameters.AddWithValue("$run", runId);
            insert.Parameters.AddWithValue("$shard", shard.Shard);
            for (var i = 0; i < payloads.Length; i++)
            {
                var list = shard.Lists[i];
                org.Value = list.OrganizationId;
                at.Value = SqliteFile.Time(list.ComputedAt);
                model.Value = list.ModelVersion;
                items.Value = payloads[i];
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }
        }
        await Sql.ExecuteAsync(connection, transaction, """
            INSERT INTO rec_shards (run_id, shard, organizations, pairs, seconds) VALUES ($run, $shard, $orgs, $pairs, $seconds)
            ON CONFLICT (run_id, shard) DO UPDATE SET organizations = excluded.organizations, pairs = excluded.pairs, seconds = excluded.seconds
            """, cancellationToken, ("$run", runId), ("$shard", shard.Shard), ("$orgs", shard.Lists.Count), ("$pairs", shard.PairsScored), ("$seconds", shard.ComputeSeconds));
        var progress = (await ReadRunsAsync(connection, transaction, "WHERE r.id = $id", cancellationToken, ("$id", runId))).First();
        await transaction.CommitAsync(cancellationToken);
        return progress;
    }

    public async Task<bool> TryPublishAsync(string runId, DateTimeOffset now, double maxDroppedShare = 1, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        // IMMEDIATE: take the write lock first, so two publishers serialize instead of both reading "running".
        await using var transaction = connection.BeginTransaction(deferred: false);
        var published = await Sql.ExecuteAsync(connection, transaction, """
            UPDATE rec_runs SET status = 'Published', finished_at = $now
            WHERE id = $run AND status = 'Running' AND shards_total = (SELECT count(*) FROM rec_shards WHERE run_id = $run)
            """, cancellationToken, ("$run", runId), ("$now", SqliteFile.Time(now)));
        if (published == 0) return false;
        if (maxDroppedShare < 1)
        {
            // What the delete below would drop, against what is served now: a full run over an empty or wrong graph
            // would otherwise stop serving every list.
            var counts = await Sql.QueryPairAsync(connection, transaction, """
                SELECT (SELECT count(*) FROM rec_serving),
                       (SELECT count(*) FROM rec_serving
                        WHERE (SELECT kind FROM rec_runs WHERE id = $run) = 'Full'
                          AND NOT EXISTS (SELECT 1 FROM rec_lists l WHERE l.run_id = $run AND l.org_id = rec_serving.org_id)
                          AND (SELECT started_at FROM rec_runs WHERE id = rec_serving.run_id) < (SELECT started_at FROM rec_runs WHERE id = $run))
                """, cancellationToken, ("$run", runId));
            if (PublishGuard.Refuses(counts.First, counts.Second, maxDroppedShare))
            {
                await Sql.ExecuteAsync(connection, transaction, "UPDATE rec_runs SET status = 'Failed', error = $error, finished_at = $now WHERE id = $run",
                    cancellationToken, ("$run", runId), ("$error", PublishGuard.Reason(counts.First, counts.Second, maxDroppedShare)), ("$now", SqliteFile.Time(now)));
                await transaction.CommitAsync(cancellationToken);
                return false;
            }
        }
        // A list is replaced only by a run that started later than the one serving it, so a slow full run
        // never overwrites the fresher list of an incremental run that published before it.
        await Sql.ExecuteAsync(connection, transaction, """
            INSERT INTO rec_serving (org_id, run_id) SELECT org_id, run_id FROM rec_lists WHERE run_id = $run
            ON CONFLICT (org_id) DO UPDATE SET run_id = excluded.run_id
            WHERE (SELECT started_at FROM rec_runs WHERE id = rec_serving.run_id) <= (SELECT started_at FROM rec_runs WHERE id = excluded.run_id)
            """, cancellationToken, ("$run", runId));
        await Sql.ExecuteAsync(connection, transaction, """
            DELETE FROM rec_serving
            WHERE (SELECT kind FROM rec_runs WHERE id = $run) = 'Full'
              AND NOT EXISTS (SELECT 1 FROM rec_lists l WHERE l.run_id = $run AND l.org_id = rec_serving.org_id)
              AND (SELECT started_at FROM rec_runs WHERE id = rec_serving.run_id) < (SELECT started_at FROM rec_runs WHERE id = $run)
            """, cancellationToken, ("$run", runId));
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task FailRunAsync(string runId, string error, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await Sql.ExecuteAsync(connection, null, "UPDATE rec_runs SET status = 'Failed', error = $error, finished_at = $now WHERE id = $run AND status = 'Running'",
            cancellationToken, ("$run", runId), ("$error", error), ("$now", SqliteFile.Time(now)));
    }

    public async Task<RecommendationList?> GetCurrentAsync(string organizationId, CancellationToken cancellationToken = default) =>
        (await GetCurrentJsonAsync(organizationId, cancellationToken))?.Decode();

    public async Task<StoredListJson?> GetCurrentJsonAsync(string organizationId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        // Lists span several overflow pages: reading them through a memory map instead of one read call per page
        // cuts the cost of a list read (the pragma sets this connection's limit; it is not stored in the file).
        await Sql.ExecuteAsync(connection, null, "PRAGMA mmap_size = 1073741824", cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT l.run_id, l.model_version, l.computed_at, l.items
            FROM rec_serving s JOIN rec_lists l ON l.run_id = s.run_id AND l.org_id = s.org_id
            WHERE s.org_id = $org
            """;
        command.Parameters.AddWithValue("$org", organizationId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        // Lists are stored Brotli-compressed; lists written before that are JSON text and stay readable.
        var items = reader.GetFieldType(3) == typeof(byte[])
            ? ListItems.DecodeUtf8(reader.GetFieldValue<byte[]>(3))
            : reader.GetFieldValue<byte[]>(3); // the TEXT column's UTF-8 bytes, without a detour through a string
        return new StoredListJson(organizationId, reader.GetString(0), reader.GetString(1), SqliteFile.ParseTime(reader.GetString(2)), items);
    }

    public async Task<string> GetPublicationStampAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // A publish marks its run Published with its finish time in the transaction that switches the served lists.
        command.CommandText = "SELECT count(*) || '|' || coalesce(max(finished_at), '') FROM rec_runs WHERE status = 'Published'";
        return (string)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// Deletes in small batches, each its own transaction: one statement over whole runs holds SQLite's single write lock
    /// for as long as it takes to free every page of their lists (tens of seconds for 20,000 lists on a busy disk), and
    /// every other writer, feedback included, waits behind it until its busy timeout runs out.
    /// </summary>
    public async Task<int> PruneAsync(CancellationToken cancellationToken = default)
    {
        const int batch = 200;
        await using var connection = await OpenAsync(cancellationToken);
        var total = 0;
        while (true)
        {
            var deleted = await Sql.ExecuteAsync(connection, null, $"""
                DELETE FROM rec_lists WHERE (run_id, org_id) IN (
                    SELECT l.run_id, l.org_id FROM rec_lists l
                    WHERE l.run_id IN (SELECT id FROM rec_runs WHERE status <> 'Running')
                      AND NOT EXISTS (SELECT 1 FROM rec_serving s WHERE s.run_id = l.run_id AND s.org_id = l.org_id)
                    LIMIT {batch})
                """, cancellationToken);
            total += deleted;
            if (deleted < batch) return total;
        }
    }

    public async Task<bool> MarkChangedAsync(IReadOnlyCollection<string> organizationIds, bool structural, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenChangesAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: false);
        foreach (var id in organizationIds)
        {
            await Sql.ExecuteAsync(connection, transaction, """
                INSERT INTO rec_changes (org_id, changed_at, structural) VALUES ($id, $now, $structural)
                ON CONFLICT (org_id) DO UPDATE SET changed_at = excluded.changed_at, structural = max(structural, excluded.structural)
                """, cancellationToken, ("$id", id), ("$now", SqliteFile.Time(now)), ("$structural", structural ? 1 : 0));
        }
        var flipped = await RecommendationSql.FlagScheduledAsync(connection, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return flipped;
    }

    public async Task BeginChangeAsync(IReadOnlyCollection<string> organizationIds, bool structural, DateTimeOffset now, DateTimeOffset due,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenChangesAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: false);
        foreach (var id in organizationIds.Distinct())
        {
            await Sql.ExecuteAsync(connection, transaction, """
                INSERT INTO rec_changes (org_id, changed_at, structural, pending, due_ms) VALUES ($id, $now, $structural, 1, $due)
                ON CONFLICT (org_id) DO UPDATE SET changed_at = excluded.changed_at, structural = max(structural, excluded.structural),
                    pending = pending + 1, due_ms = max(due_ms, excluded.due_ms)
                """, cancellationToken, ("$id", id), ("$now", SqliteFile.Time(now)), ("$structural", structural ? 1 : 0), ("$due", due.ToUnixTimeMilliseconds()));
        }
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<bool> EndChangeAsync(IReadOnlyCollection<string> organizationIds, bool structural, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenChangesAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: false);
        foreach (var id in organizationIds.Distinct())
        {
            // The row may be gone (taken after its due time): it is recorded again, takeable.
            await Sql.ExecuteAsync(connection, transaction, """
                INSERT INTO rec_changes (org_id, changed_at, structural, pending, due_ms) VALUES ($id, $now, $structural, 0, 0)
                ON CONFLICT (org_id) DO UPDATE SET changed_at = excluded.changed_at, structural = max(structural, excluded.structural),
                    pending = max(pending - 1, 0)
                """, cancellationToken, ("$id", id), ("$now", SqliteFile.Time(now)), ("$structural", structural ? 1 : 0));
        }
        var flipped = await RecommendationSql.FlagScheduledAsync(connection, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return flipped;
    }

    public async Task<int> CountChangedAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenChangesAsync(cancellationToken);
        return await RecommendationSql.CountChangesAsync(connection, cancellationToken);
    }

    public async Task<ChangeSet> TakeChangedAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenChangesAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: false);
        var changes = await RecommendationSql.TakeChangesAsync(connection, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return changes;
    }

    private static Task<List<RecomputeRun>> ReadRunsAsync(SqliteConnection connection, SqliteTransaction? transaction, string tail,
        CancellationToken cancellationToken, params (string Name, object Value)[] parameters) =>
        RecommendationSql.ReadRunsAsync(connection, transaction, tail, (reader, i) => SqliteFile.ParseTime(reader.GetString(i)), cancellationToken, parameters);
}
