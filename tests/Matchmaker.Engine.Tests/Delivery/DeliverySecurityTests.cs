using System.Net;
using System.Net.Sockets;
using System.Text;
using Matchmaker.Engine.Delivery;

namespace Matchmaker.Engine.Tests.Delivery;

public sealed class DeliverySecurityTests
{
    private static readonly TargetPolicy Production = new(AllowLoopbackHttp: false, AllowPrivateNetworks: false);
    private static readonly TargetPolicy Tests = new(AllowLoopbackHttp: true, AllowPrivateNetworks: true);

    [Fact]
    public void Signed_links_open_only_what_they_were_made_for()
    {
        var tokens = new DeliveryTokens("a-test-key-of-at-least-thirty-two-characters");
        var list = tokens.ForList("dg_0123456789abcdef");

        Assert.True(tokens.TryReadList(list, out var digest));
        Assert.Equal("dg_0123456789abcdef", digest);
        Assert.False(tokens.TryReadUnsubscribe(list, out _)); // a list link does not unsubscribe
        Assert.False(tokens.TryReadList(list.Replace("dg_0", "dg_1", StringComparison.Ordinal), out _)); // another id, same mac
        Assert.False(tokens.TryReadList(list[..^1] + (list[^1] == 'A' ? 'B' : 'A'), out _));
        Assert.False(tokens.TryReadList("dg_0123456789abcdef", out _));
        Assert.False(new DeliveryTokens("another-key-of-at-least-thirty-two-characters!").TryReadList(list, out _));
        Assert.Throws<ArgumentException>(() => new DeliveryTokens("short"));
    }

