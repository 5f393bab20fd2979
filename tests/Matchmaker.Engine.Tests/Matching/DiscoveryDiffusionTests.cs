using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Matching;

namespace Matchmaker.Engine.Tests.Matching;

/// <summary>Mass diffusion from the query organization: the walk, its candidate source and its pair features.</summary>
public class DiscoveryDiffusionTests
{
    // The graph of NewPartnerTests: a-b (2016, s), b-a (2018, t), a-z (2017, s), z-c-d (2017, s), c-e (2018, s),
    // f-g (2018, t). Latest year 2018; a query of a in s for 2019 ages the 2017 projects by one year.
    private static readonly GraphSnapshot G = HandGraphs.NewTies;

    private static MatchQuery Query() => new(G.Id("a"), [G.SectorIndexOf("s")], 2019);

    [Fact]
    public void Without_weights_the_walk_splits_mass_evenly_over_projects_and_members()
    {
        var walk = new DiscoveryDiffusion(G, new DiffusionOptions { RecencyDecay = 1, SectorBoost = 1, Hops = 2 });
        walk.Run(Query());
        // a's three projects get 1/3 each; z gets half of p2's: 1/6. z's two projects get 1/12 each; c gets a third
        // of p3's: 1/36. Two hops: nothing beyond, and e (three hops away) is not reached.
        Assert.Equal(1.0 / 36, walk.Scores[G.Id("c")], 12);
        Assert.Equal(1.0 / 36, walk.Scores[G.Id("d")], 12);
        Assert.Equal(0, walk.Beyond[G.Id("c")]);
        Assert.Equal(0, walk.Scores[G.Id("e")]);
        Assert.Equal(0, walk.Scores[G.Id("f")]);
    }

    [Fact]
    public void Recent_projects_in_the_query_sectors_carry_more_mass_and_the_third_hop_reaches_further()
    {
        var walk = new DiscoveryDiffusion(G, new DiffusionOptions { RecencyDecay = 0.7, SectorBoost = 6, Hops = 3, ThirdHopWeight = 1 });
        walk.Run(Query());
        // Project weights 0.7^(2018 - year), ×6 in s: p0 2.94, p1 1, p2 4.2, p3 4.2, p4 6 (a's total 8.14).
        // Hop 1: z gets half of p2's 4.2/8.14. Hop 2: z sends half of it into p3 (4.2 of 8.4), c gets a third of that.
        var cTwoHops = 2.1 / 8.14 / 2 / 3;
        // (Project weights are kept as floats: equal to about 1e-8.)
        Assert.Equal(cTwoHops, walk.Scores[G.Id("c")] - walk.Beyond[G.Id("c")], 8);
        // Hop 3: e is reached only through c, which sends 6/10.2 of its mass into p4, shared with e.
        var e = cTwoHops * (6 / 10.2) / 2;
        Assert.Equal(e, walk.Scores[G.Id("e")], 8);
        Assert.Equal(e, walk.Beyond[G.Id("e")], 8);
        Assert.True(walk.Scores[G.Id("c")] > walk.Scores[G.Id("d")]);
        // f and g share nothing with a's component.
        Assert.Equal(0, walk.Scores[G.Id("f")]);
        Assert.DoesNotContain(G.Id("g"), walk.Reached);
    }

    [Fact]
    public void The_diffusion_source_proposes_three_hop_organizations_and_never_partners()
    {
        var context = new QueryContext(new SnapshotStats(G));
        context.Prepare(Query());
        var walk = DiscoveryDiffusion.Of(context, new DiffusionOptions());
        Assert.Equal([G.Id("c"), G.Id("d"), G.Id("e")], walk.Top(context, 10));
        Assert.Equal([G.Id("c")], walk.Top(context, 1));

        List<int> ids = [];
        List<CandidateSource> sources = [];
        var options = CandidateOptions.ForNewPartners with { Diffusion = new DiffusionOptions(), MaxDiffused = 10, MaxPopular = 0, MaxComplementary = 0 };
        new CandidateGenerator(options).Generate(context, ids, sources);
        Assert.DoesNotContain(G.Id("b"), ids);
        Assert.DoesNotContain(G.Id("z"), ids);
        var e = ids.IndexOf(G.Id("e"));
        Assert.True(e >= 0, "e, three hops away, is proposed");
        Assert.Equal(CandidateSource.Diffusion, sources[e]);
        Assert.True(sources[ids.IndexOf(G.Id("c"))].HasFlag(CandidateSource.PartnerOfPartner | CandidateSource.Diffusion));

        new CandidateGenerator(options with { MaxDiffused = 0 }).Generate(context, ids, sources);
        Assert.DoesNotContain(G.Id("e"), ids);
        Assert.All(sources, s => Assert.False(s.HasFlag(CandidateSource.Diffusion)));
    }

