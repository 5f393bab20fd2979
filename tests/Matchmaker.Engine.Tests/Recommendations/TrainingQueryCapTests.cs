using Matchmaker.Engine.Matching;
using Matchmaker.Engine.Recommendations;

namespace Matchmaker.Engine.Tests.Recommendations;

public class TrainingQueryCapTests
{
    private static List<MatchQuery> Queries(int count) =>
        Enumerable.Range(0, count).Select(i => new MatchQuery(i, [], 2024) { Id = $"p{i}" }).ToList();

    [Fact]
    public void A_year_over_the_cap_keeps_evenly_spaced_queries_in_order()
    {
        var kept = ModelTrainingService.Spread(Queries(10), 4);

        Assert.Equal(["p0", "p2", "p5", "p7"], kept.Select(q => q.Id));
    }

    [Fact]
    public void A_year_under_the_cap_keeps_every_query()
    {
        var queries = Queries(3);

        Assert.Same(queries, ModelTrainingService.Spread(queries, 3));
        Assert.Same(queries, ModelTrainingService.Spread(queries, 0));
    }
}
