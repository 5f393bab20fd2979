using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Cn.Smart;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Util;

namespace Matchmaker.Engine.Text;

/// <summary>
/// Turns Chinese and English text into terms: Chinese is segmented into words by Lucene.Net's SmartCn analyzer
/// (a hidden Markov model over a word dictionary), never split into single characters; English words are
/// lower-cased and stemmed by the same analyzer. Tags such as "power-batteries" are read as words.
/// </summary>
public static class TextAnalysis
{
    private static readonly ThreadLocal<Analyzer> Analyzer = new(() => new SmartChineseAnalyzer(LuceneVersion.LUCENE_48));

    public static IReadOnlyList<string> Terms(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return [];
        var terms = new List<string>();
        using var stream = Analyzer.Value!.GetTokenStream("text", text.Replace('-', ' '));
        var term = stream.AddAttribute<ICharTermAttribute>();
        stream.Reset();
        while (stream.IncrementToken())
        {
            var value = term.ToString();
            if (value.Length > 0 && !IsPunctuation(value)) terms.Add(value);
        }
        stream.End();
        return terms;
    }

    private static bool IsPunctuation(string value) => value.All(c => char.IsPunctuation(c) || char.IsSymbol(c) || char.IsWhiteSpace(c));
}
