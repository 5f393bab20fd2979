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
    }

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
        contributions.Clear();
        foreach (var root in _treeRoot)
        {
            var node = root;
            while (node >= 0)
            {
                var goesLeft = features[_feature[node]] <= _threshold[node];
                var taken = goesLeft ? _left[node] : _right[node];
                var other = goesLeft ? _right[node] : _left[node];
                contributions[_feature[node]] += (float)(_leafValue[~LeafFrom(taken, features)] - _leafValue[~LeafFrom(other, features)]);
                node = taken;
            }
        }
    }

    private int LeafFrom(int node, ReadOnlySpan<float> features)
    {
        while (node >= 0) node = features[_feature[node]] <= _threshold[node] ? _left[node] : _right[node];
        return node;
    }

    /// <summary>Scores rows of <see cref="FeatureCount"/> features laid end to end.</summary>
    public void Score(ReadOnlySpan<float> rows, Span<float> scores)
    {
        for (var i = 0; i < scores.Length; i++) scores[i] = Score(rows.Slice(i * FeatureCount, FeatureCount));
    }
}
