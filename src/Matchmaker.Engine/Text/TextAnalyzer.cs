using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Cn.Smart;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Analysis.En;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Analysis.Util;
using Lucene.Net.Util;

namespace Matchmaker.Engine.Text;

/// <summary>A term of analyzed text: its stem (what is indexed and matched) and the word as written (lower-cased).</summary>
public readonly record struct AnalyzedWord(string Term, string Surface);

/// <summary>
/// Mixed Chinese and English analysis for the text index. The text is cut into runs of Chinese (CJK ideographs,
/// CJK punctuation, full-width forms) and runs of anything else. A Chinese run is segmented into dictionary words by
/// SmartCn (a hidden Markov model; full-width forms folded to half-width), then loses SmartCn's stop words and common
/// Chinese function words. Any other run is split into words by Lucene's standard tokenizer (Unicode word breaks),
/// loses possessive "'s", is lower-cased, loses English stop words and is stemmed with KStem. In both, tokens without
/// a letter (numbers, punctuation) and single Latin letters are dropped.
/// </summary>
/// <remarks>
/// KStem rather than Porter: it is a dictionary-checked, conservative stemmer whose stems are mostly real words
/// ("batteries" → "battery") and it does not conflate distinct words as Porter does ("organization" and
/// "organ" → "organ", "university" and "universe" → "univers"). English runs do not go through SmartCn, whose
/// sentence and word segmentation is several times slower than the standard tokenizer on Latin text.
/// Thread-safe: Lucene keeps one token stream chain per thread.
/// </remarks>
public sealed class TextAnalyzer
{
    public static TextAnalyzer Shared { get; } = new();

    private readonly Analyzer _chinese = new ChineseRuns();
    private readonly Analyzer _other = new OtherRuns();
    private readonly Func<string, AnalyzedWord[]> _analyzeChinese;
    private readonly Func<string, AnalyzedWord[]> _analyzeOther;

    public TextAnalyzer()
    {
        _analyzeChinese = piece => Words(_chinese, piece);
        _analyzeOther = piece => Words(_other, piece);
    }

    /// <summary>English stop words: Lucene's list plus common English function words.</summary>
    public static CharArraySet EnglishStopWords { get; } = Words("""
        a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to
        was will with about above after again against all also am any because been before being below between both can could
        did do does doing down during each few from further had has have having he her here hers herself him
        himself his how i its itself just me more most my myself nor now only other our ours ourselves out over
        own same she should so some than those through too under until up very we were what when where which while
        who whom why would you your yours yourself yourselves within without across among via per thus however
        may might must shall upon whether
        """);

    /// <summary>Chinese stop words: SmartCn's (punctuation) plus common function words, which SmartCn keeps as words.</summary>
    public static CharArraySet ChineseStopWords { get; } = Words("的 与 和 及 或 在 是 了 等 对 为 以 将 并 其 从 由 于 而 也 把 被 之 中 及其 以及 通过 进行", SmartChineseAnalyzer.DefaultStopSet);

