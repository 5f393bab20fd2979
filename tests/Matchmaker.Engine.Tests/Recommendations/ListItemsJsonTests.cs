using System.Text.Json;
using Matchmaker.Engine.Import;
using Matchmaker.Engine.Recommendations;

namespace Matchmaker.Engine.Tests.Recommendations;

/// <summary>The hand-written list writer gives exactly the serializer's bytes for the wire dialect.</summary>
public sealed class ListItemsJsonTests
{
    [Fact]
    public void Writes_the_serializers_bytes_for_every_shape_of_item()
    {
        var items = new List<RecommendedPartner>
        {
            new("org-1", 1, 0.123456, [new Reason("prior-work", "此前合作过 2 个项目：P1 (2019)、P2 (2018)", "2 joint projects, latest in 2019: P1 (2019), P2 (2018)",
                ["P1 (2019)", "P2 (2018)"])],
                false, new CandidateSummary("同济大学", "Tongji University", "university", "shanghai", ["nev", "new-materials"])),
            new("org-\"quoted\"\\slash", 2, -1.5e-7, [], true, new CandidateSummary(null, "No Chinese name", "enterprise", "suzhou", [])),
            new("org-3", 3, 12345.678901, [new Reason("place", "同在上海 <&> 'x'", "also in Shanghai\nnext line\ttab\u0001", ["Shanghai", "🚁 low-altitude"])], false),
            new("org-4", 40, 0, [new Reason("shared-partners", "", "", [])], false, new CandidateSummary("só", null, "bank", "hangzhou", ["a", "b"])),
            new("org-5", 5, double.MaxValue, [], false, new CandidateSummary("x", "y", "k", "c", ["s"])),
        };
        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(items, WireJson.Options), ListItemsJson.ToUtf8Bytes(items));
        Assert.Equal(JsonSerializer.Serialize(items, WireJson.Options), ListItemsJson.ToJsonString(items));
        Assert.Equal("[]", ListItemsJson.ToJsonString([]));
    }

    [Fact]
    public void Writes_the_serializers_bytes_for_random_text_and_scores()
    {
        var random = new Random(7);
        string Text(int max)
        {
            var chars = new char[random.Next(max)];
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = random.Next(5) switch
                {
                    0 => (char)random.Next(0x20, 0x7f),
                    1 => (char)random.Next(0x4e00, 0x9fff),
                    2 => (char)random.Next(0, 0x20),
                    3 => "\"\\<>&'+`"[random.Next(8)],
                    _ => (char)random.Next(0xa0, 0x2fff),
                };
            }
            return new string(chars);
        }
        var items = Enumerable.Range(0, 300).Select(i => new RecommendedPartner(Text(20), i + 1, Math.Round((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-8, 8)), 6),
            Enumerable.Range(0, random.Next(4)).Select(_ =>
                new Reason(Text(12), Text(80), Text(80), Enumerable.Range(0, random.Next(4)).Select(_ => Text(30)).ToArray())).ToArray(),
            random.Next(2) == 0,
            random.Next(4) == 0 ? null : new CandidateSummary(random.Next(3) == 0 ? null : Text(20), Text(30), Text(10), Text(10),
                Enumerable.Range(0, random.Next(3)).Select(_ => Text(8)).ToArray())))
            .ToList();
        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(items, WireJson.Options), ListItemsJson.ToUtf8Bytes(items));
        // And it reads back as the same items.
        var back = JsonSerializer.Deserialize<List<RecommendedPartner>>(ListItemsJson.ToUtf8Bytes(items), WireJson.Options)!;
        Assert.Equal(items.Select(i => (i.CandidateId, i.Rank, i.Score, i.Reasons.Count, i.Candidate?.NameEn)),
            back.Select(i => (i.CandidateId, i.Rank, i.Score, i.Reasons.Count, i.Candidate?.NameEn)));
    }

    [Fact]
    public void Held_as_encoded_items_a_list_keeps_its_bytes_and_reads_back_as_the_same_items()
    {
        // Each thread reuses one buffer: lists written one after another (a long one, then a short one) must not share bytes.
        var longList = Enumerable.Range(1, 60).Select(i => new RecommendedPartner($"org-{i}", i, 1.0 / i,
            [new Reason("place", $"同在上海 {i}", $"also in Shanghai {i}", [$"evidence {i}"])], i % 2 == 0)).ToList();
        var shortList = new List<RecommendedPartner> { new("only", 1, 0.5, [], false) };
        var first = ListItemsJson.ToUtf8Bytes(longList);
        var second = ListItemsJson.ToUtf8Bytes(shortList);
        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(longList, WireJson.Options), first);
        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(shortList, WireJson.Options), second);

        var encoded = EncodedItems.Of(longList);
        Assert.Equal(first, encoded.Utf8);
        Assert.Same(encoded.Utf8, ListItemsJson.ToUtf8Bytes(encoded));
        Assert.Same(encoded, EncodedItems.Of(encoded));
        Assert.Equal(60, encoded.Count);
        Assert.Equal(longList.Select(i => (i.CandidateId, i.Rank, i.Score, i.ExistingPartner, i.Reasons[0].Zh)),
            encoded.Select(i => (i.CandidateId, i.Rank, i.Score, i.ExistingPartner, i.Reasons[0].Zh)));
        Assert.Equal(JsonSerializer.Serialize(longList, WireJson.Options), ListItemsJson.ToJsonString(encoded));
    }

    [Fact]
    public void Refuses_a_score_that_is_not_a_number_as_the_serializer_does()
    {
        List<RecommendedPartner> items = [new("org-1", 1, double.NaN, [], false)];
        Assert.ThrowsAny<Exception>(() => JsonSerializer.SerializeToUtf8Bytes(items, WireJson.Options));
        var error = Assert.Throws<ArgumentException>(() => ListItemsJson.ToUtf8Bytes(items));
        Assert.Contains("org-1", error.Message);
    }
}
