using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Graph;

namespace Matchmaker.Engine.Text;

/// <summary>Per-thread dense counters for merging the bags of an organization's projects.</summary>
internal sealed class BagMerger
{
    private readonly float[] _weights;
    private readonly int[] _counts;
    private readonly List<int> _touched = [];

    public BagMerger(int terms)
    {
        _weights = new float[terms];
        _counts = new int[terms];
    }

    public void Add(TermBag bag, float weight)
    {
        for (var i = 0; i < bag.Ids.Length; i++)
        {
            var id = bag.Ids[i];
            if (_counts[id] == 0 && _weights[id] == 0) _touched.Add(id);
            _counts[id] += bag.Counts[i];
            _weights[id] += weight * bag.Counts[i];
        }
    }

    /// <summary>The merged counts as a bag; the counters are reset.</summary>
    public TermBag TakeBag()
    {
        var ids = _touched.ToArray();
        Array.Sort(ids);
        var counts = new int[ids.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            counts[i] = _counts[ids[i]];
            _counts[ids[i]] = 0;
            _weights[ids[i]] = 0;
        }
        _touched.Clear();
        return new TermBag(ids, counts);
    }

    /// <summary>The merged weights of the touched terms (ids ascending); the counters are reset.</summary>
    public (int[] Ids, float[] Weights) TakeWeights()
    {
        var ids = _touched.ToArray();
        Array.Sort(ids);
        var weights = new float[ids.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            weights[i] = _weights[ids[i]];
            _counts[ids[i]] = 0;
            _weights[ids[i]] = 0;
        }
        _touched.Clear();
        return (ids, weights);
    }
}
