using Lucene.Net.Analysis;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Documents;
using Lucene.Net.Index;

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
