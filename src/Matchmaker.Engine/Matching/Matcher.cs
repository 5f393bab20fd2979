namespace Matchmaker.Engine.Matching;

/// <summary>One scored candidate with the features it was scored on.</summary>
public sealed record ScoredCandidate(int Organization, float Score, CandidateSource Sources, float[] Features)
{
    /// <summary>Set when reciprocity was applied: the candidate's view of the query organization.</summary>
    public float? ReverseScore { get; init; }
}

/// <summary>
/// Ranks candidates for a query on one snapshot: candidate generation, batch pair features, compiled-tree scores,
/// optionally reciprocity. Thread-safe: each call rents its own workspace.
/// </summary>
public sealed class Matcher(SnapshotStats stats, RankingModel model, CandidateGenerator? candidates = null, PairFeatureExtractor? features = null)
{
    private readonly WorkspacePool _pool = new(stats);

    public SnapshotStats Stats { get; } = stats;
    public RankingModel Model { get; } = model;
    public CandidateGenerator Candidates { get; } = candidates ?? new CandidateGenerator();
    public PairFeatureExtractor Features { get; } = features ?? new PairFeatureExtractor();

    /// <summary>
    /// Every candidate, best first. With <paramref name="reciprocalTop"/> &gt; 0 the best that many are re-ranked by
    /// the harmonic mean of both directions' scores (mapped through a logistic so both are in (0, 1)).
    /// </summary>
    public IReadOnlyList<ScoredCandidate> Rank(MatchQuery query, int reciprocalTop = 0)
    {
        var w = _pool.Rent();
        try
        {
            return Rank(query, w, reciprocalTop);
        }
        finally
        {
            _pool.Return(w);
        }
    }

    internal IReadOnlyList<ScoredCandidate> Rank(MatchQuery query, Workspace w, int reciprocalTop)
    {
        w.Context.Prepare(query, Candidates.Options.HubCap);
        Candidates.Generate(w.Context, w.Candidates, w.Sources);
        var count = w.Candidates.Count;
        var (features, scores) = w.Buffers(count);
        var ids = w.Candidates.ToArray();
        Features.Compute(w.Context, ids, features);
        Model.Score(features.AsSpan(0, count * PairFeatureExtractor.Count), scores.AsSpan(0, count));
        var order = Enumerable.Range(0, count).OrderByDescending(i => scores[i]).ThenBy(i => ids[i]).ToArray();
        var result = new List<ScoredCandidate>(count);
        foreach (var i in order)
        {
            result.Add(new ScoredCandidate(ids[i], scores[i], w.Sources[i], features.AsSpan(i * PairFeatureExtractor.Count, PairFeatureExtractor.Count).ToArray()));
        }
        if (reciprocalTop > 0) ApplyReciprocity(w.Context, result, Math.Min(reciprocalTop, result.Count));
        return result;
    }

    private void ApplyReciprocity(QueryContext context, List<ScoredCandidate> ranked, int top)
    {
        var reverse = new float[PairFeatureExtractor.Count];
        var head = new ScoredCandidate[top];
        for (var i = 0; i < top; i++)
        {
            var c = ranked[i];
            Features.Reverse(context, c.Organization, c.Features, reverse);
            head[i] = c with { ReverseScore = Model.Trees.Score(reverse) };
        }
        var reordered = head.OrderByDescending(c => Reciprocal(c.Score, c.ReverseScore!.Value)).ThenBy(c => c.Organization).ToArray();
        for (var i = 0; i < top; i++) ranked[i] = reordered[i];
    }

    /// <summary>Harmonic mean of both directions' fit, each mapped to (0, 1).</summary>
    public static float Reciprocal(float forward, float reverse)
    {
        var f = 1 / (1 + MathF.Exp(-forward));
        var r = 1 / (1 + MathF.Exp(-reverse));
        return 2 * f * r / (f + r);
    }
}
