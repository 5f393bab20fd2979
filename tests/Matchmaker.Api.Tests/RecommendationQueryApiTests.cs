using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Matchmaker.Api.Tests;

/// <summary>POST /api/v1/organizations/{id}/recommendations/query: a list computed now for what the organization wrote.</summary>
public sealed class RecommendationQueryApiTests(MatchmakerApiFactory factory) : IClassFixture<MatchmakerApiFactory>
{
    private const string Asker = "donghua-mse";
    private const string Path = $"/api/v1/organizations/{Asker}/recommendations/query";
    private readonly HttpClient _admin = factory.CreateAdminClient();

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<string> CreateKeyAsync(string[] scopes, string? organizationId)
    {
        var response = await _admin.PostAsJsonAsync("/api/v1/keys", new { name = "query test", scopes, organizationId });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }

    [Fact]
    public async Task A_text_gets_a_ranked_explained_list_computed_now()
    {
        var response = await _admin.PostAsJsonAsync(Path, new
        {
            text = "智能驾驶环境感知与多传感器融合 / environment perception and sensor fusion for intelligent driving",
            topic = "G60-2026-NEV-03",
            limit = 5,
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(Asker, body.GetProperty("organizationId").GetString());
        Assert.Equal("G60-2026-NEV-03", body.GetProperty("topic").GetString());
        Assert.True(body.GetProperty("pairsScored").GetInt32() > 0);
        var items = body.GetProperty("items").EnumerateArray().ToList();
        Assert.InRange(items.Count, 1, 5);
        // Ranks are positions in what is served; discovery first: no existing partner without asking for them.
        Assert.Equal(Enumerable.Range(1, items.Count), items.Select(i => i.GetProperty("rank").GetInt32()));
        Assert.All(items, i => Assert.False(i.GetProperty("existingPartner").GetBoolean()));
        Assert.All(items, i => Assert.NotEqual(Asker, i.GetProperty("candidateId").GetString()));
        var scores = items.Select(i => i.GetProperty("score").GetDouble()).ToList();
        Assert.Equal(scores.OrderDescending(), scores);
        Assert.All(items.SelectMany(i => i.GetProperty("reasons").EnumerateArray()), r =>
        {
            Assert.False(string.IsNullOrWhiteSpace(r.GetProperty("zh").GetString()));
            Assert.False(string.IsNullOrWhiteSpace(r.GetProperty("en").GetString()));
        });
    }

    [Fact]
    public async Task Filters_apply_inside_the_ranking_and_existing_partners_come_on_request()
    {
        var universities = await (await _admin.PostAsJsonAsync(Path, new { text = "lightweight alloys and composite materials", kind = "university", limit = 3 }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var items = universities.GetProperty("items").EnumerateArray().ToList();
        Assert.NotEmpty(items);
        Assert.All(items, i => Assert.Equal("university", i.GetProperty("candidate").GetProperty("kind").GetString()));

        var all = await (await _admin.PostAsJsonAsync(Path, new { text = "lightweight alloys and composite materials", includeExistingPartners = true, limit = 100 }))
            .Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(all.GetProperty("items").EnumerateArray(), i => i.GetProperty("existingPartner").GetBoolean());
    }

    [Fact]
    public async Task A_declined_candidate_is_left_out()
    {
        const string text = "battery materials, cathodes and electrolytes";
        var first = await (await _admin.PostAsJsonAsync(Path, new { text, limit = 3 })).Content.ReadFromJsonAsync<JsonElement>();
        var top = first.GetProperty("items")[0].GetProperty("candidateId").GetString()!;
        var declined = await _admin.PostAsJsonAsync($"/api/v1/organizations/{Asker}/feedback", new { candidateId = top, action = "decline", reason = "wrong-field" });
        Assert.Equal(HttpStatusCode.Created, declined.StatusCode);

        var again = await (await _admin.PostAsJsonAsync(Path, new { text, limit = 3 })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.DoesNotContain(again.GetProperty("items").EnumerateArray(), i => i.GetProperty("candidateId").GetString() == top);
        Assert.Equal(3, again.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Bad_queries_are_refused_naming_each_field()
    {
        var empty = await ProblemAsync(await _admin.PostAsJsonAsync(Path, new { text = "   ", kind = "castle", limit = 0, city = "atlantis", topic = "has spaces" }),
            HttpStatusCode.BadRequest);
        var errors = empty.GetProperty("errors");
        foreach (var field in new[] { "text", "kind", "limit", "city", "topic" }) Assert.True(errors.TryGetProperty(field, out _), field);

        var missing = await ProblemAsync(await _admin.PostAsJsonAsync(Path, new { limit = 5 }), HttpStatusCode.BadRequest);
        Assert.True(missing.GetProperty("errors").TryGetProperty("text", out _));

        var tooLong = await ProblemAsync(await _admin.PostAsJsonAsync(Path, new { text = new string('x', 8001) }), HttpStatusCode.BadRequest);
        Assert.Contains("8000", tooLong.GetProperty("errors").GetProperty("text")[0].GetString());

        var notJson = await _admin.PostAsync(Path, new StringContent("{\"text\": ", Encoding.UTF8, "application/json"));
        await ProblemAsync(notJson, HttpStatusCode.BadRequest);

        var unknown = await ProblemAsync(await _admin.PostAsJsonAsync("/api/v1/organizations/no-such-org/recommendations/query", new { text = "batteries" }),
            HttpStatusCode.NotFound);
        Assert.Equal(404, unknown.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task A_body_over_the_limit_is_refused_before_it_is_read()
    {
        var huge = new StringContent($"{{\"text\": \"{new string('x', 40_000)}\"}}", Encoding.UTF8, "application/json");
        var response = await _admin.PostAsync(Path, huge);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task A_key_bound_to_another_organization_gets_403_and_its_own_gets_the_list()
    {
        var bound = factory.CreateClientWithKey(await CreateKeyAsync(["read"], "tongji-auto"));
        await ProblemAsync(await bound.PostAsJsonAsync(Path, new { text = "batteries" }), HttpStatusCode.Forbidden);
        var own = await bound.PostAsJsonAsync("/api/v1/organizations/tongji-auto/recommendations/query", new { text = "batteries" });
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
    }
}
