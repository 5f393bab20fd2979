using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Cn.Smart;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Analysis.En;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Analysis.Util;
using Lucene.Net.Util;

namespace Matchmaker.Engine.Text;

/// <summary>A term of analyzed text: its stem (what is indexed and matched) and the word as written (lower-cased).</summary>
public readonly record struct AnalyzedWord(string Term, string Surface);

/// <summary>
/// Mixed Chinese and English analysis for the text index. SmartCn's tokenizer splits the text into sentences and
/// words: runs of Chinese are segmented into dictionary words (a hidden Markov model), runs of Latin letters or
/// digits become one lower-cased word each, full-width forms are folded to half-width. Punctuation, single Latin
/// letters, English stop words and SmartCn's stop words are dropped; English words are stemmed with KStem.
/// </summary>
/// <remarks>
/// KStem rather than Porter: it is a dictionary-checked, conservative stemmer whose stems are mostly real words
/// ("batteries" → "battery") and it does not conflate distinct words as Porter does ("organization" and
/// "organ" → "organ", "university" and "universe" → "univers"). Chinese words pass through it unchanged.
/// Thread-safe: Lucene keeps one token stream chain per thread.
/// </remarks>
public sealed class TextAnalyzer : Analyzer
{
    public static TextAnalyzer Shared { get; } = new();

    /// <summary>
    /// Lucene's English stop words plus common English function words, SmartCn's stop words (punctuation, also
    /// dropped by the word rule) and common Chinese function words (的, 与, 和 ...), which SmartCn keeps as words.
    /// </summary>
    public static CharArraySet StopWords { get; } = BuildStopWords();

    private static CharArraySet BuildStopWords()
    {
        var set = new CharArraySet(LuceneVersion.LUCENE_48, 200, ignoreCase: false);
        set.UnionWith(StopAnalyzer.ENGLISH_STOP_WORDS_SET);
        set.UnionWith(SmartChineseAnalyzer.DefaultStopSet);
        foreach (var w in """
            about above after again against all also am any because been before being below between both can could
            did do does doing down during each few from further had has have having he her here hers herself him
            himself his how i its itself just me more most my myself nor now only other our ours ourselves out over
            own same she should so some than those through too under until up very we were what when where which while
            who whom why would you your yours yourself yourselves within without across among via per thus however
            may might must shall upon whether
            的 与 和 及 或 在 是 了 等 对 为 以 将 并 其 从 由 于 而 也 把 被 之 中 及其 以及 通过 进行
            """.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries))
        {
            set.Add(w);
        }
        return set.AsReadOnly();
    }

    protected override TokenStreamComponents CreateComponents(string fieldName, TextReader reader)
    {
        var tokenizer = new HMMChineseTokenizer(reader);
        TokenStream stream = new WordFilter(tokenizer);
        stream = new StopFilter(LuceneVersion.LUCENE_48, stream, StopWords);
        stream = new KStemFilter(stream);
        return new TokenStreamComponents(tokenizer, stream);
    }

    /// <summary>The words of <paramref name="text"/> in order, each as its stem and its surface form.</summary>
    public IReadOnlyList<AnalyzedWord> Analyze(string? text)
    {
        var words = new List<AnalyzedWord>();
        Analyze(text, words);
        return words;
    }

    /// <summary>Appends the words of <paramref name="text"/> to <paramref name="words"/>.</summary>
    public void Analyze(string? text, List<AnalyzedWord> words)
    {
        if (string.IsNullOrWhiteSpace(text)) return;
        using var stream = GetTokenStream("text", text);
        var term = stream.AddAttribute<ICharTermAttribute>();
        var type = stream.AddAttribute<ITypeAttribute>();
        stream.Reset();
        while (stream.IncrementToken()) words.Add(new AnalyzedWord(term.ToString(), type.Type));
        stream.End();
    }

    /// <summary>
    /// Drops tokens that are no words (punctuation, symbols, single Latin letters such as the "s" of a possessive) and
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
            var cjk = false;
            foreach (var c in token)
            {
                if (char.IsLetterOrDigit(c))
                {
                    letters++;
                    if (c >= '\u2E80') cjk = true;
                }
            }
            return letters > 1 || (letters == 1 && cjk);
        }
    }
}
