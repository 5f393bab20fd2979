using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Matching;

namespace Matchmaker.Engine.Tests.Matching;

/// <summary>Text in matching: the text columns, the text candidate source and call topics, on a hand graph.</summary>
public sealed class TextMatchingTests : IDisposable
{
    // q leads with p; b works on solid-state batteries (two projects, one on the query's topic), c on drone flight
    // control, d has no text at all. Nobody but p is linked to q, so b can only be found through text.
    private static GraphSnapshot Graph()
    {
        var builder = new GraphSnapshotBuilder();
        foreach (var id in new[] { "b", "c", "d", "p", "q" }) builder.AddOrganization(id, OrganizationKind.Enterprise, "hangzhou", []);
        void Project(string id, int year, string[] members, ProjectText? text) =>
            builder.AddProject(id, year, ["s"], members.Select((m, k) => new GraphSnapshotBuilder.Membership(m, null, k == 0, float.NaN)), text);
        Project("p0", 2022, ["q", "p"], new ProjectText("Vehicle body panels", "Lightweight aluminium body panels for buses.", ["aluminium"], [], []));
        Project("p1", 2023, ["b", "d"], new ProjectText("Solid-state battery electrolytes", "Sulfide electrolytes for solid-state batteries with long cycle life.",
            ["solid-state battery", "electrolyte"], ["G60-2023-NEV-03"], ["Next-generation traction batteries"]));
        Project("p2", 2021, ["b"], new ProjectText("Battery recycling", "Recovering lithium from spent batteries.", ["recycling"], ["G60-2021-NEV-07"], ["Circular batteries"]));
        Project("p3", 2023, ["c"], new ProjectText("Drone flight control", "Flight control software for delivery drones in cities.", ["drones"], ["G60-2023-LAE-01"],
            ["Urban air mobility"]));
        return builder.Build(HandGraphs.Built);
    }

    private readonly GraphSnapshot _g = Graph();
    private readonly TextMatcher _text;

    public TextMatchingTests() => _text = TextMatcher.Build(_g) ?? throw new InvalidOperationException("the hand graph has texts");

    public void Dispose() => _text.Dispose();

    private float[] Features(MatchQuery query, int candidate)
    {
        var context = new QueryContext(new SnapshotStats(_g));
        context.Prepare(query);
        var row = new float[PairFeatureExtractor.Count];
        new PairFeatureExtractor(text: _text).Compute(context, [candidate], row);
        return row;
    }

    private MatchQuery Query(string? text, params string[] topics) =>
        new(_g.Id("q"), [_g.SectorIndexOf("s")], 2024) { Text = text, Topics = topics };

    [Theory]
    [InlineData("HORIZON-CL5-2021-D2-01-11", "HORIZON-CL5-D2-01-11")]
    [InlineData("G60-2023-NEV", "G60-NEV")]
    [InlineData("ERC-2022-STG", "ERC-STG")]
    [InlineData("CALL-ONE-07", "CALL-ONE-07")]
    public void Topics_are_matched_without_their_year(string topic, string yearless) =>
        Assert.Equal(yearless, TextMatcher.WithoutYear(topic));

    [Fact]
    public void A_query_topic_of_a_later_year_matches_the_same_topic_of_earlier_years()
    {
        var b = Features(Query(null, "G60-2025-NEV-03"), _g.Id("b"));
        Assert.Equal(1, b[(int)PairFeature.TopicProjects]);
        Assert.Equal(2, b[(int)PairFeature.TopicDestinationProjects]);
    }

    [Theory]
    [InlineData("HORIZON-CL5-2021-D2-01-11", "HORIZON-CL5-2021-D2")]
    [InlineData("G60-2023-NEV-03", "G60-2023-NEV")]
    [InlineData("ERC-2022-STG", "ERC-2022-STG")]
    [InlineData("HORIZON-MSCA-2021-PF-01-01", "HORIZON-MSCA-2021-PF")]
    [InlineData("CALL-ONE-07", "CALL-ONE")]
    [InlineData("SINGLE", null)]
    public void A_topic_codes_destination_is_cut_after_the_segment_following_its_year(string topic, string? destination) =>
        Assert.Equal(destination, TextMatcher.DestinationOf(topic));

