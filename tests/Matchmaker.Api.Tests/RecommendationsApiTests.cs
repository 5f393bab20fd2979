using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Matchmaker.Api.Tests;

public sealed class RecommendationsApiTests(MatchmakerApiFactory factory) : IClassFixture<MatchmakerApiFactory>
{
    private readonly HttpClient _client = factory.CreateAdminClient();

    /// <summary>The first start enqueues a full recompute (and a first training); wait until a list is served.</summary>
    private async Task<JsonElement> WaitForListAsync(string organization, string query = "")
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var response = await _client.GetAsync($"/api/v1/organizations/{organization}/recommendations{query}");
            if (response.StatusCode == HttpStatusCode.OK) return await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            if (DateTime.UtcNow > deadline) Assert.Fail("no recommendations were published");
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task Lists_are_served_after_the_first_recompute_with_reasons_in_both_languages()
    {
        var list = await WaitForListAsync("tongji-auto");

        var items = list.GetProperty("items").EnumerateArray().ToList();
        Assert.NotEmpty(items);
        Assert.All(items, i =>
        {
            Assert.False(i.GetProperty("existingPartner").GetBoolean()); // discovery first: existing partners left out by default
            Assert.NotEqual("tongji-auto", i.GetProperty("candidateId").GetString());
        });
        var reasons = items.SelectMany(i => i.GetProperty("reasons").EnumerateArray()).ToList();
        Assert.NotEmpty(reasons);
        Assert.All(reasons, r => Assert.False(string.IsNullOrWhiteSpace(r.GetProperty("zh").GetString())));
        Assert.All(reasons, r => Assert.False(string.IsNullOrWhiteSpace(r.GetProperty("en").GetString())));
        var ranks = items.Select(i => i.GetProperty("rank").GetInt32()).ToList();
        Assert.Equal(ranks.Order(), ranks);
    }

    [Fact]
    public async Task Existing_partners_are_included_on_request_and_labelled()
    {
        await WaitForListAsync("tongji-auto");

        var list = await _client.GetFromJsonAsync<JsonElement>("/api/v1/organizations/tongji-auto/recommendations?includeExistingPartners=true&limit=100");

        Assert.Contains(list.GetProperty("items").EnumerateArray(), i => i.GetProperty("existingPartner").GetBoolean());
    }

