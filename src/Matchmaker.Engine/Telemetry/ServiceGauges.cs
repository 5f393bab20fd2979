using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Matchmaker.Engine.Delivery;
using Matchmaker.Engine.Matching;
using Matchmaker.Engine.Recommendations;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Matchmaker.Engine.Telemetry;

/// <summary>
/// Figures read from the stores when metrics are collected (a scrape, an OTLP export): how old the served lists are,
/// which model ranks and how it validated, the latest full run's progress, and the backlogs of the outbox and of the
/// incremental recompute. One instance per host, on a meter of its own (disposed with the host).
/// </summary>
/// <remarks>
/// Observable instruments are read synchronously, so one collection runs the store queries once, with a time limit:
/// every gauge takes its figure from the same reading, and a gauge asking again (the next collection) gets a new one. A store that does not answer leaves its figures out of
/// that collection instead of failing or stalling the scrape. Every gauge observes the same label sets each time
/// (all channels, both run kinds): a series that stopped being observed would keep its last value.
/// </remarks>
public sealed class ServiceGauges : IDisposable
{
    private static readonly TimeSpan ReadingLifetime = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(5);
    private const int RunsExamined = 500;

    private readonly IRecommendationStore _recommendations;
    private readonly IDeliveryStore? _delivery;
    private readonly ModelRegistry? _models;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Meter _meter = new(MatchmakerTelemetry.Name);
    private readonly Lock _lock = new();
    private readonly ConcurrentDictionary<int, double?> _ndcg = new();
    private Reading? _reading;

    public ServiceGauges(IRecommendationStore recommendations, IDeliveryStore? delivery, ModelRegistry? models, TimeProvider time, ILogger<ServiceGauges>? logger = null)
    {
        _recommendations = recommendations;
        _delivery = delivery;
        _models = models;
        _time = time;
        _logger = logger ?? (ILogger)NullLogger.Instance;

        _meter.CreateObservableGauge("matchmaker.lists.age", () => Read(0).ListAges, "s",
            "Seconds since the latest published run of each kind (full, incremental) was published: how old the served lists are.");
        _meter.CreateObservableGauge("matchmaker.model.version", () => Read(1).ModelVersion, "{version}",
            "The version of the ranking model in use; 0 while no model is promoted (the heuristic ranker serves).");
        _meter.CreateObservableGauge("matchmaker.model.validation.ndcg10", () => Read(2).Ndcg10, "1",
            "NDCG@10 of the model in use on its validation year, as measured when it was trained.");
        _meter.CreateObservableGauge("matchmaker.recompute.run.shards_done", () => Read(3).ShardsDone, "{shard}",
            "Shards written of the latest full run (running or finished).");
        _meter.CreateObservableGauge("matchmaker.recompute.run.shards_total", () => Read(4).ShardsTotal, "{shard}",
            "Shards planned for the latest full run.");
        _meter.CreateObservableGauge("matchmaker.recompute.run.organizations", () => Read(5).RunOrganizations, "{organization}",
            "Organizations whose lists the latest full run has computed so far.");
        _meter.CreateObservableGauge("matchmaker.recompute.run.pairs_per_second", () => Read(6).PairsPerSecond, "{pair}/s",
            "Pairs scored per second of shard compute time in the latest full run (summed over workers).");
        _meter.CreateObservableGauge("matchmaker.recompute.changes.pending", () => Read(7).PendingChanges, "{organization}",
            "Organizations changed and not yet taken by an incremental recompute (writes in progress included).");
        _meter.CreateObservableGauge("matchmaker.delivery.outbox.pending", () => Read(8).PendingMessages, "{message}",
            "Outbox messages waiting for a first attempt or a retry, by channel (paused subscriptions' included).");
    }