    [Fact]
    public void The_text_columns_score_the_organization_whose_projects_match_the_text()
    {
        var query = Query("Sulfide solid-state electrolytes for batteries of electric buses");
        var b = Features(query, _g.Id("b"));
        var c = Features(query, _g.Id("c"));
        var d = Features(query, _g.Id("d"));
        Assert.Equal(1, b[(int)PairFeature.QueryHasText]);
        Assert.True(b[(int)PairFeature.TextProfile] > 0);
        // b holds the best profile of all: its relative score is 1.
        Assert.Equal(1, b[(int)PairFeature.TextProfileRelative], 5);
        Assert.Equal(0, c[(int)PairFeature.TextProfile]);
        // b and d were members of p1, the past project most like the text; b's recycling project matches "batteries" too.
        Assert.True(b[(int)PairFeature.TextSimilarProjectCount] >= 2);
        Assert.Equal(1, d[(int)PairFeature.TextSimilarProjectCount]);
        Assert.True(b[(int)PairFeature.TextSimilarProjects] > d[(int)PairFeature.TextSimilarProjects]);
        Assert.Equal(0, c[(int)PairFeature.TextSimilarProjectCount]);
    }

    [Fact]
    public void Topic_columns_count_the_candidates_projects_on_the_querys_topic_and_destination()
    {
        var query = Query(null, "G60-2023-NEV-03");
        var b = Features(query, _g.Id("b"));
        var c = Features(query, _g.Id("c"));
        Assert.Equal(1, b[(int)PairFeature.TopicProjects]);
        // Destinations are matched without their year: G60-NEV holds p1 (G60-2023-NEV-03) and p2 (G60-2021-NEV-07).
        Assert.Equal(2, b[(int)PairFeature.TopicDestinationProjects]);
        Assert.Equal(0, c[(int)PairFeature.TopicProjects]);
        Assert.Equal(0, c[(int)PairFeature.TopicDestinationProjects]);
        // No text: the query-text columns stay 0.
        Assert.Equal(0, b[(int)PairFeature.QueryHasText]);
        Assert.Equal(0, b[(int)PairFeature.TextProfile]);
        Assert.Equal(0, b[(int)PairFeature.TextSimilarProjects]);
    }

    [Fact]
    public void A_text_free_query_leaves_every_query_text_column_at_zero_and_without_a_matcher_all_text_columns_are_zero()
    {
        var query = Query(null);
        var withMatcher = Features(query, _g.Id("b"));
        for (var f = (int)PairFeature.QueryHasText; f < PairFeatureExtractor.Count; f++)
        {
            if (f == (int)PairFeature.ProfileSimilarity) continue;
            Assert.Equal(0, withMatcher[f]);
        }
        var context = new QueryContext(new SnapshotStats(_g));
        context.Prepare(Query("Sulfide solid-state electrolytes"));
        var row = new float[PairFeatureExtractor.Count];
        new PairFeatureExtractor().Compute(context, [_g.Id("b")], row);
        for (var f = (int)PairFeature.QueryHasText; f < PairFeatureExtractor.Count; f++) Assert.Equal(0, row[f]);
    }

    [Fact]
    public void Profile_similarity_is_higher_between_organizations_working_on_the_same_subject()
    {
        var b = Features(Query(null), _g.Id("b"));
        // q (body panels) shares nothing with b; b and d share the electrolyte project.
        var context = new QueryContext(new SnapshotStats(_g));
        context.Prepare(new MatchQuery(_g.Id("d"), [_g.SectorIndexOf("s")], 2024));
        var row = new float[PairFeatureExtractor.Count];
        new PairFeatureExtractor(text: _text).Compute(context, [_g.Id("b")], row);
        Assert.True(row[(int)PairFeature.ProfileSimilarity] > b[(int)PairFeature.ProfileSimilarity]);
        Assert.True(row[(int)PairFeature.ProfileSimilarity] > 0);
    }

    [Fact]
    public void Text_proposes_candidates_the_network_cannot_reach()
    {
        var context = new QueryContext(new SnapshotStats(_g));
        var candidates = new List<int>();
        var sources = new List<CandidateSource>();
        var options = new CandidateOptions { MaxPopular = 0, MaxComplementary = 0 };
        context.Prepare(Query("drone flight control software"));
        new CandidateGenerator(options).Generate(context, candidates, sources);
        Assert.DoesNotContain(_g.Id("c"), candidates);

        context.Prepare(Query("drone flight control software"));
        new CandidateGenerator(options, text: _text).Generate(context, candidates, sources);
        var at = candidates.IndexOf(_g.Id("c"));
        Assert.True(at >= 0, "the drone organization is proposed by its text");
        Assert.True(sources[at].HasFlag(CandidateSource.TextMatch));
        Assert.DoesNotContain(_g.Id("b"), candidates);
    }
}
