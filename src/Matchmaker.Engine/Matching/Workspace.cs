using System.Collections.Concurrent;

namespace Matchmaker.Engine.Matching;

/// <summary>Per-thread scratch for one query at a time: the dense query context and reusable buffers.</summary>
public sealed class Workspace(SnapshotStats stats)
{
    public QueryContext Context { get; } = new(stats);
    public List<int> Candidates { get; } = [];
    public List<CandidateSource> Sources { get; } = [];
    public float[] Features { get; private set; } = [];
    public float[] Scores { get; private set; } = [];

    private long[] _sortKeys = [];

    /// <summary>Stopwatch ticks of the last <see cref="Matcher.RankAll"/>: query and candidates, features, trees (sort included).</summary>
    internal (long Candidates, long Features, long Trees) LastTicks { get; set; }

    /// <summary>A reusable buffer of at least <paramref name="rows"/> sort keys.</summary>
    internal long[] SortKeys(int rows)
    {
        if (_sortKeys.Length < rows) _sortKeys = new long[Math.Max(rows, _sortKeys.Length * 2)];
        return _sortKeys;
    }

    public (float[] Features, float[] Scores) Buffers(int rows)
    {
        if (Scores.Length < rows)
        {
            Scores = new float[Math.Max(rows, Scores.Length * 2)];
            Features = new float[Scores.Length * PairFeatureExtractor.Count];
        }
        return (Features, Scores);
    }
}

/// <summary>Workspaces are large (dense arrays over every organization), so they are pooled, not made per query.</summary>
public sealed class WorkspacePool(SnapshotStats stats) : IDisposable
{
    private readonly ConcurrentBag<Workspace> _free = [];

    public SnapshotStats Stats { get; } = stats;

    public Workspace Rent() => _free.TryTake(out var w) ? w : new Workspace(Stats);

    public void Return(Workspace workspace) => _free.Add(workspace);

    public void Dispose() => _free.Clear();
}
