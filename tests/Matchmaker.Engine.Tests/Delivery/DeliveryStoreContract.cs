using Matchmaker.Engine.Delivery;
using Matchmaker.Engine.Delivery.Postgres;
using Matchmaker.Engine.Delivery.Sqlite;
using Matchmaker.Testing;
using Npgsql;

namespace Matchmaker.Engine.Tests.Delivery;

/// <summary>The behaviour both delivery store adapters must have.</summary>
public abstract class DeliveryStoreContract
{
    /// <summary>The link key of the service the contract's stores belong to; secrets are sealed with a key derived from it.</summary>
    protected static readonly SubscriptionSecrets Secrets = new(new DeliveryTokens("contract-link-key-0123456789abcdefghijkl"));

    /// <summary>A store on this test's database (the same database on every call within one test).</summary>
    protected abstract Task<IDeliveryStore> CreateStoreAsync(SubscriptionSecrets? secrets);

    protected Task<IDeliveryStore> CreateStoreAsync() => CreateStoreAsync(Secrets);

    /// <summary>The secret column as stored, read with plain SQL.</summary>
    protected abstract Task<string?> StoredSecretAsync(string subscriptionId);

    /// <summary>The target column as stored, read with plain SQL.</summary>
    protected abstract Task<string?> StoredTargetAsync(string subscriptionId);

    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 0, 0, 0, TimeSpan.Zero);

    private static string Id(string prefix) => $"{prefix}_{Guid.NewGuid():N}"[..24];

    internal static Subscription NewSubscription(string organization, DeliveryChannel channel = DeliveryChannel.Email, SubscriptionStatus status = SubscriptionStatus.Active) =>
        new(Id("sub"), organization, channel, channel == DeliveryChannel.Email ? "tm@example.cn" : "https://hooks.example.cn/x",
            new SubscriptionFilters(["university"], ["finance"], [], ["hefei"]), DigestLanguage.Both, status, null,
            channel == DeliveryChannel.Webhook ? "whsec_test" : null, 0, null, null, null, T0, T0);

    private static OutboxMessage NewMessage(string subscriptionId, string key, DateTimeOffset due) =>
        new(0, Id("msg"), subscriptionId, MessageKind.WeeklyList, key, new MessageContent("本周新伙伴", "<p>html</p>", "text", null, "https://x/unsubscribe/t"),
            MessageStatus.Pending, 0, 0, null, false, T0, due, null);

    private static Digest NewDigest(string subscriptionId, string week, params string[] candidates) =>
        new(DeliveryService.DigestId(subscriptionId, week), subscriptionId, "org", "机构", "Organization", week, T0, "run-1", "model-1", DigestLanguage.Zh,
            candidates.Select((c, i) => new DigestItem(c, i + 1, 1.0 / (i + 1), false, false, null, [])).ToList(), []);

    private static AttemptResult Attempt(OutboxMessage m, int attempt, AttemptOutcome outcome, MessageStatus status, DateTimeOffset at,
        DateTimeOffset? next = null, int pause = 2) =>
        new(new DeliveryAttempt(m.Id, attempt, at, outcome, outcome == AttemptOutcome.Sent ? 250 : 451, outcome == AttemptOutcome.Sent ? null : "SMTP 451", 12),
            status, next, pause);

    [Fact]
    public async Task Subscriptions_round_trip_and_are_listed_by_organization_and_active_channel()
    {
        var store = await CreateStoreAsync();
        var org = Id("org");
        var email = NewSubscription(org);
        var hook = NewSubscription(org, DeliveryChannel.Webhook);
        var paused = NewSubscription(org, DeliveryChannel.WeCom, SubscriptionStatus.Paused);
        foreach (var s in new[] { email, hook, paused }) await store.CreateSubscriptionAsync(s);

        Assert.Equal(email, (await store.GetSubscriptionAsync(email.Id))! with { Filters = email.Filters });
        var read = (await store.GetSubscriptionAsync(email.Id))!;
        Assert.Equal(["university"], read.Filters.Kinds);
        Assert.Equal(["finance"], read.Filters.Roles);
        Assert.Equal(["hefei"], read.Filters.Cities);
        Assert.Equal(T0, read.CreatedAt);
        Assert.Equal("whsec_test", (await store.GetSubscriptionAsync(hook.Id))!.Secret);
        Assert.Equal(3, (await store.ListSubscriptionsAsync(org)).Count);
        var active = await store.ListActiveSubscriptionsAsync([DeliveryChannel.Email, DeliveryChannel.WeCom]);
        Assert.Contains(active, s => s.Id == email.Id);
        Assert.DoesNotContain(active, s => s.Id == paused.Id || s.Id == hook.Id);
        Assert.Null(await store.GetSubscriptionAsync("sub_none"));
    }

    [Fact]
    public async Task Revoking_links_raises_only_that_subscriptions_link_version_and_updates_keep_it()
    {
        var store = await CreateStoreAsync();
        var org = Id("org");
        var revokedOne = NewSubscription(org);
        var other = NewSubscription(org, DeliveryChannel.WeCom);
        await store.CreateSubscriptionAsync(revokedOne);
        await store.CreateSubscriptionAsync(other);
        Assert.Equal(0, (await store.GetSubscriptionAsync(revokedOne.Id))!.LinkVersion);

        var revoked = await store.RevokeLinksAsync(revokedOne.Id, T0.AddHours(1));
        Assert.Equal((1, T0.AddHours(1)), (revoked!.LinkVersion, revoked.UpdatedAt));
        Assert.Equal(2, (await store.RevokeLinksAsync(revokedOne.Id, T0.AddHours(2)))!.LinkVersion);
        Assert.Equal(0, (await store.GetSubscriptionAsync(other.Id))!.LinkVersion);

        // A settings update (which carries the version it read) neither lowers nor resets it.
        Assert.True(await store.UpdateSubscriptionAsync(revokedOne with { Target = "new@example.cn", LinkVersion = 0 }, T0.AddHours(3)));
        Assert.Equal(2, (await store.GetSubscriptionAsync(revokedOne.Id))!.LinkVersion);
        Assert.Equal(2, (await store.ListSubscriptionsAsync(org)).Single(s => s.Id == revokedOne.Id).LinkVersion);
        Assert.Null(await store.RevokeLinksAsync("sub_none", T0));
    }

    [Fact]
    public async Task Signing_secrets_are_sealed_at_rest_and_open_only_with_the_same_key_and_row()
    {
        var store = await CreateStoreAsync();
        var hook = NewSubscription(Id("org"), DeliveryChannel.Webhook) with { Secret = "whsec_sealed-秘密-0123456789" };
        await store.CreateSubscriptionAsync(hook);

        var stored = await StoredSecretAsync(hook.Id);
        Assert.StartsWith("v1.", stored);
        Assert.DoesNotContain("whsec", stored, StringComparison.Ordinal);
        Assert.Equal(hook.Secret, (await store.GetSubscriptionAsync(hook.Id))!.Secret);
        Assert.True(await store.UpdateSubscriptionAsync(hook with { Target = "https://hooks.example.cn/y" }, T0.AddHours(1)));
        Assert.NotEqual(stored, await StoredSecretAsync(hook.Id)); // sealed again with a fresh nonce
        Assert.Equal(hook.Secret, (await store.GetSubscriptionAsync(hook.Id))!.Secret);

        // Another link key (the configured key was changed) cannot open it, and says so instead of signing with garbage.
        var otherKey = await CreateStoreAsync(new SubscriptionSecrets(new DeliveryTokens("another-link-key-0123456789abcdefghijklm")));
        Assert.Equal(SubscriptionSecrets.Unreadable, (await otherKey.GetSubscriptionAsync(hook.Id))!.Secret);
        // A sealed value is bound to its row.
        Assert.Equal(SubscriptionSecrets.Unreadable, Secrets.Open("sub_other", stored!));

        // A secret stored before sealing existed is read as it is.
        var legacy = NewSubscription(Id("org"), DeliveryChannel.Webhook) with { Secret = "whsec_legacy" };
        await (await CreateStoreAsync(null)).CreateSubscriptionAsync(legacy);
        Assert.Equal("whsec_legacy", await StoredSecretAsync(legacy.Id));
        Assert.Equal("whsec_legacy", (await store.GetSubscriptionAsync(legacy.Id))!.Secret);
    }

    [Fact]
    public async Task Robot_urls_are_sealed_at_rest_and_plain_ones_left_by_older_versions_are_sealed_at_start()
    {
        var store = await CreateStoreAsync();
        var robotKey = Guid.NewGuid().ToString("N");
        var wecom = NewSubscription(Id("org"), DeliveryChannel.WeCom) with { Target = $"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={robotKey}" };
        await store.CreateSubscriptionAsync(wecom);

        var stored = await StoredTargetAsync(wecom.Id);
        Assert.StartsWith("v1.", stored);
        Assert.DoesNotContain(robotKey, stored, StringComparison.Ordinal);
        Assert.Equal(wecom.Target, (await store.GetSubscriptionAsync(wecom.Id))!.Target);
        Assert.Equal(wecom.Target, (await store.ListActiveSubscriptionsAsync([DeliveryChannel.WeCom])).Single(s => s.Id == wecom.Id).Target);
        var moved = wecom with { Target = $"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={robotKey}-2" };
        Assert.True(await store.UpdateSubscriptionAsync(moved, T0.AddHours(1)));
        Assert.DoesNotContain(robotKey, await StoredTargetAsync(wecom.Id), StringComparison.Ordinal);
        Assert.Equal(moved.Target, (await store.GetSubscriptionAsync(wecom.Id))!.Target);
        // Bound to its row and column: not opened as another row's URL nor as a secret; another key cannot open it.
        Assert.Equal(SubscriptionSecrets.Unreadable, Secrets.OpenTarget("sub_other", (await StoredTargetAsync(wecom.Id))!));
        Assert.Equal(SubscriptionSecrets.Unreadable, Secrets.Open(wecom.Id, (await StoredTargetAsync(wecom.Id))!));
        var otherKey = await CreateStoreAsync(new SubscriptionSecrets(new DeliveryTokens("another-link-key-0123456789abcdefghijklm")));
        Assert.Equal(SubscriptionSecrets.Unreadable, (await otherKey.GetSubscriptionAsync(wecom.Id))!.Target);
        // E-mail addresses and webhook URLs are not keys: stored as they are.
        var email = NewSubscription(Id("org"));
        await store.CreateSubscriptionAsync(email);
        Assert.Equal(email.Target, await StoredTargetAsync(email.Id));

        // Rows written before sealing (plain URL and secret) are sealed when a store with the key starts.
        var legacyKey = Guid.NewGuid().ToString("N");
        var legacy = NewSubscription(Id("org"), DeliveryChannel.DingTalk) with
        {
            Target = $"https://oapi.dingtalk.com/robot/send?access_token={legacyKey}", Secret = "SEC-legacy-加签",
        };
        await (await CreateStoreAsync(null)).CreateSubscriptionAsync(legacy);
        Assert.Equal(legacy.Target, await StoredTargetAsync(legacy.Id));
        var started = await CreateStoreAsync();
        Assert.DoesNotContain(legacyKey, await StoredTargetAsync(legacy.Id), StringComparison.Ordinal);
        Assert.StartsWith("v1.", await StoredSecretAsync(legacy.Id));
        var read = (await started.GetSubscriptionAsync(legacy.Id))!;
        Assert.Equal((legacy.Target, legacy.Secret), (read.Target, read.Secret));
    }

    [Fact]
    public async Task A_list_and_its_message_are_recorded_once_per_week_and_remember_what_was_shown()
    {
        var store = await CreateStoreAsync();
        var s = NewSubscription(Id("org"));
        await store.CreateSubscriptionAsync(s);
        var week48 = NewDigest(s.Id, "2026-W48", "a", "b");

        var (first, message, created) = await store.RecordListAsync(week48, NewMessage(s.Id, DeliveryStore.ListKey(week48.Id), T0));
        var (again, sameMessage, createdAgain) = await store.RecordListAsync(NewDigest(s.Id, "2026-W48", "c"), NewMessage(s.Id, Id("key"), T0));
        var week49 = NewDigest(s.Id, "2026-W49", "b");
        await store.RecordListAsync(week49 with { Items = [week49.Items[0] with { Score = 7, Mutual = true }] }, null);

        Assert.True(created);
        Assert.False(createdAgain);
        Assert.Equal(first.Id, again.Id);
        Assert.Equal(["a", "b"], again.Items.Select(i => i.CandidateId));
        Assert.Equal(message!.Id, sameMessage!.Id);
        Assert.Single(await store.ListMessagesAsync(s.Id, null, 10)); // the losing call's message was not written
        Assert.Equal(["2026-W49", "2026-W48"], (await store.ListDigestsAsync(s.Id, 10)).Select(d => d.Week));
        Assert.Equal("机构", (await store.GetDigestAsync(first.Id))!.OrganizationNameZh);
        Assert.Equal(first.Id, (await store.GetDigestForWeekAsync(s.Id, "2026-W48"))!.Id);
        Assert.Null(await store.GetDigestForWeekAsync(s.Id, "2026-W50"));
        Assert.Equal(message.Id, (await store.GetMessageByKeyAsync(DeliveryStore.ListKey(first.Id)))!.Id);
        Assert.Equal("本周新伙伴", message.Content.Subject);
        Assert.Equal("https://x/unsubscribe/t", message.Content.UnsubscribeUrl);

        var shown = await store.ShownAsync(s.Id);
        Assert.Equal(["a", "b"], shown.Keys.Order());
        Assert.Equal(new ShownCandidate("a", "2026-W48", 1.0, false, "model-1"), shown["a"]);
        Assert.Equal(new ShownCandidate("b", "2026-W49", 7, true, "model-1"), shown["b"]); // the latest showing
    }

    [Fact]
    public async Task A_second_message_with_the_same_key_returns_the_first()
    {
        var store = await CreateStoreAsync();
        var s = NewSubscription(Id("org"));
        await store.CreateSubscriptionAsync(s);
        var key = $"webhook:run-1:{s.Id}";

        var message = await store.AddMessageAsync(NewMessage(s.Id, key, T0));
        var duplicate = await store.AddMessageAsync(NewMessage(s.Id, key, T0));

        Assert.Equal(message.Id, duplicate.Id);
        Assert.Single(await store.ListMessagesAsync(s.Id, null, 10));
        Assert.Equal(message.Id, (await store.LastMessageAsync(s.Id, MessageKind.WeeklyList))!.Id);
    }

    [Fact]
    public async Task A_message_is_claimed_by_one_worker_until_its_lease_ends_and_only_when_due()
    {
        var store = await CreateStoreAsync();
        var s = NewSubscription(Id("org"));
        await store.CreateSubscriptionAsync(s);
        var m = await store.AddMessageAsync(NewMessage(s.Id, Id("key"), T0.AddMinutes(5)));

        Assert.Null(await store.TryClaimAsync(m.Id, T0, T0.AddMinutes(1))); // not due
        Assert.DoesNotContain(m.Id, await store.DueMessagesAsync(T0, 100));
        var now = T0.AddMinutes(5);
        Assert.Contains(m.Id, await store.DueMessagesAsync(now, 100));
        var claims = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => store.TryClaimAsync(m.Id, now, now.AddMinutes(2))));
        Assert.Single(claims, c => c is not null);
        Assert.DoesNotContain(m.Id, await store.DueMessagesAsync(now.AddMinutes(1), 100)); // held
        Assert.NotNull(await store.TryClaimAsync(m.Id, now.AddMinutes(3), now.AddMinutes(5))); // the holder died; the lease ran out

        await store.RecordAttemptAsync(Attempt(m, 1, AttemptOutcome.Sent, MessageStatus.Sent, now.AddMinutes(3)));
        Assert.Null(await store.TryClaimAsync(m.Id, now.AddHours(1), now.AddHours(2))); // sent stays sent
        var sent = (await store.GetMessageAsync(m.Id))!;
        Assert.Equal(MessageStatus.Sent, sent.Status);
        Assert.Equal(now.AddMinutes(3), sent.SentAt);
    }

    [Fact]
    public async Task Failed_messages_count_against_the_subscription_which_pauses_at_the_threshold_and_a_success_clears_the_count()
    {
        var store = await CreateStoreAsync();
        var s = NewSubscription(Id("org"));
        await store.CreateSubscriptionAsync(s);
        var m1 = await store.AddMessageAsync(NewMessage(s.Id, Id("key"), T0));
        var m2 = await store.AddMessageAsync(NewMessage(s.Id, Id("key"), T0));

        Assert.NotNull(await store.TryClaimAsync(m1.Id, T0, T0.AddMinutes(1)));
        var afterRetry = await store.RecordAttemptAsync(Attempt(m1, 1, AttemptOutcome.TransientFailure, MessageStatus.Pending, T0, T0.AddMinutes(1)));
        Assert.Equal(0, afterRetry!.ConsecutiveFailures); // waiting for a retry is not yet a failure
        Assert.Equal("SMTP 451", afterRetry.LastError);
        Assert.Null(await store.TryClaimAsync(m1.Id, T0.AddSeconds(30), T0.AddMinutes(2)));
        Assert.NotNull(await store.TryClaimAsync(m1.Id, T0.AddMinutes(1), T0.AddMinutes(2)));
        var afterFirst = await store.RecordAttemptAsync(Attempt(m1, 2, AttemptOutcome.TransientFailure, MessageStatus.Failed, T0.AddMinutes(1)));
        Assert.Equal((1, SubscriptionStatus.Active), (afterFirst!.ConsecutiveFailures, afterFirst.Status));

        Assert.NotNull(await store.TryClaimAsync(m2.Id, T0.AddMinutes(2), T0.AddMinutes(3)));
        var afterSecond = await store.RecordAttemptAsync(Attempt(m2, 1, AttemptOutcome.PermanentFailure, MessageStatus.Failed, T0.AddMinutes(2)));
        Assert.Equal((2, SubscriptionStatus.Paused), (afterSecond!.ConsecutiveFailures, afterSecond.Status));
        Assert.Contains("paused after 2 failed deliveries", afterSecond.StatusReason);
        Assert.True((await store.GetMessageAsync(m2.Id))!.PermanentFailure);
        Assert.Equal(["transient-failure", "transient-failure"],
            (await store.ListAttemptsAsync([m1.Id])).Select(a => DeliveryStore.ToCode(a.Outcome)));

        // Resuming queues both again with a fresh retry budget, keeping their attempt numbers, and clears the count.
        var resumed = afterSecond with { Status = SubscriptionStatus.Active, StatusReason = null };
        Assert.True(await store.UpdateSubscriptionAsync(resumed, T0.AddHours(1)));
        Assert.Equal(0, (await store.GetSubscriptionAsync(s.Id))!.ConsecutiveFailures);
        Assert.Equal(new[] { m1.Id, m2.Id }.Order(), (await store.DueMessagesAsync(T0.AddHours(1), 10)).Order());
        var again = (await store.TryClaimAsync(m1.Id, T0.AddHours(1), T0.AddHours(2)))!;
        Assert.Equal((2, 2), (again.Attempts, again.RetryBase));
        var sent = await store.RecordAttemptAsync(Attempt(again, 3, AttemptOutcome.Sent, MessageStatus.Sent, T0.AddHours(1)));
        Assert.Equal(0, sent!.ConsecutiveFailures);
        Assert.Equal(T0.AddHours(1), sent.LastDeliveredAt);
        Assert.Equal([1, 2, 3], (await store.ListAttemptsAsync([m1.Id])).Select(a => a.Attempt));
    }

    [Fact]
    public async Task Pending_messages_are_counted_by_channel_until_sent_or_cancelled_paused_ones_included()
    {
        var store = await CreateStoreAsync();
        Assert.Empty(await store.CountPendingAsync());
        var email = NewSubscription(Id("org"));
        var hook = NewSubscription(Id("org"), DeliveryChannel.Webhook);
        var paused = NewSubscription(Id("org"), DeliveryChannel.Webhook, SubscriptionStatus.Paused);
        foreach (var s in new[] { email, hook, paused }) await store.CreateSubscriptionAsync(s);
        var mail = await store.AddMessageAsync(NewMessage(email.Id, Id("key"), T0));
        var first = await store.AddMessageAsync(NewMessage(hook.Id, Id("key"), T0));
        await store.AddMessageAsync(NewMessage(hook.Id, Id("key"), T0.AddMinutes(5)));
        await store.AddMessageAsync(NewMessage(paused.Id, Id("key"), T0));

        var counts = await store.CountPendingAsync();
        Assert.Equal(2, counts.Count);
        Assert.Equal((1, 3), (counts[DeliveryChannel.Email], counts[DeliveryChannel.Webhook]));

        Assert.NotNull(await store.TryClaimAsync(first.Id, T0, T0.AddMinutes(1)));
        await store.RecordAttemptAsync(Attempt(first, 1, AttemptOutcome.Sent, MessageStatus.Sent, T0));
        Assert.True(await store.CancelMessageAsync(mail.Id));
        counts = await store.CountPendingAsync();
        Assert.Equal(2, counts[DeliveryChannel.Webhook]);
        Assert.False(counts.ContainsKey(DeliveryChannel.Email));
    }

    [Fact]
    public async Task Paused_subscriptions_have_no_due_messages_and_deleting_one_removes_its_lists_and_messages()
    {
        var store = await CreateStoreAsync();
        var s = NewSubscription(Id("org"));
        await store.CreateSubscriptionAsync(s);
        var (digest, m, _) = await store.RecordListAsync(NewDigest(s.Id, "2026-W48", "a"), NewMessage(s.Id, DeliveryStore.ListKey(DeliveryService.DigestId(s.Id, "2026-W48")), T0));
        await store.UpdateSubscriptionAsync(s with { Status = SubscriptionStatus.Paused, StatusReason = "paused by the subscriber" }, T0);

        Assert.DoesNotContain(m!.Id, await store.DueMessagesAsync(T0.AddMinutes(1), 100));
        Assert.Null(await store.TryClaimAsync(m.Id, T0.AddMinutes(1), T0.AddMinutes(2)));
        Assert.Equal("paused by the subscriber", (await store.GetSubscriptionAsync(s.Id))!.StatusReason);

        Assert.True(await store.CancelMessageAsync(m.Id));
        Assert.False(await store.CancelMessageAsync(m.Id));
        Assert.True(await store.DeleteSubscriptionAsync(s.Id));
        Assert.False(await store.DeleteSubscriptionAsync(s.Id));
        Assert.Null(await store.GetDigestAsync(digest.Id));
        Assert.Null(await store.GetMessageAsync(m!.Id));
        Assert.Empty(await store.ShownAsync(s.Id));
    }
}

