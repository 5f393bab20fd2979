using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML.Trainers.FastTree;

namespace Matchmaker.Engine.Matching;

/// <summary>
/// A tree ensemble copied out of an ML.NET model into flat arrays, so that scoring a row is a few hundred array
/// reads with no allocation, no IDataView and no lock: immutable, hence safe under concurrent use. Gives the same
/// scores as the ML.NET transformer it came from (a test holds it to that).
/// </summary>
public sealed class CompiledTrees
{
    private readonly int[] _treeRoot;
    private readonly int[] _feature;
    private readonly float[] _threshold;
    // Children: >= 0 is a node, < 0 is ~leaf (a global leaf index).
    private readonly int[] _left;
    private readonly int[] _right;
    private readonly double[] _leafValue;
    private readonly double _bias;
    // The same nodes packed together (one cache line holds four), for the batch scorer.
    private readonly Node[] _nodes;

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct Node(int Feature, float Threshold, int Left, int Right);

    public CompiledTrees(RegressionTreeEnsemble ensemble, int featureCount)
    {
        FeatureCount = featureCount;
        var roots = new List<int>();
        var feature = new List<int>();
        var threshold = new List<float>();
        var left = new List<int>();
        var right = new List<int>();
        var leaves = new List<double>();
        for (var t = 0; t < ensemble.Trees.Count; t++)
        {
            var tree = ensemble.Trees[t];
            var weight = ensemble.TreeWeights[t];
            var nodeBase = feature.Count;
            var leafBase = leaves.Count;
            foreach (var v in tree.LeafValues) leaves.Add(v * weight);
            if (tree.NumberOfNodes == 0)
            {
                roots.Add(~leafBase);
                continue;
            }
            roots.Add(nodeBase);
            for (var n = 0; n < tree.NumberOfNodes; n++)
            {
                if (tree.CategoricalSplitFlags[n]) throw new NotSupportedException("Categorical splits are not compiled; train with UseCategoricalSplit = false.");
                var f = tree.NumericalSplitFeatureIndexes[n];
                if (f < 0 || f >= featureCount) throw new InvalidOperationException($"Tree {t} splits on feature {f}, outside 0..{featureCount - 1}.");
                feature.Add(f);
                threshold.Add(tree.NumericalSplitThresholds[n]);
                left.Add(Child(tree.LeftChild[n]));
                right.Add(Child(tree.RightChild[n]));
            }

            int Child(int c) => c >= 0 ? nodeBase + c : ~(leafBase + ~c);
        }
        _treeRoot = roots.ToArray();
        _feature = feature.ToArray();
        _threshold = threshold.ToArray();
        _left = left.ToArray();
        _right = right.ToArray();
        _leafValue = leaves.ToArray();
        _bias = ensemble.Bias;
        _nodes = new Node[_feature.Length];
        for (var n = 0; n < _nodes.Length; n++) _nodes[n] = new Node(_feature[n], _threshold[n], _left[n], _right[n]);
        foreach (var root in _treeRoot) _maxDepth = Math.Max(_maxDepth, Depth(root));
    }

    // Splits on the longest root-to-leaf path of any tree: the length of a row's path buffer in Contributions.
    private readonly int _maxDepth;

    private int Depth(int node) => node < 0 ? 0 : 1 + Math.Max(Depth(_left[node]), Depth(_right[node]));

    public int FeatureCount { get; }
    public int TreeCount => _treeRoot.Length;

    public float Score(ReadOnlySpan<float> features)
    {
        var sum = _bias;
        foreach (var root in _treeRoot)
        {
            var node = root;
            while (node >= 0) node = features[_feature[node]] <= _threshold[node] ? _left[node] : _right[node];
            sum += _leafValue[~node];
        }
        return (float)sum;
    }

