using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Matching;
using Matchmaker.Engine.Recommendations;
using Microsoft.Extensions.Logging;

namespace Matchmaker.Engine.Planning;

/// <summary>
/// The planner for the current snapshot (<see cref="SnapshotSource"/>) and the current model
/// (<see cref="ModelRegistry"/>), built once per pair and shared by every request: a plan never builds a
/// snapshot or loads a model. A new snapshot or a promoted model makes the next request build a new planner;
/// requests already running keep the one they got. The planner reads the challenge through the snapshot's text
/// matcher from <see cref="TextMatchers"/>, the one the rankers of the same snapshot share.
/// </summary>
public sealed class PlannerSource(SnapshotSource snapshots, ModelRegistry registry, TextMatchers texts, ILogger<PlannerSource> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile Built? _current;
    private (int Version, RankingModel Model)? _model;

    private sealed record Built(GraphSnapshot Snapshot, int? ModelVersion, ConsortiumPlanner Planner);

    public async Task<ConsortiumPlanner> GetAsync(CancellationToken cancellationToken = default)
    {
        var snapshot = await snapshots.GetAsync(cancellationToken);
        var version = registry.CurrentVersion;
        if (_current is { } current && ReferenceEquals(current.Snapshot, snapshot) && current.ModelVersion == version) return current.Planner;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_current is { } built && ReferenceEquals(built.Snapshot, snapshot) && built.ModelVersion == version) return built.Planner;
            RankingModel? model = null;
            if (version is { } v)
            {
                if (_model is not { } cached || cached.Version != v) _model = (v, RankingModel.Load(registry.PathOf(v)));
                model = _model.Value.Model;
            }
            var started = TimeProvider.System.GetTimestamp();
            // Statistics, the term index and (when no ranker built it yet) the text index take a while on a large
            // graph: off the request thread's synchronous path.
            var planner = await Task.Run(() => new ConsortiumPlanner(snapshot, model, text: texts.For(snapshot)), cancellationToken);
            logger.LogInformation("Consortium planner ready for {Organizations} organizations with {Model} in {Seconds:F2} s",
                snapshot.OrganizationCount, planner.ModelVersion, TimeProvider.System.GetElapsedTime(started).TotalSeconds);
            _current = new Built(snapshot, version, planner);
            return planner;
        }
        finally
        {
            _gate.Release();
        }
    }
}
