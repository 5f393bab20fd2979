using Matchmaker.Engine.Text;

namespace Matchmaker.Engine.Tests.Text;

public class TextAnalyzerTests
{
    private static string[] Terms(string text) => TextAnalyzer.Shared.Analyze(text).Select(w => w.Term).ToArray();

    [Fact]
    public void English_is_lower_cased_stemmed_with_kstem_and_loses_stop_words()
    {
        var words = TextAnalyzer.Shared.Analyze("The Batteries of electric vehicles, and their recycling.");

        Assert.Equal(["battery", "electric", "vehicle", "recycle"], words.Select(w => w.Term));
        // The surface is the word as written (lower-cased), so it can be quoted.
        Assert.Equal(["batteries", "electric", "vehicles", "recycling"], words.Select(w => w.Surface));
    }

    [Fact]
    public void Kstem_keeps_apart_words_that_porter_would_conflate()
    {
        // Porter stems both "organization" and "organs" to "organ", and "universities"/"universe" to "univers".
        Assert.Equal(["organization", "organ", "university", "universe"], Terms("organization organs universities universe"));
    }

    [Fact]
    public void Punctuation_numbers_possessives_and_single_latin_letters_are_no_terms()
    {
        Assert.Equal(["partner", "consortium"], Terms("partner's ; consortium - (a) & x"));
        // Words mixing letters and digits stay whole; bare numbers go.
        Assert.Equal(["5g", "network", "co2", "capture", "million"], Terms("5G networks: CO2 capture in 2024, 1.5 million"));
    }

    [Fact]
    public void Chinese_is_segmented_into_words_by_smartcn_and_loses_function_words()
    {
        var terms = Terms("锂电池回收与固态电池研发");

        // SmartCn's dictionary words, not single characters; "与" (and) is a stop word.
        Assert.Contains("电池", terms);
        Assert.Contains("回收", terms);
        Assert.Contains("固态", terms);
        Assert.Contains("研发", terms);
        Assert.DoesNotContain("与", terms);
        Assert.Equal(2, terms.Count(t => t == "电池"));
    }

    [Fact]
    public void Mixed_text_gets_both_analyses()
    {
        var words = TextAnalyzer.Shared.Analyze("面向 power-batteries 的固态电池 Recycling 技术");
        var terms = words.Select(w => w.Term).ToArray();

        Assert.Contains("battery", terms);
        Assert.Contains("recycle", terms);
        Assert.Contains("电池", terms);
        Assert.Contains("技术", terms);
        Assert.DoesNotContain("的", terms);
        Assert.Equal("batteries", words.Single(w => w.Term == "battery").Surface);
        // Full-width Latin letters are folded to ordinary ones.
        Assert.Equal(["abc"], Terms("ＡＢＣ"));
    }

    [Fact]
    public void Empty_text_has_no_terms()
    {
        Assert.Empty(TextAnalyzer.Shared.Analyze(null));
        Assert.Empty(TextAnalyzer.Shared.Analyze("  \n "));
        Assert.Empty(TextAnalyzer.Shared.Analyze("the of and , 。"));
    }
}
