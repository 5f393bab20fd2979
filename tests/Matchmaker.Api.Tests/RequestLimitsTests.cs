using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Matchmaker.Api.Tests;

/// <summary>
/// Bodies are capped per endpoint before anything reads them, lists are counted before their entries are checked,
/// and a validation problem names at most 100 fields: a hostile body costs a bounded answer.
/// </summary>
public sealed class RequestLimitsTests(MatchmakerApiFactory factory) : IClassFixture<MatchmakerApiFactory>
{
    private readonly HttpClient _admin = factory.CreateAdminClient();

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    /// <summary>Content without a declared length, as a chunked upload sends it.</summary>
    private sealed class UnknownLengthContent(byte[] bytes) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }

    [Fact]
    public async Task A_plan_with_thousands_of_bad_cities_or_kinds_gets_one_error_per_list()
    {
        var cities = Enumerable.Repeat("x", 5_000).ToArray();
        var kinds = Enumerable.Repeat("x", 3_000).ToArray();
        var body = new { leadId = "baolong-auto", sector = "new-energy-vehicles", slots = new[] { new { role = "academia", kinds } }, constraints = new { cities } };

        var problem = await ProblemAsync(await _admin.PostAsync("/api/v1/consortia/plans", Json(body)), HttpStatusCode.BadRequest);

        var errors = problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).ToList();
        Assert.Equal(["constraints.cities", "slots[0].kinds"], errors.Order().ToList());
        Assert.Contains("5000 entries", problem.GetProperty("errors").GetProperty("constraints.cities")[0].GetString());
    }

    [Fact]
    public async Task Subscription_filters_are_counted_before_their_entries_are_checked()
    {
        var body = new { channel = "email", target = "limits@example.cn", filters = new { cities = Enumerable.Repeat("x", 2_000).ToArray() } };

        var problem = await ProblemAsync(await _admin.PostAsync("/api/v1/organizations/tongji-auto/subscriptions", Json(body)), HttpStatusCode.BadRequest);

        // The target may be refused too (no SMTP server here); the filters are one error.
        var errors = problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Where(n => n.StartsWith("filters", StringComparison.Ordinal)).ToList();
        Assert.Equal(["filters.cities"], errors);
        Assert.Empty(await _admin.GetFromJsonAsync<JsonElement[]>("/api/v1/organizations/tongji-auto/subscriptions") ?? []);
    }

    [Fact]
    public async Task A_validation_problem_names_at_most_100_fields()
    {
        // Every list within its count, every entry wrong: 12 slots with 16 bad kinds each and 64 bad cities.
        var slots = Enumerable.Range(0, 12).Select(_ => new { role = "nobody", kinds = Enumerable.Repeat("x", 16).ToArray() }).ToArray();
        var body = new { leadId = "baolong-auto", sector = "new-energy-vehicles", slots, constraints = new { cities = Enumerable.Repeat("x", 64).ToArray() } };

        var problem = await ProblemAsync(await _admin.PostAsync("/api/v1/consortia/plans", Json(body)), HttpStatusCode.BadRequest);

        Assert.Equal(100, problem.GetProperty("errors").EnumerateObject().Count());
        // 12 roles, 192 kinds and 64 cities were wrong.
        Assert.Equal(12 + 192 + 64 - 100, problem.GetProperty("errorsOmitted").GetInt32());
    }

    [Theory]
    [InlineData("/api/v1/consortia/plans", 32 * 1024)]
    [InlineData("/api/v1/organizations/tongji-auto/subscriptions", 16 * 1024)]
    [InlineData("/api/v1/keys", 8 * 1024)]
    [InlineData("/api/v1/organizations/tongji-auto/feedback", 16 * 1024)]
    [InlineData("/api/v1/recompute/runs", 64 * 1024)]
    [InlineData("/api/v1/organizations", 256 * 1024)]
    public async Task A_body_over_the_endpoints_limit_is_413_with_or_without_a_length_and_changes_nothing(string path, int limit)
    {
        await StartUpWork.WaitAsync(_admin);
        var keysBefore = await _admin.GetStringAsync("/api/v1/keys");
        var runsBefore = await NewestRunAsync();
        // A JSON string just over the limit: the body is well-formed, only too large.
        var bytes = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { name = new string('a', limit + 10) }));

        var declared = await ProblemAsync(await _admin.PostAsync(path, new ByteArrayContent(bytes) { Headers = { ContentType = new("application/json") } }),
            HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains($"{limit:N0} bytes", declared.GetProperty("detail").GetString());
        var chunked = new UnknownLengthContent(bytes) { Headers = { ContentType = new("application/json") } };
        await ProblemAsync(await _admin.PostAsync(path, chunked), HttpStatusCode.RequestEntityTooLarge);

        Assert.Equal(keysBefore, await _admin.GetStringAsync("/api/v1/keys"));
        Assert.Equal(runsBefore, await NewestRunAsync());
    }

    private async Task<string?> NewestRunAsync() =>
        (await _admin.GetFromJsonAsync<JsonElement[]>("/api/v1/recompute/runs?limit=1"))!.Select(r => r.GetProperty("id").GetString()).FirstOrDefault();

    [Fact]
    public async Task The_import_keeps_its_own_larger_limit()
    {
        // 200 organizations, about 100 KB: over the 64 KB default, under the test's Import:MaxBodyBytes (256 KB).
        var organizations = Enumerable.Range(0, 200).Select(i => new
        {
            id = $"limits-{i:D4}", nameZh = $"限额测试公司{i}", kind = "enterprise", city = "jiaxing", sectors = new[] { "new-materials" },
            description = new string('a', 400),
        }).ToArray();
        var content = Json(new { organizations });
        Assert.True(Encoding.UTF8.GetByteCount(await content.ReadAsStringAsync()) > 64 * 1024);

        var response = await _admin.PostAsync("/api/v1/organizations/import", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _admin.GetAsync("/api/v1/organizations/limits-0199")).StatusCode);
    }
}
