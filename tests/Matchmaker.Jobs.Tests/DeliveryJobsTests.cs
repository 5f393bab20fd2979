using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Hangfire;
using Matchmaker.Engine.Delivery;
using Matchmaker.Engine.Feedback;
using Matchmaker.Engine.Recommendations;
using Matchmaker.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Matchmaker.Jobs.Tests;

/// <summary>Delivery in the production mode: PostgreSQL for the outbox and for Hangfire, two job servers taking the same queues.</summary>
public sealed class DeliveryJobsTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("matchmaker-delivery-jobs-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task The_production_mode_refuses_to_start_without_a_link_key()
    {
        var database = await postgres.Server.CreateDatabaseAsync();
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            JobsHost.StartAsync(_directory, database, settings: new Dictionary<string, string?> { ["Delivery:TokenKey"] = "" }));
        Assert.Contains("Delivery:TokenKey is required", failure.Message);
    }

    [Fact]
    public async Task Two_job_servers_on_postgresql_deliver_each_webhook_event_and_each_weekly_list_once()
    {
        var database = await postgres.Server.CreateDatabaseAsync();
        using var receiver = new Receiver();
        var settings = new Dictionary<string, string?> { ["Delivery:AllowLoopbackTargets"] = "true", ["Delivery:PublicBaseUrl"] = "https://matchmaker.example.cn" };
        await using var first = await JobsHost.StartAsync(_directory, database, settings: settings, serverName: "worker-1");
        // The second worker reads its own copy of the same graph (as two hosts would read one Neo4j).
        await using var second = await JobsHost.StartAsync(Directory.CreateDirectory(Path.Combine(_directory, "worker-2")).FullName, database, settings: settings,
            serverName: "worker-2");
        var services = first.Services;
        await services.GetRequiredService<IFeedbackStore>().InitializeAsync();
        await services.GetRequiredService<IDeliveryStore>().InitializeAsync();
        var delivery = services.GetRequiredService<DeliveryService>();
        var hook = await delivery.CreateSubscriptionAsync("tongji-auto", DeliveryChannel.Webhook, $"{receiver.Url}hooks/a", SubscriptionFilters.None, DigestLanguage.En, null);
        var robot = await delivery.CreateSubscriptionAsync("donghua-mse", DeliveryChannel.WeCom, $"{receiver.Url}cgi-bin/webhook/send?key=k1", SubscriptionFilters.None,
            DigestLanguage.Zh, null);

        var jobs = services.GetRequiredService<IBackgroundJobClient>();
        jobs.Enqueue<RecomputeJobs>(RecomputeJobs.Queue, j => j.RecomputeAll(CancellationToken.None));
        var runId = await first.WaitForLatestRunAsync();
        Assert.Equal(RunStatus.Published, (await first.WaitForRunAsync(runId, r => r.Status != RunStatus.Running)).Status);
        var events = await receiver.WaitForAsync("/hooks/a", 1);
        var request = events.Single();
        // A receiver's check as docs/webhooks.md writes it, not the service's signing code: HMAC-SHA256 keyed with the
        // secret as UTF-8 over "{timestamp}." followed by the raw body, lowercase hex after "v1=", a timestamp within 5 minutes.
        string timestamp = request.Headers["X-Matchmaker-Timestamp"], signature = request.Headers["X-Matchmaker-Signature"];
        Assert.InRange(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - long.Parse(timestamp, CultureInfo.InvariantCulture), -300, 300);
        byte[] signed = [.. Encoding.UTF8.GetBytes(timestamp + "."), .. request.Body];
        Assert.Equal("v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(hook.Secret!), signed)), signature);
        Assert.Equal(runId, JsonDocument.Parse(request.Body).RootElement.GetProperty("data").GetProperty("runId").GetString());

        // The weekly job twice, on whichever servers take it: one list, one robot message.
        await WaitForJobAsync(first, jobs.Enqueue<DigestJobs>(j => j.SendWeeklyDigests(CancellationToken.None)));
        await receiver.WaitForAsync("/cgi-bin/webhook/send", 1);
        await WaitForJobAsync(first, jobs.Enqueue<DigestJobs>(j => j.SendWeeklyDigests(CancellationToken.None)));
        var store = services.GetRequiredService<IDeliveryStore>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await store.ListMessagesAsync(robot.Id, null, 10)).Any(m => m.Status != MessageStatus.Sent))
        {
            Assert.True(DateTime.UtcNow < deadline, "the robot message was not marked sent");
            await Task.Delay(200);
        }
        // Both servers asked to send the same messages again: nothing goes out twice.
        // Each send job returns when its attempt is over; each finds its message sent and schedules nothing.
        foreach (var id in (await store.ListMessagesAsync(robot.Id, null, 10)).Concat(await store.ListMessagesAsync(hook.Id, null, 10)).Select(m => m.Id))
        {
            Assert.Equal("Sent: already Sent", await first.Services.GetRequiredService<DeliveryJobs>().Send(id, CancellationToken.None));
            Assert.Equal("Sent: already Sent", await second.Services.GetRequiredService<DeliveryJobs>().Send(id, CancellationToken.None));
        }
        Assert.Single(receiver.At("/cgi-bin/webhook/send"));
        Assert.Single(receiver.At("/hooks/a"));
        Assert.Single(await store.ListDigestsAsync(robot.Id, 10));
        var markdown = JsonDocument.Parse(receiver.At("/cgi-bin/webhook/send")[0].Body).RootElement.GetProperty("markdown").GetProperty("content").GetString()!;
        Assert.Contains("东华大学材料科学与工程学院", markdown);
        Assert.Contains("https://matchmaker.example.cn/lists/", markdown);
    }

    private static async Task WaitForJobAsync(JobsHost host, string jobId)
    {
        using var connection = host.Services.GetRequiredService<JobStorage>().GetConnection();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (connection.GetStateData(jobId)?.Name != "Succeeded")
        {
            Assert.True(DateTime.UtcNow < deadline, $"job {jobId} did not succeed: {connection.GetStateData(jobId)?.Name}");
            await Task.Delay(100);
        }
    }

    /// <summary>A loopback HTTP listener standing for the integrator and the robot; it answers like WeCom does.</summary>
    private sealed class Receiver : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly ConcurrentQueue<(string Path, Dictionary<string, string> Headers, byte[] Body)> _requests = new();

        public Receiver()
        {
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                Url = $"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}/";
            }
            _listener.Prefixes.Add(Url);
            _listener.Start();
            _ = Task.Run(LoopAsync);
        }

        public string Url { get; }

        public IReadOnlyList<(string Path, Dictionary<string, string> Headers, byte[] Body)> At(string path) => _requests.Where(r => r.Path == path).ToList();

        public async Task<IReadOnlyList<(string Path, Dictionary<string, string> Headers, byte[] Body)>> WaitForAsync(string path, int count)
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (At(path).Count < count)
            {
                Assert.True(DateTime.UtcNow < deadline, $"nothing reached {path}");
                await Task.Delay(100);
            }
            return At(path);
        }

        private async Task LoopAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try { context = await _listener.GetContextAsync(); }
                catch (HttpListenerException) { return; }
                catch (ObjectDisposedException) { return; }
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                var headers = context.Request.Headers.AllKeys.OfType<string>().ToDictionary(k => k, k => context.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase);
                _requests.Enqueue((context.Request.Url!.AbsolutePath, headers, body.ToArray()));
                var answer = Encoding.UTF8.GetBytes("""{"errcode":0,"errmsg":"ok"}""");
                context.Response.ContentType = "application/json";
                await context.Response.OutputStream.WriteAsync(answer);
                context.Response.Close();
            }
        }

        public void Dispose() => _listener.Close();
    }
}