public sealed class SqliteDeliveryStoreTests : DeliveryStoreContract, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("matchmaker-delivery-").FullName;

    private string DatabasePath => Path.Combine(_directory, "app.db");

    protected override async Task<IDeliveryStore> CreateStoreAsync(SubscriptionSecrets? secrets)
    {
        var store = new SqliteDeliveryStore(DatabasePath) { Secrets = secrets };
        await store.InitializeAsync();
        return store;
    }

    protected override async Task<string?> StoredSecretAsync(string subscriptionId)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DatabasePath}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT secret FROM delivery_subscriptions WHERE id = $id";
        command.Parameters.AddWithValue("$id", subscriptionId);
        return await command.ExecuteScalarAsync() as string;
    }

    protected override async Task<string?> StoredTargetAsync(string subscriptionId)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DatabasePath}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT target FROM delivery_subscriptions WHERE id = $id";
        command.Parameters.AddWithValue("$id", subscriptionId);
        return await command.ExecuteScalarAsync() as string;
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}

/// <summary>The same contract on a real PostgreSQL cluster started by the fixture.</summary>
public sealed class PostgresDeliveryStoreTests(PostgresFixture postgres) : DeliveryStoreContract, IClassFixture<PostgresFixture>
{
    private NpgsqlDataSource? _dataSource;

    protected override async Task<IDeliveryStore> CreateStoreAsync(SubscriptionSecrets? secrets)
    {
        _dataSource ??= NpgsqlDataSource.Create(await postgres.Server.CreateDatabaseAsync());
        var store = new PostgresDeliveryStore(_dataSource) { Secrets = secrets };
        await store.InitializeAsync();
        return store;
    }

    protected override async Task<string?> StoredSecretAsync(string subscriptionId)
    {
        await using var command = _dataSource!.CreateCommand("SELECT secret FROM delivery_subscriptions WHERE id = $1");
        command.Parameters.AddWithValue(subscriptionId);
        return await command.ExecuteScalarAsync() as string;
    }

    protected override async Task<string?> StoredTargetAsync(string subscriptionId)
    {
        await using var command = _dataSource!.CreateCommand("SELECT target FROM delivery_subscriptions WHERE id = $1");
        command.Parameters.AddWithValue(subscriptionId);
        return await command.ExecuteScalarAsync() as string;
    }
}
