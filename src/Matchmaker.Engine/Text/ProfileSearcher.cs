using Lucene.Net.Analysis;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;

namespace Matchmaker.Engine.Text;

/// <summary>
/// Emits a bag of already analyzed terms as tokens (each term as often as it occurs), so texts are analyzed once,
/// by <see cref="TextAnalyzer"/>, and not again by the index writer. Positions are not indexed: BM25 needs only
/// term frequencies and field lengths.
/// </summary>
internal sealed class BagTokenStream : TokenStream
{
    private readonly ICharTermAttribute _term;
    private readonly IReadOnlyList<string> _terms;
    private readonly TermBag _bag;
    private int _at;
    private int _left;

    public BagTokenStream(IReadOnlyList<string> terms, TermBag bag)
    {
        _terms = terms;
        _bag = bag;
        _term = AddAttribute<ICharTermAttribute>();
    }

    public override bool IncrementToken()
    {
        ClearAttributes();
        while (_left == 0)
        {
            if (++_at >= _bag.Ids.Length) return false;
            _left = _bag.Counts[_at];
        }
        _left--;
        _term.SetEmpty().Append(_terms[_bag.Ids[_at]]);
        return true;
    }

    public override void Reset()
    {
        base.Reset();
        _at = -1;
        _left = 0;
    }

    public static readonly FieldType FieldType = NewFieldType();

    private static FieldType NewFieldType()
    {
        var type = new FieldType
        {
            IsIndexed = true,
            IsTokenized = true,
            IsStored = false,
            IndexOptions = IndexOptions.DOCS_AND_FREQS,
        };
        type.Freeze();
        return type;
    }
}

/// <summary>Statistics of the profile index's fields, kept exact over live documents (see <see cref="FieldStats"/>).</summary>
internal sealed class ProfileStatistics(IReadOnlyDictionary<string, FieldStats> fields, Vocabulary vocabulary, int maxDoc)
{
    public int DocFrequency(string field, string term) =>
        fields.TryGetValue(field, out var stats) ? stats.DocFrequencyOf(vocabulary.IdOf(term)) : 0;

    public CollectionStatistics Collection(string field)
    {
        var stats = fields[field];
        return new CollectionStatistics(field, maxDoc, stats.DocCount, stats.SumTotalTermFrequency, stats.SumDocFrequency);
    }
}

/// <summary>A searcher that scores with <see cref="ProfileStatistics"/> instead of Lucene's segment statistics.</summary>
internal sealed class ProfileSearcher(IndexReader reader, ProfileStatistics statistics) : IndexSearcher(reader)
{
    public override TermStatistics TermStatistics(Term term, TermContext context) =>
        new(term.Bytes, Math.Max(1, statistics.DocFrequency(term.Field, term.Text)), -1);

    public override CollectionStatistics CollectionStatistics(string field) => statistics.Collection(field);
}

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