    [Fact]
    public async Task Filters_and_cursor_paging_apply_to_the_list()
    {
        await WaitForListAsync("tongji-auto");

        var banks = await _client.GetFromJsonAsync<JsonElement>(
            "/api/v1/organizations/tongji-auto/recommendations?kind=financial-institution&includeExistingPartners=true&limit=100");
        Assert.All(banks.GetProperty("items").EnumerateArray(), i => Assert.Equal("financial-institution", i.GetProperty("candidate").GetProperty("kind").GetString()));

        var first = await _client.GetFromJsonAsync<JsonElement>("/api/v1/organizations/tongji-auto/recommendations?limit=2&includeExistingPartners=true");
        var cursor = first.GetProperty("nextCursor").GetString();
        var second = await _client.GetFromJsonAsync<JsonElement>($"/api/v1/organizations/tongji-auto/recommendations?limit=2&includeExistingPartners=true&cursor={cursor}");
        var firstIds = first.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("candidateId").GetString()).ToList();
        var secondIds = second.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("candidateId").GetString()).ToList();
        Assert.Equal(2, firstIds.Count);
        Assert.NotEmpty(secondIds);
        Assert.Empty(firstIds.Intersect(secondIds));
    }

    [Fact]
    public async Task Ranks_count_the_served_items_from_one_and_the_model_order_is_kept_as_model_rank()
    {
        await WaitForListAsync("tongji-auto");
        const string path = "/api/v1/organizations/tongji-auto/recommendations";

        var first = await _client.GetFromJsonAsync<JsonElement>($"{path}?limit=3");
        var second = await _client.GetFromJsonAsync<JsonElement>($"{path}?limit=3&cursor={first.GetProperty("nextCursor").GetString()}");
        var served = first.GetProperty("items").EnumerateArray().Concat(second.GetProperty("items").EnumerateArray()).ToList();
        Assert.Equal([1, 2, 3, 4, 5, 6], served.Select(i => i.GetProperty("rank").GetInt32()));
        var modelRanks = served.Select(i => i.GetProperty("modelRank").GetInt32()).ToList();
        Assert.Equal(modelRanks.Order(), modelRanks);
        Assert.Equal(modelRanks.Count, modelRanks.Distinct().Count());

        // With the existing partners shown the same candidates keep their model ranks; every view counts from 1.
        var all = (await _client.GetFromJsonAsync<JsonElement>($"{path}?includeExistingPartners=true&limit=100")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(1, all.Count), all.Select(i => i.GetProperty("rank").GetInt32()));
        var modelRankOf = all.ToDictionary(i => i.GetProperty("candidateId").GetString()!, i => i.GetProperty("modelRank").GetInt32());
        Assert.All(served, i => Assert.Equal(modelRankOf[i.GetProperty("candidateId").GetString()!], i.GetProperty("modelRank").GetInt32()));
        var filtered = (await _client.GetFromJsonAsync<JsonElement>($"{path}?kind=enterprise&limit=100")).GetProperty("items").EnumerateArray().ToList();
        Assert.NotEmpty(filtered);
        Assert.Equal(Enumerable.Range(1, filtered.Count), filtered.Select(i => i.GetProperty("rank").GetInt32()));

        // The on-demand pair names the same served rank and model rank.
        var pair = await _client.GetFromJsonAsync<JsonElement>($"{path}/{served[4].GetProperty("candidateId").GetString()}");
        Assert.Equal(5, pair.GetProperty("listRank").GetInt32());
        Assert.Equal(modelRanks[4], pair.GetProperty("listModelRank").GetInt32());
    }

    [Fact]
    public async Task Reasons_name_capabilities_needs_and_projects_in_words_not_codes()
    {
        // The demo graph's tag vocabulary and project ids, read from the seed files.
        var seed = SourceTree.Path("graph", "seed");
        var tags = File.ReadLines(Path.Combine(seed, "organizations.jsonl")).Where(l => l.Trim().Length > 0).Select(l => JsonDocument.Parse(l).RootElement)
            .SelectMany(o => o.GetProperty("capabilities").EnumerateArray().Concat(o.GetProperty("needs").EnumerateArray())).Select(t => t.GetString()!).ToHashSet();
        var projects = File.ReadLines(Path.Combine(seed, "projects.jsonl")).Where(l => l.Trim().Length > 0).Select(l => JsonDocument.Parse(l).RootElement)
            .ToDictionary(p => p.GetProperty("id").GetString()!, p => p.GetProperty("title").GetString()!);

        var reasons = new List<JsonElement>();
        foreach (var organization in new[] { "tongji-auto", "donghua-mse", "baolong-auto", "suda-mcce", "tongji-g60-institute" })
        {
            var list = await WaitForListAsync(organization, "?includeExistingPartners=true&limit=100");
            reasons.AddRange(list.GetProperty("items").EnumerateArray().SelectMany(i => i.GetProperty("reasons").EnumerateArray()));
        }
        var needs = reasons.Where(r => r.GetProperty("code").GetString()
            is "meets-your-needs" or "you-meet-their-needs" or "capability-meets-need" or "need-meets-capability").ToList();
        var prior = reasons.Where(r => r.GetProperty("code").GetString() == "prior-work").ToList();
        Assert.NotEmpty(needs);
        Assert.NotEmpty(prior);
        foreach (var reason in reasons)
        {
            foreach (var language in new[] { "zh", "en" })
            {
                var text = reason.GetProperty(language).GetString()!;
                Assert.DoesNotContain(tags.Where(t => t.Contains('-')),
                    t => System.Text.RegularExpressions.Regex.IsMatch(text, $@"(?<![\w-]){System.Text.RegularExpressions.Regex.Escape(t)}(?![\w-])"));
                Assert.DoesNotContain(projects.Keys, id => text.Contains(id, StringComparison.Ordinal));
            }
        }
        // Known words: the Chinese reason of a met need is in Chinese; a joint project is named by its title and year.
        Assert.Contains(needs, r => r.GetProperty("zh").GetString()!.Contains("风险投资", StringComparison.Ordinal)
            || r.GetProperty("zh").GetString()!.Contains("中试生产", StringComparison.Ordinal));
        Assert.All(prior, r => Assert.All(r.GetProperty("evidence").EnumerateArray(), e =>
            Assert.Contains(projects.Values, title => e.GetString()!.StartsWith(title + " (", StringComparison.Ordinal))));
        Assert.All(prior, r => Assert.Contains(projects.Values, title => r.GetProperty("zh").GetString()!.Contains(title.Split(" / ")[0], StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Items_carry_a_match_strength_by_the_documented_rule_that_keeps_the_order()
    {
        await WaitForListAsync("baolong-auto");
        const string path = "/api/v1/organizations/baolong-auto/recommendations";
        var all = (await _client.GetFromJsonAsync<JsonElement>($"{path}?includeExistingPartners=true&limit=100")).GetProperty("items").EnumerateArray().ToList();
        var best = all.Max(i => i.GetProperty("score").GetDouble());

        // README: strength = round(200 · σ(score − best)); high from 70, medium from 40, low below.
        foreach (var item in all)
        {
            var expected = (int)Math.Round(200 / (1 + Math.Exp(best - item.GetProperty("score").GetDouble())), MidpointRounding.AwayFromZero);
            var strength = item.GetProperty("strength").GetInt32();
            Assert.Equal(expected, strength);
            Assert.InRange(strength, 0, 100);
            Assert.Equal(strength >= 70 ? "high" : strength >= 40 ? "medium" : "low", item.GetProperty("strengthLevel").GetString());
        }
        Assert.Contains(all, i => i.GetProperty("strength").GetInt32() == 100);
        // The default list is in score order among new partners; strength follows it, so it never reorders.
        var served = (await _client.GetFromJsonAsync<JsonElement>($"{path}?limit=100")).GetProperty("items").EnumerateArray().ToList();
        var scores = served.Select(i => i.GetProperty("score").GetDouble()).ToList();
        var strengths = served.Select(i => i.GetProperty("strength").GetInt32()).ToList();
        Assert.Equal(scores.OrderDescending(), scores);
        Assert.Equal(strengths.OrderDescending(), strengths);
        Assert.True(strengths.Distinct().Count() > 1, "every candidate has the same strength");

        var pair = await _client.GetFromJsonAsync<JsonElement>($"{path}/{served[0].GetProperty("candidateId").GetString()}");
        if (pair.GetProperty("modelVersion").GetString() == (await _client.GetFromJsonAsync<JsonElement>($"{path}?limit=1")).GetProperty("modelVersion").GetString())
        {
            Assert.Equal(strengths[0], pair.GetProperty("strength").GetInt32());
        }
        Assert.Equal(pair.GetProperty("strength").GetInt32() >= 70 ? "high" : pair.GetProperty("strength").GetInt32() >= 40 ? "medium" : "low",
            pair.GetProperty("strengthLevel").GetString());
    }

    [Fact]
    public async Task Head_answers_as_get_without_a_body()
    {
        await WaitForListAsync("donghua-mse");
        const string path = "/api/v1/organizations/donghua-mse/recommendations?limit=5";
        var get = await _client.GetAsync(path);

        var head = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(get.Headers.ETag, head.Headers.ETag);
        Assert.Equal(get.Content.Headers.ContentType, head.Content.Headers.ContentType);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());

        var conditional = new HttpRequestMessage(HttpMethod.Head, path);
        conditional.Headers.IfNoneMatch.Add(get.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await _client.SendAsync(conditional)).StatusCode);
        var organization = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/v1/organizations/donghua-mse"));
        Assert.Equal(HttpStatusCode.OK, organization.StatusCode);
        Assert.Empty(await organization.Content.ReadAsByteArrayAsync());
        // The same key and scope rules as GET.
        var anonymous = await factory.CreateClient().SendAsync(new HttpRequestMessage(HttpMethod.Head, path));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Empty(await anonymous.Content.ReadAsByteArrayAsync());
        // Only GET endpoints: a POST-only route still refuses HEAD.
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/v1/consortia/plans"))).StatusCode);
    }

    [Fact]
    public async Task Etag_round_trip_returns_304_when_unchanged()
    {
        await WaitForListAsync("donghua-mse");
        var response = await _client.GetAsync("/api/v1/organizations/donghua-mse/recommendations");
        var etag = response.Headers.ETag;
        Assert.NotNull(etag);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/organizations/donghua-mse/recommendations");
        request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue(etag.Tag));
        var cached = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, cached.StatusCode);
        Assert.Empty(await cached.Content.ReadAsByteArrayAsync());
        using var other = new HttpRequestMessage(HttpMethod.Get, "/api/v1/organizations/donghua-mse/recommendations?limit=3");
        other.Headers.IfNoneMatch.Add(new EntityTagHeaderValue(etag.Tag));
        Assert.Equal(HttpStatusCode.OK, (await _client.SendAsync(other)).StatusCode);
    }

    [Theory]
    [InlineData("kind=rocket", "kind")]
    [InlineData("limit=1000", "limit")]
    [InlineData("cursor=bm90LWEtbnVtYmVy", "cursor")]
    [InlineData("city=mars", "city")]
    public async Task Bad_parameters_are_validation_problems(string query, string field)
    {
        var response = await _client.GetAsync($"/api/v1/organizations/tongji-auto/recommendations?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task One_pair_is_scored_and_explained_on_demand_and_agrees_with_the_list()
    {
        // The first start serves heuristic lists, then a trained model is promoted and lists are recomputed with it:
        // compare a list and a pair scored by the same ranker.
        JsonElement list, listed, pair;
        var deadline = DateTime.UtcNow.AddSeconds(120);
        do
        {
            list = await WaitForListAsync("tongji-auto", "?limit=5");
            listed = list.GetProperty("items")[0];
            pair = await _client.GetFromJsonAsync<JsonElement>($"/api/v1/organizations/tongji-auto/recommendations/{listed.GetProperty("candidateId").GetString()}");
            if (pair.GetProperty("modelVersion").GetString() == list.GetProperty("modelVersion").GetString()) break;
            await Task.Delay(500);
        }
        while (DateTime.UtcNow < deadline);
        var candidate = listed.GetProperty("candidateId").GetString();
        Assert.Equal(candidate, pair.GetProperty("candidateId").GetString());
        Assert.Equal(listed.GetProperty("rank").GetInt32(), pair.GetProperty("listRank").GetInt32());
        // The list was computed with the same model on the same graph: the on-demand score is the listed one.
        Assert.Equal(listed.GetProperty("score").GetDouble(), pair.GetProperty("score").GetDouble(), 4);
        Assert.Equal(list.GetProperty("modelVersion").GetString(), pair.GetProperty("modelVersion").GetString());
        Assert.NotEmpty(pair.GetProperty("reasons").EnumerateArray());

        // A pair far down (or absent from) the list is still scored, without a list rank.
        var unlisted = await _client.GetFromJsonAsync<JsonElement>("/api/v1/organizations/tongji-auto/recommendations/g60-agri-alliance");
        Assert.True(unlisted.TryGetProperty("score", out _));

        var self = await _client.GetAsync("/api/v1/organizations/tongji-auto/recommendations/tongji-auto");
        Assert.Equal(HttpStatusCode.BadRequest, self.StatusCode);
        var unknown = await _client.GetAsync("/api/v1/organizations/tongji-auto/recommendations/no-such-org");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Unknown_organization_is_404()
    {
        var response = await _client.GetAsync("/api/v1/organizations/no-such-org/recommendations");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_triggered_recompute_reports_progress_and_publishes()
    {
        await WaitForListAsync("tongji-auto");

        var run = await RecomputeRuns.TriggerAndWaitAsync(_client);

        Assert.Equal("published", run.GetProperty("status").GetString());
        Assert.Equal(run.GetProperty("shardsTotal").GetInt32(), run.GetProperty("shardsDone").GetInt32());
        Assert.True(run.GetProperty("organizationsScored").GetInt64() >= 100);
        Assert.True(run.GetProperty("pairsPerSecond").GetDouble() > 0);
        var list = await _client.GetFromJsonAsync<JsonElement>("/api/v1/organizations/tongji-auto/recommendations");
        Assert.NotNull(list.GetProperty("runId").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/api/v1/recompute/runs/no-such-run")).StatusCode);
    }

    [Fact]
    public async Task Editing_an_organization_refreshes_its_list_within_seconds()
    {
        var before = await WaitForListAsync("suda-mcce");
        var record = await _client.GetFromJsonAsync<JsonElement>("/api/v1/organizations/suda-mcce");
        var body = JsonSerializer.Deserialize<Dictionary<string, object?>>(record.GetRawText())!;
        body["needs"] = new[] { "venture-funding", "bank-credit", "pilot-production" };

        var edited = DateTimeOffset.UtcNow;
        Assert.Equal(HttpStatusCode.OK, (await _client.PutAsJsonAsync("/api/v1/organizations/suda-mcce", body)).StatusCode);

        // A list computed after the edit is served: the incremental run (or a full run that started later).
        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonElement after;
        do
        {
            await Task.Delay(100);
            after = await _client.GetFromJsonAsync<JsonElement>("/api/v1/organizations/suda-mcce/recommendations");
        }
        while (after.GetProperty("computedAt").GetDateTimeOffset() < edited && DateTime.UtcNow < deadline);
        Assert.True(after.GetProperty("computedAt").GetDateTimeOffset() >= edited, after.GetProperty("runId").GetString());
        Assert.NotEqual(before.GetProperty("runId").GetString(), after.GetProperty("runId").GetString());
    }

    [Fact]
    public async Task Model_status_shows_the_promoted_model_with_its_validation_to_administrators_only()
    {
        // The first start trains a model on the demo graph's history; wait until lists come from it.
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while ((await WaitForListAsync("tongji-auto")).GetProperty("modelVersion").GetString()?.StartsWith("lambdarank-", StringComparison.Ordinal) != true)
        {
            Assert.True(DateTime.UtcNow < deadline, "no model was promoted");
            await Task.Delay(200);
        }

        var status = await _client.GetFromJsonAsync<JsonElement>("/api/v1/models/current");

        Assert.True(status.GetProperty("version").GetInt32() >= 1);
        Assert.True(status.GetProperty("trainingQueries").GetInt32() > 0);
        Assert.Contains("features from projects started before", status.GetProperty("trainingData").GetString());
        var validation = status.GetProperty("validation");
        Assert.True(validation.GetProperty("queries").GetInt32() > 0);
        Assert.InRange(validation.GetProperty("ndcg10").GetDouble(), 0.0, 1.0);
        Assert.Equal(PairFeatureCount, status.GetProperty("featureCount").GetInt32());

        var created = await _client.PostAsJsonAsync("/api/v1/keys", new { name = "reader", scopes = new[] { "read" } });
        var token = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
        using var reader = factory.CreateClientWithKey(token);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.GetAsync("/api/v1/models/current")).StatusCode);
    }

    private static readonly int PairFeatureCount = Matchmaker.Engine.Matching.PairFeatureExtractor.Count;
}
