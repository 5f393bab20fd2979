using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Documents;
using Lucene.Net.Index;

namespace Matchmaker.Engine.Text;

internal static class DocMaps
{
    /// <summary>Top-level doc id of every key (organization or project index) in the numeric doc values field, -1 where none is live.</summary>
    public static int[] KeyToDoc(IndexReader reader, string field, int keys)
    {
        var toDoc = new int[keys];
        Array.Fill(toDoc, -1);
        foreach (var leaf in reader.Leaves)
        {
            var atomic = leaf.AtomicReader;
            var values = atomic.GetNumericDocValues(field);
            if (values is null) continue;
            var live = atomic.LiveDocs;
            for (var d = 0; d < atomic.MaxDoc; d++)
            {
                if (live is not null && !live.Get(d)) continue;
                var key = (int)values.Get(d);
                if (key < keys) toDoc[key] = leaf.DocBase + d;
            }
        }
        return toDoc;
    }
}
