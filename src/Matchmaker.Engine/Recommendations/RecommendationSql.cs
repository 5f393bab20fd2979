using System.Data.Common;
using System.Globalization;

namespace Matchmaker.Engine.Recommendations;

/// <summary>
/// The statements that run unchanged on SQLite and PostgreSQL, written once for both recommendation adapters. The
/// adapters differ in how they open connections, name parameters and store times.
/// </summary>
internal static class RecommendationSql
{
    /// <summary>
    /// The runs with their shard totals. <paramref name="tail"/> is a WHERE clause or an ORDER BY ... LIMIT, in the
    /// caller's parameter names. CASTs rather than PostgreSQL's <c>::</c>, so that SQLite reads the same text.
    /// </summary>
    public static async Task<List<RecomputeRun>> ReadRunsAsync(DbConnection connection, DbTransaction? transaction, string tail,
        Func<DbDataReader, int, DateTimeOffset> readTime, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = Sql.Command(connection, transaction, $"""
            SELECT r.id, r.kind, r.status, r.model_version, r.started_at, r.finished_at, r.shards_total, r.error,
                   CAST(count(s.shard) AS integer), CAST(coalesce(sum(s.organizations), 0) AS bigint), CAST(coalesce(sum(s.pairs), 0) AS bigint),
                   CAST(coalesce(sum(s.seconds), 0) AS double precision)
            FROM rec_runs r LEFT JOIN rec_shards s ON s.run_id = r.id
            {(tail.StartsWith("WHERE", StringComparison.Ordinal) ? tail + " GROUP BY r.id" : "GROUP BY r.id " + tail)}
            """, parameters);
        var runs = new List<RecomputeRun>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            runs.Add(new RecomputeRun(reader.GetString(0), Enum.Parse<RunKind>(reader.GetString(1)), Enum.Parse<RunStatus>(reader.GetString(2)),
                reader.GetString(3), readTime(reader, 4), reader.IsDBNull(5) ? null : readTime(reader, 5), reader.GetInt32(6),
                reader.GetInt32(8), reader.GetInt64(9), reader.GetInt64(10), reader.GetDouble(11), reader.IsDBNull(7) ? null : reader.GetString(7)));
        }
        return runs;
    }

    /// <summary>Inside the caller's transaction: true when this change is the one that must schedule a recompute job.</summary>
    public static async Task<bool> FlagScheduledAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        await Sql.ExecuteAsync(connection, transaction, "UPDATE rec_flags SET value = 1 WHERE name = 'recompute-scheduled' AND value = 0", cancellationToken) == 1;

    /// <summary>
    /// Inside the caller's transaction: lets the next change schedule a job again, and takes every recorded change.
    /// Both engines have DELETE ... RETURNING.
    /// </summary>
    public static async Task<ChangeSet> TakeChangesAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await Sql.ExecuteAsync(connection, transaction, "UPDATE rec_flags SET value = 0 WHERE name = 'recompute-scheduled'", cancellationToken);
        var ids = new List<string>();
        var structural = false;
        await using (var take = connection.CreateCommand())
        {
            take.Transaction = transaction;
            // A literal number, not a parameter: the same text runs on both engines, whose parameter names differ.
            take.CommandText = $"DELETE FROM rec_changes WHERE pending = 0 OR due_ms <= {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()} RETURNING org_id, structural";
            await using var reader = await take.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                ids.Add(reader.GetString(0));
                // SQLite returns the flag as an integer, PostgreSQL as a boolean.
                structural |= Convert.ToBoolean(reader.GetValue(1), CultureInfo.InvariantCulture);
            }
        }
        ids.Sort(StringComparer.Ordinal);
        await using var left = Sql.Command(connection, transaction, "SELECT count(*) FROM rec_changes", []);
        var heldBack = Convert.ToInt32(await left.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        return new ChangeSet(ids, structural, heldBack);
    }

    /// <summary>Organizations whose change is recorded and not yet taken by a recompute (held back ones included).</summary>
    public static async Task<int> CountChangesAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var count = Sql.Command(connection, null, "SELECT count(*) FROM rec_changes", []);
        return Convert.ToInt32(await count.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }
}
