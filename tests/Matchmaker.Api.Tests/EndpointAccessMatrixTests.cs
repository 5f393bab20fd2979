using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Matchmaker.Api.Access;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Matchmaker.Api.Tests;

/// <summary>
/// The key / scope / organization matrix over every endpoint the service maps, read from its routing table: an
/// endpoint added without an authorization rule, or one that lets a key act for another organization, fails here.
/// </summary>
public sealed class EndpointAccessMatrixTests(MatchmakerApiFactory factory) : IClassFixture<MatchmakerApiFactory>
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
        ["OPTIONS /widget/v1/organizations/{id}/matches/"] = "CORS preflight (browsers send no key); answers only origins a key of that organization allows",
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
