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
    // Every tree's splits, then one node per leaf that leads back to itself whichever way a row goes (so that
    // walks in lockstep can keep stepping rows that have arrived). A node below _splitCount is a split; node
    // _splitCount + k is leaf k.
    private readonly Node[] _nodes;
    private readonly int _splitCount;
    private readonly int[] _treeRoot;
    private readonly double[] _leafValue;
    private readonly double _bias;

    /// <summary>
    /// One node in 16 bytes (four to a cache line). A row goes to <see cref="Left"/> when its value is at most the
    /// threshold (as in ML.NET; NaN goes right), else to <see cref="Right"/>, the field right after: the step reads
    /// the child at offset 0 or 1 instead of branching, so that several rows can walk one tree side by side.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Node
    {
        public int Feature;
        public float Threshold;
        public int Left;
        public int Right;
    }

    public CompiledTrees(RegressionTreeEnsemble ensemble, int featureCount)
    {
        FeatureCount = featureCount;
        var splits = new List<Node>();
        var leaves = new List<double>();
        var roots = new List<int>();
        // Children are written as ~leaf first and turned into node indexes once the number of splits is known.
        for (var t = 0; t < ensemble.Trees.Count; t++)
        {
            var tree = ensemble.Trees[t];
            var weight = ensemble.TreeWeights[t];
            var nodeBase = splits.Count;
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
                splits.Add(new Node { Feature = f, Threshold = tree.NumericalSplitThresholds[n], Left = Child(tree.LeftChild[n]), Right = Child(tree.RightChild[n]) });
            }

            int Child(int c) => c >= 0 ? nodeBase + c : ~(leafBase + ~c);
        }
        _splitCount = splits.Count;
        int Resolve(int c) => c >= 0 ? c : _splitCount + ~c;
        _nodes = new Node[_splitCount + leaves.Count];
        for (var n = 0; n < _splitCount; n++)
        {
            var split = splits[n];
            _nodes[n] = split with { Left = Resolve(split.Left), Right = Resolve(split.Right) };
        }
        for (var k = 0; k < leaves.Count; k++)
        {
            var self = _splitCount + k;
            _nodes[self] = new Node { Feature = 0, Threshold = float.PositiveInfinity, Left = self, Right = self };
        }
        _treeRoot = roots.Select(Resolve).ToArray();
        _leafValue = leaves.ToArray();
        _bias = ensemble.Bias;
        foreach (var root in _treeRoot) _maxDepth = Math.Max(_maxDepth, Depth(root));
    }

    // Splits on the longest root-to-leaf path of any tree: the length of a row's path buffer in Contributions.
    private readonly int _maxDepth;

    private int Depth(int node) => node >= _splitCount ? 0 : 1 + Math.Max(Depth(_nodes[node].Left), Depth(_nodes[node].Right));

    public int FeatureCount { get; }
    public int TreeCount => _treeRoot.Length;

    /// <summary>One step of a walk: the child of <paramref name="node"/> the row goes to (a leaf stays where it is).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Step(ref Node node, ref float row)
    {
        var right = !(Unsafe.Add(ref row, node.Feature) <= node.Threshold);
        return Unsafe.Add(ref node.Left, Unsafe.As<bool, byte>(ref right));
    }

    public float Score(ReadOnlySpan<float> features)
    {
        if (features.Length < FeatureCount) throw new ArgumentException("a row has fewer values than the model's features", nameof(features));
        ref var row = ref Unsafe.AsRef(in features[0]);
        ref var nodes = ref MemoryMarshal.GetArrayDataReference(_nodes);
        var sum = _bias;
        foreach (var root in _treeRoot)
        {
            var node = root;
            while (node < _splitCount) node = Step(ref Unsafe.Add(ref nodes, node), ref row);
            sum += _leafValue[node - _splitCount];
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
        var splitCount = _splitCount;
        // The row's path through a tree: its splits and the leaf the other branch of each leads to. (Walking the other
        // branches four side by side, as Score does with rows, was slower here: they differ in length, and one row's
        // path is usually well predicted.)
        Span<int> otherLeaves = _maxDepth <= 256 ? stackalloc int[_maxDepth] : new int[_maxDepth];
        Span<int> splitFeatures = _maxDepth <= 256 ? stackalloc int[_maxDepth] : new int[_maxDepth];
        foreach (var root in _treeRoot)
        {
            var depth = 0;
            var node = root;
            while (node < splitCount)
            {
                ref readonly var split = ref Unsafe.Add(ref nodes, node);
                var goesLeft = Unsafe.Add(ref row, split.Feature) <= split.Threshold;
                splitFeatures[depth] = split.Feature;
                otherLeaves[depth++] = LeafFrom(goesLeft ? split.Right : split.Left, ref row, ref nodes, splitCount);
                node = goesLeft ? split.Left : split.Right;
            }
            // Following the taken branch always ends in the row's own leaf.
            var own = Unsafe.Add(ref leaves, node - splitCount);
            for (var d = 0; d < depth; d++) Unsafe.Add(ref sums, splitFeatures[d]) += (float)(own - Unsafe.Add(ref leaves, otherLeaves[d] - splitCount));
        }
    }

    private static int LeafFrom(int node, ref float row, ref Node nodes, int splitCount)
    {
        while (node < splitCount)
        {
            ref readonly var split = ref Unsafe.Add(ref nodes, node);
            node = Unsafe.Add(ref row, split.Feature) <= split.Threshold ? split.Left : split.Right;
        }
        return node;
    }

    /// <summary>
    /// Scores rows of <see cref="FeatureCount"/> features laid end to end. Tree by tree over all rows (a tree's
    /// nodes stay in the first-level cache while every row walks it), four rows side by side (four independent
    /// chains of loads instead of one), each row's sum taken in tree order, so the scores are exactly those of
    /// <see cref="Score(ReadOnlySpan{float})"/>.
    /// </summary>
    public void Score(ReadOnlySpan<float> rows, Span<float> scores)
    {
        var count = scores.Length;
        if (rows.Length < count * FeatureCount) throw new ArgumentException("rows are too short for the scores", nameof(rows));
        if (count == 0) return;
        const int blockSize = 256;
        Span<double> sums = stackalloc double[Math.Min(count, blockSize)];
        ref var nodes = ref MemoryMarshal.GetArrayDataReference(_nodes);
        ref var leaves = ref MemoryMarshal.GetArrayDataReference(_leafValue);
        var splitCount = _splitCount;
        var width = FeatureCount;
        for (var start = 0; start < count; start += blockSize)
        {
            var length = Math.Min(blockSize, count - start);
            var block = sums[..length];
            block.Fill(_bias);
            ref var first = ref Unsafe.AsRef(in rows[start * width]);
            foreach (var root in _treeRoot)
            {
                var r = 0;
                for (; r + 4 <= length; r += 4)
                {
                    ref var r0 = ref Unsafe.Add(ref first, r * width);
                    ref var r1 = ref Unsafe.Add(ref r0, width);
                    ref var r2 = ref Unsafe.Add(ref r1, width);
                    ref var r3 = ref Unsafe.Add(ref r2, width);
                    int n0 = root, n1 = root, n2 = root, n3 = root;
                    while (((n0 - splitCount) | (n1 - splitCount) | (n2 - splitCount) | (n3 - splitCount)) < 0)
                    {
                        n0 = Step(ref Unsafe.Add(ref nodes, n0), ref r0);
                        n1 = Step(ref Unsafe.Add(ref nodes, n1), ref r1);
                        n2 = Step(ref Unsafe.Add(ref nodes, n2), ref r2);
                        n3 = Step(ref Unsafe.Add(ref nodes, n3), ref r3);
                    }
                    block[r] += Unsafe.Add(ref leaves, n0 - splitCount);
                    block[r + 1] += Unsafe.Add(ref leaves, n1 - splitCount);
                    block[r + 2] += Unsafe.Add(ref leaves, n2 - splitCount);
                    block[r + 3] += Unsafe.Add(ref leaves, n3 - splitCount);
                }
                for (; r < length; r++)
                {
                    ref var row = ref Unsafe.Add(ref first, r * width);
                    var node = root;
                    while (node < splitCount) node = Step(ref Unsafe.Add(ref nodes, node), ref row);
                    block[r] += Unsafe.Add(ref leaves, node - splitCount);
                }
            }
            for (var r = 0; r < length; r++) scores[start + r] = (float)block[r];
        }
    }
}
