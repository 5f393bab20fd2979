using System.Data.Common;
using Matchmaker.Engine.Migrations;
using Matchmaker.Engine.Recommendations;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Matchmaker.Engine.Feedback;

/// <summary>
/// The embedded feedback store in the service's SQLite file: the append-only log (<c>feedback</c>, for the feedback
/// log endpoint and history) and the latest entry per pair (<c>feedback_latest</c>, for every state read and training).
/// </summary>
public sealed class SqliteFeedbackStore(string databasePath) : IFeedbackStore
{
    private readonly string _connectionString = SqliteFile.ConnectionString(databasePath);

    public Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        SchemaMigrations.ApplySqlite(_connectionString, MigrationScope.Feedback);
        return Task.CompletedTask;
    }

    public async Task<FeedbackEntry> AddAsync(NewFeedback feedback, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        // The log entry and the pair's latest feedback in one transaction: the state reads never see one without the other.
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO feedback (organization_id, candidate_id, action, reason, comment, given_by, at, shown)
            VALUES ($org, $candidate, $action, $reason, $comment, $by, $at, $shown) RETURNING seq
            """;
        FeedbackRows.Bind(command, "$", feedback, SqliteFile.Time(feedback.At), feedback.Shown ? 1 : 0);
        var seq = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        command.CommandText = FeedbackRows.UpsertLatest("$");
        FeedbackRows.AddParameter(command, "$seq", seq);
        await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return FeedbackRows.Entry(seq, feedback);
    }

    public async Task<FeedbackPage> ListAsync(string organizationId, string? candidateId, long? before, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await FeedbackRows.ReadAsync(connection, $"""
            SELECT {FeedbackRows.Columns} FROM feedback
            WHERE organization_id = $org AND ($candidate IS NULL OR candidate_id = $candidate) AND ($before IS NULL OR seq < $before)
            ORDER BY seq DESC LIMIT $limit
            """, r => SqliteFile.ParseTime(r.GetString(7)), cancellationToken,
            ("$org", organizationId), ("$candidate", (object?)candidateId ?? DBNull.Value), ("$before", (object?)before ?? DBNull.Value), ("$limit", limit + 1));
        return FeedbackRows.Page(rows, limit);
    }

    public async Task<FeedbackState> GetStateAsync(string organizationId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var given = await FeedbackRows.ReadAsync(connection, $"SELECT {FeedbackRows.Columns} FROM feedback_latest WHERE organization_id = $org ORDER BY seq",
            r => SqliteFile.ParseTime(r.GetString(7)), cancellationToken, ("$org", organizationId));
        var received = await FeedbackRows.ReadAsync(connection, $"SELECT {FeedbackRows.Columns} FROM feedback_latest WHERE candidate_id = $org ORDER BY seq",
            r => SqliteFile.ParseTime(r.GetString(7)), cancellationToken, ("$org", organizationId));
        return FeedbackRows.State(organizationId, given, received);
    }

    public async Task<(IReadOnlyCollection<string> Organizations, long MaxSequence)> InvolvedSinceAsync(long afterSequence, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await FeedbackRows.InvolvedAsync(connection, "SELECT seq, organization_id, candidate_id FROM feedback_latest WHERE seq > $after",
            cancellationToken, ("$after", afterSequence));
    }

    public async Task<IReadOnlyList<FeedbackEntry>> LatestPerPairAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await FeedbackRows.ReadAsync(connection, $"""
            SELECT {FeedbackRows.Columns} FROM feedback_latest ORDER BY seq
            """, r => SqliteFile.ParseTime(r.GetString(7)), cancellationToken);
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }
}

/// <summary>The production feedback store on PostgreSQL, shared by every API replica and worker.</summary>
public sealed class PostgresFeedbackStore(NpgsqlDataSource dataSource) : IFeedbackStore
{
    public Task InitializeAsync(CancellationToken cancellationToken = default) =>
        SchemaMigrations.ApplyPostgresAsync(dataSource, MigrationScope.Feedback, cancellationToken);

    public async Task<FeedbackEntry> AddAsync(NewFeedback feedback, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // The log entry and the pair's latest feedback in one transaction. Sequences are taken in one order and
        // committed in another; the upsert's condition keeps the highest sequence whichever commits last (a second
        // writer of the pair waits for the first one's row lock, then sees its row).
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO feedback (organization_id, candidate_id, action, reason, comment, given_by, at, shown)
            VALUES (@org, @candidate, @action, @reason, @comment, @by, @at, @shown) RETURNING seq
            """;
        FeedbackRows.Bind(command, "@", feedback, feedback.At.ToUniversalTime(), feedback.Shown);
        var seq = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        command.CommandText = FeedbackRows.UpsertLatest("@");
        FeedbackRows.AddParameter(command, "seq", seq);
        await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return FeedbackRows.Entry(seq, feedback);
    }

    public async Task<FeedbackPage> ListAsync(string organizationId, string? candidateId, long? before, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await FeedbackRows.ReadAsync(connection, $"""
            SELECT {FeedbackRows.Columns} FROM feedback
            WHERE organization_id = @org AND (@candidate::text IS NULL OR candidate_id = @candidate) AND (@before::bigint IS NULL OR seq < @before)
            ORDER BY seq DESC LIMIT @limit
            """, Time, cancellationToken,
            ("org", organizationId), ("candidate", (object?)candidateId ?? DBNull.Value), ("before", (object?)before ?? DBNull.Value), ("limit", limit + 1));
        return FeedbackRows.Page(rows, limit);
    }

    public async Task<FeedbackState> GetStateAsync(string organizationId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var given = await FeedbackRows.ReadAsync(connection, $"SELECT {FeedbackRows.Columns} FROM feedback_latest WHERE organization_id = @org ORDER BY seq",
            Time, cancellationToken, ("org", organizationId));
        var received = await FeedbackRows.ReadAsync(connection, $"SELECT {FeedbackRows.Columns} FROM feedback_latest WHERE candidate_id = @org ORDER BY seq",
            Time, cancellationToken, ("org", organizationId));
        return FeedbackRows.State(organizationId, given, received);
    }

    public async Task<(IReadOnlyCollection<string> Organizations, long MaxSequence)> InvolvedSinceAsync(long afterSequence, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await FeedbackRows.InvolvedAsync(connection, "SELECT seq, organization_id, candidate_id FROM feedback_latest WHERE seq > @after",
            cancellationToken, ("after", afterSequence));
    }

    public async Task<IReadOnlyList<FeedbackEntry>> LatestPerPairAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await FeedbackRows.ReadAsync(connection, $"""
            SELECT {FeedbackRows.Columns} FROM feedback_latest ORDER BY seq
            """, Time, cancellationToken);
    }

    private static DateTimeOffset Time(DbDataReader reader) => new(reader.GetFieldValue<DateTime>(7), TimeSpan.Zero);
}

