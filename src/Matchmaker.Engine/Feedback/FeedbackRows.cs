using System.Data.Common;
using Matchmaker.Engine.Recommendations;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Matchmaker.Engine.Feedback;

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

    /// <summary>Appends an entry to the log and returns its sequence number.</summary>
    public static string InsertLogged(string p) => $"""
        INSERT INTO feedback (organization_id, candidate_id, action, reason, comment, given_by, at, shown)
        VALUES ({p}org, {p}candidate, {p}action, {p}reason, {p}comment, {p}by, {p}at, {p}shown) RETURNING seq
        """;

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
                reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetString(6), time(reader),
                Convert.ToBoolean(reader.GetValue(8), System.Globalization.CultureInfo.InvariantCulture)));
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
