using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Matching;
using Matchmaker.Engine.Matching.Evaluation;

namespace Matchmaker.Engine.Tests.Matching;

/// <summary>The new-partner track: its queries, its candidates and the features written for new ties.</summary>
public class NewPartnerTests
{
    // a led p0 with b (2016, s); b led p1 with a (2018, t); a led p2 with z (2017, s); z led p3 with c, d (2017, s);
    // c led p4 with e (2018, s); f led p5 with g (2018, t). Latest year 2018.
    private static readonly GraphSnapshot G = HandGraphs.NewTies;

    [Fact]
    public void New_partner_queries_keep_only_answers_without_a_joint_project_and_drop_empty_queries()
    {
        var queries = new[]
        {
            new MatchQuery(G.Id("a"), [G.SectorIndexOf("s")], 2019) { Id = "q1", Relevant = [G.Id("b"), G.Id("c"), G.Id("e")] },
            new MatchQuery(G.Id("a"), [G.SectorIndexOf("s")], 2019) { Id = "q2", Relevant = [G.Id("b"), G.Id("z")] },
        };
        var result = TimeSplit.NewPartnerQueries(G, queries);
        var only = Assert.Single(result);
        Assert.Equal("q1", only.Id);
        Assert.Equal([G.Id("c"), G.Id("e")], only.Relevant);
    }

    [Fact]
    public void Removing_previous_partners_takes_them_out_of_a_ranking()
    {
        var scores = new double[G.OrganizationCount];
        var q = new MatchQuery(G.Id("a"), [G.SectorIndexOf("s")], 2019);
        Heuristics.FieldPopularity(G, q, scores);
        TimeSplit.RemovePreviousPartners(G, q, scores);
        Assert.True(double.IsNegativeInfinity(scores[G.Id("b")]));
        Assert.True(double.IsNegativeInfinity(scores[G.Id("z")]));
        Assert.Equal(2, scores[G.Id("c")]);
    }

    [Fact]
    public void New_partner_candidates_never_hold_previous_partners_but_reach_partners_of_partners()
    {
        var context = new QueryContext(new SnapshotStats(G));
        context.Prepare(new MatchQuery(G.Id("a"), [G.SectorIndexOf("s")], 2019));
        List<int> ids = [];
        List<CandidateSource> sources = [];

        new CandidateGenerator().Generate(context, ids, sources);
        Assert.Contains(G.Id("b"), ids);

        new CandidateGenerator(CandidateOptions.ForNewPartners).Generate(context, ids, sources);
        Assert.DoesNotContain(G.Id("b"), ids);
        Assert.DoesNotContain(G.Id("z"), ids);
        Assert.DoesNotContain(G.Id("a"), ids);
        var c = ids.IndexOf(G.Id("c"));
        Assert.True(c >= 0);
        Assert.True(sources[c].HasFlag(CandidateSource.PartnerOfPartner));
    }

    [Fact]
    public void New_tie_features_match_hand_computed_values()
    {
        var stats = new SnapshotStats(G);
        var context = new QueryContext(stats);
        context.Prepare(new MatchQuery(G.Id("a"), [G.SectorIndexOf("s")], 2019));
        int[] candidates = [G.Id("c"), G.Id("e")];
        var f = new float[candidates.Length * PairFeatureExtractor.Count];
        new PairFeatureExtractor().Compute(context, candidates, f);
        float Get(int row, PairFeature feature) => f[row * PairFeatureExtractor.Count + (int)feature];

        // c is reached through z (3 partners): the a-z tie dates from 2017 (weight 1/2), the z-c project too (1/2).
        var aa = 1 / MathF.Log(3);
        Assert.Equal(aa / 4, Get(0, PairFeature.TwoHopRecent), 5);
        Assert.Equal(aa, Get(0, PairFeature.TwoHopInSectors), 5);
        Assert.Equal(aa / 4, Get(0, PairFeature.TwoHopRecentInSectors), 5);
        Assert.Equal(0, Get(1, PairFeature.TwoHopRecent));
        // a's consortia held only enterprises (b, b, z), as does the field; c is an enterprise.
        Assert.Equal(1, Get(0, PairFeature.ConsortiumKindShare), 5);
        Assert.Equal(0, Get(0, PairFeature.KindGap), 5);
        // c met z and d in 2017 and e in 2018, all new to it in the last two years; 3 partners over 2 projects.
        Assert.Equal(3, Get(0, PairFeature.CandidateRecentNewPartners));
        Assert.Equal(1.5f, Get(0, PairFeature.CandidatePartnersPerProject), 5);
        // a's only new partner in 2017-2018 is z (b goes back to 2016).
        Assert.Equal(1, stats.RecentNewPartners[G.Id("a")]);
    }
}
