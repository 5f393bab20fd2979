using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Matchmaker.Api.Access;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Matchmaker.Api.Tests;

/// <summary>
/// The key / scope / organization matrix over every endpoint the service maps, read from its routing table: an
/// endpoint added without an authorization rule, or one that lets a key act for another organization, fails here.
/// </summary>
public sealed class EndpointAccessMatrixTests(AccessMatrixApiFactory factory) : IClassFixture<AccessMatrixApiFactory>
{
    /// <summary>The only endpoints that may be reached without a key, each for a stated reason.</summary>
    private static readonly Dictionary<string, string> Anonymous = new()
    {
        ["GET /health/live"] = "liveness probe",
        ["GET /health/ready"] = "readiness probe",
        ["GET /widget/v1.js"] = "the widget's static script; the data it loads needs a publishable key",
        ["GET /lists/{token}"] = "a weekly list page: the signed token in the link is the credential",
        ["GET /unsubscribe/{token}"] = "unsubscribe confirmation: the signed token in the link is the credential",
        ["POST /unsubscribe/{token}"] = "unsubscribe: the signed token in the link is the credential",
    };

    /// <summary>A seed organization that keys of other organizations try to reach.</summary>
    private const string Target = "donghua-mse";

    private readonly HttpClient _admin = factory.CreateAdminClient();

    /// <summary>
    /// Endpoints that name their organization in the body (their handler checks it): the body a key of another
    /// organization sends. A new such endpoint must be added here, or the matrix fails.
    /// </summary>
    private static readonly Dictionary<string, object> BodiesNamingTheTarget = new()
    {
        ["POST /api/v1/consortia/plans/"] = new { leadId = Target, sector = "new-materials", slots = new[] { new { role = "academia" } } },
    };

    /// <summary>
    /// The scope each guarded endpoint needs, reviewed one by one: the widget scope (a key pasted into web pages)
    /// reaches the widget's data only; the feedback log and mutual interest (comments, decline reasons, the keys that
    /// gave them) need feedback; planning needs plan. A new endpoint fails the matrix until it is added here.
    /// </summary>
    private static readonly Dictionary<string, string> Expected = new()
    {
        ["GET /api/v1/organizations/"] = "read",
        ["GET /api/v1/organizations/{id}"] = "read",
        ["POST /api/v1/organizations/"] = "admin",
        ["PUT /api/v1/organizations/{id}"] = "admin",
        ["DELETE /api/v1/organizations/{id}"] = "admin",
        ["POST /api/v1/organizations/import"] = "admin",
        ["GET /api/v1/organizations/{id}/recommendations/"] = "read",
        ["GET /api/v1/organizations/{id}/recommendations/{candidateId}"] = "read",
        ["POST /api/v1/organizations/{id}/recommendations/query"] = "read",
        ["GET /metrics"] = "admin",
        ["POST /api/v1/organizations/{id}/feedback"] = "feedback",
        ["GET /api/v1/organizations/{id}/feedback"] = "feedback",
        ["GET /api/v1/organizations/{id}/mutual-interest"] = "feedback",
        ["POST /api/v1/organizations/{id}/subscriptions/"] = "feedback",
        ["GET /api/v1/organizations/{id}/subscriptions/"] = "feedback",
        ["GET /api/v1/organizations/{id}/subscriptions/{subscriptionId}"] = "feedback",
        ["PUT /api/v1/organizations/{id}/subscriptions/{subscriptionId}"] = "feedback",
        ["DELETE /api/v1/organizations/{id}/subscriptions/{subscriptionId}"] = "feedback",
        ["POST /api/v1/organizations/{id}/subscriptions/{subscriptionId}/revoke-links"] = "feedback",
        ["GET /api/v1/organizations/{id}/subscriptions/{subscriptionId}/deliveries"] = "feedback",
        ["POST /api/v1/recompute/runs/"] = "admin",
        ["GET /api/v1/recompute/runs/"] = "read",
        ["GET /api/v1/recompute/runs/{runId}"] = "read",
        ["POST /api/v1/consortia/plans/"] = "plan",
        ["GET /api/v1/consortia/plans/{planId}"] = "plan",
        ["GET /api/v1/models/current"] = "admin",
        ["POST /api/v1/keys/"] = "admin",
        ["GET /api/v1/keys/"] = "admin",
        ["DELETE /api/v1/keys/{keyId}"] = "admin",
        ["GET /widget/v1/organizations/{id}/matches/"] = "widget",
    };

