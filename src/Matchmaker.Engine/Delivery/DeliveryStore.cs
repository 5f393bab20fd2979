using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Matchmaker.Engine.Import;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Matchmaker.Engine.Delivery;

/// <summary>
/// The statements of both adapters: the same SQL runs on SQLite and PostgreSQL (both have ON CONFLICT and
/// RETURNING); the adapters differ in schema, connections, parameter names and how times are stored.
/// </summary>
public abstract class DeliveryStore : IDeliveryStore
{
    /// <summary>Seals signing secrets before they are stored and opens them when read; null stores them as given (tests of the SQL alone).</summary>
    public SubscriptionSecrets? Secrets { get; init; }

    private object SealedSecret(Subscription s) => s.Secret is null ? DBNull.Value : Secrets?.Seal(s.Id, s.Secret) ?? (object)s.Secret;

    private string? OpenedSecret(string id, string? stored) => stored is null || Secrets is null ? stored : Secrets.Open(id, stored);

    /// <summary>WeCom and DingTalk URLs carry the robot's key in their query: stored sealed like the secrets.</summary>
    private static bool IsRobot(DeliveryChannel channel) => channel is DeliveryChannel.WeCom or DeliveryChannel.DingTalk;

    private string SealedTarget(Subscription s) => IsRobot(s.Channel) && Secrets is not null ? Secrets.SealTarget(s.Id, s.Target) : s.Target;

    private string OpenedTarget(string id, DeliveryChannel channel, string stored) => IsRobot(channel) && Secrets is not null ? Secrets.OpenTarget(id, stored) : stored;

    /// <summary>
    /// Seals the robot URLs and signing secrets stored before they were sealed (in place, each only if unchanged
    /// meanwhile), so that no plain robot key stays in the database after an upgrade. Runs at every start; finds
    /// nothing to do once done.
    /// </summary>
    protected async Task SealPlainValuesAsync(CancellationToken cancellationToken)
    {
        if (Secrets is null) return;
        await using var connection = await OpenAsync(cancellationToken);
        var plain = await ReadAsync(connection, null, """
            SELECT id, channel, target, secret FROM delivery_subscriptions
            WHERE (channel IN ('wecom', 'dingtalk') AND target NOT LIKE 'v1.%') OR (secret IS NOT NULL AND secret NOT LIKE 'v1.%')
            """, r => (Id: r.GetString(0), Channel: r.GetString(1), Target: r.GetString(2), Secret: r.IsDBNull(3) ? null : r.GetString(3)), cancellationToken);
        foreach (var row in plain)
        {
            var robot = DeliveryCodes.TryParseChannel(row.Channel, out var channel) && IsRobot(channel);
            var target = robot && !SubscriptionSecrets.IsSealed(row.Target) ? Secrets.SealTarget(row.Id, row.Target) : row.Target;
            var secret = row.Secret is { } plainSecret && !SubscriptionSecrets.IsSealed(plainSecret) ? Secrets.Seal(row.Id, plainSecret) : row.Secret;
            // Compare-and-set: a write (or another replica starting) since the read keeps its own value.
            var sameSecret = row.Secret is null ? "secret IS NULL" : "secret = @oldSecret";
            await ExecuteAsync(connection, null, $"""
                UPDATE delivery_subscriptions SET target = @target, secret = @secret WHERE id = @id AND target = @oldTarget AND {sameSecret}
                """, cancellationToken, ("id", row.Id), ("target", target), ("secret", (object?)secret ?? DBNull.Value), ("oldTarget", row.Target),
                ("oldSecret", (object?)row.Secret ?? ""));
        }
    }

    private const string SubscriptionColumns = """
        id, organization_id, channel, target, filters, language, status, status_reason, secret, consecutive_failures,
        last_error, last_error_at, last_delivered_at, created_at, updated_at, link_version
        """;

    private const string MessageColumns = "seq, id, subscription_id, kind, key, content, status, attempts, retry_base, last_error, permanent, created_at, next_attempt_at, sent_at";

    private static readonly string[] MessageStatusCodes = ["pending", "sent", "failed", "cancelled"];
    private static readonly string[] MessageKindCodes = ["weekly-list", "webhook"];
    private static readonly string[] OutcomeCodes = ["sent", "transient-failure", "permanent-failure"];

    public abstract Task InitializeAsync(CancellationToken cancellationToken = default);

    protected abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>The parameter name as the provider wants it bound (statements always say @name).</summary>
    protected abstract string Name(string name);

