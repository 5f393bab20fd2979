using Matchmaker.Engine.Migrations;
using Microsoft.Data.Sqlite;

namespace Matchmaker.Engine.Feedback.Sqlite;

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
        command.CommandText = FeedbackRows.InsertLogged("$");
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