    [Fact]
    public void Discovery_columns_hold_the_walk_for_a_discovery_extractor_and_zero_when_turned_off()
    {
        var context = new QueryContext(new SnapshotStats(G));
        var query = Query();
        context.Prepare(query);
        int[] candidates = [G.Id("c"), G.Id("e"), G.Id("f")];
        var options = new DiffusionOptions();
        var f = new float[candidates.Length * PairFeatureExtractor.Count];
        Array.Fill(f, float.NaN);
        new PairFeatureExtractor(discovery: options).Compute(context, candidates, f);
        float Get(int row, PairFeature feature) => f[row * PairFeatureExtractor.Count + (int)feature];

        var walk = new DiscoveryDiffusion(G, options);
        walk.Run(query);
        Assert.Equal((float)(walk.Scores[G.Id("c")] * 1e6), Get(0, PairFeature.Diffusion));
        Assert.Equal((float)(walk.Beyond[G.Id("e")] * 1e6), Get(1, PairFeature.DiffusionBeyondTwoHops));
        // c is the best-scored non-partner; e is scored relative to it.
        Assert.Equal(1, Get(0, PairFeature.DiffusionRelative), 6);
        Assert.Equal((float)(walk.Scores[G.Id("e")] / walk.Scores[G.Id("c")]), Get(1, PairFeature.DiffusionRelative), 6);
        Assert.Equal(0, Get(2, PairFeature.Diffusion));

        Array.Fill(f, float.NaN);
        new PairFeatureExtractor(discoveryColumns: false).Compute(context, candidates, f);
        for (var row = 0; row < candidates.Length; row++)
        {
            Assert.Equal(0, Get(row, PairFeature.Diffusion));
            Assert.Equal(0, Get(row, PairFeature.DiffusionBeyondTwoHops));
            Assert.Equal(0, Get(row, PairFeature.DiffusionRelative));
        }
        Assert.DoesNotContain(f, float.IsNaN);
    }

    [Fact]
    public void A_walker_is_reused_per_context_and_rerun_only_for_a_new_query()
    {
        var context = new QueryContext(new SnapshotStats(G));
        var first = Query();
        context.Prepare(first);
        var walk = DiscoveryDiffusion.Of(context, new DiffusionOptions());
        var c = walk.Scores[G.Id("c")];
        Assert.Same(walk, DiscoveryDiffusion.Of(context, new DiffusionOptions()));

        // The same organization in another field: projects outside s are no longer boosted, so c's share changes.
        context.Prepare(new MatchQuery(G.Id("a"), [G.SectorIndexOf("t")], 2019));
        var again = DiscoveryDiffusion.Of(context, new DiffusionOptions());
        Assert.Same(walk, again);
        Assert.NotEqual(c, again.Scores[G.Id("c")]);
    }

