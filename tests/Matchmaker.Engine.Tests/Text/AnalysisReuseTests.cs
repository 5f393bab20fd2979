using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Recommendations;
using Matchmaker.Engine.Synthetic;
using Matchmaker.Engine.Text;

namespace Matchmaker.Engine.Tests.Text;

/// <summary>Reused analysis (<see cref="AnalysisCache"/>) gives what fresh analysis gives, and never carries texts across time slices.</summary>
public class AnalysisReuseTests
{
    private static readonly string[] Texts =
    [
        "Hydrogen storage with batteries\nA demonstrator of hydrogen and battery storage.\nstorage\nfuel-cells",
        "氢能储能示范项目：固体氧化物燃料电池与电解槽。\nSolid oxide fuel cells for the port's ships\r\nbatteries",
        "The university's organizations and universes, 2024: AI-based sensors (ＡＢＣ) for wind turbines",
        "储能\n\n  \nstorage  \r\n\r\n储能 batteries, storage; 储能系统的集成",
        "mixed氢能text without spaces与English混合",
    ];

    [Fact]
    public void Reused_pieces_give_the_words_of_a_fresh_analysis()
    {
        var cache = new AnalysisCache();
        foreach (var pass in new[] { 1, 2 })
        {
            foreach (var text in Texts)
            {
                var fresh = TextAnalyzer.Shared.Analyze(text);
                var reused = new List<AnalyzedWord>();
                TextAnalyzer.Shared.Analyze(text, reused, cache);
                Assert.NotEmpty(fresh);
                Assert.Equal(fresh, reused);
            }
        }
        // The second pass analyzed nothing: every piece came from the cache.
        var misses = cache.Misses;
        foreach (var text in Texts) TextAnalyzer.Shared.Analyze(text, [], cache);
        Assert.Equal(misses, cache.Misses);
        Assert.True(cache.Hits > 0);
    }

    [Fact]
    public void A_full_cache_starts_afresh_and_still_gives_the_same_words()
    {
        var cache = new AnalysisCache(maxCharacters: 40);
        foreach (var text in Texts.Concat(Texts))
        {
            var reused = new List<AnalyzedWord>();
            TextAnalyzer.Shared.Analyze(text, reused, cache);
            Assert.Equal(TextAnalyzer.Shared.Analyze(text), reused);
        }
        Assert.True(cache.Count < Texts.Length * 4);
    }

    [Fact]
    public void An_index_built_from_reused_analysis_scores_as_one_analyzed_anew()
    {
        var snapshot = GraphSnapshot.Build(SyntheticGraph.Generate(new SyntheticGraph.Options { Organizations = 400, Seed = 7 }));
        var cache = new AnalysisCache();
        using var fresh = TextIndex.Build(snapshot, new TextIndexOptions { Analysis = null });
        using var cold = TextIndex.Build(snapshot, new TextIndexOptions { Analysis = cache });
        Assert.True(cache.Hits > 0); // synthetic texts repeat their titles, summaries and keywords
        var missesAfterFirst = cache.Misses;
        using var warm = TextIndex.Build(snapshot, new TextIndexOptions { Analysis = cache });
        Assert.Equal(missesAfterFirst, cache.Misses);

        var n = snapshot.OrganizationCount;
        Assert.Equal(fresh.TermCount, warm.TermCount);
        var queries = snapshot.ProjectTexts.Where(t => t is not null).Take(20).Select(t => t!.FullText).Append("氢能 储能 batteries").ToArray();
        foreach (var text in queries)
        {
            var query = fresh.Analyze(text);
            Assert.False(query.IsEmpty);
            foreach (var index in new[] { cold, warm })
            {
                Assert.Equal(query.Terms, index.Analyze(text).Terms);
                var expected = new float[n];
                var actual = new float[n];
                fresh.ScoreOrganizations(query, expected);
                index.ScoreOrganizations(query, actual);
                Assert.Equal(expected, actual);
                Assert.Equal(fresh.TopProjects(query, 50), index.TopProjects(query, 50));
                for (var o = 0; o < n; o += 37) Assert.Equal(fresh.MatchedTerms(query, o, 6), index.MatchedTerms(query, o, 6));
            }
        }
        for (var a = 0; a < n; a += 41)
        {
            for (var b = 0; b < n; b += 53) Assert.Equal(fresh.ProfileSimilarity(a, b), warm.ProfileSimilarity(a, b));
        }
    }

    [Fact]
    public void A_time_slice_never_sees_a_later_projects_text_even_with_the_full_graph_analyzed_first()
    {
        var builder = new GraphSnapshotBuilder();
        builder.AddOrganization("a", OrganizationKind.Enterprise, "hangzhou", []);
        builder.AddOrganization("b", OrganizationKind.University, "hangzhou", []);
        builder.AddProject("old", 2020, [], [new("a", ConsortiumRole.Industry, true, float.NaN), new("b", ConsortiumRole.Research, false, float.NaN)],
            new ProjectText("Hydrogen storage", "Electrolysers for hydrogen.", ["hydrogen"], [], []));
        builder.AddProject("new", 2023, [], [new("a", ConsortiumRole.Industry, true, float.NaN)],
            new ProjectText("Perovskite tandem photovoltaics", "钙钛矿叠层光伏组件。", ["perovskite"], [], []));
        var full = builder.Build(DateTimeOffset.UnixEpoch);
        var cache = new AnalysisCache();

        // The full graph first, as a recompute after training would: every text, the later one too, is in the cache.
        using (var all = TextIndex.Build(full, new TextIndexOptions { Analysis = cache }))
        {
            Assert.True(all.ProfileFrequency("perovskite") > 0);
        }
        using var slice = TextIndex.Build(full.Before(2023), new TextIndexOptions { Analysis = cache });
        Assert.Equal(1, slice.Snapshot.ProjectCount);
        Assert.Equal(0, slice.ProfileFrequency("perovskite"));
        Assert.Equal(0, slice.ProfileFrequency("钙钛矿"));
        Assert.True(slice.Analyze("perovskite photovoltaics 钙钛矿").IsEmpty);
        Assert.True(slice.ProfileFrequency("hydrogen") > 0);
        var scores = new float[2];
        slice.ScoreOrganizations(slice.Analyze("hydrogen perovskite"), scores);
        Assert.True(scores[0] > 0);
    }
}
