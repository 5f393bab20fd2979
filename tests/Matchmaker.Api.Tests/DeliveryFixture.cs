using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MimeKit;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Matchmaker.Api.Tests;

/// <summary>
/// The service on a real Kestrel port (browsers and links need one), a real SMTP server in this process, and an
/// integrator's site on another loopback port: webhook and robot endpoints that check signatures the way an
/// integrator would, and partner pages that embed the widget. One for all delivery test classes.
/// </summary>
public sealed class DeliveryFixture : IAsyncLifetime
{
    public DeliveryApiFactory Factory { get; private set; } = null!;
    public TestSmtpServer Smtp { get; private set; } = null!;
    public IntegratorSite Site { get; private set; } = null!;
    public HttpClient Admin { get; private set; } = null!;
    public string ApiBase { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Smtp = await TestSmtpServer.StartAsync();
        Site = await IntegratorSite.StartAsync();
        var port = FreePort();
        ApiBase = $"http://127.0.0.1:{port}";
        Factory = new DeliveryApiFactory(ApiBase, Smtp.Port);
        Factory.UseKestrel(port);
        Factory.StartServer();
        Admin = ClientWithKey(MatchmakerApiFactory.AdminKey);
    }

    public HttpClient ClientWithKey(string token)
    {
        var client = new HttpClient { BaseAddress = new Uri(ApiBase), Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Add("X-Api-Key", token);
        return client;
    }

    public HttpClient Anonymous() => new() { BaseAddress = new Uri(ApiBase), Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>The first start computes every list in the background; wait until the organization's is served.</summary>
    public async Task WaitForListAsync(string organization)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while ((await Admin.GetAsync($"/api/v1/organizations/{organization}/recommendations")).StatusCode != HttpStatusCode.OK)
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"no recommendations were published for {organization}");
            await Task.Delay(200);
        }
    }

    /// <summary>Creates a subscription through the API and returns its JSON (subscription and, for webhooks, signingSecret).</summary>
    public async Task<JsonElement> SubscribeAsync(string organization, object body)
    {
        var response = await Admin.PostAsJsonAsync($"/api/v1/organizations/{organization}/subscriptions", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Polls the delivery log until the predicate holds for its messages.</summary>
    public async Task<JsonElement[]> WaitForDeliveriesAsync(string organization, string subscriptionId, Func<JsonElement[], bool> done, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var page = await Admin.GetFromJsonAsync<JsonElement>($"/api/v1/organizations/{organization}/subscriptions/{subscriptionId}/deliveries?limit=100");
            var items = page.GetProperty("items").EnumerateArray().ToArray();
            if (done(items)) return items;
            if (DateTime.UtcNow > deadline) Assert.Fail($"deliveries of {subscriptionId} did not reach the expected state: {page}");
            await Task.Delay(200);
        }
    }

    public async Task DisposeAsync()
    {
        Admin.Dispose();
        await Factory.DisposeAsync();
        await Site.DisposeAsync();
        await Smtp.DisposeAsync();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Where test artifacts (screenshots) go: TestResults/ at the repository root, which CI keeps.</summary>
    public static string ArtifactsDirectory()
    {
        var path = SourceTree.Path("TestResults", "delivery");
        Directory.CreateDirectory(path);
        return path;
    }
}

[CollectionDefinition(Name)]
public sealed class DeliveryCollection : ICollectionFixture<DeliveryFixture>
{
    public const string Name = "delivery";
}

/// <summary>The service with SMTP, links, loopback targets and short retry delays configured for the delivery tests.</summary>
public sealed class DeliveryApiFactory(string publicBaseUrl, int smtpPort) : MatchmakerApiFactory
{
    public const int PauseAfterFailures = 2;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Delivery:PublicBaseUrl", publicBaseUrl);
        builder.UseSetting("Delivery:Smtp:Host", "127.0.0.1");
        builder.UseSetting("Delivery:Smtp:Port", smtpPort.ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Delivery:Smtp:Security", "None");
        builder.UseSetting("Delivery:Smtp:From", "G60 Matchmaker <lists@matchmaker.test>");
        builder.UseSetting("Delivery:AllowLoopbackTargets", "true");
        builder.UseSetting("Delivery:RetryDelaysSeconds:0", "1");
        builder.UseSetting("Delivery:RetryDelaysSeconds:1", "2");
        builder.UseSetting("Delivery:PauseAfterFailures", PauseAfterFailures.ToString(CultureInfo.InvariantCulture));
    }
}

/// <summary>
/// A real SMTP server (the SmtpServer package) on a loopback port. It keeps every message it accepts, parsed with
/// MimeKit, with its envelope recipients; recipients put in <see cref="Refuse"/> get that reply code after DATA.
/// </summary>
public sealed class TestSmtpServer : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _running = Task.CompletedTask;

    public int Port { get; private set; }
    public ConcurrentQueue<(IReadOnlyList<string> Recipients, MimeMessage Message)> Received { get; } = new();
    public ConcurrentDictionary<string, int> Refuse { get; } = new(StringComparer.OrdinalIgnoreCase);
    public ConcurrentQueue<(string Recipient, int Code)> Refused { get; } = new();

    public static Task<TestSmtpServer> StartAsync()
    {
        var server = new TestSmtpServer { Port = DeliveryFixture.FreePort() };
        var options = new SmtpServerOptionsBuilder().ServerName("smtp.test")
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, server.Port))).Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(server));
        server._running = new SmtpServer.SmtpServer(options, services).StartAsync(server._stop.Token);
        return Task.FromResult(server);
    }

    public IReadOnlyList<MimeMessage> To(string address) =>
        Received.Where(r => r.Recipients.Contains(address, StringComparer.OrdinalIgnoreCase)).Select(r => r.Message).ToList();

    public async Task<IReadOnlyList<MimeMessage>> WaitForAsync(string address, int count, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (To(address).Count < count)
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"{To(address).Count} of {count} messages reached {address}");
            await Task.Delay(100);
        }
        return To(address);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _running; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }

    private sealed class Store(TestSmtpServer server) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer,
            CancellationToken cancellationToken)
        {
            var recipients = transaction.To.Select(m => $"{m.User}@{m.Host}").ToList();
            foreach (var recipient in recipients)
            {
                if (server.Refuse.TryGetValue(recipient, out var code))
                {
                    server.Refused.Enqueue((recipient, code));
                    return new SmtpResponse((SmtpReplyCode)code, code >= 500 ? $"5.1.1 <{recipient}>: mailbox unavailable" : $"4.3.0 <{recipient}>: try again later");
                }
            }
            using var stream = new MemoryStream(buffer.ToArray());
            server.Received.Enqueue((recipients, await MimeMessage.LoadAsync(stream, cancellationToken)));
            return SmtpResponse.Ok;
        }
    }
}

