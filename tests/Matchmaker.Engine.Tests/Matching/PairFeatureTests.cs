using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Matching;

namespace Matchmaker.Engine.Tests.Matching;

public class PairFeatureTests
{
    // a led p0 with b (2016, sector s); a and b again in 2018 (t, led by b); a-z; z-c; z-d; c-e; f alone with g.
    private static readonly GraphSnapshot G = HandGraphs.NewTies;

    private static float[] Features(GraphSnapshot g, MatchQuery query, params int[] candidates)
    {
        var context = new QueryContext(new SnapshotStats(g));
        context.Prepare(query);
        var output = new float[candidates.Length * PairFeatureExtractor.Count];
        new PairFeatureExtractor().Compute(context, candidates, output);
        return output;
    }

    private static float Get(float[] rows, int row, PairFeature f) => rows[row * PairFeatureExtractor.Count + (int)f];

    [Fact]
    public void Joint_project_features_count_recency_sector_and_lead()
    {
        var q = new MatchQuery(G.Id("a"), [G.SectorIndexOf("s")], 2019);
        var f = Features(G, q, G.Id("b"), G.Id("c"));
        Assert.Equal(2, Get(f, 0, PairFeature.JointProjects));
        Assert.Equal(1, Get(f, 0, PairFeature.YearsSinceJoint));
        Assert.Equal(1, Get(f, 0, PairFeature.JointInQuerySectors));
        Assert.Equal(1, Get(f, 0, PairFeature.JointLedByQuery));
        Assert.Equal(1, Get(f, 0, PairFeature.JointLedByCandidate));
        // Latest year 2018: the 2018 project weighs 1, the 2016 one 0.25.
        Assert.Equal(1.25f, Get(f, 0, PairFeature.JointRecencyWeighted), 5);
        Assert.Equal(0, Get(f, 1, PairFeature.JointProjects));
        Assert.Equal(PairFeatureExtractor.Never, Get(f, 1, PairFeature.YearsSinceJoint));
    }

    [Fact]
    public void Neighbourhood_features_match_hand_computed_values()
    {
        var q = new MatchQuery(G.Id("a"), [G.SectorIndexOf("s")], 2019);
        var f = Features(G, q, G.Id("c"), G.Id("e"), G.Id("f"), G.Id("z"));
        // c is reached through z, whose partners are a, c and d.
        Assert.Equal(1, Get(f, 0, PairFeature.CommonPartners));
        Assert.Equal(1 / MathF.Log(3), Get(f, 0, PairFeature.AdamicAdar), 5);
        Assert.Equal(1 / 3f, Get(f, 0, PairFeature.ResourceAllocation), 5);
        Assert.Equal(2, Get(f, 0, PairFeature.PathLength));
        Assert.Equal(3, Get(f, 1, PairFeature.PathLength));
        Assert.Equal(4, Get(f, 2, PairFeature.PathLength));
        Assert.Equal(1, Get(f, 3, PairFeature.PathLength));
        // z: 2 projects, both in s; c: 2 projects in s, both recent (2017 and 2018 with latest 2018).
        Assert.Equal(2, Get(f, 3, PairFeature.CandidateProjectsInSectors));
        Assert.Equal(2, Get(f, 0, PairFeature.CandidateRecentInSectors));
        Assert.Equal(1, Get(f, 0, PairFeature.SameCity));
    }