    /// <summary>
    /// Feature contributions of one row, as ML.NET computes them for tree ensembles: at every split on the row's
    /// path, the split's feature gets the difference between the leaf the row reaches and the leaf it would reach
    /// had it gone the other way at that split (following its own features below). Same values as
    /// <see cref="RankingModel.ContributionsWithTransform"/> (a test holds it to that), without an IDataView.
    /// </summary>
    public void Contributions(ReadOnlySpan<float> features, Span<float> contributions)
    {
        if (features.Length < FeatureCount) throw new ArgumentException("a row has fewer values than the model's features", nameof(features));
        if (contributions.Length < FeatureCount) throw new ArgumentException("too short for the model's features", nameof(contributions));
        contributions.Clear();
        ref var row = ref Unsafe.AsRef(in features[0]);
        ref var nodes = ref MemoryMarshal.GetArrayDataReference(_nodes);
        ref var leaves = ref MemoryMarshal.GetArrayDataReference(_leafValue);
        ref var sums = ref MemoryMarshal.GetReference(contributions);
        // The row's path through a tree: its splits and the leaf the other branch of each leads to.
        Span<int> otherLeaves = _maxDepth <= 256 ? stackalloc int[_maxDepth] : new int[_maxDepth];
        Span<int> splitFeatures = _maxDepth <= 256 ? stackalloc int[_maxDepth] : new int[_maxDepth];
        foreach (var root in _treeRoot)
        {
            var depth = 0;
            var node = root;
            while (node >= 0)
            {
                ref readonly var split = ref Unsafe.Add(ref nodes, node);
                var goesLeft = Unsafe.Add(ref row, split.Feature) <= split.Threshold;
                splitFeatures[depth] = split.Feature;
                otherLeaves[depth++] = LeafFrom(goesLeft ? split.Right : split.Left, ref row, ref nodes);
                node = goesLeft ? split.Left : split.Right;
            }
            // Following the taken branch always ends in the row's own leaf.
            var own = Unsafe.Add(ref leaves, ~node);
            for (var d = 0; d < depth; d++) Unsafe.Add(ref sums, splitFeatures[d]) += (float)(own - Unsafe.Add(ref leaves, ~otherLeaves[d]));
        }
    }

    private static int LeafFrom(int node, ref float row, ref Node nodes)
    {
        while (node >= 0)
        {
            ref readonly var split = ref Unsafe.Add(ref nodes, node);
            node = Unsafe.Add(ref row, split.Feature) <= split.Threshold ? split.Left : split.Right;
        }
        return node;
    }

    /// <summary>
    /// Scores rows of <see cref="FeatureCount"/> features laid end to end. Tree by tree over all rows (a tree's
    /// nodes stay in the first-level cache while every row walks it), each row's sum taken in tree order, so the
    /// scores are exactly those of <see cref="Score(ReadOnlySpan{float})"/>.
    /// </summary>
    public void Score(ReadOnlySpan<float> rows, Span<float> scores)
    {
        var count = scores.Length;
        if (rows.Length < count * FeatureCount) throw new ArgumentException("rows are too short for the scores", nameof(rows));
        if (count == 0) return;
        const int Block = 256;
        Span<double> sums = stackalloc double[Math.Min(count, Block)];
        ref var nodes = ref MemoryMarshal.GetArrayDataReference(_nodes);
        ref var leaves = ref MemoryMarshal.GetArrayDataReference(_leafValue);
        for (var start = 0; start < count; start += Block)
        {
            var length = Math.Min(Block, count - start);
            var block = sums[..length];
            block.Fill(_bias);
            ref var first = ref Unsafe.AsRef(in rows[start * FeatureCount]);
            foreach (var root in _treeRoot)
            {
                if (root < 0)
                {
                    var value = _leafValue[~root];
                    for (var r = 0; r < length; r++) block[r] += value;
                    continue;
                }
                for (var r = 0; r < length; r++)
                {
                    ref var row = ref Unsafe.Add(ref first, r * FeatureCount);
                    var node = root;
                    do
                    {
                        ref readonly var split = ref Unsafe.Add(ref nodes, node);
                        node = Unsafe.Add(ref row, split.Feature) <= split.Threshold ? split.Left : split.Right;
                    }
                    while (node >= 0);
                    block[r] += Unsafe.Add(ref leaves, ~node);
                }
            }
            for (var r = 0; r < length; r++) scores[start + r] = (float)block[r];
        }
    }
}
