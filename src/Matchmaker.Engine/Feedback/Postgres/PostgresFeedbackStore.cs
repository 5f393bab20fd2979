using System.Data.Common;
using Matchmaker.Engine.Migrations;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Matchmaker.Engine.Feedback.Postgres;

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
        command.CommandText = FeedbackRows.InsertLogged("@");
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
