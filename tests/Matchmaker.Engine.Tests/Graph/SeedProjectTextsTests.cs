using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Import;
using Matchmaker.Engine.Text;

namespace Matchmaker.Engine.Tests.Graph;

/// <summary>The G60 demo graph's projects carry texts in both languages that a coordinator's words can find.</summary>
public sealed class SeedProjectTextsTests
{
    private static readonly GraphSnapshot Seed =
        GraphSnapshot.Build(GraphImportParser.ParseJsonLinesDirectory(Path.Combine(AppContext.BaseDirectory, "graph", "seed")));

    [Fact]
    public void Every_seed_project_has_a_bilingual_summary_and_keywords_in_both_languages()
    {
        Assert.Equal(137, Seed.ProjectCount);
        for (var p = 0; p < Seed.ProjectCount; p++)
        {
            var text = Seed.ProjectTexts[p];
            Assert.NotNull(text);
            var parts = text.Summary!.Split(" / ");
            Assert.True(parts.Length == 2 && parts[0].Any(IsHan) && !parts[1].Any(IsHan), $"{Seed.ProjectIds[p]}: summary is not 'Chinese / English'");
            Assert.Contains(text.Keywords, k => k.Any(IsHan));
            Assert.Contains(text.Keywords, k => k.All(c => c < 128));
        }
    }

    [Theory]
    [InlineData("碳纤维回收", "p2020-nm-carbon-01")]
    [InlineData("drone delivery", "p2021-lae-ops-01")]
    [InlineData("热失控预警", "p2023-nev-battery-01")]
    [InlineData("solid-state electrolyte", "p2018-nm-battery-01")]
    public void A_coordinators_words_find_the_project_that_does_that_work(string query, string project)
    {
        var wanted = TextAnalysis.Terms(query).ToHashSet(StringComparer.Ordinal);
        var found = Enumerable.Range(0, Seed.ProjectCount)
            .Where(p => wanted.IsSubsetOf(TextAnalysis.Terms(Seed.ProjectTexts[p]!.FullText)))
            .Select(p => Seed.ProjectIds[p]).ToList();

        Assert.Contains(project, found);
    }

    private static bool IsHan(char c) => c is >= '\u4e00' and <= '\u9fff';
}
