namespace Matchmaker.Engine.Matching;

/// <summary>One scored candidate with the features it was scored on.</summary>
public sealed record ScoredCandidate(int Organization, float Score, CandidateSource Sources, float[] Features)
{
    /// <summary>Set when reciprocity was applied: the model's score for the reverse pair (the candidate asking about the query).</summary>
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
    /// The best <paramref name="take"/> candidates, best first. With <paramref name="reciprocalTop"/> &gt; 0 the best
    /// that many are re-ranked by the harmonic mean of both directions' scores (see <see cref="Reciprocal"/>).
    /// </summary>
    public IReadOnlyList<ScoredCandidate> Rank(MatchQuery query, int take = 20, int reciprocalTop = 0) =>
        Rank(query, take, reciprocalTop, out _);

    /// <summary>As <see cref="Rank(MatchQuery, int, int)"/>, also telling how many candidate pairs were scored.</summary>
    public IReadOnlyList<ScoredCandidate> Rank(MatchQuery query, int take, int reciprocalTop, out int candidatesScored)
    {
        var w = _pool.Rent();
        try
        {
            var order = RankAll(query, w);
            candidatesScored = order.Length;
            var head = Math.Min(Math.Max(take, reciprocalTop), order.Length);
            var result = new List<ScoredCandidate>(head);
            for (var r = 0; r < head; r++)
            {
                var i = order[r];
                result.Add(new ScoredCandidate(w.Candidates[i], w.Scores[i], w.Sources[i],
                    w.Features.AsSpan(i * PairFeatureExtractor.Count, PairFeatureExtractor.Count).ToArray()));
            }
            if (reciprocalTop > 0)
            {
                var reverse = ReverseScores(w, order.AsSpan(0, Math.Min(reciprocalTop, order.Length)));
                for (var r = 0; r < reverse.Length; r++) result[r] = result[r] with { ReverseScore = reverse[r] };
                var reordered = result.Take(reverse.Length).OrderByDescending(c => Reciprocal(c.Score, c.ReverseScore!.Value)).ThenBy(c => c.Organization).ToArray();
                for (var r = 0; r < reordered.Length; r++) result[r] = reordered[r];
            }
            return result.Take(take).ToArray();
        }
        finally
        {
            _pool.Return(w);
        }
    }

    /// <summary>Scores every candidate of the query; returns candidate positions (into the workspace lists) best first.</summary>
    internal int[] RankAll(MatchQuery query, Workspace w)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        // Hubs can wait for the candidates unless partners of partners are ranked through them.
        w.Context.Prepare(query, Candidates.Options.HubCap, hubsOnDemand: !Candidates.Options.PartnersOfPartnersThroughHubs);
        Candidates.Generate(w.Context, w.Candidates, w.Sources);
        var count = w.Candidates.Count;
        var (features, scores) = w.Buffers(count);
        var ids = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(w.Candidates);
        var generated = System.Diagnostics.Stopwatch.GetTimestamp();
        Features.Compute(w.Context, ids, features);
        var featured = System.Diagnostics.Stopwatch.GetTimestamp();
        Model.Score(features.AsSpan(0, count * PairFeatureExtractor.Count), scores.AsSpan(0, count));
        var order = new int[count];
        var keys = w.SortKeys(count);
        for (var i = 0; i < count; i++)
        {
            order[i] = i;
            keys[i] = SortKey(scores[i], ids[i]);
        }
        // Best score first, ties by lower organization index: one primitive sort instead of comparing tuples.
        Array.Sort(keys, order, 0, count);
        w.LastTicks = (generated - started, featured - generated, System.Diagnostics.Stopwatch.GetTimestamp() - featured);
        return order;
    }

    /// <summary>
    /// A key whose ascending order is descending score, then ascending organization index: the score's bits
    /// mapped to an unsigned order (negated, so the best is smallest) in the high half, the index in the low half.
    /// </summary>
    internal static long SortKey(float score, int organization)
    {
        var negated = -score;
        if (negated == 0) negated = 0; // -0 and +0 are equal scores
        var bits = (uint)BitConverter.SingleToInt32Bits(negated);
        var ordered = (bits & 0x8000_0000u) != 0 ? ~bits : bits | 0x8000_0000u;
        return (long)(((ulong)ordered << 32) | (uint)organization) ^ long.MinValue;
    }

    /// <summary>The model's score for each reverse pair (candidate asking about the query) of the given positions.</summary>
    internal float[] ReverseScores(Workspace w, ReadOnlySpan<int> positions)
    {
        var reverse = new float[PairFeatureExtractor.Count];
        var result = new float[positions.Length];
        for (var r = 0; r < positions.Length; r++)
        {
            var i = positions[r];
            Features.Reverse(w.Context, w.Candidates[i], w.Features.AsSpan(i * PairFeatureExtractor.Count, PairFeatureExtractor.Count), reverse);
            result[r] = Model.Trees.Score(reverse);
        }
        return result;
    }

    /// <summary>Scores the given candidates for the query (whether or not candidate generation would find them), in their order.</summary>
    public IReadOnlyList<ScoredCandidate> Score(MatchQuery query, IReadOnlyList<int> candidates)
    {
        var w = _pool.Rent();
        try
        {
            w.Context.Prepare(query, Candidates.Options.HubCap);
            var ids = candidates.ToArray();
            var features = new float[ids.Length * PairFeatureExtractor.Count];
            var scores = new float[ids.Length];
            Features.Compute(w.Context, ids, features);
            Model.Score(features, scores);
            return ids.Select((c, i) => new ScoredCandidate(c, scores[i], CandidateSource.None,
                features.AsSpan(i * PairFeatureExtractor.Count, PairFeatureExtractor.Count).ToArray())).ToArray();
        }
        finally
        {
            _pool.Return(w);
        }
    }

    internal WorkspacePool Pool => _pool;

    /// <summary>Harmonic mean of both directions' fit, each mapped to (0, 1) by the logistic function.</summary>
    public static float Reciprocal(float forward, float reverse)
    {
        var f = 1 / (1 + MathF.Exp(-forward));
        var r = 1 / (1 + MathF.Exp(-reverse));
        return 2 * f * r / (f + r);
    }
}
