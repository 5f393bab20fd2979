using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Graph;

namespace Matchmaker.Engine.Text;

/// <summary>A bag of words: distinct term ids in ascending order with their counts.</summary>
internal readonly record struct TermBag(int[] Ids, int[] Counts)
{
    public static TermBag Empty { get; } = new([], []);
    public int Length => Ids.Length;
    public bool IsEmpty => Ids.Length == 0;

    public int CountOf(int id)
    {
        var i = Array.BinarySearch(Ids, id);
        return i >= 0 ? Counts[i] : 0;
    }

    public long TokenCount()
    {
        long sum = 0;
        foreach (var c in Counts) sum += c;
        return sum;
    }
}
