using System.Text.Json;
using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Synthetic;

namespace Matchmaker.Engine.Tests.Domain;

public sealed class TagCatalogTests
{
    private static bool HasHan(string text) => text.Any(c => c is >= '\u4e00' and <= '\u9fff');

    [Fact]
    public void Every_tag_of_the_demo_graph_has_a_chinese_and_an_english_label()
    {
        var path = Path.Combine(SourceTree.Root, "graph", "seed", "organizations.jsonl");
        var tags = File.ReadLines(path).Where(l => l.Trim().Length > 0).Select(l => JsonDocument.Parse(l).RootElement)
            .SelectMany(o => o.GetProperty("capabilities").EnumerateArray().Concat(o.GetProperty("needs").EnumerateArray()))
            .Select(t => t.GetString()!).ToHashSet();

        Assert.Equal(70, tags.Count); // graph/seed/README.md: one vocabulary of 70 tags
        Assert.All(tags, t => Assert.True(TagCatalog.IsKnown(t), $"{t} has no label"));
        Assert.All(tags, t => Assert.True(HasHan(TagCatalog.Zh(t)), $"{t}: {TagCatalog.Zh(t)}"));
        Assert.All(tags, t => Assert.False(t.Contains('-') && TagCatalog.En(t) == t, $"{t} reads as its slug"));
        Assert.Equal("风险投资", TagCatalog.Zh("venture-funding"));
        Assert.Equal("simulation software", TagCatalog.En("simulation-software"));
    }

    [Fact]
    public void Every_tag_the_synthetic_generator_draws_has_labels()
    {
        var batch = SyntheticGraph.Generate(new SyntheticGraph.Options { Organizations = 3000, Seed = 5 });
        var tags = batch.Organizations.SelectMany(o => o.Capabilities.Concat(o.Needs)).ToHashSet();

        Assert.NotEmpty(tags);
        Assert.All(tags, t => Assert.True(TagCatalog.IsKnown(t), $"{t} has no label"));
        Assert.All(tags, t => Assert.True(HasHan(TagCatalog.Zh(t)), $"{t}: {TagCatalog.Zh(t)}"));
    }

    [Fact]
    public void A_sub_field_step_reads_as_the_sub_field_and_the_step_and_an_unknown_tag_as_words()
    {
        Assert.Equal(new TagLabel("carbon-fibre-testing", "碳纤维及复合材料测试", "Carbon fibre and composites testing"), TagCatalog.Label("carbon-fibre-testing"));
        Assert.Equal(new TagLabel("quantum-sensing", "quantum sensing", "quantum sensing"), TagCatalog.Label("quantum-sensing"));
        Assert.False(TagCatalog.IsKnown("quantum-sensing"));
        Assert.False(TagCatalog.IsKnown("no-such-field-testing"));
    }

    [Theory]
    [InlineData("通航机务维修人才培训 / Training general-aviation maintenance staff", "p1", "通航机务维修人才培训", "Training general-aviation maintenance staff")]
    [InlineData("Solid-state batteries for electric vehicles", "p2", "Solid-state batteries for electric vehicles", "Solid-state batteries for electric vehicles")]
    [InlineData(null, "p2016-nev-autodrive-01", "p2016-nev-autodrive-01", "p2016-nev-autodrive-01")]
    [InlineData("  ", "p3", "p3", "p3")]
    public void Project_titles_give_each_language_its_half(string? title, string id, string zh, string en)
    {
        Assert.Equal((zh, en), ProjectTitles.Of(title, id));
    }
}
