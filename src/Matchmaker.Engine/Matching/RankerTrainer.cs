using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;

namespace Matchmaker.Engine.Matching;

/// <summary>
/// One slice of a time split: a snapshot of everything before a cut-off and the queries whose answers (labels)
/// come from after it. Features only ever see the snapshot, so the model learns to predict new ties.
/// </summary>
public sealed record TrainingSplit(SnapshotStats Stats, IReadOnlyList<MatchQuery> Queries, string Description)
{
    /// <summary>
    /// This split's own candidate generator and features, when they hold per-snapshot parts (a text index of the
    /// projects before the label year: the label projects' own texts must not be in it); null = the shared ones.
    /// </summary>
    public CandidateGenerator? Candidates { get; init; }
    public PairFeatureExtractor? Features { get; init; }
}

/// <summary>The gradient-boosted ranking trainer: both give a regression-tree ensemble that compiles the same way.</summary>
public enum RankerKind
{
    /// <summary>LightGBM LambdaRank (its NDCG truncation is fixed by ML.NET).</summary>
    LightGbm,
    /// <summary>ML.NET's FastTree LambdaMART, whose NDCG truncation level can be set.</summary>
    FastTree,
}

public sealed record RankerOptions
{
    public RankerKind Trainer { get; init; } = RankerKind.LightGbm;
    /// <summary>Candidates that are not answers, sampled per query (all answers among the candidates are kept).</summary>
    public int NegativesPerQuery { get; init; } = 50;
    /// <summary>
    /// Trees. 85 rather than 100 since the L2 penalty below: its trees are deeper along the common paths, and 85 of
    /// them take a row through fewer splits than the 100 trees without it, for the same NDCG@10 on 2018.
    /// </summary>
    public int Iterations { get; init; } = 85;
    public int Leaves { get; init; } = 31;
    public double LearningRate { get; init; } = 0.1;
    public int MinimumExamplesPerLeaf { get; init; } = 50;
    public double FeatureFraction { get; init; } = 0.9;
    /// <summary>Bagging: the share of rows each tree sees, drawn again every <see cref="SubsampleFrequency"/> trees (0 = off).</summary>
    public double SubsampleFraction { get; init; } = 1;
    public int SubsampleFrequency { get; init; }
    /// <summary>
    /// LightGBM's L2 and L1 penalties on leaf values. L2 10 instead of LightGBM's 0.01: chosen on the CORDIS 2018
    /// split (training before 2018), a small gain on every seed; 3 to 30 did alike (docs/benchmarks-matching.md).
    /// </summary>
    public double L2Regularization { get; init; } = 10;
    public double L1Regularization { get; init; }
    public int MaximumBinCountPerFeature { get; init; } = 255;
    /// <summary>LightGBM's LambdaRank sigmoid parameter (its default).</summary>
    public double Sigmoid { get; init; } = 0.5;
    /// <summary>FastTree only: the depth at which NDCG is cut when computing the LambdaMART gradients.</summary>
    public int NdcgTruncation { get; init; } = 10;
    /// <summary>
    /// Weight of a training query per year its label year lies before the latest label year: 1 weighs all years
    /// alike, 0.8 gives the year before the latest 0.8, the one before that 0.64.
    /// </summary>
    public double LabelYearDecay { get; init; } = 1;
    /// <summary>
    /// Hard negatives per query: the non-answers that a first model scores best, taken beside the
    /// <see cref="NegativesPerQuery"/> uniform ones. The first model has the same settings and as many negatives
    /// per query, all uniform. 0 = none.
    /// </summary>
    public int HardNegatives { get; init; }
    /// <summary>Threads for building rows; null = all cores.</summary>
    public int? Threads { get; init; }
    /// <summary>
    /// LightGBM's own threads. One by default: its OpenMP threads spin at barriers, and on a busy two-core machine
    /// two of them ran several times slower than one (docs/benchmarks-matching.md, "Time and memory").
    /// </summary>
    public int TrainerThreads { get; init; } = 1;
    public int Seed { get; init; } = 1;
}

/// <summary>Builds grouped training rows from time splits and fits a LambdaRank tree ensemble (LightGBM or FastTree) with ML.NET.</summary>
public static class RankerTrainer
{
    public sealed class TrainingRow
    {
        public float Label { get; set; }
        public uint GroupId { get; set; }
        /// <summary>The query's weight (every row of a query has the same).</summary>
        public float Weight { get; set; } = 1;
        public float[] Features { get; set; } = [];
    }

