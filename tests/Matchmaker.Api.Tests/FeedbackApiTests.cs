using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Matchmaker.Api.Tests;

public sealed class FeedbackApiTests(MatchmakerApiFactory factory) : IClassFixture<MatchmakerApiFactory>
{
    private readonly HttpClient _admin = factory.CreateAdminClient();

    private async Task<string> CreateKeyAsync(string[] scopes, string? organizationId)
    {
        var response = await _admin.PostAsJsonAsync("/api/v1/keys", new { name = "feedback test", scopes, organizationId });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }

    private static List<string> Ids(JsonElement list) =>
        list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("candidateId").GetString()!).ToList();

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task Declining_hides_the_candidate_and_changes_the_etag_and_taking_it_back_restores_it()
    {
        const string org = "baolong-auto";
        var client = factory.CreateClientWithKey(await CreateKeyAsync(["read", "feedback"], org));
        var before = await PublishedLists.WaitForListAsync(client, org, "?limit=100");
        var candidate = Ids(before)[0];
        var etag = (await client.GetAsync($"/api/v1/organizations/{org}/recommendations?limit=100")).Headers.ETag!;

        var declined = await client.PostAsJsonAsync($"/api/v1/organizations/{org}/feedback",
            new { candidateId = candidate, action = "decline", reason = "too-far", comment = "距离太远" });
        Assert.Equal(HttpStatusCode.Created, declined.StatusCode);
        var item = await declined.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("decline", item.GetProperty("action").GetString());
        Assert.Equal("too-far", item.GetProperty("reason").GetString());
        Assert.False(string.IsNullOrEmpty(item.GetProperty("givenBy").GetString()));

        var conditional = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/organizations/{org}/recommendations?limit=100");
        conditional.Headers.IfNoneMatch.Add(etag);
        var response = await client.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode); // the page changed: no 304 with the old tag
        Assert.DoesNotContain(candidate, Ids(await response.Content.ReadFromJsonAsync<JsonElement>()));

        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync($"/api/v1/organizations/{org}/feedback",
            new { candidateId = candidate, action = "accept" })).StatusCode);
        var after = await client.GetFromJsonAsync<JsonElement>($"/api/v1/organizations/{org}/recommendations?limit=100");
        var restored = after.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("candidateId").GetString() == candidate);
        Assert.Equal("accept", restored.GetProperty("feedback").GetString());

        var history = await client.GetFromJsonAsync<JsonElement>($"/api/v1/organizations/{org}/feedback?candidateId={candidate}");
        Assert.Equal(["accept", "decline"], history.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("action").GetString()));
    }

    /// <summary>Two organizations each in the other's served list (bound keys name only candidates they were shown).</summary>
    private async Task<(string A, string B)> MutuallyListedPairAsync()
    {
        foreach (var a in new[] { "hf-hanchu-battery", "baolong-auto", "tongji-auto", "sues-air", "suda-mcce", "zjxu-lai" })
        {
            var listOfA = await PublishedLists.WaitForListAsync(_admin, a, "?limit=100&includeExistingPartners=true");
            foreach (var b in Ids(listOfA))
            {
                var listOfB = await PublishedLists.WaitForListAsync(_admin, b, "?limit=100&includeExistingPartners=true");
                if (Ids(listOfB).Contains(a)) return (a, b);
            }
        }
        Assert.Fail("no two organizations of the demo graph list each other");
        return default;
    }

    [Fact]
    public async Task Mutual_interest_is_visible_to_both_sides_only_once_both_accepted()
    {
        var (a, b) = await MutuallyListedPairAsync();
        var clientA = factory.CreateClientWithKey(await CreateKeyAsync(["read", "feedback"], a));
        var clientB = factory.CreateClientWithKey(await CreateKeyAsync(["read", "feedback"], b));

        Assert.Equal(HttpStatusCode.Created, (await clientA.PostAsJsonAsync($"/api/v1/organizations/{a}/feedback", new { candidateId = b, action = "accept" })).StatusCode);
        var none = await clientB.GetFromJsonAsync<JsonElement>($"/api/v1/organizations/{b}/mutual-interest");
        Assert.Empty(none.GetProperty("items").EnumerateArray()); // one-sided interest is never shown to the other side

        Assert.Equal(HttpStatusCode.Created, (await clientB.PostAsJsonAsync($"/api/v1/organizations/{b}/feedback", new { candidateId = a, action = "contacted" })).StatusCode);
        var seenByA = await clientA.GetFromJsonAsync<JsonElement>($"/api/v1/organizations/{a}/mutual-interest");
        var seenByB = await clientB.GetFromJsonAsync<JsonElement>($"/api/v1/organizations/{b}/mutual-interest");
        var itemA = Assert.Single(seenByA.GetProperty("items").EnumerateArray());
        Assert.Equal(b, itemA.GetProperty("candidateId").GetString());
        Assert.Equal("contacted", itemA.GetProperty("theirAction").GetString());
        Assert.False(string.IsNullOrEmpty(itemA.GetProperty("candidate").GetProperty("nameZh").GetString()));
        Assert.Equal(a, Assert.Single(seenByB.GetProperty("items").EnumerateArray()).GetProperty("candidateId").GetString());
    }

    [Fact]
    public async Task Accepting_a_candidate_never_shown_reveals_no_mutual_interest_on_either_side()
    {
        // The start-up runs (the first recompute, training, the recompute after it) are over: the lists read below stay served.
        await StartUpWork.WaitAsync(_admin);
        // c lists p and p does not list c: c's interest in p is real, p's accept of c is blind (a probe accepts every id).
        string? c = null, p = null;
        foreach (var org in new[] { "tongji-auto", "sues-air", "suda-mcce", "baolong-auto", "zjxu-lai" })
        {
            var listOfOrg = Ids(await PublishedLists.WaitForListAsync(_admin, org, "?limit=100&includeExistingPartners=true"));
            foreach (var candidate in listOfOrg)
            {
                if (Ids(await PublishedLists.WaitForListAsync(_admin, candidate, "?limit=100&includeExistingPartners=true")).Contains(org)) continue;
                (c, p) = (org, candidate);
                break;
            }
            if (c is not null) break;
        }
        Assert.NotNull(c);
        var clientC = factory.CreateClientWithKey(await CreateKeyAsync(["read", "feedback"], c));
        var prober = factory.CreateClientWithKey(await CreateKeyAsync(["read", "feedback"], null)); // unbound: may name any id
        Assert.Equal(HttpStatusCode.Created, (await clientC.PostAsJsonAsync($"/api/v1/organizations/{c}/feedback", new { candidateId = p, action = "accept" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await prober.PostAsJsonAsync($"/api/v1/organizations/{p}/feedback", new { candidateId = c, action = "accept" })).StatusCode);

        Assert.Empty((await prober.GetFromJsonAsync<JsonElement>($"/api/v1/organizations/{p}/mutual-interest")).GetProperty("items").EnumerateArray());
        Assert.Empty((await clientC.GetFromJsonAsync<JsonElement>($"/api/v1/organizations/{c}/mutual-interest")).GetProperty("items").EnumerateArray());
        Assert.False((await prober.GetFromJsonAsync<JsonElement>($"/api/v1/organizations/{p}/recommendations/{c}")).GetProperty("mutualInterest").GetBoolean());
        var listed = (await clientC.GetFromJsonAsync<JsonElement>($"/api/v1/organizations/{c}/recommendations?limit=100&includeExistingPartners=true"))
            .GetProperty("items").EnumerateArray().Single(i => i.GetProperty("candidateId").GetString() == p);
        Assert.False(listed.GetProperty("mutualInterest").GetBoolean());
        // The blind accept is kept in the log, marked as not shown.
        var log = await prober.GetFromJsonAsync<JsonElement>($"/api/v1/organizations/{p}/feedback?candidateId={c}");
        Assert.Equal("accept", Assert.Single(log.GetProperty("items").EnumerateArray()).GetProperty("action").GetString());
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={factory.DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT organization_id, shown FROM feedback WHERE (organization_id = $c AND candidate_id = $p) OR (organization_id = $p AND " +
            "candidate_id = $c) ORDER BY organization_id = $c DESC";
        command.Parameters.AddWithValue("$c", c);
        command.Parameters.AddWithValue("$p", p);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal((c, 1L), (reader.GetString(0), reader.GetInt64(1)));
        Assert.True(await reader.ReadAsync());
        Assert.Equal((p, 0L), (reader.GetString(0), reader.GetInt64(1)));
    }

    [Theory]
    [InlineData("""{"candidateId":"tongji-auto","action":"decline"}""", "reason")]
    [InlineData("""{"candidateId":"tongji-auto","action":"accept","reason":"too-far"}""", "reason")]
    [InlineData("""{"candidateId":"tongji-auto","action":"decline","reason":"bored"}""", "reason")]
    [InlineData("""{"candidateId":"tongji-auto","action":"like"}""", "action")]
    [InlineData("""{"candidateId":"tongji-auto"}""", "action")]
    [InlineData("""{"action":"accept"}""", "candidateId")]
    [InlineData("""{"candidateId":"no-such-org","action":"accept"}""", "candidateId")]
    [InlineData("""{"candidateId":"' OR 1=1; MATCH (n) DETACH DELETE n //","action":"accept"}""", "candidateId")]
    [InlineData("""{"candidateId":"donghua-mse","action":"accept"}""", "candidateId")]
    public async Task Bad_feedback_is_refused_naming_the_field_and_nothing_is_stored(string body, string field)
    {
        const string org = "donghua-mse";
        var response = await _admin.PostAsync($"/api/v1/organizations/{org}/feedback", new StringContent(body, Encoding.UTF8, "application/json"));
        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());

        var history = await _admin.GetFromJsonAsync<JsonElement>($"/api/v1/organizations/{org}/feedback");
        Assert.Empty(history.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Wrong_content_type_malformed_json_and_huge_bodies_get_problems()
    {
        const string path = "/api/v1/organizations/zjxu-lai/feedback";
        await ProblemAsync(await _admin.PostAsync(path, new StringContent("candidateId=x", Encoding.UTF8, "application/x-www-form-urlencoded")),
            HttpStatusCode.UnsupportedMediaType);
        await ProblemAsync(await _admin.PostAsync(path, new StringContent("{\"candidateId\":", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
        await ProblemAsync(await _admin.PostAsync(path,
            new StringContent("""{"candidateId":"a","candidateId":"b","action":"accept"}""", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
        var huge = JsonSerializer.Serialize(new { candidateId = "tongji-auto", action = "accept", comment = new string('长', 20_000) });
        await ProblemAsync(await _admin.PostAsync(path, new StringContent(huge, Encoding.UTF8, "application/json")), HttpStatusCode.RequestEntityTooLarge);
        await ProblemAsync(await _admin.PostAsJsonAsync("/api/v1/organizations/no-such-org/feedback", new { candidateId = "tongji-auto", action = "accept" }),
            HttpStatusCode.NotFound);
        await ProblemAsync(await _admin.GetAsync($"{path}?limit=1000"), HttpStatusCode.BadRequest);
        await ProblemAsync(await _admin.GetAsync($"{path}?cursor=not-a-cursor!"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_read_only_key_cannot_give_feedback_and_a_bound_key_cannot_act_for_another_organization()
    {
        var reader = factory.CreateClientWithKey(await CreateKeyAsync(["read"], null));
        await ProblemAsync(await reader.PostAsJsonAsync("/api/v1/organizations/sues-air/feedback", new { candidateId = "tongji-auto", action = "accept" }),
            HttpStatusCode.Forbidden);

        var other = factory.CreateClientWithKey(await CreateKeyAsync(["read", "feedback"], "tongji-auto"));
        await ProblemAsync(await other.PostAsJsonAsync("/api/v1/organizations/sues-air/feedback",
            new { candidateId = "suda-mcce", action = "decline", reason = "other" }), HttpStatusCode.Forbidden);
        await ProblemAsync(await other.GetAsync("/api/v1/organizations/sues-air/feedback"), HttpStatusCode.Forbidden);
        await ProblemAsync(await other.GetAsync("/api/v1/organizations/sues-air/mutual-interest"), HttpStatusCode.Forbidden);
        var history = await _admin.GetFromJsonAsync<JsonElement>("/api/v1/organizations/sues-air/feedback");
        Assert.Empty(history.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Feedback_pages_with_a_cursor()
    {
        const string org = "liangzhu-lab";
        var targets = new[] { "tongji-auto", "suda-mcce", "donghua-mse", "czbank", "bob-shanghai" };
        foreach (var t in targets)
        {
            Assert.Equal(HttpStatusCode.Created, (await _admin.PostAsJsonAsync($"/api/v1/organizations/{org}/feedback", new { candidateId = t, action = "accept" })).StatusCode);
        }
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await _admin.GetFromJsonAsync<JsonElement>($"/api/v1/organizations/{org}/feedback?limit=2" + (cursor is null ? "" : $"&cursor={cursor}"));
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("candidateId").GetString()!));
            cursor = page.TryGetProperty("nextCursor", out var next) ? next.GetString() : null; // absent on the last page
        }
        while (cursor is not null);
        Assert.Equal(targets.Reverse(), seen);
    }
}
