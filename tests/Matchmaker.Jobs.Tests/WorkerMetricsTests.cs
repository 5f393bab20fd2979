using System.Globalization;
using Matchmaker.Engine.Delivery;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Recommendations;
using Matchmaker.Testing;
using Matchmaker.Tests.Shared;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using static Matchmaker.Tests.Shared.PrometheusText;

namespace Matchmaker.Jobs.Tests;

/// <summary>
/// A worker host (no HTTP server of its own) with OpenTelemetry:MetricsPort set serves Prometheus text on that port,
/// and its figures follow what the engine does: the change backlog, a full run's progress and the lists' age, the
/// outbox and the outcome of a delivery attempt. On both stores.
/// </summary>
public sealed class WorkerMetricsTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("matchmaker-worker-metrics-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_metrics_port_shows_backlogs_run_progress_list_age_and_delivery_outcomes(bool onPostgres)
    {
        var port = FreePort();
        await using var host = await JobsHost.StartAsync(_directory, onPostgres ? await postgres.Server.CreateDatabaseAsync() : null, runServer: false, telemetry: true,
            settings: new Dictionary<string, string?>
            {
                ["OpenTelemetry:MetricsPort"] = port.ToString(CultureInfo.InvariantCulture),
                ["OpenTelemetry:OtlpEndpoint"] = "",
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "",
                ["Delivery:AllowLoopbackTargets"] = "true",
                ["Delivery:RetryDelaysSeconds:0"] = "60",
            });
        using var scraper = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var store = host.Services.GetRequiredService<IRecommendationStore>();
        var recompute = host.Services.GetRequiredService<RecomputeService>();

        var empty = await scraper.GetStringAsync("/metrics");
        Assert.Equal(0, Find(empty, "matchmaker_recompute_changes_pending"));
        Assert.Null(Find(empty, "matchmaker_lists_age_seconds"));
        Assert.Null(Find(empty, "matchmaker_recompute_run_shards_total"));
        Assert.Equal(0, Find(empty, "matchmaker_model_version")); // no model: the heuristic ranker serves

        // Two organizations changed, no job server to take them: the incremental recompute's backlog.
        await store.MarkChangedAsync(["tongji-auto", "suda-mcce"], structural: false, DateTimeOffset.UtcNow);
        Assert.Equal(2, Find(await scraper.GetStringAsync("/metrics"), "matchmaker_recompute_changes_pending"));

        // A full run, shard by shard: its progress shows after each one.
        var plan = await recompute.PlanFullRunAsync();
        Assert.True(plan.Shards.Count >= 2);
        await recompute.RunShardAsync(plan.RunId, plan.Shards[0]);
        var partway = await scraper.GetStringAsync("/metrics");
        Assert.Equal(plan.Shards.Count, Find(partway, "matchmaker_recompute_run_shards_total"));
        Assert.Equal(1, Find(partway, "matchmaker_recompute_run_shards_done"));
        Assert.Null(Find(partway, "matchmaker_lists_age_seconds"));
        foreach (var shard in plan.Shards.Skip(1)) await recompute.RunShardAsync(plan.RunId, shard);
        var published = (await store.GetRunAsync(plan.RunId))!;
        Assert.Equal(RunStatus.Published, published.Status);
        var full = await scraper.GetStringAsync("/metrics");
        var scrapedBy = DateTimeOffset.UtcNow;
        Assert.Equal(plan.Shards.Count, Find(full, "matchmaker_recompute_run_shards_done"));
        Assert.Equal((await host.Services.GetRequiredService<IGraphStore>().CountAsync()).Organizations, Find(full, "matchmaker_recompute_run_organizations"));
        Assert.InRange(Find(full, "matchmaker_lists_age_seconds", "kind=\"full\"") ?? -1, 0, (scrapedBy - published.FinishedAt!.Value).TotalSeconds + 0.001);
        Assert.True(Value(full, "matchmaker_recompute_organizations_total", "kind=\"full\"") >= Find(full, "matchmaker_recompute_run_organizations"), Own(full));

        // The incremental recompute takes the backlog.
        var incremental = (await recompute.RecomputeOrganizationsAsync(await store.TakeChangedAsync()))!;
        var taken = await scraper.GetStringAsync("/metrics");
        Assert.Equal(0, Find(taken, "matchmaker_recompute_changes_pending"));
        Assert.NotNull(Find(taken, "matchmaker_lists_age_seconds", "kind=\"incremental\""));

        // A webhook whose endpoint refuses connections: its event waits in the outbox, and the attempt is a retry.
        await host.Services.GetRequiredService<Matchmaker.Engine.Feedback.IFeedbackStore>().InitializeAsync(); // webhook events leave declined candidates out
        var delivery = host.Services.GetRequiredService<DeliveryService>();
        await delivery.CreateSubscriptionAsync("tongji-auto", DeliveryChannel.Webhook, $"http://127.0.0.1:{FreePort()}/hook", SubscriptionFilters.None, DigestLanguage.En, null);
        var queued = await delivery.QueueWebhooksAsync(incremental.Id);
        var message = Assert.Single(queued);
        var waiting = await scraper.GetStringAsync("/metrics");
        Assert.Equal(1, Find(waiting, "matchmaker_delivery_outbox_pending", "channel=\"webhook\""));
        Assert.Equal(0, Find(waiting, "matchmaker_delivery_outbox_pending", "channel=\"email\""));

        using var spans = new CollectedActivities();
        var outcome = await delivery.SendAsync(message);
        Assert.Equal(MessageStatus.Pending, outcome.Status);
        var retried = await scraper.GetStringAsync("/metrics");
        Assert.Equal(Value(waiting, "matchmaker_delivery_outcomes_total", "channel=\"webhook\"", "outcome=\"retried\"") + 1,
            Value(retried, "matchmaker_delivery_outcomes_total", "channel=\"webhook\"", "outcome=\"retried\""));
        Assert.Equal(1, Find(retried, "matchmaker_delivery_outbox_pending", "channel=\"webhook\""));
        // One span for the attempt, without the target.
        var span = Assert.Single(spans.Named("delivery.send"), a => (string?)a.GetTagItem("matchmaker.message_id") == message);
        Assert.Equal("retried", span.GetTagItem("matchmaker.delivery.outcome"));
        Assert.Equal("webhook", span.GetTagItem("matchmaker.delivery.channel"));
        Assert.DoesNotContain(span.TagObjects, t => t.Value?.ToString()?.Contains("/hook", StringComparison.Ordinal) == true);

        // Sending it again before it is due is not an attempt: skipped.
        await delivery.SendAsync(message);
        Assert.Equal(Value(retried, "matchmaker_delivery_outcomes_total", "channel=\"webhook\"", "outcome=\"skipped\"") + 1,
            Value(await scraper.GetStringAsync("/metrics"), "matchmaker_delivery_outcomes_total", "channel=\"webhook\"", "outcome=\"skipped\""));
    }

    [Fact]
    public async Task A_worker_sends_its_spans_over_otlp_and_a_webhook_address_stays_out_of_them()
    {
        using var collector = new OtlpReceiver();
        await using var host = await JobsHost.StartAsync(_directory, runServer: false, telemetry: true, settings: new Dictionary<string, string?>
        {
            ["OpenTelemetry:OtlpEndpoint"] = $"http://127.0.0.1:{collector.Port}",
            ["OpenTelemetry:OtlpProtocol"] = "http/protobuf",
            ["OpenTelemetry:ExportIntervalMilliseconds"] = "300",
            ["OpenTelemetry:ServiceName"] = "matchmaker-worker-test",
            ["Delivery:AllowLoopbackTargets"] = "true",
        });
        var recompute = host.Services.GetRequiredService<RecomputeService>();
        var plan = await recompute.PlanFullRunAsync();
        foreach (var shard in plan.Shards) await recompute.RunShardAsync(plan.RunId, shard);
        await host.Services.GetRequiredService<Matchmaker.Engine.Feedback.IFeedbackStore>().InitializeAsync();
        var delivery = host.Services.GetRequiredService<DeliveryService>();
        // An integrator's address with a token in its path and a key in its query, on a port nobody listens to.
        const string secretPath = "hook-token-5f1e2d3c", secretKey = "key-9a8b7c6d";
        await delivery.CreateSubscriptionAsync("tongji-auto", DeliveryChannel.Webhook, $"http://127.0.0.1:{FreePort()}/{secretPath}?k={secretKey}",
            SubscriptionFilters.None, DigestLanguage.En, null);
        var message = Assert.Single(await delivery.QueueWebhooksAsync(plan.RunId));
        await delivery.SendAsync(message);

        // Spans travel in batches: each kind is looked for on its own.
        await collector.WaitForAsync("/v1/traces", "matchmaker-worker-test", "recompute.shard");
        await collector.WaitForAsync("/v1/traces", "delivery.send", "webhook");
        // The attempt's HttpClient span, with the target's origin only.
        await collector.WaitForAsync("/v1/traces", "url.full", $"/[redacted]");
        Assert.DoesNotContain(collector.Received, r => OtlpReceiver.Contains(r.Body, secretPath) || OtlpReceiver.Contains(r.Body, secretKey));
        await collector.WaitForAsync("/v1/metrics", "matchmaker.delivery.outcomes", "matchmaker.recompute.pairs", "matchmaker.lists.age");
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