    public sealed record TrainingSet(IReadOnlyList<TrainingRow> Rows, int Queries);

    public static TrainingSet BuildRows(IEnumerable<TrainingSplit> splits, CandidateGenerator candidates, PairFeatureExtractor features, RankerOptions options)
    {
        var list = splits as IReadOnlyList<TrainingSplit> ?? splits.ToArray();
        if (options.HardNegatives <= 0) return BuildRows(list, candidates, features, options, hardScorer: null);
        // Two passes: a first model on uniform negatives finds the non-answers that look most like answers.
        // The first pass takes as many negatives per query, all uniform.
        var uniform = options with { HardNegatives = 0, NegativesPerQuery = options.NegativesPerQuery + options.HardNegatives };
        var first = Train(BuildRows(list, candidates, features, uniform, hardScorer: null), uniform, "first pass (uniform negatives)", 0, DateTimeOffset.UnixEpoch);
        return BuildRows(list, candidates, features, options, first.Trees);
    }

    private static TrainingSet BuildRows(IReadOnlyList<TrainingSplit> splits, CandidateGenerator candidates, PairFeatureExtractor features, RankerOptions options,
        CompiledTrees? hardScorer)
    {
        var latestYear = splits.SelectMany(s => s.Queries).Select(q => q.Year).DefaultIfEmpty().Max();
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
                    perQuery[i] = RowsOf(split.Queries[i], workspace, split.Candidates ?? candidates, split.Features ?? features, options, i, hardScorer);
                }
                finally
                {
                    pool.Return(workspace);
                }
            });
            for (var i = 0; i < perQuery.Length; i++)
            {
                var queryRows = perQuery[i];
                if (queryRows is null) continue;
                var weight = (float)Math.Pow(options.LabelYearDecay, latestYear - split.Queries[i].Year);
                foreach (var row in queryRows)
                {
                    row.GroupId = group;
                    row.Weight = weight;
                }
                rows.AddRange(queryRows);
                group++;
            }
        }
        return new TrainingSet(rows, (int)group);
    }

    private static List<TrainingRow>? RowsOf(MatchQuery query, Workspace w, CandidateGenerator candidates, PairFeatureExtractor features, RankerOptions options, int salt,
        CompiledTrees? hardScorer)
    {
        // Prepared as the matcher prepares it, so that training rows are computed as served rows are.
        w.Context.Prepare(query, candidates.Options.HubCap, hubsOnDemand: !candidates.Options.PartnersOfPartnersThroughHubs);
        candidates.Generate(w.Context, w.Candidates, w.Sources);
        var relevant = query.Relevant.ToHashSet();
        var positives = w.Candidates.Where(relevant.Contains).ToList();
        // A query without any answer among the candidates teaches a ranker nothing.
        if (positives.Count == 0) return null;
        var negatives = w.Candidates.Where(c => !relevant.Contains(c)).ToArray();
        var hard = hardScorer is null ? [] : Hardest(negatives, w, features, hardScorer, options.HardNegatives);
        if (hard.Length > 0)
        {
            var taken = hard.ToHashSet();
            negatives = negatives.Where(c => !taken.Contains(c)).ToArray();
        }
        // A fixed mix, not HashCode.Combine: that one is seeded per process, and the sample must be the same every run.
        var random = new Random(unchecked(options.Seed * 1_000_003 + query.Organization * 7_919 + query.Year * 31 + salt));
        random.Shuffle(negatives);
        var chosen = positives.Concat(hard).Concat(negatives.Take(options.NegativesPerQuery)).ToArray();
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

    /// <summary>The <paramref name="take"/> negatives the first model scores highest (ties by organization).</summary>
    private static int[] Hardest(int[] negatives, Workspace w, PairFeatureExtractor features, CompiledTrees scorer, int take)
    {
        if (negatives.Length == 0 || take <= 0) return [];
        var buffer = new float[negatives.Length * PairFeatureExtractor.Count];
        features.Compute(w.Context, negatives, buffer);
        var scores = new float[negatives.Length];
        scorer.Score(buffer, scores);
        return Enumerable.Range(0, negatives.Length).OrderByDescending(i => scores[i]).ThenBy(i => negatives[i])
            .Take(take).Select(i => negatives[i]).ToArray();
    }

    public static RankingModel Train(TrainingSet set, RankerOptions options, string trainingDescription, int version, DateTimeOffset createdAt)
    {
        if (set.Rows.Count == 0) throw new InvalidOperationException("No training rows: no query had an answer among its candidates.");
        var ml = new MLContext(options.Seed);
        var schema = SchemaDefinition.Create(typeof(TrainingRow));
        schema[nameof(TrainingRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, PairFeatureExtractor.Count);
        var data = ml.Data.LoadFromEnumerable(set.Rows, schema);
        var keyed = ml.Transforms.Conversion.MapValueToKey(nameof(TrainingRow.GroupId)).Fit(data).Transform(data);
        var weighted = options.LabelYearDecay != 1;
        IEstimator<ITransformer> trainer = options.Trainer == RankerKind.FastTree
            ? ml.Ranking.Trainers.FastTree(new FastTreeRankingTrainer.Options
            {
                LabelColumnName = nameof(TrainingRow.Label),
                FeatureColumnName = nameof(TrainingRow.Features),
                RowGroupColumnName = nameof(TrainingRow.GroupId),
                ExampleWeightColumnName = weighted ? nameof(TrainingRow.Weight) : null,
                NumberOfTrees = options.Iterations,
                NumberOfLeaves = options.Leaves,
                LearningRate = options.LearningRate,
                MinimumExampleCountPerLeaf = options.MinimumExamplesPerLeaf,
                FeatureFraction = options.FeatureFraction,
                BaggingSize = options.SubsampleFrequency,
                BaggingExampleFraction = options.SubsampleFraction,
                MaximumBinCountPerFeature = options.MaximumBinCountPerFeature,
                NdcgTruncationLevel = options.NdcgTruncation,
                NumberOfThreads = options.TrainerThreads,
                Seed = options.Seed,
                FeatureFlocks = false,
                CategoricalSplit = false,
            })
            : ml.Ranking.Trainers.LightGbm(new LightGbmRankingTrainer.Options
            {
                LabelColumnName = nameof(TrainingRow.Label),
                FeatureColumnName = nameof(TrainingRow.Features),
                RowGroupColumnName = nameof(TrainingRow.GroupId),
                ExampleWeightColumnName = weighted ? nameof(TrainingRow.Weight) : null,
                NumberOfIterations = options.Iterations,
                NumberOfLeaves = options.Leaves,
                LearningRate = options.LearningRate,
                MinimumExampleCountPerLeaf = options.MinimumExamplesPerLeaf,
                MaximumBinCountPerFeature = options.MaximumBinCountPerFeature,
                Sigmoid = options.Sigmoid,
                UseCategoricalSplit = false,
                HandleMissingValue = false,
                NumberOfThreads = options.TrainerThreads,
                Seed = options.Seed,
                Deterministic = false,
                Booster = new GradientBooster.Options
                {
                    FeatureFraction = options.FeatureFraction,
                    SubsampleFraction = options.SubsampleFraction,
                    SubsampleFrequency = options.SubsampleFrequency,
                    L2Regularization = options.L2Regularization,
                    L1Regularization = options.L1Regularization,
                },
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
            Trainer = options.Trainer == RankerKind.FastTree ? "FastTree LambdaMART (ML.NET)" : "LightGBM LambdaRank (ML.NET)",
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
                ["subsampleFraction"] = options.SubsampleFraction.ToString(CultureInfo.InvariantCulture),
                ["subsampleFrequency"] = options.SubsampleFrequency.ToString(CultureInfo.InvariantCulture),
                ["l2Regularization"] = options.L2Regularization.ToString(CultureInfo.InvariantCulture),
                ["l1Regularization"] = options.L1Regularization.ToString(CultureInfo.InvariantCulture),
                ["maximumBinCountPerFeature"] = options.MaximumBinCountPerFeature.ToString(CultureInfo.InvariantCulture),
                [options.Trainer == RankerKind.FastTree ? "ndcgTruncation" : "sigmoid"] = options.Trainer == RankerKind.FastTree
                    ? options.NdcgTruncation.ToString(CultureInfo.InvariantCulture)
                    : options.Sigmoid.ToString(CultureInfo.InvariantCulture),
                ["labelYearDecay"] = options.LabelYearDecay.ToString(CultureInfo.InvariantCulture),
                ["hardNegatives"] = options.HardNegatives.ToString(CultureInfo.InvariantCulture),
            },
        };
        return new RankingModel(ml, transformer, inputSchema, card);
    }
}