    protected abstract object Time(DateTimeOffset time);

    protected abstract DateTimeOffset ReadTime(DbDataReader reader, int ordinal);

    public static string ToCode(MessageStatus status) => MessageStatusCodes[(int)status];
    public static string ToCode(MessageKind kind) => MessageKindCodes[(int)kind];
    public static string ToCode(AttemptOutcome outcome) => OutcomeCodes[(int)outcome];

    public async Task CreateSubscriptionAsync(Subscription s, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await ExecuteAsync(connection, null,
            $"INSERT INTO delivery_subscriptions ({SubscriptionColumns}) VALUES (@id, @org, @channel, @target, @filters, @language, @status, @reason, @secret, " +
            "@failures, @error, @errorAt, @deliveredAt, @created, @updated, @linkVersion)",
            cancellationToken, SubscriptionParameters(s));
    }

    public async Task<Subscription?> GetSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await ReadSubscriptionsAsync(connection, null, $"SELECT {SubscriptionColumns} FROM delivery_subscriptions WHERE id = @id", cancellationToken,
            ("id", subscriptionId));
        return rows.FirstOrDefault();
    }

    public async Task<IReadOnlyList<Subscription>> ListSubscriptionsAsync(string organizationId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await ReadSubscriptionsAsync(connection, null, $"SELECT {SubscriptionColumns} FROM delivery_subscriptions WHERE organization_id = @org ORDER BY created_at, id",
            cancellationToken, ("org", organizationId));
    }

    public async Task<IReadOnlyList<Subscription>> ListActiveSubscriptionsAsync(IReadOnlyCollection<DeliveryChannel> channels, CancellationToken cancellationToken = default)
    {
        if (channels.Count == 0) return [];
        await using var connection = await OpenAsync(cancellationToken);
        var parameters = channels.Select((c, i) => ($"c{i}", (object)DeliveryCodes.ToCode(c))).ToArray();
        return await ReadSubscriptionsAsync(connection, null,
            $"SELECT {SubscriptionColumns} FROM delivery_subscriptions WHERE status = 'active' AND channel IN " +
            $"({string.Join(", ", parameters.Select(p => "@" + p.Item1))}) ORDER BY id",
            cancellationToken, parameters);
    }

    public async Task<bool> UpdateSubscriptionAsync(Subscription s, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var before = (await ReadSubscriptionsAsync(connection, transaction, $"SELECT {SubscriptionColumns} FROM delivery_subscriptions WHERE id = @id",
            cancellationToken, ("id", s.Id))).FirstOrDefault();
        if (before is null) return false;
        var resumed = s.Status == SubscriptionStatus.Active && before.Status != SubscriptionStatus.Active;
        await ExecuteAsync(connection, transaction, """
            UPDATE delivery_subscriptions SET target = @target, filters = @filters, language = @language, status = @status, status_reason = @reason,
                secret = @secret, consecutive_failures = @failures, updated_at = @updated WHERE id = @id
            """, cancellationToken,
            ("id", s.Id), ("target", SealedTarget(s)), ("filters", JsonSerializer.Serialize(s.Filters, WireJson.Options)), ("language", DeliveryCodes.ToCode(s.Language)),
            ("status", DeliveryCodes.ToCode(s.Status)), ("reason", (object?)s.StatusReason ?? DBNull.Value), ("secret", SealedSecret(s)),
            ("failures", resumed ? 0 : before.ConsecutiveFailures), ("updated", Time(now)));
        if (resumed)
        {
            // Nothing is lost: what failed or waited while the subscription was stopped goes out again.
            await ExecuteAsync(connection, transaction, """
                UPDATE delivery_messages SET status = 'pending', retry_base = attempts, permanent = 0, next_attempt_at = @now, lease_until = NULL
                WHERE subscription_id = @id AND status IN ('failed', 'pending')
                """, cancellationToken, ("id", s.Id), ("now", Time(now)));
        }
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<Subscription?> RevokeLinksAsync(string subscriptionId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, transaction, "UPDATE delivery_subscriptions SET link_version = link_version + 1, updated_at = @updated WHERE id = @id",
            cancellationToken, ("id", subscriptionId), ("updated", Time(now)));
        var revoked = (await ReadSubscriptionsAsync(connection, transaction, $"SELECT {SubscriptionColumns} FROM delivery_subscriptions WHERE id = @id", cancellationToken,
            ("id", subscriptionId))).FirstOrDefault();
        await transaction.CommitAsync(cancellationToken);
        return revoked;
    }

    public async Task<bool> DeleteSubscriptionAsync(string subscriptionId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, transaction, "DELETE FROM delivery_attempts WHERE message_id IN (SELECT id FROM delivery_messages WHERE subscription_id = @id)",
            cancellationToken, ("id", subscriptionId));
        await ExecuteAsync(connection, transaction, "DELETE FROM delivery_messages WHERE subscription_id = @id", cancellationToken, ("id", subscriptionId));
        await ExecuteAsync(connection, transaction, "DELETE FROM delivery_digests WHERE subscription_id = @id", cancellationToken, ("id", subscriptionId));
        await ExecuteAsync(connection, transaction, "DELETE FROM delivery_shown WHERE subscription_id = @id", cancellationToken, ("id", subscriptionId));
        var deleted = await ExecuteAsync(connection, transaction, "DELETE FROM delivery_subscriptions WHERE id = @id", cancellationToken, ("id", subscriptionId));
        await transaction.CommitAsync(cancellationToken);
        return deleted > 0;
    }

    public async Task<(Digest Digest, OutboxMessage? Message, bool Created)> RecordListAsync(Digest digest, OutboxMessage? message, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var created = await ExecuteAsync(connection, transaction,
            "INSERT INTO delivery_digests (id, subscription_id, week, body) VALUES (@id, @sub, @week, @body) ON CONFLICT DO NOTHING",
            cancellationToken, ("id", digest.Id), ("sub", digest.SubscriptionId), ("week", digest.Week), ("body", JsonSerializer.Serialize(digest, WireJson.Options))) > 0;
        if (created)
        {
            foreach (var item in digest.Items)
            {
                await ExecuteAsync(connection, transaction, """
                    INSERT INTO delivery_shown (subscription_id, candidate_id, week, score, mutual, model_version) VALUES (@sub, @candidate, @week, @score, @mutual, @model)
                    ON CONFLICT (subscription_id, candidate_id) DO UPDATE SET week = excluded.week, score = excluded.score, mutual = excluded.mutual,
                        model_version = excluded.model_version
                    """, cancellationToken, ("sub", digest.SubscriptionId), ("candidate", item.CandidateId), ("week", digest.Week), ("score", item.Score),
                    ("mutual", item.Mutual ? 1 : 0), ("model", digest.ModelVersion));
            }
            if (message is not null) await InsertMessageAsync(connection, transaction, message, cancellationToken);
        }
        var stored = (await ReadDigestsAsync(connection, transaction, "SELECT body FROM delivery_digests WHERE subscription_id = @sub AND week = @week", cancellationToken,
            ("sub", digest.SubscriptionId), ("week", digest.Week))).Single();
        var storedMessage = (await ReadMessagesAsync(connection, transaction, $"SELECT {MessageColumns} FROM delivery_messages WHERE key = @key", cancellationToken,
            ("key", ListKey(stored.Id)))).FirstOrDefault();
        await transaction.CommitAsync(cancellationToken);
        return (stored, storedMessage, created);
    }

    /// <summary>The idempotency key of a weekly list's message.</summary>
    public static string ListKey(string digestId) => $"list:{digestId}";

    public async Task<Digest?> GetDigestAsync(string digestId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return (await ReadDigestsAsync(connection, null, "SELECT body FROM delivery_digests WHERE id = @id", cancellationToken, ("id", digestId))).FirstOrDefault();
    }

    public async Task<Digest?> GetDigestForWeekAsync(string subscriptionId, string week, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return (await ReadDigestsAsync(connection, null, "SELECT body FROM delivery_digests WHERE subscription_id = @sub AND week = @week", cancellationToken,
            ("sub", subscriptionId), ("week", week))).FirstOrDefault();
    }

    public async Task<IReadOnlyDictionary<string, ShownCandidate>> ShownAsync(string subscriptionId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await ReadAsync(connection, null, "SELECT candidate_id, week, score, mutual, model_version FROM delivery_shown WHERE subscription_id = @sub",
            r => new ShownCandidate(r.GetString(0), r.GetString(1), r.GetDouble(2), r.GetInt32(3) != 0, r.GetString(4)), cancellationToken, ("sub", subscriptionId));
        return rows.ToDictionary(c => c.CandidateId, StringComparer.Ordinal);
    }

    public async Task<IReadOnlyList<Digest>> ListDigestsAsync(string subscriptionId, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await ReadDigestsAsync(connection, null, "SELECT body FROM delivery_digests WHERE subscription_id = @sub ORDER BY week DESC LIMIT @limit", cancellationToken,
            ("sub", subscriptionId), ("limit", limit));
    }

    public async Task<OutboxMessage> AddMessageAsync(OutboxMessage m, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await InsertMessageAsync(connection, null, m, cancellationToken);
        return (await ReadMessagesAsync(connection, null, $"SELECT {MessageColumns} FROM delivery_messages WHERE key = @key", cancellationToken, ("key", m.Key))).Single();
    }

    public async Task<OutboxMessage?> GetMessageByKeyAsync(string key, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return (await ReadMessagesAsync(connection, null, $"SELECT {MessageColumns} FROM delivery_messages WHERE key = @key", cancellationToken, ("key", key))).FirstOrDefault();
    }

    private async Task InsertMessageAsync(DbConnection connection, DbTransaction? transaction, OutboxMessage m, CancellationToken cancellationToken) =>
        await ExecuteAsync(connection, transaction, """
            INSERT INTO delivery_messages (id, subscription_id, kind, key, content, status, attempts, retry_base, last_error, permanent, created_at,
                next_attempt_at, lease_until, sent_at)
            VALUES (@id, @sub, @kind, @key, @content, @status, 0, 0, NULL, 0, @created, @next, NULL, NULL) ON CONFLICT DO NOTHING
            """, cancellationToken,
            ("id", m.Id), ("sub", m.SubscriptionId), ("kind", ToCode(m.Kind)), ("key", m.Key), ("content", JsonSerializer.Serialize(m.Content, WireJson.Options)),
            ("status", ToCode(m.Status)), ("created", Time(m.CreatedAt)), ("next", Time(m.NextAttemptAt)));

    public async Task<OutboxMessage?> GetMessageAsync(string messageId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return (await ReadMessagesAsync(connection, null, $"SELECT {MessageColumns} FROM delivery_messages WHERE id = @id", cancellationToken, ("id", messageId))).FirstOrDefault();
    }

    public async Task<OutboxMessage?> LastMessageAsync(string subscriptionId, MessageKind kind, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return (await ReadMessagesAsync(connection, null, $"SELECT {MessageColumns} FROM delivery_messages WHERE subscription_id = @sub AND kind = @kind ORDER BY seq DESC LIMIT 1",
            cancellationToken, ("sub", subscriptionId), ("kind", ToCode(kind)))).FirstOrDefault();
    }

    public async Task<OutboxMessage?> TryClaimAsync(string messageId, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        // One statement decides: two workers racing for the same message cannot both get it.
        return (await ReadMessagesAsync(connection, null, $"""
            UPDATE delivery_messages SET lease_until = @lease
            WHERE id = @id AND status = 'pending' AND next_attempt_at <= @now AND (lease_until IS NULL OR lease_until < @now)
              AND EXISTS (SELECT 1 FROM delivery_subscriptions s WHERE s.id = delivery_messages.subscription_id AND s.status = 'active')
            RETURNING {MessageColumns}
            """, cancellationToken, ("id", messageId), ("now", Time(now)), ("lease", Time(leaseUntil)))).FirstOrDefault();
    }

    public async Task<Subscription?> RecordAttemptAsync(AttemptResult result, CancellationToken cancellationToken = default)
    {
        var a = result.Attempt;
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, transaction, """
            INSERT INTO delivery_attempts (message_id, attempt, at, outcome, status_code, error, duration_ms)
            VALUES (@id, @attempt, @at, @outcome, @code, @error, @duration) ON CONFLICT DO NOTHING
            """, cancellationToken, ("id", a.MessageId), ("attempt", a.Attempt), ("at", Time(a.At)), ("outcome", ToCode(a.Outcome)),
            ("code", (object?)a.StatusCode ?? DBNull.Value), ("error", (object?)a.Error ?? DBNull.Value), ("duration", a.DurationMs));
        var subscriptionIds = await ReadAsync(connection, transaction, """
            UPDATE delivery_messages SET attempts = @attempt, status = @status, last_error = @error, permanent = @permanent,
                next_attempt_at = COALESCE(@next, next_attempt_at), lease_until = NULL, sent_at = @sent
            WHERE id = @id RETURNING subscription_id
            """, r => r.GetString(0), cancellationToken,
            ("id", a.MessageId), ("attempt", a.Attempt), ("status", ToCode(result.Status)), ("error", (object?)a.Error ?? DBNull.Value),
            ("permanent", a.Outcome == AttemptOutcome.PermanentFailure ? 1 : 0), ("next", result.NextAttemptAt is { } n ? Time(n) : DBNull.Value),
            ("sent", a.Outcome == AttemptOutcome.Sent ? Time(a.At) : DBNull.Value));
        if (subscriptionIds.Count == 0) return null;
        var subscription = subscriptionIds[0];
        if (a.Outcome == AttemptOutcome.Sent)
        {
            await ExecuteAsync(connection, transaction, "UPDATE delivery_subscriptions SET consecutive_failures = 0, last_delivered_at = @at WHERE id = @id",
                cancellationToken, ("id", subscription), ("at", Time(a.At)));
        }
        else if (result.Status == MessageStatus.Failed)
        {
            await ExecuteAsync(connection, transaction, """
                UPDATE delivery_subscriptions SET consecutive_failures = consecutive_failures + 1, last_error = @error, last_error_at = @at,
                    status = CASE WHEN status = 'active' AND consecutive_failures + 1 >= @pause THEN 'paused' ELSE status END,
                    status_reason = CASE WHEN status = 'active' AND consecutive_failures + 1 >= @pause THEN @reason ELSE status_reason END
                WHERE id = @id
                """, cancellationToken, ("id", subscription), ("error", (object?)a.Error ?? DBNull.Value), ("at", Time(a.At)), ("pause", result.PauseAfterFailures),
                ("reason", $"paused after {result.PauseAfterFailures} failed deliveries in a row; last: {a.Error}"));
        }
        else
        {
            await ExecuteAsync(connection, transaction, "UPDATE delivery_subscriptions SET last_error = @error, last_error_at = @at WHERE id = @id",
                cancellationToken, ("id", subscription), ("error", (object?)a.Error ?? DBNull.Value), ("at", Time(a.At)));
        }
        var updated = (await ReadSubscriptionsAsync(connection, transaction, $"SELECT {SubscriptionColumns} FROM delivery_subscriptions WHERE id = @id",
            cancellationToken, ("id", subscription))).FirstOrDefault();
        await transaction.CommitAsync(cancellationToken);
        return updated;
    }

    public async Task<IReadOnlyList<OutboxMessage>> ListMessagesAsync(string subscriptionId, long? before, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await ReadMessagesAsync(connection, null,
            $"SELECT {MessageColumns} FROM delivery_messages WHERE subscription_id = @sub AND seq < @before ORDER BY seq DESC LIMIT @limit",
            cancellationToken, ("sub", subscriptionId), ("before", before ?? long.MaxValue), ("limit", limit));
    }

    public async Task<IReadOnlyList<DeliveryAttempt>> ListAttemptsAsync(IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken = default)
    {
        if (messageIds.Count == 0) return [];
        await using var connection = await OpenAsync(cancellationToken);
        var parameters = messageIds.Select((id, i) => ($"m{i}", (object)id)).ToArray();
        return await ReadAsync(connection, null, $"""
            SELECT message_id, attempt, at, outcome, status_code, error, duration_ms FROM delivery_attempts
            WHERE message_id IN ({string.Join(", ", parameters.Select(p => "@" + p.Item1))}) ORDER BY message_id, attempt
            """, r => new DeliveryAttempt(r.GetString(0), r.GetInt32(1), ReadTime(r, 2), (AttemptOutcome)Array.IndexOf(OutcomeCodes, r.GetString(3)),
                r.IsDBNull(4) ? null : r.GetInt32(4), r.IsDBNull(5) ? null : r.GetString(5), r.GetInt64(6)), cancellationToken, parameters);
    }

    public async Task<IReadOnlyList<string>> DueMessagesAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await ReadAsync(connection, null, """
            SELECT m.id FROM delivery_messages m JOIN delivery_subscriptions s ON s.id = m.subscription_id
            WHERE m.status = 'pending' AND m.next_attempt_at <= @now AND (m.lease_until IS NULL OR m.lease_until < @now) AND s.status = 'active'
            ORDER BY m.seq LIMIT @limit
            """, r => r.GetString(0), cancellationToken, ("now", Time(now)), ("limit", limit));
    }

    public async Task<IReadOnlyDictionary<DeliveryChannel, long>> CountPendingAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await ReadAsync(connection, null, """
            SELECT s.channel, count(*) FROM delivery_messages m JOIN delivery_subscriptions s ON s.id = m.subscription_id
            WHERE m.status = 'pending' GROUP BY s.channel
            """, r => (Channel: r.GetString(0), Count: Convert.ToInt64(r.GetValue(1), CultureInfo.InvariantCulture)), cancellationToken);
        var counts = new Dictionary<DeliveryChannel, long>();
        foreach (var (code, count) in rows)
        {
            if (DeliveryCodes.TryParseChannel(code, out var channel)) counts[channel] = count;
        }
        return counts;
    }

    public async Task<bool> CancelMessageAsync(string messageId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await ExecuteAsync(connection, null, "UPDATE delivery_messages SET status = 'cancelled', lease_until = NULL WHERE id = @id AND status = 'pending'",
            cancellationToken, ("id", messageId)) > 0;
    }

    private (string, object)[] SubscriptionParameters(Subscription s) =>
    [
        ("id", s.Id), ("org", s.OrganizationId), ("channel", DeliveryCodes.ToCode(s.Channel)), ("target", SealedTarget(s)),
        ("filters", JsonSerializer.Serialize(s.Filters, WireJson.Options)), ("language", DeliveryCodes.ToCode(s.Language)), ("status", DeliveryCodes.ToCode(s.Status)),
        ("reason", (object?)s.StatusReason ?? DBNull.Value), ("secret", SealedSecret(s)), ("failures", s.ConsecutiveFailures),
        ("error", (object?)s.LastError ?? DBNull.Value), ("errorAt", s.LastErrorAt is { } e ? Time(e) : DBNull.Value),
        ("deliveredAt", s.LastDeliveredAt is { } d ? Time(d) : DBNull.Value), ("created", Time(s.CreatedAt)), ("updated", Time(s.UpdatedAt)),
        ("linkVersion", s.LinkVersion),
    ];

    private Task<List<Subscription>> ReadSubscriptionsAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken,
        params (string Name, object Value)[] parameters) =>
        ReadAsync(connection, transaction, sql, reader =>
        {
            DeliveryCodes.TryParseChannel(reader.GetString(2), out var channel);
            DeliveryCodes.TryParseLanguage(reader.GetString(5), out var language);
            DeliveryCodes.TryParseStatus(reader.GetString(6), out var status);
            return new Subscription(reader.GetString(0), reader.GetString(1), channel, OpenedTarget(reader.GetString(0), channel, reader.GetString(3)),
                JsonSerializer.Deserialize<SubscriptionFilters>(reader.GetString(4), WireJson.Options)!, language, status,
                reader.IsDBNull(7) ? null : reader.GetString(7), OpenedSecret(reader.GetString(0), reader.IsDBNull(8) ? null : reader.GetString(8)), reader.GetInt32(9),
                reader.IsDBNull(10) ? null : reader.GetString(10), reader.IsDBNull(11) ? null : ReadTime(reader, 11),
                reader.IsDBNull(12) ? null : ReadTime(reader, 12), ReadTime(reader, 13), ReadTime(reader, 14)) { LinkVersion = reader.GetInt32(15) };
        }, cancellationToken, parameters);

    private Task<List<OutboxMessage>> ReadMessagesAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken,
        params (string Name, object Value)[] parameters) =>
        ReadAsync(connection, transaction, sql, reader => new OutboxMessage(reader.GetInt64(0), reader.GetString(1), reader.GetString(2),
            (MessageKind)Array.IndexOf(MessageKindCodes, reader.GetString(3)), reader.GetString(4),
            JsonSerializer.Deserialize<MessageContent>(reader.GetString(5), WireJson.Options)!,
            (MessageStatus)Array.IndexOf(MessageStatusCodes, reader.GetString(6)), reader.GetInt32(7), reader.GetInt32(8), reader.IsDBNull(9) ? null : reader.GetString(9),
            reader.GetInt32(10) != 0, ReadTime(reader, 11), ReadTime(reader, 12), reader.IsDBNull(13) ? null : ReadTime(reader, 13)), cancellationToken, parameters);

    private Task<List<Digest>> ReadDigestsAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken,
        params (string Name, object Value)[] parameters) =>
        ReadAsync(connection, transaction, sql, reader => JsonSerializer.Deserialize<Digest>(reader.GetString(0), WireJson.Options)!, cancellationToken, parameters);

    private async Task<List<T>> ReadAsync<T>(DbConnection connection, DbTransaction? transaction, string sql, Func<DbDataReader, T> map, CancellationToken cancellationToken,
        params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) rows.Add(map(reader));
        return rows;
    }

    private async Task<int> ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken,
        params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var p = command.CreateParameter();
            p.ParameterName = Name(name);
            p.Value = value;
            command.Parameters.Add(p);
        }
        return command;
    }
}
