using Matchmaker.Engine.Matching;

namespace Matchmaker.Engine.Tests.Matching;

public class HeuristicsTests
{
    [Fact]
    public void Adamic_Adar_on_a_path_counts_the_middle_node_once()
    {
        var g = HandGraphs.Build((2018, "s", ["a", "b"]), (2018, "s", ["b", "c"]));
        var scores = new double[g.OrganizationCount];
        Heuristics.AdamicAdar(g, new MatchQuery(g.Id("a"), [], 2019), scores);
        Assert.Equal(1 / Math.Log(2), scores[g.Id("c")], 12);
        Assert.Equal(0, scores[g.Id("b")]);
        Assert.True(double.IsNegativeInfinity(scores[g.Id("a")]));
    }

    [Fact]
    public void Adamic_Adar_on_a_star_weighs_the_hub_by_its_degree()
    {
        var g = HandGraphs.Build((2018, "s", ["z", "l1"]), (2018, "s", ["z", "l2"]), (2018, "s", ["z", "l3"]), (2018, "s", ["z", "l4"]));
        var scores = new double[g.OrganizationCount];
        Heuristics.AdamicAdar(g, new MatchQuery(g.Id("l1"), [], 2019), scores);
        Assert.Equal(1 / Math.Log(4), scores[g.Id("l2")], 12);
        Assert.Equal(scores[g.Id("l2")], scores[g.Id("l4")]);

        Heuristics.AdamicAdar(g, new MatchQuery(g.Id("l1"), [], 2019), scores, hubCap: 3);
        Assert.Equal(0, scores[g.Id("l2")]);
    }

    [Fact]
    public void Previous_partners_are_scored_by_joint_projects()
    {
        var g = HandGraphs.Build((2016, "s", ["a", "b", "c"]), (2017, "s", ["a", "b"]), (2017, "t", ["c", "d"]));
        var scores = new double[g.OrganizationCount];
        Heuristics.PreviousPartners(g, new MatchQuery(g.Id("a"), [], 2019), scores);
        Assert.Equal(2, scores[g.Id("b")]);
        Assert.Equal(1, scores[g.Id("c")]);
        Assert.Equal(0, scores[g.Id("d")]);
    }

    [Fact]
    public void Field_popularity_counts_projects_in_the_query_sectors()
    {
        var g = HandGraphs.Build((2016, "s", ["a", "b"]), (2017, "s", ["c", "b"]), (2017, "t", ["c", "d"]));
        var scores = new double[g.OrganizationCount];
        Heuristics.FieldPopularity(g, new MatchQuery(g.Id("a"), [g.SectorIndexOf("s")], 2019), scores);
        Assert.Equal(2, scores[g.Id("b")]);
        Assert.Equal(1, scores[g.Id("c")]);
        Assert.Equal(0, scores[g.Id("d")]);
    }
}
