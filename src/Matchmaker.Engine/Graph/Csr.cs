namespace Matchmaker.Engine.Graph;

/// <summary>
/// Compressed sparse rows: the neighbours of node <c>n</c> are <c>Targets[Offsets[n]..Offsets[n + 1]]</c>,
/// sorted ascending. Edge-aligned payload arrays (weights, years) use the same positions.
/// </summary>
public sealed class Csr
{
    public Csr(int[] offsets, int[] targets)
    {
        if (offsets.Length == 0 || offsets[^1] != targets.Length) throw new ArgumentException("offsets do not match targets");
        Offsets = offsets;
        Targets = targets;
    }

    public int[] Offsets { get; }
    public int[] Targets { get; }
    public int NodeCount => Offsets.Length - 1;
    public int EdgeCount => Targets.Length;

    public ReadOnlySpan<int> this[int node] => Targets.AsSpan(Offsets[node], Offsets[node + 1] - Offsets[node]);

    public int Degree(int node) => Offsets[node + 1] - Offsets[node];

    /// <summary>The edge position of (node, target), or -1. Binary search over the sorted row.</summary>
    public int EdgeIndex(int node, int target)
    {
        var i = Array.BinarySearch(Targets, Offsets[node], Offsets[node + 1] - Offsets[node], target);
        return i >= 0 ? i : -1;
    }

    /// <summary>Builds from (source, target) pairs; duplicates are kept. Rows come out sorted by target.</summary>
    public static Csr FromPairs(int nodeCount, ReadOnlySpan<int> sources, ReadOnlySpan<int> targets, out int[] order)
    {
        var offsets = new int[nodeCount + 1];
        foreach (var s in sources) offsets[s + 1]++;
        for (var i = 0; i < nodeCount; i++) offsets[i + 1] += offsets[i];
        var cursor = offsets[..^1].ToArray();
        var result = new int[targets.Length];
        order = new int[targets.Length];
        for (var e = 0; e < sources.Length; e++)
        {
            var at = cursor[sources[e]]++;
            result[at] = targets[e];
            order[at] = e;
        }
        for (var n = 0; n < nodeCount; n++)
        {
            Array.Sort(result, order, offsets[n], offsets[n + 1] - offsets[n]);
        }
        return new Csr(offsets, result);
    }
}
