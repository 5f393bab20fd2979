using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Matchmaker.Api.Tests;

public sealed class AccessApiTests(MatchmakerApiFactory factory) : IClassFixture<MatchmakerApiFactory>
{
    private readonly HttpClient _admin = factory.CreateAdminClient();

    /// <summary>A seed organization that bound keys of other organizations try to reach.</summary>
    private const string Target = "donghua-mse";

    private static string NewId() => $"acc-{Guid.NewGuid():N}";

    private static object NewOrganization(string id, string nameZh = "嘉兴访问测试有限公司") => new
    {
        id, nameZh, kind = "enterprise", city = "jiaxing", sectors = new[] { "new-materials" },
    };

    private async Task<(string Id, string Token)> CreateKeyAsync(string[] scopes, string? organizationId = null)
    {
        var response = await _admin.PostAsJsonAsync("/api/v1/keys", new { name = $"test {string.Join('+', scopes)}", scopes, organizationId });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("key").GetProperty("id").GetString()!, body.GetProperty("token").GetString()!);
    }

    private static async Task<string> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal((int)expected, JsonDocument.Parse(text).RootElement.GetProperty("status").GetInt32());
        return text;
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, object? body = null) =>
        new(method, path) { Content = body is null ? null : JsonContent.Create(body) };

    [Fact]
    public async Task Missing_or_invalid_keys_are_401_problems()
    {
        var anonymous = factory.CreateClient();
        var response = await anonymous.GetAsync($"/api/v1/organizations/{Target}");
        await ProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.NotEmpty(response.Headers.WwwAuthenticate);

        foreach (var token in new[] { "mm_0123456789abcdef_not-the-secret", "hello", "mm_", MatchmakerApiFactory.AdminKey + "x" })
        {
            await ProblemAsync(await factory.CreateClientWithKey(token).GetAsync("/api/v1/organizations?q=同济"), HttpStatusCode.Unauthorized);
        }
        var (_, valid) = await CreateKeyAsync(["read"]);
        var tampered = valid[..^2] + (valid[^1] == 'A' ? "BB" : "AA");
        await ProblemAsync(await factory.CreateClientWithKey(tampered).GetAsync("/api/v1/organizations?q=同济"), HttpStatusCode.Unauthorized);
        await ProblemAsync(await anonymous.PostAsync("/api/v1/recompute/runs", null), HttpStatusCode.Unauthorized);
        await ProblemAsync(await anonymous.GetAsync("/api/v1/keys"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_key_works_in_the_header_and_as_a_bearer_token()
    {
        var (_, token) = await CreateKeyAsync(["read"]);

        Assert.Equal(HttpStatusCode.OK, (await factory.CreateClientWithKey(token).GetAsync($"/api/v1/organizations/{Target}")).StatusCode);
        var bearer = factory.CreateClient();
        bearer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await bearer.GetAsync($"/api/v1/organizations/{Target}")).StatusCode);
    }

    [Fact]
    public async Task Health_and_swagger_stay_anonymous()
    {
        var anonymous = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/swagger/v1/swagger.json")).StatusCode);
    }

    [Fact]
    public async Task A_revoked_key_fails_on_its_next_request()
    {
        var (id, token) = await CreateKeyAsync(["read"]);
        var client = factory.CreateClientWithKey(token);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/v1/organizations/{Target}")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync($"/api/v1/keys/{id}")).StatusCode);

        await ProblemAsync(await client.GetAsync($"/api/v1/organizations/{Target}"), HttpStatusCode.Unauthorized);
        await ProblemAsync(await _admin.DeleteAsync($"/api/v1/keys/{id}"), HttpStatusCode.NotFound);
        var keys = await _admin.GetFromJsonAsync<JsonElement>("/api/v1/keys");
        var listed = keys.EnumerateArray().Single(k => k.GetProperty("id").GetString() == id);
        Assert.Equal(JsonValueKind.String, listed.GetProperty("revokedAt").ValueKind);
    }

    [Fact]
    public async Task The_token_is_shown_once_and_never_listed()
    {
        var (id, token) = await CreateKeyAsync(["read", "feedback"]);
        Assert.StartsWith($"mm_{id}_", token);

        var listing = await _admin.GetStringAsync("/api/v1/keys");

        Assert.Contains(id, listing);
        Assert.DoesNotContain(token, listing);
        Assert.DoesNotContain(token[$"mm_{id}_".Length..], listing); // the secret (base64url: it may itself contain '_')
    }

    [Theory]
    [InlineData("""{"name":"","scopes":["read"]}""", "name")]
    [InlineData("""{"name":"x","scopes":[]}""", "scopes")]
    [InlineData("""{"name":"x","scopes":["root"]}""", "scopes")]
    [InlineData("""{"name":"x","scopes":["read, feedback"]}""", "scopes")]
    [InlineData("""{"name":"x","scopes":["2"]}""", "scopes")]
    [InlineData("""{"name":"x","scopes":["read"],"organizationId":"no-such-org"}""", "organizationId")]
    [InlineData("""{"name":"x","scopes":["read"],"allowedOrigins":["javascript:alert(1)"]}""", "allowedOrigins")]
    public async Task Key_creation_validates_its_fields(string body, string field)
    {
        var response = await _admin.PostAsync("/api/v1/keys", new StringContent(body, Encoding.UTF8, "application/json"));

        var problem = JsonDocument.Parse(await ProblemAsync(response, HttpStatusCode.BadRequest)).RootElement;
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.GetRawText());
    }

    [Fact]
    public async Task A_read_key_cannot_write_import_recompute_manage_keys_or_open_the_dashboard()
    {
        var (_, token) = await CreateKeyAsync(["read"]);
        var client = factory.CreateClientWithKey(token);
        var id = NewId();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/organizations?q=同济")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/v1/organizations/{Target}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/recompute/runs")).StatusCode);

        var refused = new[]
        {
            Request(HttpMethod.Post, "/api/v1/organizations", NewOrganization(id)),
            Request(HttpMethod.Put, $"/api/v1/organizations/{Target}", NewOrganization(Target, "被改名")),
            Request(HttpMethod.Delete, $"/api/v1/organizations/{Target}"),
            Request(HttpMethod.Post, "/api/v1/organizations/import", new { organizations = new[] { NewOrganization(id) } }),
            Request(HttpMethod.Post, "/api/v1/recompute/runs"),
            Request(HttpMethod.Post, "/api/v1/keys", new { name = "escalate", scopes = new[] { "admin" } }),
            Request(HttpMethod.Get, "/api/v1/keys"),
            Request(HttpMethod.Delete, "/api/v1/keys/0123456789abcdef"),
            Request(HttpMethod.Get, "/jobs"),
        };
        foreach (var request in refused)
        {
            var response = await client.SendAsync(request);
            await ProblemAsync(response, HttpStatusCode.Forbidden);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await _admin.GetAsync($"/api/v1/organizations/{id}")).StatusCode);
        var target = await _admin.GetFromJsonAsync<JsonElement>($"/api/v1/organizations/{Target}");
        Assert.NotEqual("被改名", target.GetProperty("nameZh").GetString());
    }

    [Fact]
    public async Task A_feedback_only_key_cannot_read()
    {
        var (_, token) = await CreateKeyAsync(["feedback"]);

        await ProblemAsync(await factory.CreateClientWithKey(token).GetAsync($"/api/v1/organizations/{Target}"), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_key_bound_to_one_organization_gets_403_revealing_nothing_on_every_endpoint_of_another()
    {
        var own = NewId();
        Assert.Equal(HttpStatusCode.Created, (await _admin.PostAsJsonAsync("/api/v1/organizations", NewOrganization(own))).StatusCode);
        var target = await _admin.GetFromJsonAsync<JsonElement>($"/api/v1/organizations/{Target}");
        var targetName = target.GetProperty("nameZh").GetString()!;
        var (_, token) = await CreateKeyAsync(["read", "admin"], own);
        var client = factory.CreateClientWithKey(token);

        var attempts = new[]
        {
            Request(HttpMethod.Get, $"/api/v1/organizations/{Target}"),
            Request(HttpMethod.Put, $"/api/v1/organizations/{Target}", NewOrganization(Target, "被改名")),
            Request(HttpMethod.Delete, $"/api/v1/organizations/{Target}"),
            Request(HttpMethod.Get, $"/api/v1/organizations/{Target}/recommendations"),
            Request(HttpMethod.Get, $"/api/v1/organizations/{Target}/recommendations?includeExistingPartners=true"),
            // An organization that does not exist looks the same as one that does.
            Request(HttpMethod.Get, "/api/v1/organizations/no-such-org"),
            Request(HttpMethod.Get, "/api/v1/organizations/no-such-org/recommendations"),
            // Endpoints that span organizations are closed to bound keys.
            Request(HttpMethod.Get, "/api/v1/organizations?q=东华"),
            Request(HttpMethod.Post, "/api/v1/organizations", NewOrganization(NewId())),
            Request(HttpMethod.Post, "/api/v1/organizations/import", new { organizations = new[] { NewOrganization(Target, "被改名") } }),
            Request(HttpMethod.Post, "/api/v1/recompute/runs"),
            Request(HttpMethod.Get, "/api/v1/keys"),
            Request(HttpMethod.Get, "/jobs"),
        };
        var bodies = new List<string>();
        foreach (var request in attempts)
        {
            var path = request.RequestUri!.ToString();
            var body = await ProblemAsync(await client.SendAsync(request), HttpStatusCode.Forbidden);
            Assert.DoesNotContain(Target, body);
            Assert.DoesNotContain(targetName, body);
            Assert.DoesNotContain("no-such-org", body);
            bodies.Add(JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString()!);
            Assert.True(bodies[0] == bodies[^1], path);
        }

        var after = await _admin.GetFromJsonAsync<JsonElement>($"/api/v1/organizations/{Target}");
        Assert.Equal(targetName, after.GetProperty("nameZh").GetString());
    }

    [Fact]
    public async Task A_key_bound_to_an_organization_may_act_on_that_organization()
    {
        var own = NewId();
        Assert.Equal(HttpStatusCode.Created, (await _admin.PostAsJsonAsync("/api/v1/organizations", NewOrganization(own))).StatusCode);
        var (_, reader) = await CreateKeyAsync(["read"], own);
        var (_, writer) = await CreateKeyAsync(["admin"], own);
        var read = factory.CreateClientWithKey(reader);
        var write = factory.CreateClientWithKey(writer);

        Assert.Equal(HttpStatusCode.OK, (await read.GetAsync($"/api/v1/organizations/{own}")).StatusCode);
        // Not 403: the binding passes; the list simply is not computed yet (or is served).
        Assert.Contains((await read.GetAsync($"/api/v1/organizations/{own}/recommendations")).StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.NotFound });
        await ProblemAsync(await read.PutAsJsonAsync($"/api/v1/organizations/{own}", NewOrganization(own, "读者改名")), HttpStatusCode.Forbidden);

        Assert.Equal(HttpStatusCode.OK, (await write.PutAsJsonAsync($"/api/v1/organizations/{own}", NewOrganization(own, "新名称"))).StatusCode);
        Assert.Equal("新名称", (await read.GetFromJsonAsync<JsonElement>($"/api/v1/organizations/{own}")).GetProperty("nameZh").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await write.DeleteAsync($"/api/v1/organizations/{own}")).StatusCode);
    }

    [Fact]
    public async Task A_widget_key_reaches_the_widget_only_and_a_read_key_no_longer_reaches_private_data()
    {
        // As the README's widget recipe makes it: the widget scope alone, bound, with the partner's origin.
        var created = await _admin.PostAsJsonAsync("/api/v1/keys",
            new { name = "park widget", scopes = new[] { "widget" }, organizationId = "tongji-auto", allowedOrigins = new[] { "https://widget-park.example.cn" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var widget = factory.CreateClientWithKey((await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!);
        var (_, readToken) = await CreateKeyAsync(["read"], "tongji-auto");
        var reader = factory.CreateClientWithKey(readToken);
        Assert.Equal(HttpStatusCode.Created, (await _admin.PostAsJsonAsync("/api/v1/organizations/tongji-auto/feedback",
            new { candidateId = "suda-mcce", action = "decline", reason = "other", comment = "private remark about suda" })).StatusCode);

        // No Origin header (a script, not a browser): the scope still keeps it to the widget's data.
        Assert.NotEqual(HttpStatusCode.Forbidden, (await widget.GetAsync("/widget/v1/organizations/tongji-auto/matches")).StatusCode);
        foreach (var path in new[] { "/api/v1/organizations/tongji-auto/feedback", "/api/v1/organizations/tongji-auto/mutual-interest",
            "/api/v1/organizations/tongji-auto", "/api/v1/organizations/tongji-auto/recommendations", "/api/v1/organizations/tongji-auto/recommendations/suda-mcce",
            "/api/v1/recompute/runs" })
        {
            var refused = await ProblemAsync(await widget.GetAsync(path), HttpStatusCode.Forbidden);
            Assert.DoesNotContain("private remark", refused);
        }
        await ProblemAsync(await widget.PostAsJsonAsync("/api/v1/consortia/plans", new { leadId = "tongji-auto", sector = "new-energy-vehicles" }), HttpStatusCode.Forbidden);

        // A read key keeps the organization and its lists, but not the feedback log, mutual interest, the widget or plans.
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/api/v1/organizations/tongji-auto")).StatusCode);
        foreach (var path in new[] { "/api/v1/organizations/tongji-auto/feedback", "/api/v1/organizations/tongji-auto/mutual-interest",
            "/widget/v1/organizations/tongji-auto/matches" })
        {
            Assert.DoesNotContain("private remark", await ProblemAsync(await reader.GetAsync(path), HttpStatusCode.Forbidden));
        }
        await ProblemAsync(await reader.PostAsJsonAsync("/api/v1/consortia/plans", new { leadId = "tongji-auto", sector = "new-energy-vehicles" }), HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData("""{"name":"w","scopes":["widget","read"],"organizationId":"tongji-auto"}""", "scopes")]
    [InlineData("""{"name":"w","scopes":["widget"]}""", "organizationId")]
    public async Task A_widget_key_has_the_widget_scope_alone_and_is_bound(string body, string field)
    {
        var before = (await _admin.GetFromJsonAsync<JsonElement>("/api/v1/keys")).GetArrayLength();
        var text = await ProblemAsync(await _admin.PostAsync("/api/v1/keys", new StringContent(body, Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
        Assert.True(JsonDocument.Parse(text).RootElement.GetProperty("errors").TryGetProperty(field, out _), text);
        Assert.Equal(before, (await _admin.GetFromJsonAsync<JsonElement>("/api/v1/keys")).GetArrayLength());
    }

    [Fact]
    public async Task A_key_with_allowed_origins_is_refused_from_other_browser_origins()
    {
        var response = await _admin.PostAsJsonAsync("/api/v1/keys", new { name = "park site", scopes = new[] { "read" }, allowedOrigins = new[] { "https://park.example.cn" } });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var client = factory.CreateClientWithKey((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/v1/organizations/{Target}")).StatusCode); // no Origin: a server
        using var fromPark = Request(HttpMethod.Get, $"/api/v1/organizations/{Target}");
        fromPark.Headers.Add("Origin", "https://park.example.cn");
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(fromPark)).StatusCode);
        using var fromElsewhere = Request(HttpMethod.Get, $"/api/v1/organizations/{Target}");
        fromElsewhere.Headers.Add("Origin", "https://evil.example.com");
        var refused = await client.SendAsync(fromElsewhere);
        await ProblemAsync(refused, HttpStatusCode.Forbidden);
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Requests_are_logged_with_the_key_id_and_never_the_token()
    {
        var (id, token) = await CreateKeyAsync(["read"]);
        var client = factory.CreateClientWithKey(token);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/v1/organizations/{Target}?secret-looking=1")).StatusCode);
        await factory.CreateClientWithKey(token + "x").GetAsync($"/api/v1/organizations/{Target}");

        var line = Assert.Single(factory.Logs.Lines, l => l.Category == "Matchmaker.Requests" && l.Message.Contains($"key {id}", StringComparison.Ordinal));
        Assert.Contains("GET /api/v1/organizations/{id}", line.Message);
        Assert.Contains("-> 200", line.Message);
        Assert.Contains(factory.Logs.Lines, l => l.Category == "Matchmaker.Requests" && l.Message.Contains("-> 401", StringComparison.Ordinal));
        // The secret is what follows mm_<keyId>_ (it may itself contain '_').
        var secret = token[(token.IndexOf('_', 3) + 1)..];
        Assert.True(secret.Length >= 40, secret);
        Assert.DoesNotContain(factory.Logs.Lines, l => l.Message.Contains(secret, StringComparison.Ordinal));
        Assert.DoesNotContain(factory.Logs.Lines, l => l.Message.Contains(MatchmakerApiFactory.AdminKey, StringComparison.Ordinal));
        Assert.DoesNotContain(factory.Logs.Lines, l => l.Category == "Matchmaker.Requests" && l.Message.Contains("secret-looking", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Link_tokens_are_redacted_from_request_logs_and_problem_logs()
    {
        var anonymous = factory.CreateClient();
        // Shaped like real link tokens: an id, a dot and a MAC. They are refused, but the paths carry them all the same.
        var tokens = new[] { $"dig_{Guid.NewGuid():N}.c2VjcmV0LWxvb2tpbmctbWFj", $"sub_{Guid.NewGuid():N}.b3RoZXItc2VjcmV0LW1hYw", $"sub_{Guid.NewGuid():N}.dGhpcmQtc2VjcmV0" };
        await anonymous.GetAsync($"/lists/{tokens[0]}");
        await anonymous.PostAsync($"/unsubscribe/{tokens[1]}", new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));
        await anonymous.GetAsync($"/lists/{tokens[2]}/mistyped"); // no route matches: long segments are redacted

        foreach (var token in tokens)
        {
            Assert.DoesNotContain(factory.Logs.Lines, l => l.Message.Contains(token[..20], StringComparison.Ordinal));
        }
        Assert.Contains(factory.Logs.Lines, l => l.Category == "Matchmaker.Requests" && l.Message.Contains("GET /lists/{token} (/lists/[redacted])", StringComparison.Ordinal));
        Assert.Contains(factory.Logs.Lines,
            l => l.Category == "Matchmaker.Requests" && l.Message.Contains("POST /unsubscribe/{token} (/unsubscribe/[redacted])", StringComparison.Ordinal));
        Assert.Contains(factory.Logs.Lines, l => l.Category == "Matchmaker.Requests" && l.Message.Contains("(/lists/[redacted]/mistyped)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cors_preflights_and_responses_follow_the_origins_keys_allow()
    {
        const string park = "https://cors-park.example.cn";
        var response = await _admin.PostAsJsonAsync("/api/v1/keys", new { name = "cors park", scopes = new[] { "read" }, allowedOrigins = new[] { park } });
        var token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
        var anonymous = factory.CreateClient();

        using var preflight = new HttpRequestMessage(HttpMethod.Options, $"/api/v1/organizations/{Target}/recommendations");
        preflight.Headers.Add("Origin", park);
        preflight.Headers.Add("Access-Control-Request-Method", "GET");
        preflight.Headers.Add("Access-Control-Request-Headers", "x-api-key");
        var answered = await anonymous.SendAsync(preflight);
        Assert.Equal(HttpStatusCode.NoContent, answered.StatusCode);
        Assert.Equal(park, answered.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("X-Api-Key", answered.Headers.GetValues("Access-Control-Allow-Headers").Single());

        using var strangerPreflight = new HttpRequestMessage(HttpMethod.Options, $"/api/v1/organizations/{Target}/recommendations");
        strangerPreflight.Headers.Add("Origin", "https://cors-evil.example.com");
        strangerPreflight.Headers.Add("Access-Control-Request-Method", "GET");
        var refused = await anonymous.SendAsync(strangerPreflight);
        await ProblemAsync(refused, HttpStatusCode.Forbidden);
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));

        using var actual = Request(HttpMethod.Get, $"/api/v1/organizations/{Target}");
        actual.Headers.Add("Origin", park);
        actual.Headers.Add("X-Api-Key", token);
        var served = await anonymous.SendAsync(actual);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal(park, served.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("Origin", served.Headers.Vary);

        // A server key (no allowed origins) never gets CORS headers, even when a browser sends an Origin.
        using var server = Request(HttpMethod.Get, $"/api/v1/organizations/{Target}");
        server.Headers.Add("Origin", park);
        var fromServerKey = await _admin.SendAsync(server);
        Assert.Equal(HttpStatusCode.OK, fromServerKey.StatusCode);
        Assert.False(fromServerKey.Headers.Contains("Access-Control-Allow-Origin"));

        // Revoking the key withdraws its origin from preflights at once on this replica.
        var keyId = (await _admin.GetFromJsonAsync<JsonElement>("/api/v1/keys")).EnumerateArray().Single(k =>
            k.GetProperty("name").GetString() == "cors park").GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync($"/api/v1/keys/{keyId}")).StatusCode);
        using var again = new HttpRequestMessage(HttpMethod.Options, $"/api/v1/organizations/{Target}/recommendations");
        again.Headers.Add("Origin", park);
        again.Headers.Add("Access-Control-Request-Method", "GET");
        await ProblemAsync(await anonymous.SendAsync(again), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Widget_preflights_need_a_widget_key_of_the_organization_and_every_cors_answer_varies_by_origin()
    {
        const string site = "https://cors-widget-site.example.cn";
        var response = await _admin.PostAsJsonAsync("/api/v1/keys", new { name = "cors reader", scopes = new[] { "read" }, allowedOrigins = new[] { site } });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var anonymous = factory.CreateClient();
        HttpRequestMessage Preflight(string path)
        {
            var request = new HttpRequestMessage(HttpMethod.Options, path);
            request.Headers.Add("Origin", site);
            request.Headers.Add("Access-Control-Request-Method", "GET");
            return request;
        }

        // A read key lists the origin: the API answers its preflights, the widget of an organization does not.
        using var api = Preflight($"/api/v1/organizations/{Target}");
        var answered = await anonymous.SendAsync(api);
        Assert.Equal(HttpStatusCode.NoContent, answered.StatusCode);
        Assert.Equal("600", answered.Headers.GetValues("Access-Control-Max-Age").Single());
        Assert.Contains("Origin", answered.Headers.Vary);
        using var widget = Preflight("/widget/v1/organizations/tongji-auto/matches");
        var refused = await anonymous.SendAsync(widget);
        await ProblemAsync(refused, HttpStatusCode.Forbidden);
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.Contains("Origin", refused.Headers.Vary);

        // A server key's answer to a browser carries no CORS headers but still varies by origin, for shared caches.
        using var server = Request(HttpMethod.Get, $"/api/v1/organizations/{Target}");
        server.Headers.Add("Origin", site);
        var fromServerKey = await _admin.SendAsync(server);
        Assert.Equal(HttpStatusCode.OK, fromServerKey.StatusCode);
        Assert.False(fromServerKey.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.Contains("Origin", fromServerKey.Headers.Vary);
    }

    [Fact]
    public async Task The_jobs_dashboard_needs_an_admin_key()
    {
        var anonymous = await factory.CreateClient().GetAsync("/jobs");
        await ProblemAsync(anonymous, HttpStatusCode.Unauthorized);
        Assert.Contains(anonymous.Headers.WwwAuthenticate, h => h.Scheme == "Basic");
        await ProblemAsync(await factory.CreateClientWithKey("mm_0123456789abcdef_wrong").GetAsync("/jobs"), HttpStatusCode.Unauthorized);

        Assert.Equal(HttpStatusCode.OK, (await _admin.GetAsync("/jobs")).StatusCode);
        var (_, admin) = await CreateKeyAsync(["admin"]);
        var browser = factory.CreateClient();
        browser.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{admin}")));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/jobs")).StatusCode);
    }

    [Fact]
    public async Task Basic_credentials_work_only_under_jobs_and_dashboard_posts_need_an_antiforgery_token()
    {
        var (_, admin) = await CreateKeyAsync(["admin"]);
        // What a browser that logged in to the dashboard sends on its own to any URL of the host, cross-site forms included.
        var browser = factory.CreateClient();
        browser.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{admin}")));
        var keysBefore = await _admin.GetStringAsync("/api/v1/keys");

        await ProblemAsync(await browser.PostAsync("/api/v1/recompute/runs", null), HttpStatusCode.Unauthorized);
        await ProblemAsync(await browser.PostAsJsonAsync("/api/v1/keys", new { name = "cross-site", scopes = new[] { "admin" } }), HttpStatusCode.Unauthorized);
        await ProblemAsync(await browser.GetAsync("/api/v1/keys"), HttpStatusCode.Unauthorized);
        Assert.Equal(keysBefore, await _admin.GetStringAsync("/api/v1/keys"));

        // The dashboard itself: reading works, a command posted without the page's antiforgery token does not.
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/jobs/recurring")).StatusCode);
        var trigger = await browser.PostAsync("/jobs/recurring/trigger", new FormUrlEncodedContent([new("jobs[]", "delivery-sweep")]));
        Assert.Equal(HttpStatusCode.Forbidden, trigger.StatusCode);
    }

    [Fact]
    public async Task Swagger_declares_the_key_scheme_and_requires_it_on_protected_operations_only()
    {
        var document = await factory.CreateClient().GetFromJsonAsync<JsonElement>("/swagger/v1/swagger.json");

        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        Assert.Equal("apiKey", scheme.GetProperty("type").GetString());
        Assert.Equal("X-Api-Key", scheme.GetProperty("name").GetString());
        var paths = document.GetProperty("paths");
        Assert.True(paths.GetProperty("/api/v1/organizations/{id}").GetProperty("get").TryGetProperty("security", out var security));
        Assert.True(security[0].TryGetProperty("ApiKey", out _));
        Assert.True(paths.GetProperty("/api/v1/keys").GetProperty("post").TryGetProperty("security", out _));
    }
}

public sealed class RateLimitApiTests(RateLimitedApiFactory factory) : IClassFixture<RateLimitedApiFactory>
{
    [Fact]
    public async Task A_key_over_its_limit_gets_429_with_retry_after_while_other_keys_go_on()
    {
        var admin = factory.CreateAdminClient();
        var created = await admin.PostAsJsonAsync("/api/v1/keys", new { name = "limited", scopes = new[] { "read" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var client = factory.CreateClientWithKey((await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!);

        for (var i = 0; i < RateLimitedApiFactory.Limit; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/organizations/donghua-mse")).StatusCode);
        }
        var refused = await client.GetAsync("/api/v1/organizations/donghua-mse");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var retryAfter = refused.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalSeconds, 1, 60);
        Assert.Equal(429, (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/v1/organizations/donghua-mse")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await factory.CreateClient().GetAsync("/health/live")).StatusCode);
    }

    [Fact]
    public async Task Requests_with_rejected_keys_are_throttled_too()
    {
        var guesser = factory.CreateClientWithKey("mm_0123456789abcdef_guessing-the-secret");

        for (var i = 0; i < RateLimitedApiFactory.Limit; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await guesser.GetAsync("/api/v1/organizations/donghua-mse")).StatusCode);
        }
        var refused = await guesser.GetAsync("/api/v1/organizations/donghua-mse");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, (await factory.CreateClient().GetAsync("/health/live")).StatusCode);
    }
}
