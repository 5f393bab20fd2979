using System.Diagnostics;
using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Matchmaker.Engine.Recommendations;

public sealed class RecomputeOptions
{
    public const string Section = "Recompute";

    /// <summary>Organizations per shard job of a full run.</summary>
    public int ShardSize { get; set; } = 5_000;

    /// <summary>Length of each stored list.</summary>
    public int TopK { get; set; } = 20;

    /// <summary>
    /// Threads computing lists at once in this process, all its runs and shard jobs together; null: one per core. The
    /// embedded mode, whose process also answers requests, leaves them a core (see StorageSetup).
    /// </summary>
    public int? MaxDegreeOfParallelism { get; set; }

    /// <summary>
    /// The largest share (0-1) of the currently served lists a full run may stop serving when it publishes (lists of
    /// organizations it did not compute). A run that would drop more is refused and fails with the reason; the previous
    /// lists stay served. Guards against a full run over an empty or wrong graph (a wrong Neo4j database) wiping every
    /// list. 1 turns the check off; it is skipped when nothing is served yet.
    /// </summary>
    public double MaxDroppedListShare { get; set; } = 0.5;
}

/// <summary>One shard of a full run: organizations whose ids fall in [From, To) (ordinal; null = open end).</summary>
public sealed record ShardPlan(int Index, string? From, string? To);

public sealed record RunPlan(string RunId, IReadOnlyList<ShardPlan> Shards);

/// <summary>
/// Where recompute time went, summed over the shards and incremental runs of one service: wall seconds of the
/// snapshot (wait or build), picking the shard's organizations, computing the lists on every core, the store write
/// (JSON, compression, inserts, commit), publishing and pruning; and the rankers' thread time by phase (ticks).
/// </summary>
public sealed record RecomputeTimings(double Snapshot, double Select, double Compute, double Write, double Publish, double Prune, RankerPhases Ranker)
{
    public static RecomputeTimings Zero { get; } = new(0, 0, 0, 0, 0, 0, default);

    public static RecomputeTimings operator +(RecomputeTimings x, RecomputeTimings y) => new(x.Snapshot + y.Snapshot, x.Select + y.Select,
        x.Compute + y.Compute, x.Write + y.Write, x.Publish + y.Publish, x.Prune + y.Prune, x.Ranker + y.Ranker);

    /// <summary>Thread seconds of one ranker phase.</summary>
    public static double Seconds(long ticks) => (double)ticks / Stopwatch.Frequency;
}

