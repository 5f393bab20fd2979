using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Feedback;
using Matchmaker.Engine.Feedback.Postgres;
using Matchmaker.Engine.Feedback.Sqlite;
using Matchmaker.Testing;
using Npgsql;

namespace Matchmaker.Engine.Tests.Feedback;

/// <summary>The behaviour both feedback store adapters must have.</summary>
public abstract class FeedbackStoreContract
{
    protected abstract Task<IFeedbackStore> CreateStoreAsync();

    /// <summary>Runs SQL on the store's database, to look past the store or to make a database as older code left it.</summary>
    protected abstract Task ExecuteAsync(string sql);

    /// <summary>A database holding only the feedback log as the store made it before the latest-per-pair table, then migrated.</summary>
    protected abstract Task<IFeedbackStore> CreateStoreFromLogOnlyAsync(IEnumerable<NewFeedback> log);

    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 1, 0, 0, TimeSpan.Zero);

    private static NewFeedback F(string org, string candidate, FeedbackAction action, int minutes, DeclineReason? reason = null, string? comment = null) =>
        new(org, candidate, action, reason, comment, "key-1", T0.AddMinutes(minutes));

    [Fact]
    public async Task Latest_feedback_per_pair_is_the_state_and_declines_can_be_taken_back()
    {
        var store = await CreateStoreAsync();
        var first = await store.AddAsync(F("org-a", "org-b", FeedbackAction.Decline, 0, DeclineReason.TooFar, "太远了 / too far"));
        await store.AddAsync(F("org-a", "org-c", FeedbackAction.Decline, 1, DeclineReason.WrongField));
        await store.AddAsync(F("org-a", "org-b", FeedbackAction.Accept, 2));

        var state = await store.GetStateAsync("org-a");
        Assert.False(state.IsDeclined("org-b"));
        Assert.True(state.IsDeclined("org-c"));
        Assert.Equal(FeedbackAction.Accept, state.Given["org-b"].Action);
        Assert.Equal(DeclineReason.WrongField, state.Given["org-c"].Reason);
        Assert.True(state.Version > first.Sequence);

        var page = await store.ListAsync("org-a", "org-b", null, 10);
        Assert.Equal([FeedbackAction.Accept, FeedbackAction.Decline], page.Items.Select(i => i.Action));
        var declined = page.Items[1];
        Assert.Equal("太远了 / too far", declined.Comment);
        Assert.Equal(DeclineReason.TooFar, declined.Reason);
        Assert.Equal("key-1", declined.GivenBy);
        Assert.Equal(T0, declined.At);
    }

    [Fact]
    public async Task Mutual_interest_needs_both_sides_latest_feedback_to_be_positive()
    {
        var store = await CreateStoreAsync();
        await store.AddAsync(F("org-a", "org-b", FeedbackAction.Accept, 0));
        Assert.Empty((await store.GetStateAsync("org-a")).Mutual);
        Assert.Empty((await store.GetStateAsync("org-b")).Mutual); // b has not said anything: a's interest stays private

        await store.AddAsync(F("org-b", "org-a", FeedbackAction.Contacted, 1));
        Assert.Equal(["org-b"], (await store.GetStateAsync("org-a")).Mutual);
        Assert.Equal(["org-a"], (await store.GetStateAsync("org-b")).Mutual);

        var versionBefore = (await store.GetStateAsync("org-a")).Version;
        await store.AddAsync(F("org-b", "org-a", FeedbackAction.Decline, 2, DeclineReason.NoCapacity));
        var after = await store.GetStateAsync("org-a");
        Assert.Empty(after.Mutual);
        Assert.True(after.Version > versionBefore); // the other side's change moves this side's version too
    }

    [Fact]
    public async Task Listing_pages_newest_first_without_gaps_or_repeats()
    {
        var store = await CreateStoreAsync();
        for (var i = 0; i < 7; i++) await store.AddAsync(F("org-p", $"cand-{i}", FeedbackAction.Accept, i));
        await store.AddAsync(F("org-q", "cand-0", FeedbackAction.Accept, 9)); // another organization's feedback is not listed

        var seen = new List<string>();
        long? before = null;
        do
        {
            var page = await store.ListAsync("org-p", null, before, 3);
            seen.AddRange(page.Items.Select(i => i.CandidateId));
            before = page.NextBefore;
        }
        while (before is not null);
        Assert.Equal(Enumerable.Range(0, 7).Reverse().Select(i => $"cand-{i}"), seen);
    }

    [Fact]
    public async Task Latest_per_pair_gives_one_entry_per_pair()
    {
        var store = await CreateStoreAsync();
        await store.AddAsync(F("org-x", "org-y", FeedbackAction.Accept, 0));
        await store.AddAsync(F("org-x", "org-y", FeedbackAction.Formed, 5));
        await store.AddAsync(F("org-y", "org-x", FeedbackAction.Decline, 6, DeclineReason.AlreadyPartners));
        var latest = await store.LatestPerPairAsync();
        Assert.Equal(2, latest.Count);
        Assert.Equal(FeedbackAction.Formed, latest.Single(e => e.OrganizationId == "org-x").Action);
        Assert.Equal(FeedbackAction.Decline, latest.Single(e => e.OrganizationId == "org-y").Action);
    }

    [Fact]
    public async Task State_reads_come_from_the_latest_feedback_per_pair_not_from_the_log()
    {
        var store = await CreateStoreAsync();
        // Latest means the highest sequence, as the log was folded before: a later entry wins even when its time is
        // earlier than the one it replaces, or the same.
        await store.AddAsync(F("org-a", "org-b", FeedbackAction.Decline, 10, DeclineReason.TooFar));
        var acceptB = await store.AddAsync(F("org-a", "org-b", FeedbackAction.Accept, 0, comment: "改主意了"));
        await store.AddAsync(F("org-a", "org-c", FeedbackAction.Accept, 5));
        var formedC = await store.AddAsync(F("org-a", "org-c", FeedbackAction.Formed, 5));
        var fromB = await store.AddAsync(F("org-b", "org-a", FeedbackAction.Contacted, 7));

        // The log is history only: with it emptied behind the store's back, every state read is unchanged.
        await ExecuteAsync("DELETE FROM feedback");

        var a = await store.GetStateAsync("org-a");
        Assert.Equal(acceptB, a.Given["org-b"]);
        Assert.Equal(formedC, a.Given["org-c"]);
        Assert.Equal(["org-b"], a.InterestedInUs.Keys);
        Assert.Equal(["org-b"], a.Mutual);
        Assert.Equal(fromB.Sequence, a.Version);
        var c = await store.GetStateAsync("org-c");
        Assert.Equal(["org-a"], c.InterestedInUs.Keys);
        Assert.Empty(c.Given);
        Assert.Equal([acceptB, formedC, fromB], await store.LatestPerPairAsync());
        var (involved, max) = await store.InvolvedSinceAsync(0);
        Assert.Equal(["org-a", "org-b", "org-c"], involved.Order(StringComparer.Ordinal));
        Assert.Equal(fromB.Sequence, max);
        Assert.Equal(["org-a", "org-b"], (await store.InvolvedSinceAsync(formedC.Sequence)).Organizations.Order(StringComparer.Ordinal));
        // The feedback log endpoint reads the log itself.
        Assert.Empty((await store.ListAsync("org-a", null, null, 10)).Items);
    }

    [Fact]
    public async Task Concurrent_feedback_on_one_pair_leaves_the_entry_with_the_highest_sequence_as_latest()
    {
        var store = await CreateStoreAsync();
        for (var round = 0; round < 5; round++)
        {
            var written = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() =>
                store.AddAsync(F("org-a", "org-b", i % 2 == 0 ? FeedbackAction.Accept : FeedbackAction.Decline, round,
                    i % 2 == 0 ? null : DeclineReason.Other, $"round {round} writer {i}")))));
            var highest = written.MaxBy(e => e.Sequence)!;
            Assert.Equal(highest, (await store.GetStateAsync("org-a")).Given["org-b"]);
            Assert.Equal([highest], await store.LatestPerPairAsync());
        }
    }

    [Fact]
    public async Task Migrating_a_log_only_database_fills_the_latest_feedback_per_pair_from_the_log()
    {
        var store = await CreateStoreFromLogOnlyAsync([
            F("org-a", "org-b", FeedbackAction.Decline, 10, DeclineReason.TooFar, "太远"),
            F("org-a", "org-b", FeedbackAction.Accept, 0, comment: "后来接受"),
            F("org-a", "org-c", FeedbackAction.Accept, 5),
            F("org-a", "org-c", FeedbackAction.Decline, 5, DeclineReason.NoCapacity),
            F("org-c", "org-a", FeedbackAction.Formed, 6),
        ]);

        var a = await store.GetStateAsync("org-a");
        Assert.Equal((FeedbackAction.Accept, "后来接受", T0), (a.Given["org-b"].Action, a.Given["org-b"].Comment, a.Given["org-b"].At));
        Assert.Equal((FeedbackAction.Decline, DeclineReason.NoCapacity), (a.Given["org-c"].Action, a.Given["org-c"].Reason));
        Assert.Equal(["org-c"], a.InterestedInUs.Keys);
        Assert.Equal(5, a.Version);
        Assert.Equal([2L, 4L, 5L], (await store.LatestPerPairAsync()).Select(e => e.Sequence));
        // Feedback after the migration goes on from the log's sequence.
        var next = await store.AddAsync(F("org-a", "org-c", FeedbackAction.Contacted, 8));
        Assert.Equal(6, next.Sequence);
        Assert.Equal(FeedbackAction.Contacted, (await store.GetStateAsync("org-a")).Given["org-c"].Action);
    }

    [Fact]
    public void Feedback_rules_are_enforced_before_anything_is_stored()
    {
        Assert.Equal("reason", Assert.Throws<DomainValidationException>(() => F("org-a", "org-b", FeedbackAction.Decline, 0)).Field);
        Assert.Equal("reason", Assert.Throws<DomainValidationException>(() => F("org-a", "org-b", FeedbackAction.Accept, 0, DeclineReason.Other)).Field);
        Assert.Equal("candidateId", Assert.Throws<DomainValidationException>(() => F("org-a", "org-a", FeedbackAction.Accept, 0)).Field);
        Assert.Equal("candidateId", Assert.Throws<DomainValidationException>(() => F("org-a", "'; DROP TABLE feedback; --", FeedbackAction.Accept, 0)).Field);
        Assert.Equal("comment", Assert.Throws<DomainValidationException>(() => F("org-a", "org-b", FeedbackAction.Accept, 0, comment: new string('x', 1001))).Field);
    }
}