/// <summary>
/// An integrator's site on loopback: a webhook endpoint that verifies signatures with the documented recipe (its own
/// code, not the service's), WeCom and DingTalk robot endpoints, and partner pages for the widget.
/// </summary>
public sealed class IntegratorSite : IAsyncDisposable
{
    private readonly WebApplication _app;

    private IntegratorSite(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }
    public string Origin => $"http://127.0.0.1:{Port}";
    /// <summary>Webhook secrets by path (/hooks/{name}).</summary>
    public ConcurrentDictionary<string, string> Secrets { get; } = new();
    public ConcurrentDictionary<string, string> DingTalkSecrets { get; } = new();
    public ConcurrentQueue<Delivery> Deliveries { get; } = new();
    public ConcurrentDictionary<string, string> Pages { get; } = new();

    public sealed record Delivery(string Path, string Query, IReadOnlyDictionary<string, string> Headers, byte[] Body, bool Verified);

    public static async Task<IntegratorSite> StartAsync()
    {
        var port = DeliveryFixture.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://localhost:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var site = new IntegratorSite(app, port);
        app.MapPost("/hooks/{name}", site.Webhook);
        app.MapPost("/cgi-bin/webhook/send", site.WeCom);
        app.MapPost("/robot/send", site.DingTalk);
        app.MapGet("/pages/{name}", (string name) => site.Pages.TryGetValue(name, out var html) ? Results.Content(html, "text/html; charset=utf-8") : Results.NotFound());
        await app.StartAsync();
        return site;
    }

    public IReadOnlyList<Delivery> At(string path) => Deliveries.Where(d => d.Path == path).ToList();

    /// <summary>The verification recipe of docs/webhooks.md, as an integrator writes it.</summary>
    public static bool VerifySignature(string secret, string? timestamp, string? signature, byte[] body, DateTimeOffset now)
    {
        if (timestamp is null || signature is null || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)) return false;
        if (Math.Abs(now.ToUnixTimeSeconds() - seconds) > 300) return false;
        var signed = Encoding.UTF8.GetBytes(timestamp + ".").Concat(body).ToArray();
        var expected = "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(signature));
    }

    private async Task<IResult> Webhook(string name, HttpRequest request)
    {
        var body = await ReadAsync(request);
        var path = $"/hooks/{name}";
        var verified = Secrets.TryGetValue(path, out var secret)
            && VerifySignature(secret, request.Headers["X-Matchmaker-Timestamp"], request.Headers["X-Matchmaker-Signature"], body, DateTimeOffset.UtcNow);
        Deliveries.Enqueue(new Delivery(path, request.QueryString.Value ?? "", Headers(request), body, verified));
        return verified ? Results.Ok() : Results.Unauthorized();
    }

    private async Task<IResult> WeCom(HttpRequest request)
    {
        var body = await ReadAsync(request);
        Deliveries.Enqueue(new Delivery("/cgi-bin/webhook/send", request.QueryString.Value ?? "", Headers(request), body, true));
        var content = JsonDocument.Parse(body).RootElement.GetProperty("markdown").GetProperty("content").GetString()!;
        // The real robot's rule: markdown content at most 4096 bytes of UTF-8.
        return Results.Json(Encoding.UTF8.GetByteCount(content) <= 4096 ? new { errcode = 0, errmsg = "ok" }
            : new { errcode = 40058, errmsg = "markdown.content exceed max length 4096" });
    }

    private async Task<IResult> DingTalk(HttpRequest request)
    {
        var body = await ReadAsync(request);
        var token = request.Query["access_token"].ToString();
        var verified = true;
        if (DingTalkSecrets.TryGetValue(token, out var secret))
        {
            // DingTalk's 加签 check: Base64(HMAC-SHA256(secret, "{timestamp}\n{secret}")) in the sign parameter.
            var timestamp = request.Query["timestamp"].ToString();
            var expected = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}\n{secret}")));
            verified = request.Query["sign"].ToString() == expected;
        }
        Deliveries.Enqueue(new Delivery("/robot/send", request.QueryString.Value ?? "", Headers(request), body, verified));
        return Results.Json(verified ? new { errcode = 0, errmsg = "ok" } : new { errcode = 310000, errmsg = "sign not match" });
    }

    private static async Task<byte[]> ReadAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    private static Dictionary<string, string> Headers(HttpRequest request) =>
        request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
