using Matchmaker.Api.Access;
using Matchmaker.Engine.Telemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Matchmaker.Api.Infrastructure;

/// <summary>
/// OpenTelemetry: request rate and latency (ASP.NET Core), outgoing calls (HttpClient: webhooks, robots, Neo4j's
/// Query API) and the service's own recompute metrics, as Prometheus text at /metrics (admin scope); traces and
/// metrics also go over OTLP when <c>OpenTelemetry:OtlpEndpoint</c> is set.
/// </summary>
internal static class Telemetry
{
    public static WebApplicationBuilder AddMatchmakerTelemetry(this WebApplicationBuilder builder)
    {
        var otlp = builder.Configuration["OpenTelemetry:OtlpEndpoint"];
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(builder.Configuration["OpenTelemetry:ServiceName"] ?? "matchmaker-api"))
            .WithMetrics(metrics =>
            {
                metrics.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddMeter(MatchmakerTelemetry.Name)
                    // Each scrape sees the figures of that moment (the exporter would otherwise serve a cached page).
                    .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
                if (!string.IsNullOrWhiteSpace(otlp)) metrics.AddOtlpExporter(o => o.Endpoint = new Uri(otlp));
            });
        // Traces have no local reader: they are collected only when there is somewhere to send them.
        if (!string.IsNullOrWhiteSpace(otlp))
        {
            telemetry.WithTracing(tracing => tracing.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation()
                .AddSource(MatchmakerTelemetry.Name).AddOtlpExporter(o => o.Endpoint = new Uri(otlp)));
        }
        return builder;
    }

    /// <summary>Prometheus text format at /metrics, for admin keys (figures about every organization's lists).</summary>
    public static IEndpointConventionBuilder MapMetrics(this IEndpointRouteBuilder app) =>
        app.MapPrometheusScrapingEndpoint("/metrics").RequireAuthorization(AccessPolicies.Admin);
}
