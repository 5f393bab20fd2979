using Matchmaker.Engine.Text;

namespace Matchmaker.Engine.Tests.Matching;

public class TextTests
{
    [Fact]
    public void Chinese_is_segmented_into_words_not_characters()
    {
        var terms = TextAnalysis.Terms("动力电池正极材料研发");
        Assert.Contains("电池", terms);
        Assert.Contains("材料", terms);
        Assert.Contains(terms, t => t.Length >= 2);
        Assert.True(terms.Count < "动力电池正极材料研发".Length, string.Join("|", terms));
    }

    [Fact]
    public void English_tags_and_text_become_lower_case_stems()
    {
        var terms = TextAnalysis.Terms("Power-Batteries and battery materials");
        Assert.Contains("power", terms);
        Assert.Equal(2, terms.Count(t => t == "batteri"));
    }
}