    private static CharArraySet Words(string words, CharArraySet? more = null)
    {
        var set = new CharArraySet(LuceneVersion.LUCENE_48, 200, ignoreCase: false);
        if (more is not null) set.UnionWith(more);
        foreach (var w in words.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries)) set.Add(w);
        return set.AsReadOnly();
    }

    /// <summary>The words of <paramref name="text"/> in order, each as its stem and its surface form.</summary>
    public IReadOnlyList<AnalyzedWord> Analyze(string? text)
    {
        var words = new List<AnalyzedWord>();
        Analyze(text, words);
        return words;
    }

    /// <summary>Appends the words of <paramref name="text"/> to <paramref name="words"/>.</summary>
    public void Analyze(string? text, List<AnalyzedWord> words) => Analyze(text, words, null);

    /// <summary>
    /// Appends the words of <paramref name="text"/> to <paramref name="words"/>, reusing from <paramref name="cache"/>
    /// the words of every piece (a Chinese run, or a line of another run) analyzed before: the same words as
    /// without a cache, since no step of the analysis reads across a run or a line break (the standard tokenizer
    /// always breaks at one, and every later filter reads one token).
    /// </summary>
    public void Analyze(string? text, List<AnalyzedWord> words, AnalysisCache? cache)
    {
        if (string.IsNullOrWhiteSpace(text)) return;
        for (var i = 0; i < text.Length;)
        {
            var chinese = IsChinese(text[i]);
            var j = i + 1;
            while (j < text.Length && IsChinese(text[j]) == chinese) j++;
            if (cache is null) Run(chinese ? _chinese : _other, i == 0 && j == text.Length ? text : text[i..j], words);
            else if (chinese) Cached(text.AsSpan(i, j - i), _analyzeChinese, words, cache);
            else
            {
                // Lines of the run: a project's title, summary and keywords are lines of its text and recur on their own.
                for (var k = i; k < j;)
                {
                    var end = text.AsSpan(k, j - k).IndexOfAny('\n', '\r');
                    var stop = end < 0 ? j : k + end;
                    if (stop > k) Cached(text.AsSpan(k, stop - k), _analyzeOther, words, cache);
                    k = stop + 1;
                }
            }
            i = j;
        }
    }

    private static void Cached(ReadOnlySpan<char> piece, Func<string, AnalyzedWord[]> analyze, List<AnalyzedWord> words, AnalysisCache cache)
    {
        if (piece.IsWhiteSpace()) return;
        words.AddRange(cache.GetOrAdd(piece, analyze));
    }

    private static AnalyzedWord[] Words(Analyzer analyzer, string piece)
    {
        var words = new List<AnalyzedWord>();
        Run(analyzer, piece, words);
        return words.ToArray();
    }

    private static void Run(Analyzer analyzer, string text, List<AnalyzedWord> words)
    {
        if (string.IsNullOrWhiteSpace(text)) return;
        using var stream = analyzer.GetTokenStream("text", text);
        var term = stream.AddAttribute<ICharTermAttribute>();
        var type = stream.AddAttribute<ITypeAttribute>();
        stream.Reset();
        while (stream.IncrementToken()) words.Add(new AnalyzedWord(term.ToString(), type.Type));
        stream.End();
    }

    /// <summary>CJK punctuation, ideographs (with extension A and compatibility forms) and full-width forms.</summary>
    private static bool IsChinese(char c) =>
        c is (>= '\u3000' and <= '\u303F') or (>= '\u3400' and <= '\u4DBF') or (>= '\u4E00' and <= '\u9FFF')
            or (>= '\uF900' and <= '\uFAFF') or (>= '\uFF00' and <= '\uFFEF');

    private sealed class ChineseRuns : Analyzer
    {
        protected override TokenStreamComponents CreateComponents(string fieldName, TextReader reader)
        {
            var tokenizer = new HMMChineseTokenizer(reader);
            TokenStream stream = new WordFilter(tokenizer);
            stream = new StopFilter(LuceneVersion.LUCENE_48, stream, ChineseStopWords);
            return new TokenStreamComponents(tokenizer, stream);
        }
    }

    private sealed class OtherRuns : Analyzer
    {
        protected override TokenStreamComponents CreateComponents(string fieldName, TextReader reader)
        {
            var tokenizer = new StandardTokenizer(LuceneVersion.LUCENE_48, reader);
            TokenStream stream = new EnglishPossessiveFilter(LuceneVersion.LUCENE_48, tokenizer);
            stream = new LowerCaseFilter(LuceneVersion.LUCENE_48, stream);
            stream = new WordFilter(stream);
            stream = new StopFilter(LuceneVersion.LUCENE_48, stream, EnglishStopWords);
            stream = new KStemFilter(stream);
            return new TokenStreamComponents(tokenizer, stream);
        }
    }

    /// <summary>
    /// Drops tokens that are no words (punctuation, numbers, single Latin letters) and
    /// carries each kept word's surface form past the stemmer in its type attribute, which no later filter reads.
    /// </summary>
    private sealed class WordFilter : TokenFilter
    {
        private readonly ICharTermAttribute _term;
        private readonly ITypeAttribute _type;

        public WordFilter(TokenStream input) : base(input)
        {
            _term = AddAttribute<ICharTermAttribute>();
            _type = AddAttribute<ITypeAttribute>();
        }

        public override bool IncrementToken()
        {
            while (m_input.IncrementToken())
            {
                var buffer = _term.Buffer.AsSpan(0, _term.Length);
                if (!IsWord(buffer)) continue;
                _type.Type = buffer.ToString();
                return true;
            }
            return false;
        }

        private static bool IsWord(ReadOnlySpan<char> token)
        {
            var letters = 0;
            var alphanumerics = 0;
            var cjk = false;
            foreach (var c in token)
            {
                if (char.IsLetter(c))
                {
                    letters++;
                    if (c >= '\u2E80') cjk = true;
                }
                if (char.IsLetterOrDigit(c)) alphanumerics++;
            }
            return letters > 0 && (alphanumerics > 1 || cjk);
        }
    }
}
