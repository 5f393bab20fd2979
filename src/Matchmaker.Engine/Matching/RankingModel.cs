using System.IO.Compression;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace Matchmaker.Engine.Matching;

public sealed record ValidationMetrics(string Split, double Ndcg10, double Recall20, double Mrr, int Queries);

/// <summary>What a model was trained on and how well it did: stored beside the trees in the model file.</summary>
public sealed record ModelCard
{
    public const int CurrentFormat = 1;
    public int Format { get; init; } = CurrentFormat;
    public int Version { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public string Trainer { get; init; } = "LightGBM LambdaRank (ML.NET)";
    public IReadOnlyList<string> FeatureNames { get; init; } = PairFeatureExtractor.Names;
    /// <summary>Plain words on the training data: which projects gave features, which gave labels.</summary>
    public string TrainingData { get; init; } = "";
    public int TrainingQueries { get; init; }
    public int TrainingRows { get; init; }
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();
    public ValidationMetrics? Validation { get; init; }
}

/// <summary>
/// A trained pair ranker: the ML.NET transformer (kept for saving and for feature contributions) and its trees
/// compiled for fast scoring. Immutable and safe to share between threads.
/// </summary>
public sealed class RankingModel
{
    private const string ModelEntry = "mlnet-model.zip";
    private const string CardEntry = "model-card.json";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    internal RankingModel(MLContext ml, ITransformer transformer, DataViewSchema inputSchema, ModelCard card)
    {
        Ml = ml;
        Transformer = transformer;
        InputSchema = inputSchema;
        Card = card;
        var predictor = transformer as ISingleFeaturePredictionTransformer<object>
            ?? throw new InvalidDataException("The model is not a single-feature prediction transformer.");
        var trees = predictor.Model as TreeEnsembleModelParametersBasedOnRegressionTree
            ?? throw new InvalidDataException($"The model holds {predictor.Model?.GetType().Name}, not a regression-tree ensemble.");
        Trees = new CompiledTrees(trees.TrainedTreeEnsemble, PairFeatureExtractor.Count);
        _ensemble = trees.TrainedTreeEnsemble;
        LeafCount = _ensemble.Trees.Sum(t => t.NumberOfLeaves);
        if (!card.FeatureNames.SequenceEqual(PairFeatureExtractor.Names))
        {
            throw new InvalidDataException("The model was trained on other features than this engine computes.");
        }
    }

    internal MLContext Ml { get; }
    public ITransformer Transformer { get; }
    internal DataViewSchema InputSchema { get; }
    public ModelCard Card { get; }
    public CompiledTrees Trees { get; }
    /// <summary>Leaves over all trees: with the tree count, what a score costs.</summary>
    public int LeafCount { get; }

    private readonly RegressionTreeEnsemble _ensemble;

    /// <summary>
    /// Splits a row passes through on its way down all the trees, averaged over <paramref name="rows"/>: the work of
    /// scoring a row, counted instead of timed (the same on a busy machine as on a quiet one).
    /// </summary>
    public double MeanSplitsPerRow(ReadOnlySpan<float> rows)
    {
        var count = rows.Length / PairFeatureExtractor.Count;
        if (count == 0) return 0;
        long splits = 0;
        for (var i = 0; i < count; i++)
        {
            var row = rows.Slice(i * PairFeatureExtractor.Count, PairFeatureExtractor.Count);
            foreach (var tree in _ensemble.Trees)
            {
                if (tree.NumberOfNodes == 0) continue;
                var node = 0;
                while (node >= 0)
                {
                    splits++;
                    node = row[tree.NumericalSplitFeatureIndexes[node]] <= tree.NumericalSplitThresholds[node] ? tree.LeftChild[node] : tree.RightChild[node];
                }
            }
        }
        return (double)splits / count;
    }

    public RankingModel WithCard(ModelCard card) => new(Ml, Transformer, InputSchema, card);

    public void Score(ReadOnlySpan<float> rows, Span<float> scores) => Trees.Score(rows, scores);

    /// <summary>Scores through ML.NET's batch Transform: the reference path the compiled trees are checked against.</summary>
    public float[] ScoreWithTransform(ReadOnlySpan<float> rows)
    {
        var count = rows.Length / PairFeatureExtractor.Count;
        var data = Ml.Data.LoadFromEnumerable(FeatureRow.From(rows, count), FeatureRow.Schema);
        return Transformer.Transform(data).GetColumn<float>("Score").ToArray();
    }

