using Matchmaker.Engine.Matching.Evaluation;

namespace Matchmaker.Engine.Tests.Matching;

public class RankingMetricsTests
{
    [Fact]
    public void Ndcg_recall_and_mrr_match_hand_computed_values()
    {
        // Ranking 0 > 1 > 2 > 3 > 4 > 9 (5..8 are not ranked); relevant are 0, 2 and 9 at ranks 1, 3 and 6.
        double[] scores = [5, 4, 3, 2, 1, double.NegativeInfinity, double.NegativeInfinity, double.NegativeInfinity, double.NegativeInfinity, 0];
        var metrics = new RankingMetrics();
        metrics.Add(scores, [0, 2, 9]);
        var dcg = 1 + 1 / Math.Log2(4) + 1 / Math.Log2(7);
        var idcg = 1 + 1 / Math.Log2(3) + 1 / Math.Log2(4);
        Assert.Equal(dcg / idcg, metrics.Ndcg10, 12);
        Assert.Equal(1.0, metrics.Recall20, 12);
        Assert.Equal(1.0, metrics.Mrr, 12);

        metrics.Add([1, 2, 3], [0]);
        Assert.Equal(2, metrics.Queries);
        Assert.Equal((1 + 1 / 3.0) / 2, metrics.Mrr, 12);
    }

    [Fact]
    public void Ties_are_broken_by_lower_index()
    {
        Span<int> top = stackalloc int[3];
        var count = RankingMetrics.TopK([1, 2, 2, 2, 0], top);
        Assert.Equal(3, count);
        Assert.Equal([1, 2, 3], top.ToArray());
        Assert.Equal(2, RankingMetrics.FirstRelevantRank([1, 2, 2, 2, 0], [2]));
    }
}
