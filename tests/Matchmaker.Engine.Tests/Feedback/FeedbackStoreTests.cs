using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Feedback;
using Matchmaker.Testing;
using Npgsql;

namespace Matchmaker.Engine.Tests.Feedback;

/// <summary>The behaviour both feedback store adapters must have.</summary>
public abstract class FeedbackStoreContract
{
    protected abstract Task<IFeedbackStore> CreateStoreAsync();

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
        var store = new SqliteFeedbackStore(Path.Combine(_directory, $"app-{Guid.NewGuid():N}.db"));
        await store.InitializeAsync();
        return store;
    }

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
        var store = new PostgresFeedbackStore(NpgsqlDataSource.Create(await postgres.Server.CreateDatabaseAsync()));
        await store.InitializeAsync();
        return store;
    }
}
