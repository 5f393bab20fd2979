using System.Globalization;
using System.Net;
using Matchmaker.Tests.Shared;
using static Matchmaker.Tests.Shared.PrometheusText;

namespace Matchmaker.Api.Tests;

/// <summary>The service with three requests per key per minute and Prometheus text on a port of its own (loopback, no key).</summary>
public sealed class MetricsPortApiFactory : MatchmakerApiFactory
{
    public int MetricsPort { get; } = DeliveryFixture.FreePort();

    protected override int PermitsPerMinute => 3;

    protected override void AddSettings(IDictionary<string, string?> settings) =>
        settings["OpenTelemetry:MetricsPort"] = MetricsPort.ToString(CultureInfo.InvariantCulture);
}

public sealed class MetricsPortTests(MetricsPortApiFactory factory) : IClassFixture<MetricsPortApiFactory>
{
    [Fact]
    public async Task The_metrics_port_serves_without_a_key_and_counts_rate_limit_refusals_by_limiter()
    {
        using var admin = factory.CreateAdminClient(); // starts the service
        using var scraper = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{factory.MetricsPort}") };
        var before = await scraper.GetStringAsync("/metrics");
        Assert.Contains("matchmaker_delivery_outbox_pending", before);

        // A key past its three requests, and a token no key has (counted per address).
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < RateLimitedApiFactory.Limit + 1; i++) statuses.Add((await admin.GetAsync("/api/v1/organizations?q=auto")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
        using var stranger = factory.CreateClientWithKey("mm_0123456789abcdef_not-a-real-secret");
        for (var i = 0; i < RateLimitedApiFactory.Limit + 1; i++) statuses.Add((await stranger.GetAsync("/api/v1/organizations?q=auto")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);

        var after = await scraper.GetStringAsync("/metrics");
        Assert.Equal(Value(before, "matchmaker_rate_limit_refusals_total", "limiter=\"key\"") + 1, Value(after, "matchmaker_rate_limit_refusals_total", "limiter=\"key\""));
        Assert.Equal(Value(before, "matchmaker_rate_limit_refusals_total", "limiter=\"invalid_key\"") + 1,
            Value(after, "matchmaker_rate_limit_refusals_total", "limiter=\"invalid_key\""));
        // The main port's /metrics still wants an admin key.
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateClient().GetAsync("/metrics")).StatusCode);
    }
}

/// <summary>The service exporting over OTLP/HTTP to <see cref="Receiver"/> every half second.</summary>
public sealed class OtlpApiFactory : MatchmakerApiFactory
{
    public OtlpReceiver Receiver { get; } = new();

    protected override void AddSettings(IDictionary<string, string?> settings)
    {
        settings["OpenTelemetry:OtlpEndpoint"] = $"http://127.0.0.1:{Receiver.Port}";
        settings["OpenTelemetry:OtlpProtocol"] = "http/protobuf";
        settings["OpenTelemetry:ExportIntervalMilliseconds"] = "500";
        settings["OpenTelemetry:ServiceName"] = "matchmaker-otlp-test";
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Receiver.Dispose();
    }
}

public sealed class OtlpExportTests(OtlpApiFactory factory) : IClassFixture<OtlpApiFactory>
{
    [Fact]
    public async Task Spans_and_metrics_of_the_first_recompute_reach_an_otlp_http_collector()
    {
        // Starting the server starts the first recompute, its spans and its figures.
        using var admin = factory.CreateAdminClient();
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/health/live")).StatusCode);

        var traces = await factory.Receiver.WaitForAsync("/v1/traces", "recompute.shard", "matchmaker.run_id", "matchmaker-otlp-test");
        Assert.False(OtlpReceiver.Contains(traces, MatchmakerApiFactory.AdminKey));
        await factory.Receiver.WaitForAsync("/v1/metrics", "matchmaker.recompute.organizations", "matchmaker.lists.age", "matchmaker.delivery.outbox.pending");
        // Requests are traced too (ASP.NET Core), by route.
        await factory.Receiver.WaitForAsync("/v1/traces", "/health/live");
    }
}
