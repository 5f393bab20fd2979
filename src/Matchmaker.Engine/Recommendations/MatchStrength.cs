namespace Matchmaker.Engine.Recommendations;

/// <summary>
/// A match strength a person can read, beside the raw score. Raw scores are LambdaRank margins: only their
/// differences within one organization's list mean something, through the pairwise model the ranker is trained
/// with, P(a ranks above b) = σ(score_a − score_b). The strength is that probability against the organization's
/// best candidate, doubled so the best one reads 100: <c>round(200 · σ(score − best))</c>, 0–100, with the level
/// <c>high</c> at 70 and above (within about 0.6 of the best), <c>medium</c> at 40 and above (within about 1.4),
/// <c>low</c> below. It falls as the score falls, so it never reorders a list.
/// </summary>
public static class MatchStrength
{
    public const int HighFrom = 70;
    public const int MediumFrom = 40;

    /// <summary>The strength of a candidate scoring <paramref name="score"/> in a list whose best score is <paramref name="best"/>.</summary>
    public static int Of(double score, double best)
    {
        if (!double.IsFinite(score) || !double.IsFinite(best)) return 0;
        var gap = Math.Min(0, score - best);
        return (int)Math.Round(200 / (1 + Math.Exp(-gap)), MidpointRounding.AwayFromZero);
    }

    public static string Level(int strength) => strength >= HighFrom ? "high" : strength >= MediumFrom ? "medium" : "low";
}
