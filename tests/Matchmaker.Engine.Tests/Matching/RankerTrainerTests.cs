using Matchmaker.Engine.Matching;

namespace Matchmaker.Engine.Tests.Matching;

/// <summary>The trainer's options beyond the defaults, on the CORDIS slice (label years 2016 and 2017).</summary>
public class RankerTrainerTests(CordisSliceFixture slice) : IClassFixture<CordisSliceFixture>
{
    [Fact]
    public void A_FastTree_model_compiles_to_the_same_scores_and_contributions_as_ML_NET_and_survives_a_save_and_load()
    {
        var options = slice.Options with { Trainer = RankerKind.FastTree, NdcgTruncation = 10 };
        var model = RankerTrainer.Train(slice.Rows, options, "slice", 1, HandGraphs.Built);
        Assert.StartsWith("FastTree", model.Card.Trainer, StringComparison.Ordinal);
        Assert.Equal("10", model.Card.Parameters["ndcgTruncation"]);
        Assert.Equal(options.Iterations, model.Trees.TreeCount);

        var rows = slice.Rows.Rows.Take(300).SelectMany(r => r.Features).ToArray();
        var compiled = new float[300];
        model.Score(rows, compiled);
        var transform = model.ScoreWithTransform(rows);
        for (var i = 0; i < compiled.Length; i++) Assert.True(Math.Abs(compiled[i] - transform[i]) < 1e-4, $"row {i}: {compiled[i]} vs {transform[i]}");
        Assert.True(compiled.Distinct().Count() > 10, "the model should tell rows apart");

        var contributions = model.Contributions(rows);
        var reference = model.ContributionsWithTransform(rows);
        var nonZero = 0;
        for (var i = 0; i < contributions.Length; i++)
        {
            for (var f = 0; f < PairFeatureExtractor.Count; f++)
            {
                Assert.True(Math.Abs(contributions[i][f] - reference[i][f]) < 1e-4, $"row {i} feature {PairFeatureExtractor.Names[f]}: {contributions[i][f]} vs {reference[i][f]}");
                if (contributions[i][f] != 0) nonZero++;
            }
        }
        Assert.True(nonZero > 300, "contributions should not all be zero");

        var path = Path.Combine(Path.GetTempPath(), $"fasttree-model-{Guid.NewGuid():N}.zip");
        try
        {
            model.Save(path);
            var loaded = RankingModel.Load(path);
            var again = new float[300];
            loaded.Score(rows, again);
            Assert.Equal(compiled, again);
            Assert.Equal(model.Card.Trainer, loaded.Card.Trainer);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Hard_negatives_are_the_non_answers_a_first_model_scores_best()
    {
        var uniform = slice.Options with { NegativesPerQuery = 5 };
        var hard = uniform with { NegativesPerQuery = 0, HardNegatives = 5 };
        var uniformRows = RankerTrainer.BuildRows(slice.Splits, new CandidateGenerator(), new PairFeatureExtractor(), uniform);
        var hardRows = RankerTrainer.BuildRows(slice.Splits, new CandidateGenerator(), new PairFeatureExtractor(), hard);

        // The same queries and positives; only which negatives differs.
        Assert.Equal(uniformRows.Queries, hardRows.Queries);
        Assert.Equal(uniformRows.Rows.Count(r => r.Label > 0), hardRows.Rows.Count(r => r.Label > 0));
        Assert.Equal(uniformRows.Rows.Count(r => r.Label == 0), hardRows.Rows.Count(r => r.Label == 0));

        // The first pass is the model of the same settings on as many uniform negatives: it puts the hard ones higher.
        var first = RankerTrainer.Train(uniformRows, uniform, "first", 0, DateTimeOffset.UnixEpoch);
        double MeanNegativeScore(RankerTrainer.TrainingSet set)
        {
            var negatives = set.Rows.Where(r => r.Label == 0).SelectMany(r => r.Features).ToArray();
            var scores = new float[negatives.Length / PairFeatureExtractor.Count];
            first.Score(negatives, scores);
            return scores.Average();
        }
        var hardMean = MeanNegativeScore(hardRows);
        var uniformMean = MeanNegativeScore(uniformRows);
        Assert.True(hardMean > uniformMean, $"hard negatives {hardMean:F3} vs uniform {uniformMean:F3}");
        Assert.Equal("5", RankerTrainer.Train(hardRows, hard, "hard", 1, DateTimeOffset.UnixEpoch).Card.Parameters["hardNegatives"]);
    }

    [Fact]
    public void Label_year_decay_weighs_each_earlier_label_year_down_and_changes_the_model()
    {
        var decayed = slice.Options with { LabelYearDecay = 0.5 };
        var rows = RankerTrainer.BuildRows(slice.Splits, new CandidateGenerator(), new PairFeatureExtractor(), decayed);
        var latest = RankerTrainer.BuildRows([slice.Splits[1]], new CandidateGenerator(), new PairFeatureExtractor(), decayed);
        var earlier = RankerTrainer.BuildRows([slice.Splits[0]], new CandidateGenerator(), new PairFeatureExtractor(), decayed);

        // 2017 (the latest label year) weighs 1, 2016 weighs 0.5; alone, each split is its own latest year.
        Assert.Equal(latest.Rows.Count, rows.Rows.Count(r => r.Weight == 1f));
        Assert.Equal(earlier.Rows.Count, rows.Rows.Count(r => r.Weight == 0.5f));
        Assert.All(earlier.Rows, r => Assert.Equal(1f, r.Weight));
        Assert.All(slice.Rows.Rows, r => Assert.Equal(1f, r.Weight));

        var model = RankerTrainer.Train(rows, decayed, "decayed", 1, DateTimeOffset.UnixEpoch);
        var sample = slice.Rows.Rows.Take(300).SelectMany(r => r.Features).ToArray();
        var weightedScores = new float[300];
        var plainScores = new float[300];
        model.Score(sample, weightedScores);
        slice.Model.Score(sample, plainScores);
        Assert.NotEqual(plainScores, weightedScores);
        Assert.Equal("0.5", model.Card.Parameters["labelYearDecay"]);
    }

    [Fact]
    public void Splits_per_row_lie_between_one_per_tree_and_the_deepest_path_and_average_over_rows()
    {
        var model = slice.Model;
        var rows = slice.Rows.Rows.Take(100).SelectMany(r => r.Features).ToArray();
        var mean = model.MeanSplitsPerRow(rows);
        var maxDepth = slice.Options.Leaves - 1;
        Assert.InRange(mean, model.Trees.TreeCount, model.Trees.TreeCount * maxDepth);
        var perRow = Enumerable.Range(0, 100)
            .Select(i => model.MeanSplitsPerRow(rows.AsSpan(i * PairFeatureExtractor.Count, PairFeatureExtractor.Count)))
            .ToArray();
        Assert.All(perRow, v => Assert.Equal(Math.Floor(v), v));
        Assert.Equal(perRow.Average(), mean, 9);
        Assert.True(perRow.Distinct().Count() > 1, "rows should take paths of different lengths");
        Assert.Equal(0, model.MeanSplitsPerRow([]));
    }
}
