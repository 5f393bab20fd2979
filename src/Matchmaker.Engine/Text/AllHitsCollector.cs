using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;

namespace Matchmaker.Engine.Text;

/// <summary>Writes the score of every matching document into an array indexed by the top-level doc id.</summary>
internal sealed class AllHitsCollector(float[] scoresByDoc) : ICollector
{
    private Scorer? _scorer;
    private int _docBase;

    public void SetScorer(Scorer scorer) => _scorer = scorer;
    public void Collect(int doc) => scoresByDoc[_docBase + doc] = _scorer!.GetScore();
    public void SetNextReader(AtomicReaderContext context) => _docBase = context.DocBase;
    // Lets Lucene use its bulk scorer for disjunctions (it scores windows of documents out of order).
    public bool AcceptsDocsOutOfOrder => true;
}
