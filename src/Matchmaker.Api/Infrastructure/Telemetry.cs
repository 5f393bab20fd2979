using Matchmaker.Api.Access;
using Matchmaker.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Matchmaker.Api.Infrastructure;

/// <summary>
/// OpenTelemetry for the API: what every host has (<see cref="TelemetrySetup.AddMatchmakerTelemetry"/>: the service's
/// metrics and spans, outgoing calls, the stores' figures, the optional metrics port, OTLP) plus request rate and
/// latency and the rate limiter's own figures (ASP.NET Core), as Prometheus text at /metrics (admin scope).
/// docs/monitoring.md lists every metric and span.
/// </summary>
internal static class Telemetry
{
    public static WebApplicationBuilder AddMatchmakerTelemetry(this WebApplicationBuilder builder)
    {
        var telemetry = TelemetrySetup.AddMatchmakerTelemetry(builder, "matchmaker-api")
            .WithMetrics(metrics => metrics.AddAspNetCoreInstrumentation()
                // Each scrape sees the figures of that moment (the exporter would otherwise serve a cached page).
                .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
        if (TelemetrySetup.OtlpConfigured(builder.Configuration)) telemetry.WithTracing(tracing => tracing.AddAspNetCoreInstrumentation());
        return builder;
    }

    /// <summary>Prometheus text format at /metrics, for admin keys (figures about every organization's lists).</summary>
    public static IEndpointConventionBuilder MapMetrics(this IEndpointRouteBuilder app) =>
        app.MapPrometheusScrapingEndpoint("/metrics").RequireAuthorization(AccessPolicies.Admin);
}