    private sealed class MovableTime(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void Links_expire_after_their_lifetime()
    {
        var time = new MovableTime(new DateTimeOffset(2026, 1, 5, 8, 0, 0, TimeSpan.Zero));
        var tokens = new DeliveryTokens("a-test-key-of-at-least-thirty-two-characters", null, time, TimeSpan.FromDays(90));
        var list = tokens.ForList("dg_0123456789abcdef");
        var unsubscribe = tokens.ForUnsubscribe("sub_0123456789abcdef");

        time.Now = time.Now.AddDays(90);
        Assert.True(tokens.TryReadList(list, out _));
        Assert.True(tokens.TryReadUnsubscribe(unsubscribe, out _));
        time.Now = time.Now.AddSeconds(1);
        Assert.False(tokens.TryReadList(list, out _));
        Assert.False(tokens.TryReadUnsubscribe(unsubscribe, out _));

        // The expiry is signed: moving it forward breaks the link.
        var parts = list.Split('.');
        Assert.False(tokens.TryReadList($"{parts[0]}.{long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) + 86_400 * 365}.{parts[2]}", out _));
    }

    [Fact]
    public void After_rotating_the_link_key_old_links_and_sealed_secrets_still_work_and_only_the_new_key_signs()
    {
        const string oldKey = "the-old-link-key-0123456789abcdefghijkl", newKey = "the-new-link-key-0123456789abcdefghijkl";
        var before = new DeliveryTokens(oldKey);
        var oldList = before.ForList("dg_0123456789abcdef");
        var oldSecret = new SubscriptionSecrets(before).Seal("sub_1", "whsec_kept");

        var rotated = new DeliveryTokens(newKey, [oldKey]);
        Assert.True(rotated.TryReadList(oldList, out var digest));
        Assert.Equal("dg_0123456789abcdef", digest);
        var secrets = new SubscriptionSecrets(rotated);
        Assert.Equal("whsec_kept", secrets.Open("sub_1", oldSecret));
        Assert.Equal("whsec_kept", new SubscriptionSecrets(new DeliveryTokens(newKey)).Open("sub_1", secrets.Seal("sub_1", "whsec_kept")));

        // New links and seals use the new key only; a ring without the old key no longer reads the old ones.
        Assert.False(before.TryReadList(rotated.ForList("dg_0123456789abcdef"), out _));
        Assert.Equal(SubscriptionSecrets.Unreadable, new SubscriptionSecrets(before).Open("sub_1", secrets.Seal("sub_1", "whsec_kept")));
        Assert.False(new DeliveryTokens(newKey).TryReadList(oldList, out _));
        Assert.Equal(SubscriptionSecrets.Unreadable, new SubscriptionSecrets(new DeliveryTokens(newKey)).Open("sub_1", oldSecret));
    }

    [Fact]
    public void Unsubscribe_links_from_before_expiry_still_unsubscribe_but_old_list_links_do_not_open()
    {
        const string key = "a-test-key-of-at-least-thirty-two-characters";
        // The earlier format: {id}.{first 128 bits of HMAC-SHA256(key, purpose:id)}.
        static string Legacy(string purpose, string id) => $"{id}.{System.Buffers.Text.Base64Url.EncodeToString(
            System.Security.Cryptography.HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes($"{purpose}:{id}"))[..16])}";
        var tokens = new DeliveryTokens(key);

        Assert.True(tokens.TryReadUnsubscribe(Legacy("unsubscribe", "sub_0123456789abcdef"), out var subscription));
        Assert.Equal("sub_0123456789abcdef", subscription);
        Assert.False(tokens.TryReadList(Legacy("list", "dg_0123456789abcdef"), out _));
    }

    [Fact]
    public void Links_carry_their_subscriptions_link_version_signed_and_version_0_links_keep_the_form_from_before_versions()
    {
        const string key = "a-test-key-of-at-least-thirty-two-characters";
        var time = new MovableTime(new DateTimeOffset(2026, 12, 7, 8, 0, 0, TimeSpan.Zero));
        var tokens = new DeliveryTokens(key, null, time);

        // Version 0 is the form links had before versions: {id}.{expires}.{mac} over purpose:id:expires.
        var expires = time.Now.AddDays(120).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var beforeVersions = $"dg_0123456789abcdef.{expires}.{System.Buffers.Text.Base64Url.EncodeToString(
            System.Security.Cryptography.HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes($"list:dg_0123456789abcdef:{expires}"))[..16])}";
        Assert.Equal(beforeVersions, tokens.ForList("dg_0123456789abcdef", 0));
        Assert.True(tokens.TryReadList(beforeVersions, out var digest, out var version));
        Assert.Equal(("dg_0123456789abcdef", 0), (digest, version));

        var third = tokens.ForUnsubscribe("sub_0123456789abcdef", 3);
        Assert.StartsWith("sub_0123456789abcdef.v3.", third);
        Assert.True(tokens.TryReadUnsubscribe(third, out var subscription, out version));
        Assert.Equal(("sub_0123456789abcdef", 3), (subscription, version));
        Assert.True(tokens.TryReadList(tokens.ForList("dg_0123456789abcdef", 12), out _, out version));
        Assert.Equal(12, version);

        // The version is signed: changed, dropped or written another way, the link does not open.
        Assert.False(tokens.TryReadUnsubscribe(third.Replace(".v3.", ".v4.", StringComparison.Ordinal), out _, out _));
        Assert.False(tokens.TryReadUnsubscribe(third.Replace(".v3.", ".", StringComparison.Ordinal), out _, out _));
        Assert.False(tokens.TryReadUnsubscribe(third.Replace(".v3.", ".v03.", StringComparison.Ordinal), out _, out _));
        Assert.False(tokens.TryReadUnsubscribe(third.Replace(".v3.", ".v0.", StringComparison.Ordinal), out _, out _));
        Assert.False(tokens.TryReadList(tokens.ForUnsubscribe("sub_0123456789abcdef", 3), out _, out _));
    }

    [Fact]
    public void The_embedded_mode_generates_one_link_key_and_keeps_it()
    {
        var directory = Directory.CreateTempSubdirectory("matchmaker-key-").FullName;
        try
        {
            var file = Path.Combine(directory, "data", "delivery-token.key");
            var first = DeliveryTokens.Load(null, file)!;
            var again = DeliveryTokens.Load(null, file)!;
            Assert.True(again.TryReadUnsubscribe(first.ForUnsubscribe("sub_1"), out _));
            Assert.True(File.ReadAllText(file).Length >= DeliveryTokens.MinKeyLength);
            Assert.Null(DeliveryTokens.Load(null, null)); // production without a configured key: none
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Webhook_signatures_fail_for_a_changed_body_another_secret_or_an_old_timestamp()
    {
        var body = Encoding.UTF8.GetBytes("""{"type":"recommendations.updated","data":{"organizationId":"tongji-auto"}}""");
        var now = new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.Zero);
        var signature = WebhookSignature.Sign("whsec_1", now.ToUnixTimeSeconds(), body);
        var timestamp = now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

        Assert.Matches("^v1=[0-9a-f]{64}$", signature);
        Assert.True(WebhookSignature.Verify("whsec_1", signature, timestamp, body, now.AddMinutes(4)));
        Assert.False(WebhookSignature.Verify("whsec_2", signature, timestamp, body, now));
        Assert.False(WebhookSignature.Verify("whsec_1", signature, timestamp,
            Encoding.UTF8.GetBytes("""{"type":"recommendations.updated","data":{"organizationId":"tongji-autp"}}"""), now));
        Assert.False(WebhookSignature.Verify("whsec_1", signature, timestamp, body, now.AddMinutes(6)));
        Assert.False(WebhookSignature.Verify("whsec_1", signature, "not-a-number", body, now));
    }

    [Theory]
    [InlineData(DeliveryChannel.Email, "tm@example.cn", true)]
    [InlineData(DeliveryChannel.Email, "tm@同济.中国", true)]
    [InlineData(DeliveryChannel.Email, "tm@localhost", false)]
    [InlineData(DeliveryChannel.Email, "Tech Manager <tm@example.cn>", false)]
    [InlineData(DeliveryChannel.Webhook, "https://hooks.example.cn/matchmaker", true)]
    [InlineData(DeliveryChannel.Webhook, "http://hooks.example.cn/matchmaker", false)]
    [InlineData(DeliveryChannel.Webhook, "http://127.0.0.1:8080/hook", false)]
    [InlineData(DeliveryChannel.Webhook, "https://10.1.2.3/hook", false)]
    [InlineData(DeliveryChannel.Webhook, "https://192.168.0.10/hook", false)]
    [InlineData(DeliveryChannel.Webhook, "https://169.254.169.254/latest/meta-data", false)]
    [InlineData(DeliveryChannel.Webhook, "https://[fd00::1]/hook", false)]
    [InlineData(DeliveryChannel.Webhook, "https://[::ffff:172.16.0.1]/hook", false)]
    [InlineData(DeliveryChannel.Webhook, "ftp://hooks.example.cn/x", false)]
    [InlineData(DeliveryChannel.WeCom, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6", true)]
    [InlineData(DeliveryChannel.WeCom, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send", false)]
    [InlineData(DeliveryChannel.DingTalk, "https://oapi.dingtalk.com/robot/send?access_token=abc", true)]
    [InlineData(DeliveryChannel.DingTalk, "https://oapi.dingtalk.com/robot/send?key=abc", false)]
    public void Production_targets_are_https_on_public_addresses(DeliveryChannel channel, string target, bool accepted)
    {
        Assert.Equal(accepted, DeliveryTargets.Check(channel, target, Production) is null);
    }

    [Fact]
    public async Task Names_are_resolved_in_production_and_loopback_is_allowed_only_when_configured()
    {
        Assert.NotNull(await DeliveryTargets.CheckResolvedAsync("https://localhost/hook", Production, CancellationToken.None));
        Assert.Null(await DeliveryTargets.CheckResolvedAsync("https://localhost/hook", Tests, CancellationToken.None));
        Assert.Null(DeliveryTargets.Check(DeliveryChannel.Webhook, "http://127.0.0.1:8080/hook", Tests));
        Assert.NotNull(DeliveryTargets.Check(DeliveryChannel.Webhook, "http://10.0.0.1:8080/hook", Tests)); // plain http only to loopback
        Assert.Equal("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?…", DeliveryTargets.Redact("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=secret"));
    }

    [Theory]
    [InlineData("zhang.wei@tongji.edu.cn", "z***@tongji.edu.cn")]
    [InlineData("王伟@例子.中国", "王***@例子.中国")]
    [InlineData("https://hooks.example.cn/in/abc", "https://hooks.example.cn/in/abc")]
    [InlineData("https://oapi.dingtalk.com/robot/send?access_token=t0ken", "https://oapi.dingtalk.com/robot/send?…")]
    public void Targets_in_logs_and_pages_hide_mailboxes_and_robot_keys(string target, string shown) =>
        Assert.Equal(shown, DeliveryTargets.Redact(target));

    [Fact]
    public async Task A_webhook_whose_secret_cannot_be_opened_fails_permanently_without_sending()
    {
        // A real listener as the subscriber's endpoint: nothing may reach it unsigned or signed with the wrong key.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var target = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/hook";
        var stored = new SubscriptionSecrets(new DeliveryTokens("the-old-link-key-0123456789abcdefghijkl")).Seal("sub_1", "whsec_x");
        var opened = new SubscriptionSecrets(new DeliveryTokens("the-new-link-key-0123456789abcdefghijkl")).Open("sub_1", stored);
        var subscription = DeliveryStoreContract.NewSubscription("org", DeliveryChannel.Webhook) with { Target = target, Secret = opened };
        var message = new OutboxMessage(1, "msg_1", subscription.Id, MessageKind.Webhook, "webhook:run:sub", new MessageContent("s", null, null, "{}"),
            MessageStatus.Pending, 0, 0, null, false, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, null);

        var result = await new HttpMessageSender(new PlainClients(), TimeProvider.System).SendAsync(subscription, message, CancellationToken.None);

        Assert.Equal(AttemptOutcome.PermanentFailure, result.Outcome);
        Assert.Contains("Delivery:TokenKey", result.Error, StringComparison.Ordinal);
        Assert.False(listener.Pending());
    }

    private sealed class PlainClients : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new();
    }

    [Fact]
    public void Addresses_inside_server_replies_are_masked_and_the_rest_is_kept()
    {
        Assert.Equal("550 5.1.1 <l***@example.cn>: mailbox unavailable (also cc o***@corp.example.com)",
            DeliveryTargets.RedactAddresses("550 5.1.1 <li.na@example.cn>: mailbox unavailable (also cc ops+g60@corp.example.com)"));
        Assert.Equal("connection refused", DeliveryTargets.RedactAddresses("connection refused"));
        Assert.Equal("", DeliveryTargets.RedactAddresses(null));
    }

    [Fact]
    public async Task Connections_to_private_addresses_are_refused_at_connect_time_in_production()
    {
        // A listener on loopback stands for an internal service a webhook URL might be pointed at.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accepted = listener.AcceptTcpClientAsync();
        using var handler = new SocketsHttpHandler { ConnectCallback = (c, t) => HttpMessageSender.ConnectAsync(c, Production, t) };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => client.PostAsync($"http://localhost:{port}/internal", new StringContent("{}")));

        Assert.IsType<ForbiddenTargetException>(refused.InnerException);
        // A connection made now is accepted first only if the refused request never reached the listener.
        using var control = new TcpClient(AddressFamily.InterNetwork);
        await control.ConnectAsync(IPAddress.Loopback, port);
        using var first = await accepted.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(control.Client.LocalEndPoint, first.Client.RemoteEndPoint);
    }

    /// <summary>A resolver that answers every name with the given addresses, as a hostile DNS zone would.</summary>
    private sealed class FixedResolver(params IPAddress[] addresses) : HostResolver
    {
        public override Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) => Task.FromResult(addresses);
    }

    [Theory]
    [InlineData("64:ff9b::a00:1")] // NAT64 of 10.0.0.1
    [InlineData("64:ff9b::7f00:1")] // NAT64 of 127.0.0.1
    [InlineData("64:ff9b:1::a00:1")] // local-use NAT64
    [InlineData("2002:a00:1::1")] // 6to4 of 10.0.0.1
    [InlineData("2002:c0a8:101::1")] // 6to4 of 192.168.1.1
    [InlineData("::a00:1")] // IPv4-compatible 10.0.0.1
    [InlineData("::7f00:1")] // IPv4-compatible 127.0.0.1
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2")] // Teredo
    public async Task Names_resolving_to_ipv6_forms_of_ipv4_addresses_are_refused_when_saved_and_when_connecting(string address)
    {
        var resolver = new FixedResolver(IPAddress.Parse(address));

        var saved = await DeliveryTargets.CheckResolvedAsync("https://hooks.example.cn/matchmaker", Production, CancellationToken.None, resolver);
        Assert.Contains("private", saved);
        Assert.NotNull(DeliveryTargets.Check(DeliveryChannel.Webhook, $"https://[{address}]/matchmaker", Production));

        using var handler = new SocketsHttpHandler { UseProxy = false, ConnectCallback = (c, t) => HttpMessageSender.ConnectAsync(c, Production, t, resolver) };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => client.PostAsync("https://hooks.example.cn/matchmaker", new StringContent("{}")));
        Assert.IsType<ForbiddenTargetException>(refused.InnerException);
    }

    [Fact]
    public async Task A_public_address_from_the_resolver_passes_the_save_check()
    {
        Assert.Null(await DeliveryTargets.CheckResolvedAsync("https://hooks.example.cn/matchmaker", Production, CancellationToken.None,
            new FixedResolver(IPAddress.Parse("2400:3200::1"), IPAddress.Parse("203.119.80.1"))));
    }

    /// <summary>A receiver that answers with the given head, then streams filler without end until the client goes.</summary>
    private static async Task ServeEndlessAsync(TcpListener listener, string head, string bodyStart)
    {
        using var connection = await listener.AcceptTcpClientAsync();
        var stream = connection.GetStream();
        var request = new byte[64 * 1024];
        _ = await stream.ReadAsync(request); // the request head (its small body may follow; the answer does not wait for it)
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head + "Content-Length: 1000000000\r\n\r\n"));
        await stream.WriteAsync(Encoding.UTF8.GetBytes(bodyStart));
        var filler = Encoding.ASCII.GetBytes(new string(' ', 16 * 1024));
        try
        {
            for (var i = 0; i < 60_000; i++) await stream.WriteAsync(filler);
        }
        catch (IOException)
        {
            // The sender stopped reading and closed: what the cap is for.
        }
    }

    private sealed class TimedClients : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new() { Timeout = TimeSpan.FromSeconds(30) };
    }

    [Theory]
    [InlineData(DeliveryChannel.Webhook, "HTTP/1.1 500 Internal db at 10.0.0.7 said no\r\n", "<html>internal stack trace</html>", "HTTP 500")]
    [InlineData(DeliveryChannel.DingTalk, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n",
        "{\"errcode\":310000,\"errmsg\":\"internal note from the robot\",\"pad\":\"", "robot error 310000")]
    public async Task Remote_answers_are_read_only_up_to_a_cap_and_never_echoed(DeliveryChannel channel, string head, string bodyStart, string expected)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var serving = ServeEndlessAsync(listener, head, bodyStart);
        var target = channel == DeliveryChannel.DingTalk ? $"http://127.0.0.1:{port}/robot/send?access_token=t" : $"http://127.0.0.1:{port}/hook";
        var subscription = DeliveryStoreContract.NewSubscription("org", channel) with { Target = target, Secret = channel == DeliveryChannel.Webhook ? "whsec_x" : null };
        var message = new OutboxMessage(1, "msg_1", subscription.Id, channel == DeliveryChannel.Webhook ? MessageKind.Webhook : MessageKind.WeeklyList, "k",
            new MessageContent("s", null, null, "{}"), MessageStatus.Pending, 0, 0, null, false, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, null);

        var result = await new HttpMessageSender(new TimedClients(), TimeProvider.System).SendAsync(subscription, message, CancellationToken.None);

        Assert.Equal(expected, result.Error);
        Assert.NotEqual(AttemptOutcome.Sent, result.Outcome);
        await serving;
    }
}