/// <summary>The column layout and the folding into current state, the same for both adapters.</summary>
internal static class FeedbackRows
{
    public const string Columns = "seq, organization_id, candidate_id, action, reason, comment, given_by, at, shown";

    public static void Bind(DbCommand command, string prefix, NewFeedback f, object at, object shown)
    {
        Add(command, prefix + "shown", shown);
        Add(command, prefix + "org", f.OrganizationId);
        Add(command, prefix + "candidate", f.CandidateId);
        Add(command, prefix + "action", FeedbackCodes.ToCode(f.Action));
        Add(command, prefix + "reason", f.Reason is { } r ? FeedbackCodes.ToCode(r) : DBNull.Value);
        Add(command, prefix + "comment", (object?)f.Comment ?? DBNull.Value);
        Add(command, prefix + "by", f.GivenBy);
        Add(command, prefix + "at", at);
    }

    /// <summary>
    /// Makes the entry just logged (same parameters, plus <c>seq</c>) the pair's latest unless a higher sequence is
    /// already there: latest is the highest sequence, as the log's fold always took it.
    /// </summary>
    public static string UpsertLatest(string p) => $"""
        INSERT INTO feedback_latest (organization_id, candidate_id, seq, action, reason, comment, given_by, at, shown)
        VALUES ({p}org, {p}candidate, {p}seq, {p}action, {p}reason, {p}comment, {p}by, {p}at, {p}shown)
        ON CONFLICT (organization_id, candidate_id) DO UPDATE SET seq = excluded.seq, action = excluded.action, reason = excluded.reason,
            comment = excluded.comment, given_by = excluded.given_by, at = excluded.at, shown = excluded.shown
        WHERE excluded.seq > feedback_latest.seq
        """;

    public static void AddParameter(DbCommand command, string name, object value) => Add(command, name, value);

    public static FeedbackEntry Entry(long seq, NewFeedback f) =>
        new(seq, f.OrganizationId, f.CandidateId, f.Action, f.Reason, f.Comment, f.GivenBy, f.At, f.Shown);

    public static async Task<List<FeedbackEntry>> ReadAsync(DbConnection connection, string sql, Func<DbDataReader, DateTimeOffset> time,
        CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) Add(command, name, value);
        var entries = new List<FeedbackEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var action = FeedbackCodes.TryParseAction(reader.GetString(3), out var a) ? a : throw new InvalidDataException($"Unknown feedback action '{reader.GetString(3)}'.");
            DeclineReason? reason = reader.IsDBNull(4) ? null
                : FeedbackCodes.TryParseReason(reader.GetString(4), out var r) ? r : throw new InvalidDataException($"Unknown decline reason '{reader.GetString(4)}'.");
            entries.Add(new FeedbackEntry(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), action, reason,
                reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetString(6), time(reader), Convert.ToBoolean(reader.GetValue(8), System.Globalization.CultureInfo.InvariantCulture)));
        }
        return entries;
    }

    public static async Task<(IReadOnlyCollection<string>, long)> InvolvedAsync(DbConnection connection, string sql, CancellationToken cancellationToken,
        params (string Name, object Value)[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) Add(command, name, value);
        var organizations = new HashSet<string>(StringComparer.Ordinal);
        long max = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            max = Math.Max(max, reader.GetInt64(0));
            organizations.Add(reader.GetString(1));
            organizations.Add(reader.GetString(2));
        }
        return (organizations, max);
    }

    public static FeedbackPage Page(List<FeedbackEntry> rows, int limit) =>
        rows.Count > limit ? new FeedbackPage(rows.Take(limit).ToList(), rows[limit - 1].Sequence) : new FeedbackPage(rows, null);

    /// <summary>Folds both logs (each in sequence order) into the latest entry per counterpart.</summary>
    public static FeedbackState State(string organizationId, List<FeedbackEntry> given, List<FeedbackEntry> received)
    {
        var mine = new Dictionary<string, FeedbackEntry>(StringComparer.Ordinal);
        foreach (var e in given) mine[e.CandidateId] = e;
        var theirs = new Dictionary<string, FeedbackEntry>(StringComparer.Ordinal);
        foreach (var e in received) theirs[e.OrganizationId] = e;
        var interested = theirs.Where(p => FeedbackCodes.IsInterest(p.Value.Action)).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var version = Math.Max(given.Count > 0 ? given[^1].Sequence : 0, received.Count > 0 ? received[^1].Sequence : 0);
        return new FeedbackState(organizationId, version, mine, interested);
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        command.Parameters.Add(p);
    }
}