/// <summary>
/// Computes recommendation lists ahead of time. Jobs call it (thin classes in jobs/); all logic lives here so it
/// runs the same under Hangfire, in tests and in benchmarks. Shards are ranges of organization ids (not compact
/// ids) so that workers whose snapshots were built at slightly different moments still partition the same ids.
/// </summary>
public sealed class RecomputeService(
    IRecommendationStore store,
    IGraphStore graph,
    SnapshotSource snapshots,
    IPartnerRankerFactory rankers,
    IOptions<RecomputeOptions> options,
    TimeProvider time,
    ILogger<RecomputeService> logger)
{
    private readonly Lock _rankerLock = new();
    // One scheduler for every computation of this process, so that shards computed at the same time (two job workers,
    // an incremental run beside a full one) share MaxDegreeOfParallelism threads instead of each taking every core.
    private readonly TaskScheduler _computeScheduler = new ConcurrentExclusiveSchedulerPair(TaskScheduler.Default,
        options.Value.MaxDegreeOfParallelism ?? Environment.ProcessorCount).ConcurrentScheduler;
    private (GraphSnapshot Snapshot, IPartnerRanker Ranker)? _ranker;
    private (GraphSnapshot Snapshot, string[] Ids, int[] Indexes)? _idOrder;
    private RecomputeTimings _timings = RecomputeTimings.Zero;

    /// <summary>Time by phase over everything this service computed so far.</summary>
    public RecomputeTimings Timings
    {
        get { lock (_rankerLock) return _timings; }
    }

    private void Add(RecomputeTimings timings)
    {
        lock (_rankerLock) _timings += timings;
    }

    /// <summary>Plans a full run: creates it in the store with one shard per <see cref="RecomputeOptions.ShardSize"/> organizations.</summary>
    public async Task<RunPlan> PlanFullRunAsync(CancellationToken cancellationToken = default)
    {
        using var activity = MatchmakerTelemetry.Source.StartActivity("recompute.plan");
        snapshots.Invalidate(); // a full run starts from the store as it is now
        var snapshot = await snapshots.GetAsync(cancellationToken);
        var ranker = RankerFor(snapshot);
        var ids = snapshot.OrganizationIds.Order(StringComparer.Ordinal).ToArray();
        var size = Math.Max(1, options.Value.ShardSize);
        var shards = new List<ShardPlan>();
        for (var start = 0; start < Math.Max(ids.Length, 1); start += size)
        {
            var from = shards.Count == 0 ? null : ids[start];
            var to = start + size < ids.Length ? ids[start + size] : null;
            shards.Add(new ShardPlan(shards.Count, from, to));
        }
        var runId = NewRunId("full");
        await store.CreateRunAsync(new RecomputeRun(runId, RunKind.Full, RunStatus.Running, ranker.ModelVersion, time.GetUtcNow(), null,
            shards.Count, 0, 0, 0, 0, null), cancellationToken);
        activity?.SetTag("matchmaker.run_id", runId);
        activity?.SetTag("matchmaker.shards", shards.Count);
        logger.LogInformation("Planned full recompute {RunId}: {Organizations} organizations in {Shards} shards, model {Model}",
            runId, ids.Length, shards.Count, ranker.ModelVersion);
        return new RunPlan(runId, shards);
    }

    /// <summary>
    /// Computes and writes one shard, then publishes the run if it was the last. Idempotent; cancellation is
    /// honoured before the write, so a cancelled shard writes nothing and is simply run again.
    /// </summary>
    public async Task<RecomputeRun> RunShardAsync(string runId, ShardPlan shard, CancellationToken cancellationToken = default)
    {
        var run = await store.GetRunAsync(runId, cancellationToken) ?? throw new InvalidOperationException($"Run '{runId}' does not exist.");
        if (run.Status != RunStatus.Running)
        {
            logger.LogInformation("Shard {Shard} of {RunId} skipped: the run is {Status}", shard.Index, runId, run.Status);
            return run;
        }
        using var activity = MatchmakerTelemetry.Source.StartActivity("recompute.shard");
        activity?.SetTag("matchmaker.run_id", runId);
        activity?.SetTag("matchmaker.shard", shard.Index);
        activity?.SetTag("matchmaker.shards", run.ShardsTotal);
        var started = time.GetTimestamp();
        var snapshot = await snapshots.GetAsync(cancellationToken);
        var snapshotReady = time.GetElapsedTime(started);
        var organizations = OrganizationsIn(snapshot, shard);
        var selected = time.GetElapsedTime(started);
        // Lists carry the run's start time, so a shard computed twice writes identical rows.
        var (result, phases) = Compute(snapshot, runId, shard.Index, organizations, run.StartedAt, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        var computed = time.GetElapsedTime(started);
        var progress = await store.WriteShardAsync(runId, result, cancellationToken);
        var written = time.GetElapsedTime(started);
        // Only a shard that finds every shard written tries to publish, by a plain read after its own commit: of two last
        // shards committing at once, the later one's read comes after both commits and sees them (the figure returned by
        // the write, read inside its transaction, may miss the other's on PostgreSQL). Trying from every shard took the
        // store's write lock each time, and the other worker's shard write held it for seconds.
        var published = false;
        if (progress.ShardsDone >= progress.ShardsTotal || await store.GetRunAsync(runId, cancellationToken) is { } now && now.ShardsDone >= now.ShardsTotal)
        {
            // The publish transaction, not this figure, decides (a late duplicate of a shard also lands here).
            published = await store.TryPublishAsync(runId, time.GetUtcNow(), options.Value.MaxDroppedListShare, cancellationToken);
            if (!published && await store.GetRunAsync(runId, cancellationToken) is { Status: RunStatus.Failed } refused)
            {
                logger.LogError("Run {RunId} {Error}", runId, refused.Error);
            }
        }
        var publishedAt = time.GetElapsedTime(started);
        Count(RunKind.Full, result, published);
        MatchmakerTelemetry.ShardDuration.Record(publishedAt.TotalSeconds);
        activity?.SetTag("matchmaker.organizations", result.Lists.Count);
        activity?.SetTag("matchmaker.pairs", result.PairsScored);
        activity?.SetTag("matchmaker.published", published);
        var timings = new RecomputeTimings(snapshotReady.TotalSeconds, (selected - snapshotReady).TotalSeconds, (computed - selected).TotalSeconds,
            (written - computed).TotalSeconds, (publishedAt - written).TotalSeconds, 0, phases);
        Add(timings);
        logger.LogInformation(
            "Shard {Shard}/{Shards} of {RunId}: {Organizations} organizations, {Pairs} pairs in {Seconds:F2} s (snapshot {Snapshot:F2} s, select {Select:F2} s, " +
            "compute {Compute:F2} s [thread time: candidates {Candidates:F2} s, features {Features:F2} s, trees {Trees:F2} s, choose {Choose:F2} s, reasons and " +
            "items {Reasons:F2} s], " +
            "write {Write:F2} s, publish {Publish:F2} s)",
            shard.Index + 1, progress.ShardsTotal, runId, result.Lists.Count, result.PairsScored, time.GetElapsedTime(started).TotalSeconds,
            timings.Snapshot, timings.Select, timings.Compute, RecomputeTimings.Seconds(phases.Candidates), RecomputeTimings.Seconds(phases.Features),
            RecomputeTimings.Seconds(phases.Trees), RecomputeTimings.Seconds(phases.Choose), RecomputeTimings.Seconds(phases.Reasons),
            timings.Write, timings.Publish);
        if (published)
        {
            logger.LogInformation("Published run {RunId}: {Organizations} organizations, {PairsPerSecond:N0} pairs/s", runId, progress.OrganizationsScored,
                progress.PairsPerSecond);
            return (await store.GetRunAsync(runId, cancellationToken))!;
        }
        return progress;
    }

    /// <summary>
    /// Deletes the lists no reader can reach any more (those of runs replaced by a later publish, and of failed runs).
    /// Its own job after a publish, not part of the run: the new lists are served before it starts, and freeing the
    /// previous run's pages takes seconds of one core (the prune's times are in docs/benchmarks.md).
    /// </summary>
    public async Task<int> PruneAsync(CancellationToken cancellationToken = default)
    {
        var started = time.GetTimestamp();
        var deleted = await store.PruneAsync(cancellationToken);
        var seconds = time.GetElapsedTime(started).TotalSeconds;
        Add(RecomputeTimings.Zero with { Prune = seconds });
        logger.LogInformation("Pruned {Lists} lists no reader can reach in {Seconds:F2} s", deleted, seconds);
        return deleted;
    }

    public async Task FailRunAsync(string runId, string error, CancellationToken cancellationToken = default)
    {
        await store.FailRunAsync(runId, error, time.GetUtcNow(), cancellationToken);
        logger.LogWarning("Run {RunId} failed: {Error}; the previous lists stay served", runId, error);
    }

    /// <summary>
    /// Marks every run still running as failed with the reason, so that none of them is ever published, and returns
    /// them. Only for a start at which no worker can still be running them (the embedded mode, whose jobs lived in the
    /// memory of the process that stopped).
    /// </summary>
    public async Task<IReadOnlyList<RecomputeRun>> FailInterruptedRunsAsync(string reason, CancellationToken cancellationToken = default)
    {
        var interrupted = (await store.ListRunsAsync(1000, cancellationToken)).Where(r => r.Status == RunStatus.Running).ToList();
        foreach (var run in interrupted) await FailRunAsync(run.Id, reason, cancellationToken);
        return interrupted;
    }

    /// <summary>
    /// Recomputes the given organizations and their direct partners (whose lists may change with them) as one
    /// incremental run, published at once. Unknown ids (deleted organizations) are skipped.
    /// </summary>
    public async Task<RecomputeRun?> RecomputeOrganizationsAsync(ChangeSet changes, CancellationToken cancellationToken = default)
    {
        var organizationIds = changes.OrganizationIds;
        if (organizationIds.Count == 0) return null;
        using var activity = MatchmakerTelemetry.Source.StartActivity("recompute.incremental");
        activity?.SetTag("matchmaker.changed", organizationIds.Count);
        activity?.SetTag("matchmaker.structural", changes.Structural);
        var started = time.GetTimestamp();
        GraphSnapshot snapshot;
        var changed = new List<Organization>();
        foreach (var id in organizationIds)
        {
            if (await graph.GetOrganizationAsync(id, cancellationToken) is { } organization) changed.Add(organization);
        }
        if (changes.Structural || changed.Count < organizationIds.Count)
        {
            snapshots.Invalidate(); // projects, ties or deletions: rebuild from the store
            snapshot = await snapshots.GetAsync(cancellationToken);
        }
        else
        {
            snapshot = await snapshots.PatchAsync(changed, cancellationToken);
        }
        var affected = new HashSet<int>();
        foreach (var id in organizationIds)
        {
            var o = snapshot.IndexOf(id);
            if (o < 0) continue;
            affected.Add(o);
            foreach (var partner in snapshot.Partners[o]) affected.Add(partner);
        }
        if (affected.Count == 0) return null;
        var patched = time.GetElapsedTime(started);
        var ranker = RankerFor(snapshot);
        var rankerReady = time.GetElapsedTime(started);
        var runId = NewRunId("inc");
        var startedAt = time.GetUtcNow();
        await store.CreateRunAsync(new RecomputeRun(runId, RunKind.Incremental, RunStatus.Running, ranker.ModelVersion, startedAt, null,
            1, 0, 0, 0, 0, null), cancellationToken);
        var (result, phases) = Compute(snapshot, runId, 0, affected.Order().ToArray(), startedAt, cancellationToken);
        var computed = time.GetElapsedTime(started);
        await store.WriteShardAsync(runId, result, cancellationToken);
        var written = time.GetElapsedTime(started);
        var published = await store.TryPublishAsync(runId, time.GetUtcNow(), options.Value.MaxDroppedListShare, cancellationToken);
        Count(RunKind.Incremental, result, published);
        activity?.SetTag("matchmaker.run_id", runId);
        activity?.SetTag("matchmaker.organizations", result.Lists.Count);
        activity?.SetTag("matchmaker.pairs", result.PairsScored);
        Add(new RecomputeTimings(patched.TotalSeconds, (rankerReady - patched).TotalSeconds, (computed - rankerReady).TotalSeconds,
            (written - computed).TotalSeconds, (time.GetElapsedTime(started) - written).TotalSeconds, 0, phases));
        logger.LogInformation(
            "Incremental run {RunId}: {Changed} changed, {Organizations} lists recomputed in {Milliseconds:F0} ms (snapshot {Snapshot:F0} ms, ranker " +
            "{Ranker:F0} ms, lists {Lists:F0} ms, write and publish {Write:F0} ms)",
            runId, organizationIds.Count, result.Lists.Count, time.GetElapsedTime(started).TotalMilliseconds, patched.TotalMilliseconds,
            (rankerReady - patched).TotalMilliseconds, (computed - rankerReady).TotalMilliseconds, (time.GetElapsedTime(started) - computed).TotalMilliseconds);
        return await store.GetRunAsync(runId, cancellationToken);
    }

    private static void Count(RunKind kind, ShardResult result, bool published)
    {
        var tag = new KeyValuePair<string, object?>(MatchmakerTelemetry.Tags.Kind, kind == RunKind.Full ? "full" : "incremental");
        MatchmakerTelemetry.RecomputedOrganizations.Add(result.Lists.Count, tag);
        MatchmakerTelemetry.RecomputedPairs.Add(result.PairsScored, tag);
        if (published) MatchmakerTelemetry.PublishedRuns.Add(1, tag);
    }

    /// <summary>Scores the organizations on the cores the options allow; the lists come back in compact-id order.</summary>
    private (ShardResult Result, RankerPhases Phases) Compute(GraphSnapshot snapshot, string runId, int shard, int[] organizations, DateTimeOffset computedAt,
        CancellationToken cancellationToken)
    {
        var ranker = RankerFor(snapshot);
        var topK = options.Value.TopK;
        var lists = new RecommendationList[organizations.Length];
        long pairs = 0;
        RankerPhases phases = default;
        var phasesLock = new Lock();
        var clock = Stopwatch.StartNew();
        // One worker per allowed core: the pool otherwise adds threads to a loop that never blocks (ten or more were seen
        // on two cores), and each new thread takes a workspace of its own (dense arrays over every organization, about
        // 7 MB at 100k). The shared scheduler bounds shards computed at the same time together.
        var parallel = new ParallelOptions
        {
            CancellationToken = cancellationToken,
            TaskScheduler = _computeScheduler,
            MaxDegreeOfParallelism = options.Value.MaxDegreeOfParallelism ?? Environment.ProcessorCount,
        };
        Parallel.For(0, organizations.Length, parallel, () => default(RankerPhases), (i, _, local) =>
        {
            var ranked = ranker.Recommend(organizations[i], topK);
            Interlocked.Add(ref pairs, ranked.PairsScored);
            // Encoded at once: until the shard's write the list is one array, not hundreds of objects (see EncodedItems).
            lists[i] = new RecommendationList(snapshot.OrganizationIds[organizations[i]], runId, ranker.ModelVersion, computedAt, EncodedItems.Of(ranked.Items));
            return local + ranked.Phases;
        }, local =>
        {
            lock (phasesLock) phases += local;
        });
        return (new ShardResult(shard, lists, pairs, clock.Elapsed.TotalSeconds), phases);
    }

    /// <summary>
    /// Scores and explains one pair on the current snapshot with the current ranker, on demand. Null when either
    /// organization is not in the graph.
    /// </summary>
    public async Task<(RecommendedPartner Pair, string ModelVersion)?> ExplainPairAsync(string organizationId, string candidateId, CancellationToken cancellationToken = default)
    {
        var snapshot = await snapshots.GetAsync(cancellationToken);
        int organization = snapshot.IndexOf(organizationId), candidate = snapshot.IndexOf(candidateId);
        if (organization < 0 || candidate < 0) return null;
        var ranker = RankerFor(snapshot);
        return (ranker.ExplainPair(organization, candidate), ranker.ModelVersion);
    }

    /// <summary>
    /// Partners for an on-demand query with text, on the current snapshot with the current ranker; null when the
    /// organization is not in the graph. <paramref name="accept"/> sees each candidate's compact id in that snapshot.
    /// </summary>
    public async Task<(RankedPartners Ranked, string ModelVersion, GraphSnapshot Snapshot)?> QueryAsync(
        string organizationId, string? text, IReadOnlyList<string> topics, int topK, Func<GraphSnapshot, int, bool>? accept,
        CancellationToken cancellationToken = default)
    {
        var snapshot = await snapshots.GetAsync(cancellationToken);
        var organization = snapshot.IndexOf(organizationId);
        if (organization < 0) return null;
        var ranker = RankerFor(snapshot);
        var query = new PartnerQuery(organization, text, topics, topK) { Accept = accept is null ? null : c => accept(snapshot, c) };
        return (ranker.Query(query), ranker.ModelVersion, snapshot);
    }

    /// <summary>
    /// The compact ids of the organizations whose ids fall in the shard's range, ascending. The snapshot's ids in ordinal
    /// order are sorted once per snapshot and the range found by binary search: a pass over every id per shard costs
    /// shards × organizations, which at 1M organizations was a visible part of a run (docs/benchmarks.md).
    /// </summary>
    private int[] OrganizationsIn(GraphSnapshot snapshot, ShardPlan shard)
    {
        (GraphSnapshot Snapshot, string[] Ids, int[] Indexes)? known;
        lock (_rankerLock) known = _idOrder;
        if (known is not { } order || !ReferenceEquals(order.Snapshot, snapshot))
        {
            var ids = snapshot.OrganizationIds.ToArray();
            var indexes = Enumerable.Range(0, ids.Length).ToArray();
            Array.Sort(ids, indexes, StringComparer.Ordinal);
            order = (snapshot, ids, indexes);
            lock (_rankerLock) _idOrder = order;
        }
        var from = shard.From is null ? 0 : LowerBound(order.Ids, shard.From);
        var to = shard.To is null ? order.Ids.Length : LowerBound(order.Ids, shard.To);
        var organizations = order.Indexes[from..Math.Max(from, to)];
        Array.Sort(organizations);
        return organizations;

        // The first position whose id is at least the given one.
        static int LowerBound(string[] ids, string id)
        {
            int lo = 0, hi = ids.Length;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if (string.CompareOrdinal(ids[mid], id) < 0) lo = mid + 1;
                else hi = mid;
            }
            return lo;
        }
    }

    private IPartnerRanker RankerFor(GraphSnapshot snapshot)
    {
        lock (_rankerLock)
        {
            if (_ranker is { } cached && ReferenceEquals(cached.Snapshot, snapshot)) return cached.Ranker;
            var ranker = rankers.Create(snapshot);
            _ranker = (snapshot, ranker);
            return ranker;
        }
    }

    private string NewRunId(string kind) => $"{kind}-{time.GetUtcNow():yyyyMMddHHmmss}-{Guid.NewGuid().ToString("N")[..8]}";
}
