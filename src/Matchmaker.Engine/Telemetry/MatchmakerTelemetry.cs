using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Matchmaker.Engine.Telemetry;

/// <summary>
/// The service's own traces and metrics (System.Diagnostics: no exporter here). The hosts export them with
/// OpenTelemetry (Prometheus text at /metrics, OTLP when configured); elsewhere they cost nothing unless listened to.
/// Every metric and span is listed in docs/monitoring.md.
/// </summary>
public static class MatchmakerTelemetry
{
    public const string Name = "Matchmaker";

    public static readonly ActivitySource Source = new(Name);
    public static readonly Meter Meter = new(Name);

    public static readonly Counter<long> RecomputedOrganizations = Meter.CreateCounter<long>(
        "matchmaker.recompute.organizations", "{organization}", "Organizations whose lists a recompute (shard of a full run, or incremental run) computed and wrote.");

    public static readonly Counter<long> RecomputedPairs = Meter.CreateCounter<long>(
        "matchmaker.recompute.pairs", "{pair}", "Candidate pairs scored by recomputes.");

    public static readonly Counter<long> PublishedRuns = Meter.CreateCounter<long>(
        "matchmaker.recompute.runs.published", "{run}", "Recompute runs published (readers switched to their lists).");

    public static readonly Histogram<double> ShardDuration = Meter.CreateHistogram<double>(
        "matchmaker.recompute.shard.duration", "s", "Time to compute, write and publish one recompute shard.");

    public static readonly Counter<long> DeliveryOutcomes = Meter.CreateCounter<long>(
        "matchmaker.delivery.outcomes", "{message}",
        "What each turn of an outbox message ended in: sent, retried (failed, another attempt scheduled), failed (given up) or skipped (not attempted: " +
        "cancelled, paused, not due, held elsewhere).");

    public static readonly Counter<long> RateLimitRefusals = Meter.CreateCounter<long>(
        "matchmaker.rate_limit.refusals", "{request}", "Requests refused with 429, by the limiter that refused them.");

    public static readonly Counter<long> Trainings = Meter.CreateCounter<long>(
        "matchmaker.model.trainings", "{training}", "Model retrainings by result: promoted, kept_aside (not better) or skipped (too little data).");

    /// <summary>Tag names, so that every call site spells them the same way.</summary>
    public static class Tags
    {
        public const string Kind = "kind";
        public const string Channel = "channel";
        public const string Outcome = "outcome";
        public const string Limiter = "limiter";
        public const string Result = "result";
    }

    /// <summary>Counts one delivery outcome (sent, retried, failed, skipped) on a channel (email, webhook, wecom, dingtalk; "unknown" when the subscription is gone).</summary>
    public static void CountDelivery(string channel, string outcome) =>
        DeliveryOutcomes.Add(1, new KeyValuePair<string, object?>(Tags.Channel, channel), new KeyValuePair<string, object?>(Tags.Outcome, outcome));

    public static void CountRefusal(string limiter) => RateLimitRefusals.Add(1, new KeyValuePair<string, object?>(Tags.Limiter, limiter));
}
