using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;

namespace Matchmaker.Engine.Text;

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
