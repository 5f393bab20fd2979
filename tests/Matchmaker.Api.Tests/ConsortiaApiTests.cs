using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Matchmaker.Api.Tests;

public sealed class ConsortiaApiTests(MatchmakerApiFactory factory) : IClassFixture<MatchmakerApiFactory>
{
    private const string Plans = "/api/v1/consortia/plans";
    private readonly HttpClient _admin = factory.CreateAdminClient();

    private static object Body(string lead = "baolong-auto", string sector = "new-energy-vehicles", object? slots = null, object? constraints = null, int alternatives = 3) => new
    {
        leadId = lead,
        sector,
        challenge = "需要多传感器融合算法与轻量化合金 / sensor fusion and lightweight alloys, venture funding",
        slots = slots ?? new object[] { new { role = "学" }, new { role = "research" }, new { role = "finance" }, new { role = "user", count = 2 } },
        constraints = constraints ?? new { cities = new[] { "shanghai-songjiang", "shanghai", "suzhou", "hangzhou", "jiaxing" }, maxPerCity = 3 },
        alternatives,
    };

    private async Task<(string Id, string Token)> CreateKeyAsync(string[] scopes, string? organizationId = null)
    {
        var response = await _admin.PostAsJsonAsync("/api/v1/keys", new { name = $"plans {string.Join('+', scopes)}", scopes, organizationId });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("key").GetProperty("id").GetString()!, body.GetProperty("token").GetString()!);
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task A_plan_is_created_with_alternative_teams_and_reopened_by_its_id()
    {
        var response = await _admin.PostAsJsonAsync(Plans, Body());

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var plan = await response.Content.ReadFromJsonAsync<JsonElement>();
        var id = plan.GetProperty("id").GetString()!;
        Assert.Equal($"{Plans}/{id}", response.Headers.Location!.ToString());
        Assert.Equal("baolong-auto", plan.GetProperty("leadId").GetString());
        var alternatives = plan.GetProperty("alternatives").EnumerateArray().ToList();
        Assert.Equal(3, alternatives.Count);
        foreach (var team in alternatives)
        {
            var members = team.GetProperty("members").EnumerateArray().ToList();
            Assert.Equal(5, members.Count);
            Assert.Equal(2, members.Count(m => m.GetProperty("role").GetString() == "user"));
            Assert.All(members, m => Assert.NotEqual("baolong-auto", m.GetProperty("organizationId").GetString()));
            Assert.All(members, m => Assert.Contains(m.GetProperty("organization").GetProperty("city").GetString(),
                new[] { "shanghai-songjiang", "shanghai", "suzhou", "hangzhou", "jiaxing" }));
            Assert.All(members, m => Assert.NotEmpty(m.GetProperty("reasons").EnumerateArray()));
            var parts = team.GetProperty("parts");
            foreach (var part in new[] { "fit", "cohesion", "coverage" }) Assert.InRange(parts.GetProperty(part).GetDouble(), 0, 1);
            Assert.InRange(team.GetProperty("score").GetDouble(), 0, 1);
        }
        Assert.Contains("sensor", plan.GetProperty("objective").GetProperty("needs").EnumerateArray().Select(n => n.GetString()));

        var reopened = await _admin.GetAsync(response.Headers.Location);
        Assert.Equal(HttpStatusCode.OK, reopened.StatusCode);
        var again = await reopened.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(plan.GetProperty("alternatives").GetRawText(), again.GetProperty("alternatives").GetRawText());
        Assert.Equal(plan.GetProperty("createdAt").GetDateTimeOffset(), again.GetProperty("createdAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task A_plan_is_found_only_by_the_key_that_made_it()
    {
        var (_, first) = await CreateKeyAsync(["plan"]);
        var (_, second) = await CreateKeyAsync(["plan"]);
        using var maker = factory.CreateClientWithKey(first);
        using var other = factory.CreateClientWithKey(second);
        var created = await maker.PostAsJsonAsync(Plans,
            Body(lead: "donghua-mse", sector: "new-materials", slots: new object[] { new { role = "industry" }, new { role = "finance" } }, constraints: new { }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var location = created.Headers.Location!;

        Assert.Equal(HttpStatusCode.OK, (await maker.GetAsync(location)).StatusCode);
        var elsewhere = await ProblemAsync(await other.GetAsync(location), HttpStatusCode.NotFound);
        var unknown = await ProblemAsync(await other.GetAsync($"{Plans}/plan-0000"), HttpStatusCode.NotFound);
        Assert.Equal(unknown.GetProperty("title").GetString(), elsewhere.GetProperty("title").GetString());
        await ProblemAsync(await _admin.GetAsync(location), HttpStatusCode.NotFound); // even an admin key: plans belong to their key
    }

    [Fact]
    public async Task A_key_bound_to_an_organization_plans_only_with_itself_as_lead()
    {
        var (_, token) = await CreateKeyAsync(["plan"], "tongji-auto");
        using var bound = factory.CreateClientWithKey(token);

        var own = await bound.PostAsJsonAsync(Plans, Body(lead: "tongji-auto"));
        Assert.Equal(HttpStatusCode.Created, own.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await bound.GetAsync(own.Headers.Location)).StatusCode);

        // Another lead, existing or not, gets the same 403 as every other refused binding: nothing about the target.
        var other = await ProblemAsync(await bound.PostAsJsonAsync(Plans, Body(lead: "baolong-auto")), HttpStatusCode.Forbidden);
        var missing = await ProblemAsync(await bound.PostAsJsonAsync(Plans, Body(lead: "no-such-org")), HttpStatusCode.Forbidden);
        var search = await ProblemAsync(await bound.GetAsync("/api/v1/organizations?q=同济"), HttpStatusCode.Forbidden);
        Assert.Equal(search.GetProperty("detail").GetString(), other.GetProperty("detail").GetString());
        Assert.Equal(other.GetProperty("detail").GetString(), missing.GetProperty("detail").GetString());
        Assert.Equal(other.GetProperty("title").GetString(), missing.GetProperty("title").GetString());
        Assert.DoesNotContain("baolong", other.GetRawText());
    }

    [Fact]
    public async Task Planning_needs_the_plan_scope_which_read_and_widget_keys_lack()
    {
        var (_, made) = await CreateKeyAsync(["plan"], "baolong-auto");
        var location = (await factory.CreateClientWithKey(made).PostAsJsonAsync(Plans, Body())).Headers.Location!;
        foreach (var scopes in new[] { new[] { "feedback" }, ["read"], ["read", "feedback"] })
        {
            var (_, token) = await CreateKeyAsync(scopes, "baolong-auto");
            using var client = factory.CreateClientWithKey(token);
            await ProblemAsync(await client.PostAsJsonAsync(Plans, Body()), HttpStatusCode.Forbidden);
            await ProblemAsync(await client.GetAsync(location), HttpStatusCode.Forbidden);
        }
        var (_, widget) = await CreateKeyAsync(["widget"], "baolong-auto");
        await ProblemAsync(await factory.CreateClientWithKey(widget).PostAsJsonAsync(Plans, Body()), HttpStatusCode.Forbidden);
        await ProblemAsync(await factory.CreateClient().PostAsJsonAsync(Plans, Body()), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_slot_no_organization_in_the_allowed_cities_can_fill_is_422_naming_the_slot()
    {
        var response = await _admin.PostAsJsonAsync(Plans, Body(constraints: new { cities = new[] { "wuhu", "huzhou" } }));

        var problem = await ProblemAsync(response, (HttpStatusCode)422);
        var error = problem.GetProperty("errors").GetProperty("slots[0]")[0].GetString()!;
        Assert.Contains("学 academia ×1", error);
        Assert.Contains("wuhu, huzhou", error);
        Assert.Contains("slots[0]", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Slots_the_city_cap_cannot_fill_together_are_422_naming_the_cap()
    {
        var response = await _admin.PostAsJsonAsync(Plans,
            Body(slots: new object[] { new { role = "金", count = 3 } }, constraints: new { cities = new[] { "hangzhou", "wuhu" }, maxPerCity = 1 }));

        var problem = await ProblemAsync(response, (HttpStatusCode)422);
        Assert.Contains("slots[0]", problem.GetProperty("errors").GetProperty("constraints.maxPerCity")[0].GetString());
    }

    [Theory]
    [InlineData("""{"sector": "new-materials"}""", "leadId")]
    [InlineData("""{"leadId": "donghua-mse", "sector": "space"}""", "sector")]
    [InlineData("""{"leadId": "donghua-mse", "sector": "new-materials", "subField": "drones"}""", "subField")]
    [InlineData("""{"leadId": "donghua-mse", "sector": "new-materials", "slots": [{"role": "astronaut"}]}""", "slots[0].role")]
    [InlineData("""{"leadId": "donghua-mse", "sector": "new-materials", "slots": [{"role": "user", "count": 11}]}""", "slots[0].count")]
    [InlineData("""{"leadId": "donghua-mse", "sector": "new-materials", "slots": [{"role": "user", "kinds": ["rocket"]}]}""", "slots[0].kinds[0]")]
    [InlineData("""{"leadId": "donghua-mse", "sector": "new-materials", "constraints": {"cities": ["mars"]}}""", "constraints.cities[0]")]
    [InlineData("""{"leadId": "donghua-mse", "sector": "new-materials", "constraints": {"maxPerCity": 0}}""", "constraints.maxPerCity")]
    [InlineData("""{"leadId": "donghua-mse", "sector": "new-materials", "alternatives": 9}""", "alternatives")]
    [InlineData("""{"leadId": "donghua-mse", "sector": "new-materials", "weights": {"fit": 2}}""", "weights.fit")]
    [InlineData("""{"leadId": "donghua-mse", "sector": "new-materials", "weights": {"fit": 0, "cohesion": 0, "coverage": 0}}""", "weights")]
    [InlineData("""{"leadId": "no-such-org", "sector": "new-materials"}""", "leadId")]
    [InlineData("""{"leadId": "donghua-mse", "sector": "new-materials", "constraints": {"include": ["no-such-org"]}}""", "constraints.include[0]")]
    [InlineData("""{"leadId": "donghua-mse", "sector": "new-materials", "slots": [{"role": "user", "count": 4}], "constraints": {"maxSize": 3}}""", "constraints.maxSize")]
    public async Task Bad_requests_are_validation_problems_naming_the_field(string json, string field)
    {
        var response = await _admin.PostAsync(Plans, new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.GetRawText());
    }

    [Fact]
    public async Task Default_slots_of_the_sector_apply_when_none_are_given()
    {
        var response = await _admin.PostAsJsonAsync(Plans, new { leadId = "sues-air", sector = "low-altitude-economy", alternatives = 1 });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var plan = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["academia", "research", "finance", "user", "platform"], plan.GetProperty("slots").EnumerateArray().Select(s => s.GetProperty("role").GetString()));
        Assert.Equal(6, plan.GetProperty("alternatives")[0].GetProperty("members").GetArrayLength());
        // Without a challenge the lead's own stated needs are what coverage counts.
        Assert.Contains("test-sites", plan.GetProperty("objective").GetProperty("needs").EnumerateArray().Select(n => n.GetString()));
    }

    [Fact]
    public async Task Swagger_documents_the_plan_endpoints_with_their_request_and_refusals()
    {
        var document = await _admin.GetFromJsonAsync<JsonElement>("/swagger/v1/swagger.json");
        var paths = document.GetProperty("paths");

        var create = paths.GetProperty("/api/v1/consortia/plans").GetProperty("post");
        Assert.Equal("Plan alternative 产学研金用 teams for a lead organization", create.GetProperty("summary").GetString());
        Assert.True(create.GetProperty("responses").TryGetProperty("201", out _));
        Assert.True(create.GetProperty("responses").TryGetProperty("422", out _));
        Assert.True(create.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _));
        Assert.True(paths.GetProperty("/api/v1/consortia/plans/{planId}").TryGetProperty("get", out _));
    }
}