    private sealed record Reading(
        DateTimeOffset At,
        HashSet<int> Taken,
        Measurement<double>[] ListAges,
        Measurement<long>[] ModelVersion,
        Measurement<double>[] Ndcg10,
        Measurement<long>[] ShardsDone,
        Measurement<long>[] ShardsTotal,
        Measurement<long>[] RunOrganizations,
        Measurement<double>[] PairsPerSecond,
        Measurement<long>[] PendingChanges,
        Measurement<long>[] PendingMessages);

    /// <summary>The reading of this collection for the given gauge: the current one, unless this gauge took from it already.</summary>
    private Reading Read(int gauge)
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            if (_reading is not { } current || now - current.At >= ReadingLifetime || current.Taken.Contains(gauge)) current = Refresh(now);
            current.Taken.Add(gauge);
            return current;
        }
    }

    private Reading Refresh(DateTimeOffset now)
    {
        using var timeout = new CancellationTokenSource(QueryTimeout);
        var reading = new Reading(now, [], [], [], [], [], [], [], [], [], []);
        // Each figure on its own: one store down does not hide the others.
        reading = Try(reading, r => ReadRuns(r, now, timeout.Token));
        reading = Try(reading, ReadModel);
        reading = Try(reading, r => r with { PendingChanges = [new(_recommendations.CountChangedAsync(timeout.Token).GetAwaiter().GetResult())] });
        if (_delivery is { } delivery) reading = Try(reading, r => r with { PendingMessages = PendingByChannel(delivery, timeout.Token) });
        return _reading = reading;
    }

    private Reading Try(Reading reading, Func<Reading, Reading> read)
    {
        try
        {
            return read(reading);
        }
        catch (Exception e)
        {
            _logger.LogDebug(e, "A figure for the metrics could not be read; it is left out of this collection");
            return reading;
        }
    }

    private Reading ReadRuns(Reading reading, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var runs = _recommendations.ListRunsAsync(RunsExamined, cancellationToken).GetAwaiter().GetResult();
        var ages = new List<Measurement<double>>();
        foreach (var (kind, code) in new[] { (RunKind.Full, "full"), (RunKind.Incremental, "incremental") })
        {
            if (runs.FirstOrDefault(r => r.Kind == kind && r.Status == RunStatus.Published && r.FinishedAt is not null) is { } published)
            {
                ages.Add(new((now - published.FinishedAt!.Value).TotalSeconds, new KeyValuePair<string, object?>(MatchmakerTelemetry.Tags.Kind, code)));
            }
        }
        reading = reading with { ListAges = [.. ages] };
        if (runs.FirstOrDefault(r => r.Kind == RunKind.Full) is not { } full) return reading;
        return reading with
        {
            ShardsDone = [new(full.ShardsDone)],
            ShardsTotal = [new(full.ShardsTotal)],
            RunOrganizations = [new(full.OrganizationsScored)],
            PairsPerSecond = [new(full.PairsPerSecond)],
        };
    }

    private Reading ReadModel(Reading reading)
    {
        if (_models is null) return reading;
        if (_models.CurrentVersion is not { } version) return reading with { ModelVersion = [new(0)] };
        // A stored model never changes: its card is read once per version.
        var ndcg = _ndcg.GetOrAdd(version, v => RankingModel.ReadCard(_models.PathOf(v)).Validation?.Ndcg10);
        return reading with { ModelVersion = [new(version)], Ndcg10 = ndcg is { } n ? [new(n)] : [] };
    }

    private static Measurement<long>[] PendingByChannel(IDeliveryStore delivery, CancellationToken cancellationToken)
    {
        var counts = delivery.CountPendingAsync(cancellationToken).GetAwaiter().GetResult();
        return [.. Enum.GetValues<DeliveryChannel>().Select(c => new Measurement<long>(counts.GetValueOrDefault(c),
            new KeyValuePair<string, object?>(MatchmakerTelemetry.Tags.Channel, DeliveryCodes.ToCode(c))))];
    }

    public void Dispose() => _meter.Dispose();
}