    [Fact]
    public void Reverse_features_equal_the_features_computed_from_the_other_side()
    {
        var sectors = new[] { G.SectorIndexOf("s") };
        var stats = new SnapshotStats(G);
        var extractor = new PairFeatureExtractor();
        foreach (var (x, y) in new[] { ("a", "b"), ("a", "c"), ("c", "a"), ("z", "e"), ("a", "f") })
        {
            var forwardContext = new QueryContext(stats);
            forwardContext.Prepare(new MatchQuery(G.Id(x), sectors, 2019));
            var forward = new float[PairFeatureExtractor.Count];
            extractor.Compute(forwardContext, [G.Id(y)], forward);
            var derived = new float[PairFeatureExtractor.Count];
            extractor.Reverse(forwardContext, G.Id(y), forward, derived);

            var backContext = new QueryContext(stats);
            backContext.Prepare(new MatchQuery(G.Id(y), sectors, 2019));
            var direct = new float[PairFeatureExtractor.Count];
            extractor.Compute(backContext, [G.Id(x)], direct);
            for (var i = 0; i < PairFeatureExtractor.Count; i++)
            {
                // The diffusion (mass × 10^6, thousands) is summed in floats forward and in doubles for the reverse pair:
                // a relative tolerance for values above 1.
                Assert.True(Math.Abs(direct[i] - derived[i]) < 1e-5 * Math.Max(1, Math.Abs(direct[i])), $"{x}->{y} {(PairFeature)i}: {direct[i]} vs {derived[i]}");
            }
        }
    }

    [Fact]
    public void A_context_reused_for_another_query_keeps_nothing_of_the_previous_one()
    {
        var stats = new SnapshotStats(G);
        var reused = new QueryContext(stats);
        reused.Prepare(new MatchQuery(G.Id("a"), [G.SectorIndexOf("s")], 2019));
        reused.Prepare(new MatchQuery(G.Id("f"), [G.SectorIndexOf("t")], 2019));
        var fresh = new QueryContext(stats);
        fresh.Prepare(new MatchQuery(G.Id("f"), [G.SectorIndexOf("t")], 2019));
        var everyone = Enumerable.Range(0, G.OrganizationCount).ToArray();
        var a = new float[everyone.Length * PairFeatureExtractor.Count];
        var b = new float[a.Length];
        var extractor = new PairFeatureExtractor();
        extractor.Compute(reused, everyone, a);
        extractor.Compute(fresh, everyone, b);
        Assert.Equal(b, a);
    }

    [Fact]
    public void Capability_matches_for_all_candidates_at_once_equal_the_pair_by_pair_matches_bit_for_bit()
    {
        // The synthetic corridor graph states capabilities and needs in Chinese and English tags and text.
        var g = GraphSnapshot.Build(Engine.Synthetic.SyntheticGraph.Generate(new Engine.Synthetic.SyntheticGraph.Options { Organizations = 2000, Seed = 11 }), TimeProvider.System);
        var index = Engine.Recommendations.ModelTrainingService.CapabilitiesOf(g)!;
        var random = new Random(5);
        var nonZero = 0;
        for (var q = 0; q < 80; q++)
        {
            var a = random.Next(g.OrganizationCount);
            // Related organizations (most matches are there), random ones, the query itself.
            var related = new List<int>();
            index.CollectRelated(a, g.OrganizationCount, related);
            var candidates = related.Take(200).Concat(Enumerable.Range(0, 50).Select(_ => random.Next(g.OrganizationCount))).Append(a).ToArray();
            var meets = new float[candidates.Length];
            var met = new float[candidates.Length];
            index.MatchAll(a, candidates, meets, met);
            for (var i = 0; i < candidates.Length; i++)
            {
                Assert.Equal(index.Match(needing: a, offering: candidates[i]), meets[i]);
                Assert.Equal(index.Match(needing: candidates[i], offering: a), met[i]);
                if (meets[i] > 0 || met[i] > 0) nonZero++;
            }
            // Collected once each, and exactly the organizations of Related.
            Assert.Equal(related.Count, related.Distinct().Count());
            Assert.Equal(index.Related(a, g.OrganizationCount).Order(), related.Order());
        }
        Assert.True(nonZero > 500, $"only {nonZero} matches above zero");
    }

