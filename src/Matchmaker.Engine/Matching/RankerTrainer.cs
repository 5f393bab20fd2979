using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.LightGbm;

namespace Matchmaker.Engine.Matching;

/// <summary>
/// One slice of a time split: a snapshot of everything before a cut-off and the queries whose answers (labels)
/// come from after it. Features only ever see the snapshot, so the model learns to predict new ties.
/// </summary>
public sealed record TrainingSplit(SnapshotStats Stats, IReadOnlyList<MatchQuery> Queries, string Description);

public sealed record RankerOptions
{
    /// <summary>Candidates that are not answers, sampled per query (all answers among the candidates are kept).</summary>
    public int NegativesPerQuery { get; init; } = 50;
    public int Iterations { get; init; } = 100;
    public int Leaves { get; init; } = 31;
    public double LearningRate { get; init; } = 0.1;
    public int MinimumExamplesPerLeaf { get; init; } = 50;
    public double FeatureFraction { get; init; } = 0.9;
    /// <summary>Threads for building rows; null = all cores.</summary>
    public int? Threads { get; init; }
    /// <summary>
    /// LightGBM's own threads. One by default: its OpenMP threads spin at barriers, and on a busy two-core machine
    /// two of them ran six times slower than one (53 s against 8 s on the 2018 split).
    /// </summary>
    public int TrainerThreads { get; init; } = 1;
    public int Seed { get; init; } = 1;
}

/// <summary>Builds grouped training rows from time splits and fits a LightGBM LambdaRank model with ML.NET.</summary>
public static class RankerTrainer
{
    public sealed class TrainingRow
    {
        public float Label { get; set; }
        public uint GroupId { get; set; }
        public float[] Features { get; set; } = [];
    }

    public sealed record TrainingSet(IReadOnlyList<TrainingRow> Rows, int Queries);

    public static TrainingSet BuildRows(IEnumerable<TrainingSplit> splits, CandidateGenerator candidates, PairFeatureExtractor features, RankerOptions options)
    {
        var rows = new List<TrainingRow>();
        uint group = 0;
        foreach (var split in splits)
        {
            if (!Evaluation.TimeSplit.IsLeakFree(split.Stats.Snapshot, split.Queries))
            {
                throw new InvalidOperationException($"Split '{split.Description}' has labels inside its feature window.");
            }
            var perQuery = new List<TrainingRow>?[split.Queries.Count];
            using var pool = new WorkspacePool(split.Stats);
            Parallel.For(0, split.Queries.Count, new ParallelOptions { MaxDegreeOfParallelism = options.Threads ?? Environment.ProcessorCount }, i =>
            {
                var workspace = pool.Rent();
                try
                {
                    perQuery[i] = RowsOf(split.Queries[i], workspace, candidates, features, options, i);
                }
                finally
                {
                    pool.Return(workspace);
                }
            });
            foreach (var list in perQuery)
            {
                if (list is null) continue;
                foreach (var row in list) row.GroupId = group;
                rows.AddRange(list);
                group++;
            }
        }
        return new TrainingSet(rows, (int)group);
    }