public sealed class SqliteFeedbackStoreTests : FeedbackStoreContract, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("matchmaker-feedback-").FullName;

    protected override async Task<IFeedbackStore> CreateStoreAsync()
    {
        _path = Path.Combine(_directory, $"app-{Guid.NewGuid():N}.db");
        var store = new SqliteFeedbackStore(_path);
        await store.InitializeAsync();
        return store;
    }

    private string _path = "";

    protected override async Task ExecuteAsync(string sql)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_path};Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    protected override async Task<IFeedbackStore> CreateStoreFromLogOnlyAsync(IEnumerable<NewFeedback> log)
    {
        _path = Path.Combine(_directory, $"old-{Guid.NewGuid():N}.db");
        // The log as the store wrote it before versioned migrations (tests/.../Data/schema-v0 has the same table).
        var sql = new System.Text.StringBuilder("""
            CREATE TABLE feedback (
                seq INTEGER PRIMARY KEY AUTOINCREMENT, organization_id TEXT NOT NULL, candidate_id TEXT NOT NULL,
                action TEXT NOT NULL, reason TEXT, comment TEXT, given_by TEXT NOT NULL, at TEXT NOT NULL);
            """);
        foreach (var f in log)
        {
            sql.Append($"INSERT INTO feedback (organization_id, candidate_id, action, reason, comment, given_by, at) VALUES ({Quote(f.OrganizationId)}, {Quote(f.CandidateId)}, "
                + $"{Quote(FeedbackCodes.ToCode(f.Action))}, {Quote(f.Reason is { } r ? FeedbackCodes.ToCode(r) : null)}, {Quote(f.Comment)}, {Quote(f.GivenBy)}, "
                + $"{Quote(f.At.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture))});");
        }
        await ExecuteAsync(sql.ToString());
        var store = new SqliteFeedbackStore(_path);
        await store.InitializeAsync();
        return store;
    }

    internal static string Quote(string? value) => value is null ? "NULL" : "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}