    [Fact]
    public void Hubs_left_for_the_candidates_give_the_features_of_a_full_two_hop_walk()
    {
        // A corridor graph where a cap of 40 partners makes a few hundred organizations hubs.
        var g = GraphSnapshot.Build(Engine.Synthetic.SyntheticGraph.Generate(new Engine.Synthetic.SyntheticGraph.Options { Organizations = 2000, Seed = 7 }), TimeProvider.System);
        var stats = new SnapshotStats(g);
        const int hubCap = 40;
        Assert.True(Enumerable.Range(0, g.OrganizationCount).Count(o => g.Partners.Degree(o) > hubCap) > 20);
        var extractor = new PairFeatureExtractor();
        var full = new QueryContext(stats);
        var onDemand = new QueryContext(stats);
        var random = new Random(3);
        var checkedHubQueries = 0;
        for (var q = 0; q < 60; q++)
        {
            var a = random.Next(g.OrganizationCount);
            var query = new MatchQuery(a, g.OrganizationSectors[a].ToArray(), 2026);
            full.Prepare(query, hubCap);
            onDemand.Prepare(query, hubCap, hubsOnDemand: true);
            if (g.Partners[a].ToArray().Any(z => g.Partners.Degree(z) > hubCap)) checkedHubQueries++;
            // Partners, partners of partners and organizations further away (path lengths 1 to 4).
            var organizations = Enumerable.Range(0, 150).Select(_ => random.Next(g.OrganizationCount)).Concat(full.TwoHop.Take(100)).Concat(g.Partners[a].ToArray())
                .Distinct().ToArray();
            var expected = new float[organizations.Length * PairFeatureExtractor.Count];
            var actual = new float[expected.Length];
            extractor.Compute(full, organizations, expected);
            extractor.Compute(onDemand, organizations, actual);
            for (var i = 0; i < expected.Length; i++)
            {
                var feature = (PairFeature)(i % PairFeatureExtractor.Count);
                // Sums over common partners add the hubs last: the same terms, possibly rounded differently in the last bit.
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f * Math.Max(1, Math.Abs(expected[i])),
                    $"query {a}, organization {organizations[i / PairFeatureExtractor.Count]}, {feature}: {expected[i]} vs {actual[i]}");
            }
            foreach (var b in organizations) Assert.Equal(full.PathLength(b), onDemand.PathLength(b));
        }
        Assert.True(checkedHubQueries > 10, $"only {checkedHubQueries} queries had a hub partner");
    }

    [Fact]
    public void Candidates_come_from_partners_partners_of_partners_and_the_field_with_hubs_capped()
    {
        var stats = new SnapshotStats(G);
        var context = new QueryContext(stats);
        var candidates = new List<int>();
        var sources = new List<CandidateSource>();
        var generator = new CandidateGenerator(new CandidateOptions { MaxPopular = 0, MaxComplementary = 0 });
        context.Prepare(new MatchQuery(G.Id("a"), [G.SectorIndexOf("s")], 2019), generator.Options.HubCap);
        generator.Generate(context, candidates, sources);
        Assert.Equal(new[] { "b", "z", "c", "d" }.Select(G.Id).Order(), candidates.Order());
        Assert.Equal(CandidateSource.PartnerOfPartner, sources[candidates.IndexOf(G.Id("c"))]);

        // z has three partners: with a cap of two it proposes no one.
        var capped = new CandidateGenerator(new CandidateOptions { HubCap = 2, MaxPopular = 0, MaxComplementary = 0 });
        context.Prepare(new MatchQuery(G.Id("a"), [G.SectorIndexOf("s")], 2019), capped.Options.HubCap);
        capped.Generate(context, candidates, sources);
        Assert.DoesNotContain(G.Id("c"), candidates);

        // A newcomer's field fallback: the most active organizations of the sector.
        var fallback = new CandidateGenerator(new CandidateOptions { MaxPopular = 2, MaxComplementary = 0 });
        context.Prepare(new MatchQuery(G.Id("g"), [G.SectorIndexOf("s")], 2019));
        fallback.Generate(context, candidates, sources);
        Assert.Contains(G.Id("z"), candidates);
        Assert.Contains(G.Id("c"), candidates);
        Assert.All(sources.Where((_, i) => candidates[i] != G.Id("f")), s => Assert.True(s.HasFlag(CandidateSource.PopularInField)));
    }
}