    private static List<TrainingRow>? RowsOf(MatchQuery query, Workspace w, CandidateGenerator candidates, PairFeatureExtractor features, RankerOptions options, int salt)
    {
        // Prepared as the matcher prepares it, so that training rows are computed as served rows are.
        w.Context.Prepare(query, candidates.Options.HubCap, hubsOnDemand: !candidates.Options.PartnersOfPartnersThroughHubs);
        candidates.Generate(w.Context, w.Candidates, w.Sources);
        var relevant = query.Relevant.ToHashSet();
        var positives = w.Candidates.Where(relevant.Contains).ToList();
        // A query without any answer among the candidates teaches a ranker nothing.
        if (positives.Count == 0) return null;
        var negatives = w.Candidates.Where(c => !relevant.Contains(c)).ToArray();
        // A fixed mix, not HashCode.Combine: that one is seeded per process, and the sample must be the same every run.
        var random = new Random(unchecked(options.Seed * 1_000_003 + query.Organization * 7_919 + query.Year * 31 + salt));
        random.Shuffle(negatives);
        var chosen = positives.Concat(negatives.Take(options.NegativesPerQuery)).ToArray();
        var buffer = new float[chosen.Length * PairFeatureExtractor.Count];
        features.Compute(w.Context, chosen, buffer);
        var rows = new List<TrainingRow>(chosen.Length);
        for (var i = 0; i < chosen.Length; i++)
        {
            rows.Add(new TrainingRow
            {
                Label = relevant.Contains(chosen[i]) ? 1 : 0,
                Features = buffer.AsSpan(i * PairFeatureExtractor.Count, PairFeatureExtractor.Count).ToArray(),
            });
        }
        return rows;
    }

    public static RankingModel Train(TrainingSet set, RankerOptions options, string trainingDescription, int version, DateTimeOffset createdAt)
    {
        if (set.Rows.Count == 0) throw new InvalidOperationException("No training rows: no query had an answer among its candidates.");
        var ml = new MLContext(options.Seed);
        var schema = SchemaDefinition.Create(typeof(TrainingRow));
        schema[nameof(TrainingRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, PairFeatureExtractor.Count);
        var data = ml.Data.LoadFromEnumerable(set.Rows, schema);
        var keyed = ml.Transforms.Conversion.MapValueToKey(nameof(TrainingRow.GroupId)).Fit(data).Transform(data);
        var trainer = ml.Ranking.Trainers.LightGbm(new LightGbmRankingTrainer.Options
        {
            LabelColumnName = nameof(TrainingRow.Label),
            FeatureColumnName = nameof(TrainingRow.Features),
            RowGroupColumnName = nameof(TrainingRow.GroupId),
            NumberOfIterations = options.Iterations,
            NumberOfLeaves = options.Leaves,
            LearningRate = options.LearningRate,
            MinimumExampleCountPerLeaf = options.MinimumExamplesPerLeaf,
            UseCategoricalSplit = false,
            HandleMissingValue = false,
            NumberOfThreads = options.TrainerThreads,
            Seed = options.Seed,
            Deterministic = false,
            Booster = new GradientBooster.Options { FeatureFraction = options.FeatureFraction },
            Silent = true,
        });
        var transformer = trainer.Fit(keyed);

        // The saved model needs only the feature column: scoring never knows groups or labels.
        var inputSchema = ml.Data.LoadFromEnumerable(Array.Empty<RankingModel.FeatureRow>(), RankingModel.FeatureRow.Schema).Schema;
        var card = new ModelCard
        {
            Version = version,
            CreatedAt = createdAt,
            TrainingData = trainingDescription,
            TrainingQueries = set.Queries,
            TrainingRows = set.Rows.Count,
            Parameters = new Dictionary<string, string>
            {
                ["iterations"] = options.Iterations.ToString(CultureInfo.InvariantCulture),
                ["leaves"] = options.Leaves.ToString(CultureInfo.InvariantCulture),
                ["learningRate"] = options.LearningRate.ToString(CultureInfo.InvariantCulture),
                ["minimumExamplesPerLeaf"] = options.MinimumExamplesPerLeaf.ToString(CultureInfo.InvariantCulture),
                ["featureFraction"] = options.FeatureFraction.ToString(CultureInfo.InvariantCulture),
                ["negativesPerQuery"] = options.NegativesPerQuery.ToString(CultureInfo.InvariantCulture),
                ["trainerThreads"] = options.TrainerThreads.ToString(CultureInfo.InvariantCulture),
                ["seed"] = options.Seed.ToString(CultureInfo.InvariantCulture),
            },
        };
        return new RankingModel(ml, transformer, inputSchema, card);
    }
}
