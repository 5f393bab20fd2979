using System.Text.RegularExpressions;
using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Synthetic;

namespace Matchmaker.Engine.Tests.Synthetic;

public partial class SyntheticGraphTests
{
    private static readonly SyntheticGraph.Options Small = new() { Organizations = 600, Seed = 17, ProjectsPerOrganization = 2.5 };

    [GeneratedRegex(@"\p{IsCJKUnifiedIdeographs}")]
    private static partial Regex Chinese();

    [GeneratedRegex("[A-Za-z]{3,}")]
    private static partial Regex Latin();

    [GeneratedRegex("^G60-(?<year>[0-9]{4})-(?<sector>NM|NEV|LAE)-[0-9]{2}$")]
    private static partial Regex TopicCode();

    private static string Texts(GraphBatch batch) => string.Join("\u0001",
        batch.Projects.Select(p => $"{p.Title}|{p.Summary}|{string.Join(",", p.Keywords)}|{string.Join(",", p.Topics.Select(t => t.Code + ":" + t.Title))}")
            .Concat(batch.Organizations.Select(o => o.Description)));

    [Fact]
    public void The_same_seed_gives_the_same_texts_and_another_seed_other_texts()
    {
        var first = SyntheticGraph.Generate(Small);
        var again = SyntheticGraph.Generate(Small);
        var other = SyntheticGraph.Generate(Small with { Seed = 18 });

        Assert.Equal(Texts(first), Texts(again));
        Assert.NotEqual(Texts(first), Texts(other));
    }

    [Fact]
    public void Every_project_has_a_bilingual_title_a_summary_keywords_and_one_topic_that_pass_validation()
    {
        var batch = SyntheticGraph.Generate(Small);
        Assert.NotEmpty(batch.Projects);
        var topicTitles = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var p in batch.Projects)
        {
            // Through the constructor again: the texts as generated are valid domain input and survive unchanged.
            var copy = new Project(p.Id, p.Title, p.Year, p.Sector, p.SubField, p.Members, p.Summary, p.Keywords, p.Topics);
            Assert.Equal(p.Title, copy.Title);
            Assert.Equal(p.Summary, copy.Summary);
            Assert.Equal(p.Keywords, copy.Keywords);

            var halves = p.Title!.Split(" / ");
            Assert.Equal(2, halves.Length);
            Assert.Matches(Chinese(), halves[0]);
            Assert.DoesNotMatch(Latin(), halves[0]);
            Assert.DoesNotMatch(Chinese(), halves[1]);
            Assert.NotNull(p.Summary);
            Assert.InRange(p.Keywords.Count, 3, 6);

            var topic = Assert.Single(p.Topics);
            var code = TopicCode().Match(topic.Code);
            Assert.True(code.Success, topic.Code);
            Assert.Equal(p.Year.ToString(System.Globalization.CultureInfo.InvariantCulture), code.Groups["year"].Value);
            var expectedSector = p.Sector switch { "new-materials" => "NM", "new-energy-vehicles" => "NEV", _ => "LAE" };
            Assert.Equal(expectedSector, code.Groups["sector"].Value);
            Assert.False(string.IsNullOrWhiteSpace(topic.Title));
            // A topic code always carries the same title.
            if (topicTitles.TryGetValue(topic.Code, out var seen)) Assert.Equal(seen, topic.Title);
            else topicTitles[topic.Code] = topic.Title;
        }
        Assert.All(batch.Organizations, o => Assert.False(string.IsNullOrWhiteSpace(o.Description)));
    }

    [Fact]
    public void Summaries_come_in_Chinese_only_English_only_and_mostly_both()
    {
        var batch = SyntheticGraph.Generate(Small);
        int chineseOnly = 0, englishOnly = 0, both = 0;
        foreach (var p in batch.Projects)
        {
            var zh = Chinese().IsMatch(p.Summary!);
            // Chinese sentences name the G60 corridor too; English text is a run of Latin words.
            var en = Latin().Matches(p.Summary!).Count > 5;
            if (zh && en) both++;
            else if (zh) chineseOnly++;
            else if (en) englishOnly++;
        }
        Assert.Equal(batch.Projects.Count, chineseOnly + englishOnly + both);
        Assert.True(chineseOnly > 0 && englishOnly > 0, $"Chinese only {chineseOnly}, English only {englishOnly}");
        Assert.True(both > batch.Projects.Count / 2, $"both {both} of {batch.Projects.Count}");
    }

    [Fact]
    public void Projects_of_one_sub_field_share_more_content_words_than_projects_of_different_sectors()
    {
        var batch = SyntheticGraph.Generate(Small);
        var words = batch.Projects.Select(p => ContentWords($"{p.Title}\n{p.Summary}\n{string.Join("\n", p.Keywords)}")).ToArray();
        var projects = batch.Projects;
        double sameSum = 0, crossSum = 0;
        int sameCount = 0, crossCount = 0;
        for (var i = 0; i < projects.Count; i += 3)
        {
            for (var j = i + 1; j < projects.Count; j += 7)
            {
                var shared = words[i].Intersect(words[j]).Count();
                if (projects[i].SubField == projects[j].SubField) { sameSum += shared; sameCount++; }
                else if (projects[i].Sector != projects[j].Sector) { crossSum += shared; crossCount++; }
            }
        }
        Assert.True(sameCount > 100 && crossCount > 100, $"{sameCount} same-sub-field pairs, {crossCount} cross-sector pairs");
        var same = sameSum / sameCount;
        var cross = crossSum / crossCount;
        Assert.True(same > 2 * cross, $"same sub-field {same:F2} shared content words per pair, different sectors {cross:F2}");
    }

    [Fact]
    public void Each_sector_has_a_few_hundred_distinct_English_content_words()
    {
        var batch = SyntheticGraph.Generate(Small);
        foreach (var sector in batch.Projects.GroupBy(p => p.Sector))
        {
            var english = sector.SelectMany(p => ContentWords($"{p.Title}\n{p.Summary}\n{string.Join("\n", p.Keywords)}"))
                .Where(w => w[0] is >= 'a' and <= 'z').ToHashSet(StringComparer.Ordinal);
            Assert.True(english.Count >= 200, $"{sector.Key}: {english.Count} distinct English content words");
        }
    }

    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "the", "and", "for", "with", "from", "into", "such", "will", "its", "that", "this", "how", "by", "of", "in", "it",
        "project", "studies", "targets", "key", "technologies", "develops", "using", "improves", "builds", "validates",
    };

    /// <summary>Lower-case English words of three letters or more (minus frame words) and Chinese character bigrams.</summary>
    private static HashSet<string> ContentWords(string text)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match m in Latin().Matches(text))
        {
            var w = m.Value.ToLowerInvariant();
            if (!StopWords.Contains(w)) result.Add(w);
        }
        for (var i = 0; i + 1 < text.Length; i++)
        {
            if (Chinese().IsMatch(text.AsSpan(i, 1).ToString()) && Chinese().IsMatch(text.AsSpan(i + 1, 1).ToString())) result.Add(text.Substring(i, 2));
        }
        return result;
    }
}
