using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Graph;

namespace Matchmaker.Engine.Text;

/// <summary>
/// Document statistics of one field of the profile index, over live documents only. Lucene counts deleted
/// documents in its own statistics until segments merge; these are exact after every update, so an updated index
/// scores as a fresh build.
/// </summary>
internal sealed class FieldStats
{
    public int[] DocFrequency = [];
    public long SumTotalTermFrequency;
    public long SumDocFrequency;
    public long DocCount;

    public int DocFrequencyOf(int id) => id >= 0 && id < DocFrequency.Length ? DocFrequency[id] : 0;

    public FieldStats CopyGrown(int terms)
    {
        var copy = new FieldStats
        {
            DocFrequency = new int[terms],
            SumTotalTermFrequency = SumTotalTermFrequency,
            SumDocFrequency = SumDocFrequency,
            DocCount = DocCount,
        };
        Array.Copy(DocFrequency, copy.DocFrequency, DocFrequency.Length);
        return copy;
    }

    /// <summary>Adds the statistics of other documents (counted apart, over the same term ids).</summary>
    public void Add(FieldStats other)
    {
        for (var id = 0; id < other.DocFrequency.Length; id++) DocFrequency[id] += other.DocFrequency[id];
        SumTotalTermFrequency += other.SumTotalTermFrequency;
        SumDocFrequency += other.SumDocFrequency;
        DocCount += other.DocCount;
    }

    /// <summary>Adds (sign +1) or removes (-1) one document's bag.</summary>
    public void Apply(TermBag bag, int sign)
    {
        if (bag.IsEmpty) return;
        foreach (var id in bag.Ids) DocFrequency[id] += sign;
        SumTotalTermFrequency += sign * bag.TokenCount();
        SumDocFrequency += sign * bag.Length;
        DocCount += sign;
    }
}