    /// <summary>Scopes a key may hold besides admin; each satisfies only its own policy.</summary>
    private static readonly string[] SingleScopes = ["read", "feedback", "plan", "widget"];

    public sealed record Route(string Method, string Pattern, string? Policy, string? ScopedRouteValue, bool OrganizationInBody = false)
    {
        public string Label => $"{Method} {Pattern}";
    }

    private IReadOnlyList<Route> Routes()
    {
        var sources = factory.Services.GetRequiredService<IEnumerable<EndpointDataSource>>();
        var routes = new List<Route>();
        foreach (var endpoint in sources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>())
        {
            var pattern = endpoint.RoutePattern.RawText ?? "";
            var methods = endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            var policies = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).OfType<string>().ToList();
            // Every policy on an endpoint must pass; admin passes them all, so an endpoint with admin among them needs admin.
            var names = AccessPolicies.All.Where(p => policies.Contains(p.Policy)).Select(p => Matchmaker.Engine.Access.ApiScopes.Name(p.Scope)).ToList();
            var policy = names.Count == 0 ? null : names.Contains("admin") ? "admin" : string.Join('+', names);
            var scoped = endpoint.Metadata.GetMetadata<OrganizationScoped>()?.RouteValue;
            var inBody = endpoint.Metadata.GetMetadata<OrganizationInBody>() is not null;
            foreach (var method in methods) routes.Add(new Route(method, "/" + pattern.TrimStart('/'), policy, scoped, inBody));
        }
        return routes;
    }

    private static string Path(Route route, string organization) =>
        System.Text.RegularExpressions.Regex.Replace(route.Pattern, @"\{(\*\*)?([a-zA-Z]+)[^}]*\}", m => m.Groups[2].Value switch
        {
            "id" => organization,
            "candidateId" => "tongji-auto",
            _ => "matrix-probe",
        });

    private static HttpRequestMessage Request(Route route, string organization)
    {
        var request = new HttpRequestMessage(new HttpMethod(route.Method), Path(route, organization));
        if (route.Method is "POST" or "PUT" or "PATCH") request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        return request;
    }

    private async Task<string> CreateKeyAsync(string[] scopes, string? organizationId)
    {
        var response = await _admin.PostAsJsonAsync("/api/v1/keys", new { name = "matrix", scopes, organizationId });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }

    [Fact]
    public void Every_endpoint_has_an_authorization_rule_or_is_a_listed_anonymous_one()
    {
        var routes = Routes();
        Assert.True(routes.Count >= 15, $"only {routes.Count} endpoints found: the routing table was not read");
        var unguarded = routes.Where(r => r.Policy is null && !Anonymous.ContainsKey($"{r.Method} {r.Pattern}")).Select(r => $"{r.Method} {r.Pattern}").ToList();
        Assert.True(unguarded.Count == 0, "endpoints without a scope policy: " + string.Join(", ", unguarded));
        // The list names only endpoints that exist: an entry left behind by a removed route would let a later route of
        // that name through unreviewed (preflights are answered by the CORS middleware, not by a route).
        var stale = Anonymous.Keys.Where(k => !routes.Any(r => $"{r.Method} {r.Pattern}" == k)).ToList();
        Assert.True(stale.Count == 0, "anonymous entries naming no endpoint: " + string.Join(", ", stale));
        // Every endpoint with an organization in its route must say so, or bound keys could not use it (and nobody reviewed it).
        var unmarked = routes.Where(r => r.Policy is not null && r.Pattern.Contains("{id}", StringComparison.Ordinal) && r.ScopedRouteValue is null
            && r.Pattern.StartsWith("/api/v1/organizations/", StringComparison.Ordinal)).Select(r => $"{r.Method} {r.Pattern}").ToList();
        Assert.True(unmarked.Count == 0, "organization endpoints not marked ScopedToOrganization: " + string.Join(", ", unmarked));
    }

    [Fact]
    public void Every_guarded_endpoint_needs_the_scope_the_reviewed_table_gives_it()
    {
        var routes = Routes().Where(r => r.Policy is not null && !r.Pattern.StartsWith("/jobs", StringComparison.Ordinal)).ToList();
        var wrong = routes.Where(r => !Expected.TryGetValue(r.Label, out var scope) || scope != r.Policy)
            .Select(r => $"{r.Label} needs {r.Policy}, the table says {(Expected.TryGetValue(r.Label, out var s) ? s : "nothing (add it)")}").ToList();
        Assert.True(wrong.Count == 0, string.Join("; ", wrong));
        var gone = Expected.Keys.Except(routes.Select(r => r.Label)).ToList();
        Assert.True(gone.Count == 0, "in the table but not mapped: " + string.Join(", ", gone));
        Assert.All(Routes().Where(r => r.Pattern.StartsWith("/jobs", StringComparison.Ordinal)), r => Assert.Equal("admin", r.Policy));
    }

    [Fact]
    public async Task Keys_without_the_needed_scope_get_403_on_every_guarded_endpoint()
    {
        var own = $"matrix-{Guid.NewGuid():N}"[..20];
        Assert.Equal(HttpStatusCode.Created, (await _admin.PostAsJsonAsync("/api/v1/organizations",
            new { id = own, nameZh = "矩阵范围公司", kind = "enterprise", city = "wuhu", sectors = new[] { "new-materials" } })).StatusCode);
        // Bound to the organization in the route, so that only the scope can refuse on its endpoints; unbound for the rest.
        var bound = new Dictionary<string, HttpClient>();
        var unbound = new Dictionary<string, HttpClient>();
        foreach (var scope in SingleScopes)
        {
            bound[scope] = factory.CreateClientWithKey(await CreateKeyAsync([scope], own));
            if (scope != "widget") unbound[scope] = factory.CreateClientWithKey(await CreateKeyAsync([scope], null));
        }
        foreach (var route in Routes().Where(r => r.Policy is not null))
        {
            var keys = route.ScopedRouteValue is not null ? bound : unbound;
            foreach (var (scope, client) in keys.Where(k => k.Key != route.Policy))
            {
                using var request = Request(route, own);
                var response = await client.SendAsync(request);
                Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{route.Label} answered {(int)response.StatusCode} to a {scope} key");
            }
        }
        Assert.Equal(HttpStatusCode.OK, (await _admin.GetAsync($"/api/v1/organizations/{own}")).StatusCode);
    }

    [Fact]
    public async Task Without_a_key_every_guarded_endpoint_answers_401_and_listed_anonymous_ones_do_not()
    {
        var anonymous = factory.CreateClient();
        foreach (var route in Routes())
        {
            using var request = Request(route, Target);
            var response = await anonymous.SendAsync(request);
            var name = $"{route.Method} {route.Pattern}";
            if (route.Policy is null) Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
            else Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{name} answered {(int)response.StatusCode} without a key");
        }
    }

    [Fact]
    public async Task A_key_bound_to_another_organization_gets_the_same_403_everywhere_and_changes_nothing()
    {
        var own = $"matrix-{Guid.NewGuid():N}"[..20];
        Assert.Equal(HttpStatusCode.Created, (await _admin.PostAsJsonAsync("/api/v1/organizations",
            new { id = own, nameZh = "矩阵测试公司", kind = "enterprise", city = "jiaxing", sectors = new[] { "new-materials" } })).StatusCode);
        var before = await _admin.GetStringAsync($"/api/v1/organizations/{Target}");
        var feedbackBefore = await _admin.GetStringAsync($"/api/v1/organizations/{Target}/feedback");
        var name = JsonDocument.Parse(before).RootElement.GetProperty("nameZh").GetString()!;
        var everything = factory.CreateClientWithKey(await CreateKeyAsync(["read", "feedback", "admin"], own));

        string? firstDetail = null;
        foreach (var route in Routes().Where(r => r.Policy is not null))
        {
            var label = $"{route.Method} {route.Pattern}";
            using var request = Request(route, Target);
            if (route.OrganizationInBody && route.Method is "POST" or "PUT")
            {
                Assert.True(BodiesNamingTheTarget.TryGetValue(label, out var naming), $"{label} takes its organization from the body: add a body naming another organization");
                request.Content = JsonContent.Create(naming);
            }
            var response = await everything.SendAsync(request);
            if (route.OrganizationInBody && route.Method == "GET")
            {
                // Resources found through the body's organization (saved plans) exist only for the key that made them.
                Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{label} answered {(int)response.StatusCode} to a key of another organization");
                Assert.DoesNotContain(Target, await response.Content.ReadAsStringAsync());
                continue;
            }
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{label} answered {(int)response.StatusCode} to a key of another organization");
            var body = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain(Target, body);
            Assert.DoesNotContain(name, body);
            var detail = JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString();
            firstDetail ??= detail;
            Assert.True(firstDetail == detail, $"{label} refused differently: {detail}");
        }
        Assert.Equal(before, await _admin.GetStringAsync($"/api/v1/organizations/{Target}"));
        Assert.Equal(feedbackBefore, await _admin.GetStringAsync($"/api/v1/organizations/{Target}/feedback"));
    }

    /// <summary>
    /// Each id a route can carry, reviewed: the answer a key bound to one organization gets when that id (and only
    /// that one) is another organization's, on an endpoint it may otherwise use. A route with an id not listed here
    /// fails the matrix until it is reviewed. Endpoints that span organizations answer every bound key 403 whatever
    /// the ids (the test sends them real ids of others too).
    /// </summary>
    private static readonly Dictionary<string, (HttpStatusCode? Status, string Why)> RouteIds = new()
    {
        ["id"] = (HttpStatusCode.Forbidden, "the organization acted for: bound elsewhere"),
        ["subscriptionId"] = (HttpStatusCode.NotFound, "a subscription is found under its own organization only"),
        ["planId"] = (HttpStatusCode.NotFound, "a saved plan exists only for the key that saved it"),
        ["keyId"] = (HttpStatusCode.Forbidden, "keys span organizations"),
        ["runId"] = (HttpStatusCode.Forbidden, "runs span organizations"),
        // Null: a partner named, not an organization acted for (a pair's candidate): answered as for any candidate.
        ["candidateId"] = (null, "the candidate of a pair is whom the organization looks at"),
        ["token"] = (null, "anonymous link pages: the signed token is the credential"),
    };

    /// <summary>
    /// The ids a request body can carry (fields named like ids, and the planner's include and exclude lists),
    /// reviewed like <see cref="RouteIds"/>; a body type with another such field fails the matrix.
    /// </summary>
    private static readonly Dictionary<string, HttpStatusCode?> BodyIds = new()
    {
        ["leadId"] = HttpStatusCode.Forbidden, // the organization a plan is made for
        ["organizationId"] = HttpStatusCode.Forbidden, // a new key's organization: keys span organizations
        ["candidateId"] = null, // feedback about a partner is the organization's own feedback
        ["include"] = null, // partners the planner must take
        ["exclude"] = null, // partners the planner must leave out
        ["id"] = HttpStatusCode.Forbidden, // a created organization's id: creating spans organizations
    };

    /// <summary>Where one endpoint answers a body id otherwise than <see cref="BodyIds"/> says, and why.</summary>
    private static readonly Dictionary<string, HttpStatusCode> BodyIdsByEndpoint = new()
    {
        // The body's id must be the path's: refused before any lookup, naming only what was sent.
        ["PUT /api/v1/organizations/{id} id"] = HttpStatusCode.BadRequest,
    };

    /// <summary>
    /// A body for each endpoint whose body names ids, with <c>{field}</c> where each id goes (the bound key's own
    /// values, or another organization's in one field at a time).
    /// </summary>
    private static readonly Dictionary<string, string> BodyTemplates = new()
    {
        ["POST /api/v1/organizations/{id}/feedback"] = """{"candidateId":"{candidateId}","action":"contacted"}""",
        ["POST /api/v1/consortia/plans/"] = """{"leadId":"{leadId}","sector":"new-materials","slots":["""
            + """{"role":"academia"}],"constraints":{"include":["{include}"],"exclude":["{exclude}"]}}""",
        ["POST /api/v1/keys/"] = """{"name":"matrix probe","scopes":["read"],"organizationId":"{organizationId}"}""",
        ["POST /api/v1/organizations/"] = """{"id":"{id}","nameZh":"矩阵探针","kind":"enterprise","city":"jiaxing","sectors":["new-materials"]}""",
        ["PUT /api/v1/organizations/{id}"] = """{"id":"{id}","nameZh":"矩阵探针","kind":"enterprise","city":"jiaxing","sectors":["new-materials"]}""",
    };

    private static bool IsIdField(string name) => name.EndsWith("Id", StringComparison.Ordinal) || name == "id" || name is "include" or "exclude";

    [Fact]
    public async Task A_bound_key_given_another_organizations_id_anywhere_in_a_route_or_body_is_refused_as_reviewed_and_changes_nothing()
    {
        // A real run id to send: the first start's run.
        await StartUpWork.WaitAsync(_admin);
        var own = $"matrix-{Guid.NewGuid():N}"[..20];
        Assert.Equal(HttpStatusCode.Created, (await _admin.PostAsJsonAsync("/api/v1/organizations",
            new { id = own, nameZh = "矩阵编号公司", kind = "enterprise", city = "jiaxing", sectors = new[] { "new-materials" } })).StatusCode);
        // The other organization's resources, and the bound key's own of the same kinds.
        async Task<string> SubscriptionAsync(string organization)
        {
            var created = await _admin.PostAsJsonAsync($"/api/v1/organizations/{organization}/subscriptions",
                new { channel = "email", target = $"matrix-{Guid.NewGuid():N}@example.cn" });
            Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
            return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("subscription").GetProperty("id").GetString()!;
        }
        async Task<string> PlanAsync(HttpClient client, string lead)
        {
            // The planner reads a graph snapshot: an organization just created is in it once the snapshot is rebuilt.
            var deadline = DateTime.UtcNow.AddSeconds(60);
            HttpResponseMessage created;
            while ((created = await client.PostAsJsonAsync("/api/v1/consortia/plans", new { leadId = lead, sector = "new-materials", slots = new[] { new { role = "academia" } } }))
                .StatusCode == HttpStatusCode.BadRequest && DateTime.UtcNow < deadline
                    && (await created.Content.ReadAsStringAsync()).Contains("no organization has id", StringComparison.Ordinal))
            {
                await Task.Delay(200);
            }
            Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
            return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        }
        var otherPlanKey = factory.CreateClientWithKey(await CreateKeyAsync(["plan"], Target));
        var bound = factory.CreateClientWithKey(await CreateKeyAsync(["read", "feedback", "plan", "admin"], own));
        var otherKeyId = (await _admin.GetFromJsonAsync<JsonElement>("/api/v1/keys")).EnumerateArray()
            .First(k => k.TryGetProperty("organizationId", out var o) && o.ValueKind == JsonValueKind.String && o.GetString() == Target).GetProperty("id").GetString()!;
        var runId = (await _admin.GetFromJsonAsync<JsonElement>("/api/v1/recompute/runs")).EnumerateArray().First().GetProperty("id").GetString()!;
        var other = new Dictionary<string, string>
        {
            ["id"] = Target, ["subscriptionId"] = await SubscriptionAsync(Target), ["planId"] = await PlanAsync(otherPlanKey, Target),
            ["keyId"] = otherKeyId, ["runId"] = runId, ["candidateId"] = Target, ["token"] = "matrix-probe",
            ["leadId"] = Target, ["organizationId"] = Target, ["include"] = Target, ["exclude"] = Target,
        };
        var mine = new Dictionary<string, string>
        {
            ["id"] = own, ["subscriptionId"] = await SubscriptionAsync(own), ["planId"] = await PlanAsync(bound, own),
            ["keyId"] = otherKeyId, ["runId"] = runId, ["candidateId"] = "tongji-auto", ["token"] = "matrix-probe",
            ["leadId"] = own, ["organizationId"] = own, ["include"] = "tongji-auto", ["exclude"] = "sjtu-materials",
        };
        var before = await OtherOrganizationStateAsync(other, otherPlanKey);

        var checkedIds = new List<string>();
        string? forbiddenDetail = null;
        foreach (var route in Routes().Where(r => r.Policy is not null && !r.Pattern.StartsWith("/jobs", StringComparison.Ordinal)).OrderBy(r => r.Method == "DELETE"))
        {
            var parameters = System.Text.RegularExpressions.Regex.Matches(route.Pattern, @"\{(\*\*)?([a-zA-Z]+)[^}]*\}").Select(m => m.Groups[2].Value).ToList();
            var unreviewed = parameters.Where(p => !RouteIds.ContainsKey(p)).ToList();
            Assert.True(unreviewed.Count == 0, $"{route.Label} carries ids nobody reviewed for bound keys: {string.Join(", ", unreviewed)} (add them to RouteIds)");
            var bodyFields = BodyIdFields(route);
            var missingTemplate = bodyFields.Count > 0 && !BodyTemplates.ContainsKey(route.Label);
            Assert.False(missingTemplate, $"{route.Label} takes ids in its body ({string.Join(", ", bodyFields)}): add a body to BodyTemplates");
            var unreviewedFields = bodyFields.Where(f => !BodyIds.ContainsKey(f)).ToList();
            Assert.True(unreviewedFields.Count == 0,
                $"{route.Label} takes ids in its body nobody reviewed for bound keys: {string.Join(", ", unreviewedFields)} (add them to BodyIds)");
            // Endpoints that act for the organization in their route or body; every other one spans organizations.
            var forOwn = route.ScopedRouteValue is not null || route.OrganizationInBody;

            var variations = parameters.Select(p => (Name: p, InBody: false)).Concat(bodyFields.Select(f => (Name: f, InBody: true)));
            foreach (var (name, inBody) in variations)
            {
                var expected = inBody ? BodyIdsByEndpoint.TryGetValue($"{route.Label} {name}", out var special) ? special : BodyIds[name] : RouteIds[name].Status;
                if (!forOwn) expected = HttpStatusCode.Forbidden;
                async Task<(HttpStatusCode Status, string Answer)> SendAsync(string value)
                {
                    var path = System.Text.RegularExpressions.Regex.Replace(route.Pattern, @"\{(\*\*)?([a-zA-Z]+)[^}]*\}",
                        m => Uri.EscapeDataString(!inBody && m.Groups[2].Value == name ? value : mine[m.Groups[2].Value]));
                    using var request = new HttpRequestMessage(new HttpMethod(route.Method), path);
                    if (BodyTemplates.TryGetValue(route.Label, out var template))
                    {
                        var body = System.Text.RegularExpressions.Regex.Replace(template, @"\{([a-zA-Z]+)\}",
                            m => inBody && m.Groups[1].Value == name ? value : mine[m.Groups[1].Value]);
                        request.Content = new StringContent(body, Encoding.UTF8, "application/json");
                    }
                    else if (route.Method is "POST" or "PUT" or "PATCH") request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                    var sent = await bound.SendAsync(request);
                    return (sent.StatusCode, await sent.Content.ReadAsStringAsync());
                }
                var (code, answer) = await SendAsync(other[name]);
                var response = new HttpResponseMessage(code);
                var label = $"{route.Label} with another organization's {name} ({(inBody ? "body" : "route")})";
                checkedIds.Add(label);
                Assert.True((int)response.StatusCode < 500, $"{label} answered {(int)response.StatusCode}: {answer}");
                if (expected is { } status)
                {
                    Assert.True(response.StatusCode == status, $"{label} answered {(int)response.StatusCode}, the review says {(int)status}: {answer}");
                    if (status == HttpStatusCode.NotFound)
                    {
                        // Not found as an id that exists nowhere is: the key learns nothing, not even that it exists.
                        var (missingCode, missingAnswer) = await SendAsync("matrix-no-such-id");
                        Assert.Equal(HttpStatusCode.NotFound, missingCode);
                        Assert.Equal(WithoutTrace(missingAnswer).Replace("matrix-no-such-id", "ID", StringComparison.Ordinal),
                            WithoutTrace(answer).Replace(other[name], "ID", StringComparison.Ordinal));
                    }
                    // A refusal names nothing of the other organization (a 400 or 404 may repeat the id sent).
                    else if (status != HttpStatusCode.BadRequest) Assert.DoesNotContain(other[name], answer);
                    if (status == HttpStatusCode.Forbidden)
                    {
                        var detail = JsonDocument.Parse(answer).RootElement.GetProperty("detail").GetString();
                        forbiddenDetail ??= detail;
                        Assert.True(forbiddenDetail == detail, $"{label} refused differently: {detail}");
                    }
                }
                else
                {
                    // A partner named: the organization's own business, never refused as if bound elsewhere.
                    Assert.True(response.StatusCode != HttpStatusCode.Forbidden, $"{label} answered 403: {answer}");
                }
            }
        }
        foreach (var kind in new[] { "candidateId", "subscriptionId", "planId", "keyId", "runId", "leadId", "organizationId", "include" })
        {
            Assert.Contains(checkedIds, c => c.Contains($" {kind} (", StringComparison.Ordinal));
        }
        Assert.Equal(before, await OtherOrganizationStateAsync(other, otherPlanKey));
    }

    private static string WithoutTrace(string problem) => System.Text.RegularExpressions.Regex.Replace(problem, "\"traceId\":\"[^\"]*\"", "");

    /// <summary>The id fields of an endpoint's body type (top level and one level down), camelCase.</summary>
    private List<string> BodyIdFields(Route route)
    {
        var endpoint = factory.Services.GetRequiredService<IEnumerable<EndpointDataSource>>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .First(e => "/" + (e.RoutePattern.RawText ?? "").TrimStart('/') == route.Pattern
                && (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Contains(route.Method));
        var type = endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>()?.RequestType;
        if (type is null) return BodyTemplates.TryGetValue(route.Label, out var template)
            ? System.Text.RegularExpressions.Regex.Matches(template, @"\{([a-zA-Z]+)\}").Select(m => m.Groups[1].Value).Distinct().ToList() : [];
        static IEnumerable<string> Fields(Type t, int depth) => t.GetProperties().SelectMany(p =>
        {
            var name = System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(p.Name);
            var own = IsIdField(name) ? [name] : Array.Empty<string>();
            var inner = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
            return depth > 0 && inner.IsClass && inner != typeof(string) && inner.Namespace?.StartsWith("Matchmaker", StringComparison.Ordinal) == true
                ? own.Concat(Fields(inner, depth - 1)) : own;
        });
        return Fields(type, 1).Distinct().ToList();
    }

    /// <summary>What the other organization has, read with the admin key (and its plan key for its plan).</summary>
    private async Task<string> OtherOrganizationStateAsync(Dictionary<string, string> other, HttpClient otherPlanKey)
    {
        var parts = new List<string>
        {
            await _admin.GetStringAsync($"/api/v1/organizations/{Target}"),
            await _admin.GetStringAsync($"/api/v1/organizations/{Target}/feedback"),
            await _admin.GetStringAsync($"/api/v1/organizations/{Target}/subscriptions"),
            await _admin.GetStringAsync($"/api/v1/organizations/{Target}/subscriptions/{other["subscriptionId"]}"),
            await otherPlanKey.GetStringAsync($"/api/v1/consortia/plans/{other["planId"]}"),
            (await _admin.GetFromJsonAsync<JsonElement>("/api/v1/keys")).EnumerateArray().Single(k => k.GetProperty("id").GetString() == other["keyId"]).GetRawText(),
        };
        return string.Join('\n', parts);
    }

    [Fact]
    public async Task A_bound_key_passes_authorization_on_its_own_organization_endpoints_and_scopes_are_enforced()
    {
        var own = $"matrix-{Guid.NewGuid():N}"[..20];
        Assert.Equal(HttpStatusCode.Created, (await _admin.PostAsJsonAsync("/api/v1/organizations",
            new { id = own, nameZh = "矩阵自有公司", kind = "enterprise", city = "huzhou", sectors = new[] { "new-materials" } })).StatusCode);
        var exactly = new Dictionary<string, HttpClient>();
        foreach (var scope in SingleScopes.Append("admin")) exactly[scope] = factory.CreateClientWithKey(await CreateKeyAsync([scope], own));

        // Deleting comes last so that the other endpoints still find the organization.
        foreach (var route in Routes().Where(r => r.ScopedRouteValue is not null).OrderBy(r => r.Method == "DELETE"))
        {
            var label = route.Label;
            using var request = Request(route, own);
            // A key with exactly the scope the table names, bound to the organization: the table's scope is enough.
            var allowed = await exactly[Expected[label]].SendAsync(request);
            Assert.True(allowed.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden) && (int)allowed.StatusCode < 500,
                $"{label} answered {(int)allowed.StatusCode} to the organization's own key");
        }
    }
}

/// <summary>
/// The service with e-mail delivery configured, so that the matrix can make subscriptions (e-mail targets are refused
/// without SMTP). The port is the loopback discard port, where nothing listens: a message the service tries to send
/// fails at once, on this machine only.
/// </summary>
public sealed class AccessMatrixApiFactory : MatchmakerApiFactory
{
    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        var settings = new Dictionary<string, string?>
        {
            ["Delivery:Smtp:Host"] = "127.0.0.1",
            ["Delivery:Smtp:Port"] = "9",
            ["Delivery:Smtp:Security"] = "None",
            ["Delivery:Smtp:From"] = "matchmaker@example.cn",
        };
        foreach (var (key, value) in settings) builder.UseSetting(key, value);
        builder.ConfigureAppConfiguration((_, configuration) => configuration.AddInMemoryCollection(settings));
    }
}