    /// <summary>
    /// ML.NET's feature contributions for tree models (per row, one value per feature, in score units): how much
    /// each feature moved this row's score away from the ensemble's baseline.
    /// </summary>
    public float[][] Contributions(ReadOnlySpan<float> rows)
    {
        var count = rows.Length / PairFeatureExtractor.Count;
        var result = new float[count][];
        for (var i = 0; i < count; i++)
        {
            result[i] = new float[PairFeatureExtractor.Count];
            Trees.Contributions(rows.Slice(i * PairFeatureExtractor.Count, PairFeatureExtractor.Count), result[i]);
        }
        return result;
    }

    /// <summary>The same contributions through ML.NET's CalculateFeatureContribution transform: the reference path.</summary>
    public float[][] ContributionsWithTransform(ReadOnlySpan<float> rows)
    {
        var count = rows.Length / PairFeatureExtractor.Count;
        var data = Ml.Data.LoadFromEnumerable(FeatureRow.From(rows, count), FeatureRow.Schema);
        var column = ContributionCalculator(data).Transform(data).GetColumn<VBuffer<float>>("FeatureContributions");
        return column.Select(v => v.DenseValues().ToArray()).ToArray();
    }

    private ITransformer? _contributionCalculator;

    /// <summary>
    /// The fitted contribution calculator, made once: fitting only reads the schema, and a fitted transformer is
    /// safe to share between threads. Making it per call cost more than the contributions themselves.
    /// </summary>
    private ITransformer ContributionCalculator(IDataView schemaSource) =>
        LazyInitializer.EnsureInitialized(ref _contributionCalculator, () =>
        {
            var predictor = (ISingleFeaturePredictionTransformer<Microsoft.ML.Trainers.ICalculateFeatureContribution>)Transformer;
            return Ml.Transforms.CalculateFeatureContribution(predictor, numberOfPositiveContributions: PairFeatureExtractor.Count,
                numberOfNegativeContributions: PairFeatureExtractor.Count, normalize: false).Fit(schemaSource);
        });

    public void Save(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);
        // A unique temporary name: two hosts sharing the model directory may save at the same moment.
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        using (var file = File.Create(temporary))
        using (var zip = new ZipArchive(file, ZipArchiveMode.Create))
        {
            using (var entry = zip.CreateEntry(ModelEntry, CompressionLevel.NoCompression).Open())
            {
                Ml.Model.Save(Transformer, InputSchema, entry);
            }
            using var card = zip.CreateEntry(CardEntry).Open();
            JsonSerializer.Serialize(card, Card, Json);
        }
        // Readers never see a half-written model.
        File.Move(temporary, path, overwrite: true);
    }

    public static ModelCard ReadCard(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        using var stream = (zip.GetEntry(CardEntry) ?? throw new InvalidDataException($"{path} has no {CardEntry}.")).Open();
        var card = JsonSerializer.Deserialize<ModelCard>(stream, Json) ?? throw new InvalidDataException($"{path}: empty model card.");
        if (card.Format != ModelCard.CurrentFormat) throw new InvalidDataException($"{path}: model format {card.Format}, this engine reads {ModelCard.CurrentFormat}.");
        return card;
    }

    public static RankingModel Load(string path, int seed = 1)
    {
        var card = ReadCard(path);
        using var zip = ZipFile.OpenRead(path);
        using var entry = (zip.GetEntry(ModelEntry) ?? throw new InvalidDataException($"{path} has no {ModelEntry}.")).Open();
        // ML.NET needs a seekable stream.
        using var buffer = new MemoryStream();
        entry.CopyTo(buffer);
        buffer.Position = 0;
        var ml = new MLContext(seed);
        var transformer = ml.Model.Load(buffer, out var schema);
        return new RankingModel(ml, transformer, schema, card);
    }

    internal sealed class FeatureRow
    {
        public float[] Features { get; set; } = [];

        public static readonly SchemaDefinition Schema = CreateSchema();

        private static SchemaDefinition CreateSchema()
        {
            var schema = SchemaDefinition.Create(typeof(FeatureRow));
            schema[nameof(Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, PairFeatureExtractor.Count);
            return schema;
        }

        public static IEnumerable<FeatureRow> From(ReadOnlySpan<float> rows, int count)
        {
            var list = new FeatureRow[count];
            for (var i = 0; i < count; i++) list[i] = new FeatureRow { Features = rows.Slice(i * PairFeatureExtractor.Count, PairFeatureExtractor.Count).ToArray() };
            return list;
        }
    }
}