    [Theory]
    // Query years after, at and before the latest project year (2018): the last two count newer projects as new.
    [InlineData(1000, 2019)]
    [InlineData(1000, 2018)]
    [InlineData(1000, 2017)]
    // z has three partners: with a cap of 2 it passes no mass on, and only what comes back through a's own projects is left.
    [InlineData(2, 2019)]
    public void The_product_two_hop_column_is_the_walk_summed_by_the_context(int hubCap, int year)
    {
        var stats = new SnapshotStats(G);
        var options = DiffusionOptions.TwoHops with { HubCap = hubCap };
        var everyone = Enumerable.Range(0, G.OrganizationCount).ToArray();
        foreach (var name in new[] { "a", "z", "c", "f" })
        {
            foreach (var sector in new[] { "s", "t" })
            {
                var query = new MatchQuery(G.Id(name), [G.SectorIndexOf(sector)], year);
                var context = new QueryContext(stats);
                context.Prepare(query, hubCap);
                Assert.True(context.Fuses(options));
                var f = new float[everyone.Length * PairFeatureExtractor.Count];
                new PairFeatureExtractor(discovery: options).Compute(context, everyone, f);

                var walk = new DiscoveryDiffusion(G, options);
                walk.Run(query);
                var reached = 0;
                foreach (var b in everyone)
                {
                    var actual = f[b * PairFeatureExtractor.Count + (int)PairFeature.Diffusion];
                    AssertSameMass(walk.Scores[b], actual, $"{name} in {sector}, {G.OrganizationIds[b]}");
                    Assert.Equal(0, f[b * PairFeatureExtractor.Count + (int)PairFeature.DiffusionBeyondTwoHops]);
                    Assert.Equal(0, f[b * PairFeatureExtractor.Count + (int)PairFeature.DiffusionRelative]);
                    if (actual > 0) reached++;
                }
                // The reverse pair (b asking about the query organization) from the context, against a walk from b.
                foreach (var b in everyone)
                {
                    if (b != query.Organization) AssertReverseIsTheWalk(context, options, b, $"{G.OrganizationIds[b]} asking about {name} in {sector}");
                }
                Assert.True(reached >= 2, $"{name} in {sector}: the walk reaches the query and a partner at least");
            }
        }
    }

    [Fact]
    public void The_default_extractor_writes_the_product_two_hop_column()
    {
        var context = new QueryContext(new SnapshotStats(G));
        var query = Query();
        context.Prepare(query);
        int[] candidates = [G.Id("b"), G.Id("c"), G.Id("e")];
        var f = new float[candidates.Length * PairFeatureExtractor.Count];
        var extractor = new PairFeatureExtractor();
        Assert.Equal(DiffusionOptions.TwoHops, extractor.Discovery);
        extractor.Compute(context, candidates, f);
        // Project weights 0.5^(2018 - year), ×6 in s: p0 1.5 (2016), p1 1 (2018, t), p2 3 (2017): a's total 5.5.
        // z gets half of p2's 3 / 5.5. z's projects: p2 3 and p3 3 (2017, s); c gets a third of z's half of its mass.
        var c = 3 / 5.5 / 2 * (3.0 / 6) / 3;
        Assert.Equal(c * 1e6, f[1 * PairFeatureExtractor.Count + (int)PairFeature.Diffusion], 1e-5 * c * 1e6);
        // e is three hops away: nothing in two.
        Assert.Equal(0, f[2 * PairFeatureExtractor.Count + (int)PairFeature.Diffusion]);
        // b, a partner, gets mass back through a's projects with it.
        Assert.True(f[(int)PairFeature.Diffusion] > 0);
    }

    /// <summary>A discovery column (mass × 10^6, summed in floats) against the walk's mass, to float rounding.</summary>
    internal static void AssertSameMass(double walk, float column, string what)
    {
        var expected = walk * 1e6;
        Assert.True(Math.Abs(expected - column) <= 1e-5 * expected, $"{what}: walk {expected}, context {column}");
    }

    /// <summary>
    /// The reverse pair's discovery column (<paramref name="b"/> asking about the context's query organization) against
    /// a walk from <paramref name="b"/>; returns the walk's mass.
    /// </summary>
    internal static double AssertReverseIsTheWalk(QueryContext context, DiffusionOptions options, int b, string what)
    {
        var reverse = new float[PairFeatureExtractor.Count];
        DiscoveryDiffusion.WriteReverse(context, options, b, reverse);
        var back = new DiscoveryDiffusion(context.Snapshot, options);
        back.Run(context.Query with { Organization = b });
        var mass = back.Scores[context.Query.Organization];
        AssertSameMass(mass, reverse[(int)PairFeature.Diffusion], what);
        return mass;
    }
}
