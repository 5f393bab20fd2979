using Matchmaker.Engine.Matching;
using Matchmaker.Engine.Matching.Evaluation;
using Matchmaker.Engine.Text;

namespace Matchmaker.Engine.Tests.Matching;

/// <summary>Text matching end to end on the Horizon Europe slice (CORDIS, European Commission): real titles, real queries.</summary>
public sealed class HorizonTextTests(HorizonSliceFixture slice) : IClassFixture<HorizonSliceFixture>
{
    [Fact]
    public void Text_evidence_quotes_the_candidates_own_project_titles_as_the_data_has_them()
    {
        using var text = TextMatcher.Build(slice.Before)!;
        var quoted = 0;
        foreach (var query in slice.Queries)
        {
            var analyzed = text.Index.Analyze(query.Text);
            var scores = new float[slice.Before.OrganizationCount];
            text.Index.ScoreOrganizations(analyzed, scores);
            var best = Enumerable.Range(0, scores.Length).Where(o => o != query.Organization).MaxBy(o => scores[o]);
            if (!(scores[best] > 0) || text.Evidence(analyzed, best) is not { } evidence) continue;
            // Every quoted title is, with its year, one of the candidate's projects before 2024 in the data files.
            var pic = slice.Before.OrganizationIds[best];
            var own = slice.Data.Projects
                .Where(p => p.StartYear < HorizonSliceFixture.TestYear && p.Members.Any(m => m.OrgId == pic))
                .Select(p => $"{p.Title} ({p.StartYear})").ToHashSet(StringComparer.Ordinal);
            var titles = evidence.Evidence.Where(e => e.EndsWith(')')).ToList();
            Assert.NotEmpty(titles);
            Assert.All(titles, t => Assert.Contains(t, own));
            Assert.Contains(titles[0], evidence.En);
            Assert.Contains($"《{titles[0]}》", evidence.Zh);
            // The matched words are the query's own terms, shown in the form the profiles write them most often.
            Assert.All(evidence.Evidence.Where(e => !e.EndsWith(')')), w => Assert.Contains(TextAnalyzer.Shared.Analyze(w)[0].Term, analyzed.Terms));
            quoted++;
        }
        Assert.True(quoted >= 5, $"only {quoted} queries had text evidence");
    }

    [Fact]
    public void A_learned_ranker_with_text_ranks_the_slices_queries_and_finds_answers_through_text()
    {
        // Label year 2023 (features and texts from the projects before 2023), test year 2024 on the 2024 graph.
        var before2023 = slice.Data.BuildSnapshot(2023, HandGraphs.Built);
        using var trainText = TextMatcher.Build(before2023)!;
        var labelled = slice.Data.Queries(before2023, 2023);
        Assert.NotEmpty(labelled);
        var options = new RankerOptions { Iterations = 20, MinimumExamplesPerLeaf = 5, Leaves = 7 };
        var split = new TrainingSplit(new SnapshotStats(before2023), labelled, "slice 2023")
        {
            Candidates = new CandidateGenerator(null, null, trainText),
            Features = new PairFeatureExtractor(text: trainText),
        };
        var rows = RankerTrainer.BuildRows([split], new CandidateGenerator(), new PairFeatureExtractor(), options);
        var model = RankerTrainer.Train(rows, options, "slice", 1, HandGraphs.Built);

        using var text = TextMatcher.Build(slice.Before)!;
        var matcher = new Matcher(new SnapshotStats(slice.Before), model, new CandidateGenerator(null, null, text), new PairFeatureExtractor(text: text));
        var result = ProtocolEvaluator.EvaluateMatcher(matcher, slice.Queries, reciprocalTop: 0);
        Assert.Equal(slice.Queries.Count, result.Learned.Queries);
        Assert.True(result.Recall.BySource[CandidateSource.TextMatch] > 0, "no answer was proposed by text");
        Assert.InRange(result.Learned.Ndcg10, 0.0, 1.0);
        Assert.True(result.Learned.Recall20 > 0, "the learned ranking finds no answer in its top 20");

        // Every query carries its text into the features: the text columns of its candidates are not all zero.
        var query = slice.Queries[0];
        var ranked = matcher.Rank(query, 20);
        Assert.All(ranked, c => Assert.Equal(1, c.Features[(int)PairFeature.QueryHasText]));
        Assert.Contains(ranked, c => c.Features[(int)PairFeature.TextProfile] > 0);
    }
}
