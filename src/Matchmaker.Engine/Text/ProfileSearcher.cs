using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;

namespace Matchmaker.Engine.Text;

/// <summary>A searcher that scores with <see cref="ProfileStatistics"/> instead of Lucene's segment statistics.</summary>
internal sealed class ProfileSearcher(IndexReader reader, ProfileStatistics statistics) : IndexSearcher(reader)
{
    public override TermStatistics TermStatistics(Term term, TermContext context) =>
        new(term.Bytes, Math.Max(1, statistics.DocFrequency(term.Field, term.Text)), -1);

    public override CollectionStatistics CollectionStatistics(string field) => statistics.Collection(field);
}
