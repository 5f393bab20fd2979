using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Matchmaker.Engine.Telemetry;

/// <summary>
/// The service's own traces and metrics (System.Diagnostics: no exporter here). The API host exports them with
/// OpenTelemetry (Prometheus text at /metrics, OTLP when configured); elsewhere they cost nothing unless listened to.
/// </summary>
public static class MatchmakerTelemetry
{
    public const string Name = "Matchmaker";

    public static readonly ActivitySource Source = new(Name);
    public static readonly Meter Meter = new(Name);

    public static readonly Counter<long> RecomputedOrganizations = Meter.CreateCounter<long>(
        "matchmaker.recompute.organizations", "{organization}", "Organizations whose lists a recompute shard computed and wrote.");

    public static readonly Counter<long> RecomputedPairs = Meter.CreateCounter<long>(
        "matchmaker.recompute.pairs", "{pair}", "Candidate pairs scored by recompute shards.");

    public static readonly Counter<long> PublishedRuns = Meter.CreateCounter<long>(
        "matchmaker.recompute.runs.published", "{run}", "Recompute runs published (readers switched to their lists).");

    public static readonly Histogram<double> ShardDuration = Meter.CreateHistogram<double>(
        "matchmaker.recompute.shard.duration", "s", "Time to compute, write and publish one recompute shard.");
}