/// <summary>The same contract on a real PostgreSQL cluster started by the fixture.</summary>
public sealed class PostgresFeedbackStoreTests(PostgresFixture postgres) : FeedbackStoreContract, IClassFixture<PostgresFixture>
{
    protected override async Task<IFeedbackStore> CreateStoreAsync()
    {
        _dataSource = NpgsqlDataSource.Create(await postgres.Server.CreateDatabaseAsync());
        var store = new PostgresFeedbackStore(_dataSource);
        await store.InitializeAsync();
        return store;
    }

    private NpgsqlDataSource? _dataSource;

    protected override async Task ExecuteAsync(string sql)
    {
        await using var command = _dataSource!.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    protected override async Task<IFeedbackStore> CreateStoreFromLogOnlyAsync(IEnumerable<NewFeedback> log)
    {
        _dataSource = NpgsqlDataSource.Create(await postgres.Server.CreateDatabaseAsync());
        var q = SqliteFeedbackStoreTests.Quote;
        // The log as the store created it before versioned migrations.
        var sql = new System.Text.StringBuilder("""
            CREATE TABLE feedback (
                seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, organization_id text NOT NULL, candidate_id text NOT NULL,
                action text NOT NULL, reason text, comment text, given_by text NOT NULL, at timestamptz NOT NULL);
            """);
        foreach (var f in log)
        {
            sql.Append($"INSERT INTO feedback (organization_id, candidate_id, action, reason, comment, given_by, at) VALUES ({q(f.OrganizationId)}, {q(f.CandidateId)}, "
                + $"{q(FeedbackCodes.ToCode(f.Action))}, {q(f.Reason is { } r ? FeedbackCodes.ToCode(r) : null)}, {q(f.Comment)}, {q(f.GivenBy)}, "
                + $"{q(f.At.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture))});");
        }
        await ExecuteAsync(sql.ToString());
        var store = new PostgresFeedbackStore(_dataSource);
        await store.InitializeAsync();
        return store;
    }
}
