using System.Diagnostics;
using Matchmaker.Engine.Delivery;
using Matchmaker.Engine.Matching;
using Matchmaker.Engine.Recommendations;
using Matchmaker.Engine.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Matchmaker.Hosting;

/// <summary>The <c>OpenTelemetry</c> section, read by the API and the worker alike.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "OpenTelemetry";

    /// <summary>Where OTLP goes; unset, the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> variable is used when set.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary><c>grpc</c> (the default, port 4317) or <c>http/protobuf</c> (port 4318; the signal paths /v1/traces and /v1/metrics are added).</summary>
    public string? OtlpProtocol { get; set; }

    /// <summary>How often metrics are pushed over OTLP and spans are sent in batches; the exporter's defaults (60 s, 5 s) unless set.</summary>
    public int? ExportIntervalMilliseconds { get; set; }

    /// <summary>A port of its own serving Prometheus text at /metrics without a key; off unless set.</summary>
    public int? MetricsPort { get; set; }

    /// <summary>The address that port listens on: loopback unless set; <c>*</c> for every interface.</summary>
    public string MetricsAddress { get; set; } = "127.0.0.1";

    public string? ServiceName { get; set; }
}

public static class TelemetrySetup
{
    /// <summary>
    /// OpenTelemetry for a host: the service's meter and activity source, outgoing HTTP calls (webhooks, robots,
    /// Neo4j's Query API), the figures read from the stores (<see cref="ServiceGauges"/>), Prometheus text on
    /// <see cref="TelemetryOptions.MetricsPort"/> when set, and OTLP when an endpoint is configured. The API adds its
    /// own instrumentation and /metrics route to the builder this returns.
    /// </summary>
    public static OpenTelemetryBuilder AddMatchmakerTelemetry(this IHostApplicationBuilder builder, string defaultServiceName = "matchmaker-worker")
    {
        var options = builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        var otlp = OtlpConfigured(builder.Configuration);
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(options.ServiceName ?? defaultServiceName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(MatchmakerTelemetry.Name).AddHttpClientInstrumentation()
                    .AddInstrumentation(sp => new ServiceGauges(sp.GetRequiredService<IRecommendationStore>(), sp.GetService<IDeliveryStore>(),
                        sp.GetService<ModelRegistry>(), sp.GetService<TimeProvider>() ?? TimeProvider.System, sp.GetService<ILogger<ServiceGauges>>()));
                if (options.MetricsPort is { } port)
                {
                    metrics.AddPrometheusHttpListener(o =>
                    {
                        o.Host = options.MetricsAddress is "*" or "+" or "0.0.0.0" or "" ? "+" : options.MetricsAddress;
                        o.Port = port;
                        o.ScrapeEndpointPath = "/metrics";
                        // Each scrape sees the figures of that moment (the exporter would otherwise serve a cached page).
                        o.ScrapeResponseCacheDurationMilliseconds = 0;
                    });
                }
                if (otlp) metrics.AddOtlpExporter((exporter, reader) =>
                {
                    Configure(exporter, options, "v1/metrics");
                    if (options.ExportIntervalMilliseconds is { } interval) reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = interval;
                });
            });
        // Spans have no local reader: they are collected only when there is somewhere to send them.
        if (otlp)
        {
            telemetry.WithTracing(tracing => tracing.AddSource(MatchmakerTelemetry.Name)
                .AddHttpClientInstrumentation(o => o.EnrichWithHttpRequestMessage = RedactTarget)
                .AddOtlpExporter(exporter =>
                {
                    Configure(exporter, options, "v1/traces");
                    if (options.ExportIntervalMilliseconds is { } interval) exporter.BatchExportProcessorOptions.ScheduledDelayMilliseconds = interval;
                }));
        }
        return telemetry;
    }

    /// <summary>Whether OTLP export is on: <c>OpenTelemetry:OtlpEndpoint</c> or <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.</summary>
    public static bool OtlpConfigured(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[$"{TelemetryOptions.Section}:{nameof(TelemetryOptions.OtlpEndpoint)}"])
        || !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);

    private static readonly HttpRequestOptionsKey<string> Neo4jStatement = new("Matchmaker.Neo4j.Statement");

    /// <summary>
    /// Webhook and robot addresses are the integrators' secrets (a token in the path, a key in the query): their spans
    /// keep the origin only. Neo4j's Query API paths name the database and a transaction id, and stay.
    /// </summary>
    private static void RedactTarget(Activity activity, HttpRequestMessage request)
    {
        if (request.RequestUri is not { } uri || request.Options.TryGetValue(Neo4jStatement, out _)) return;
        activity.SetTag("url.full", $"{uri.GetLeftPart(UriPartial.Authority)}/[redacted]");
    }

    private static void Configure(OtlpExporterOptions exporter, TelemetryOptions options, string signalPath)
    {
        var http = string.Equals(options.OtlpProtocol, "http/protobuf", StringComparison.OrdinalIgnoreCase);
        if (options.OtlpProtocol is not null) exporter.Protocol = http ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        if (string.IsNullOrWhiteSpace(options.OtlpEndpoint)) return; // the exporter reads the OTEL_EXPORTER_OTLP_* variables itself
        // An endpoint set in code is used as given; over HTTP each signal has its own path under it.
        exporter.Endpoint = http ? new Uri(options.OtlpEndpoint.TrimEnd('/') + "/" + signalPath) : new Uri(options.OtlpEndpoint);
    }
}
