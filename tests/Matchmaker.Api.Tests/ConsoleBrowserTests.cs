using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PuppeteerSharp;

namespace Matchmaker.Api.Tests;

/// <summary>
/// The coordinators' console at <c>/</c> driven in headless Chromium (Debian's package, scripts/setup/30-chromium.sh):
/// paste a key, search, open an organization, give feedback, plan. Each test writes its screenshot to
/// docs/screenshots/console-*.png.
/// </summary>
public sealed class ConsoleBrowserTests(KestrelApiFixture fixture) : IClassFixture<KestrelApiFixture>
{
    private static Task<IBrowser> LaunchAsync() => HeadlessChromium.LaunchAsync(1100, 900);

    private static readonly WaitForSelectorOptions Wait = new() { Timeout = 30_000 };

    private static string Screenshot(string name)
    {
        var target = SourceTree.Path("docs", "screenshots");
        Directory.CreateDirectory(target);
        return Path.Combine(target, $"console-{name}.png");
    }

    /// <summary>Opens the console, pastes the key, searches and opens the organization; waits for its list.</summary>
    private async Task<IPage> OpenAsync(IBrowser browser, string key, string query, string organization)
    {
        var page = await browser.NewPageAsync();
        var response = await page.GoToAsync(fixture.ApiBase + "/", WaitUntilNavigation.Load);
        // A second tab of the same browser revalidates its cached copy (no-cache): 304.
        Assert.Contains(response.Status, new[] { HttpStatusCode.OK, HttpStatusCode.NotModified });
        await page.TypeAsync("#key", key);
        await page.ClickAsync("#key-form button[type=submit]");
        await page.WaitForSelectorAsync("body[data-ready=true]", Wait);
        await page.TypeAsync("#q", query);
        await page.ClickAsync("#search-form button[type=submit]");
        await page.WaitForSelectorAsync($"#orgs button[data-id='{organization}']", Wait);
        await page.ClickAsync($"#orgs button[data-id='{organization}']");
        await page.WaitForSelectorAsync("#recs li.rec", Wait);
        return page;
    }

    private static Task<string[]> ShownCandidates(IPage page) =>
        page.EvaluateExpressionAsync<string[]>("[...document.querySelectorAll('#recs li.rec')].map(e => e.dataset.candidate)");

    [Fact]
    public async Task Search_recommendations_and_a_decline_with_a_reason_removes_the_candidate()
    {
        await fixture.WaitForStartUpWorkAsync();
        using var admin = fixture.Client(MatchmakerApiFactory.AdminKey);
        var served = await admin.GetFromJsonAsync<JsonElement>("/api/v1/organizations/donghua-mse/recommendations?limit=10");
        var expected = served.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("candidateId").GetString()!).ToArray();
        Assert.True(expected.Length >= 2);

        await using var browser = await LaunchAsync();
        await using var page = await OpenAsync(browser, MatchmakerApiFactory.AdminKey, "东华", "donghua-mse");
        Assert.Equal(expected, await ShownCandidates(page));
        Assert.Contains("东华大学", await page.EvaluateExpressionAsync<string>("document.querySelector('#org-name').innerText"));
        var reasons = await page.EvaluateExpressionAsync<string[]>("[...document.querySelectorAll('#recs li.rec:first-child .reason-text')].map(e => e.innerText)");
        Assert.NotEmpty(reasons);
        Assert.Contains(reasons, r => r.Any(ch => ch >= '\u4e00' && ch <= '\u9fff'));

        var declined = expected[0];
        var item = $"#recs li.rec[data-candidate='{declined}']";
        await page.SelectAsync($"{item} select.decline-reason", "too-far");
        await page.ClickAsync($"{item} button.decline");
        await page.WaitForFunctionAsync($"() => !document.querySelector(\"{item}\")", new WaitForFunctionOptions { Timeout = 30_000 });
        Assert.Equal(expected.Skip(1).ToArray(), await ShownCandidates(page));

        // English shows the same list with English reasons.
        await page.SelectAsync("#lang", "en");
        var english = await page.EvaluateExpressionAsync<string[]>("[...document.querySelectorAll('#recs li.rec:first-child .reason-text')].map(e => e.innerText)");
        Assert.NotEmpty(english);
        Assert.DoesNotContain(english, r => r.Any(ch => ch >= '\u4e00' && ch <= '\u9fff'));
        await page.SelectAsync("#lang", "zh");
        await page.ScreenshotAsync(Screenshot("recommendations"), new ScreenshotOptions { FullPage = true });

        // The service recorded the decline with its reason, and its list hides the candidate.
        var log = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/organizations/donghua-mse/feedback?candidateId={declined}");
        var entry = Assert.Single(log.GetProperty("items").EnumerateArray());
        Assert.Equal("decline", entry.GetProperty("action").GetString());
        Assert.Equal("too-far", entry.GetProperty("reason").GetString());
        var after = await admin.GetFromJsonAsync<JsonElement>("/api/v1/organizations/donghua-mse/recommendations?limit=100");
        Assert.DoesNotContain(declined, after.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("candidateId").GetString()));
    }

    [Fact]
    public async Task A_plan_draws_three_teams_side_by_side_and_stacks_them_at_a_phone_width()
    {
        await fixture.WaitForStartUpWorkAsync();
        await using var browser = await LaunchAsync();
        await using var page = await OpenAsync(browser, MatchmakerApiFactory.AdminKey, "Baolong", "baolong-auto");
        await page.TypeAsync("#challenge", "多传感器融合 / sensor fusion, venture funding");
        await page.ClickAsync("#plan-form button[type=submit]");
        await page.WaitForSelectorAsync("#teams article.team svg.graph", Wait);

        Assert.Equal(3, await page.EvaluateExpressionAsync<int>("document.querySelectorAll('#teams article.team svg.graph').length"));
        // Each graph: the lead and every member as a node, labelled by role.
        var nodes = await page.EvaluateExpressionAsync<int[]>("[...document.querySelectorAll('#teams article.team')].map(t => t.querySelectorAll('svg g.node').length)");
        var members = await page.EvaluateExpressionAsync<int[]>("[...document.querySelectorAll('#teams article.team')].map(t => t.querySelectorAll('ul.members li').length)");
        Assert.Equal(members.Select(m => m + 1).ToArray(), nodes);
        Assert.Contains("牵头", await page.EvaluateExpressionAsync<string>("document.querySelector('#teams svg g.node.lead text').textContent"));
        foreach (var part in new[] { "fit", "cohesion", "coverage" })
            Assert.Equal(3, await page.EvaluateExpressionAsync<int>($"document.querySelectorAll('#teams .part-{part} meter').length"));
        var lefts = await page.EvaluateExpressionAsync<double[]>("[...document.querySelectorAll('#teams article.team')].map(t => t.getBoundingClientRect().left)");
        Assert.Equal(3, lefts.Distinct().Count());
        await page.ScreenshotAsync(Screenshot("plan"), new ScreenshotOptions { FullPage = true });

        await page.SetViewportAsync(new ViewPortOptions { Width = 390, Height = 844, DeviceScaleFactor = 1 });
        var narrow = await page.EvaluateExpressionAsync<double[]>("[...document.querySelectorAll('#teams article.team')].map(t => t.getBoundingClientRect().left)");
        Assert.Single(narrow.Distinct());
        Assert.True(await page.EvaluateExpressionAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"));
        await page.ScreenshotAsync(Screenshot("plan-phone"), new ScreenshotOptions { FullPage = true });
    }

    [Fact]
    public async Task A_read_only_key_sees_the_list_without_feedback_buttons_or_planning()
    {
        await fixture.WaitForStartUpWorkAsync();
        using var admin = fixture.Client(MatchmakerApiFactory.AdminKey);
        var created = await admin.PostAsJsonAsync("/api/v1/keys", new { name = "console read-only", scopes = new[] { "read" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var token = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;

        await using var browser = await LaunchAsync();
        await using var page = await OpenAsync(browser, token, "同济", "tongji-auto");
        await page.WaitForSelectorAsync("#recs li.rec .reason", Wait);
        Assert.True(await page.EvaluateExpressionAsync<int>("document.querySelectorAll('#recs li.rec').length") > 0);
        Assert.Equal(0, await page.EvaluateExpressionAsync<int>("document.querySelectorAll('#recs button.accept, #recs button.decline, #recs select').length"));
        Assert.True(await page.EvaluateExpressionAsync<bool>("document.querySelector('#plan-box').hidden"));
        Assert.Equal(token, await page.EvaluateExpressionAsync<string>("sessionStorage.getItem('matchmaker-console-key')"));

        // The text box ranks partners for a text now (read scope), as the on-demand endpoint does.
        const string text = "碳纤维复合材料用于低空飞行器机身 / carbon-fibre composites for drone airframes";
        using var reader = fixture.Client(token);
        var ranked = await (await reader.PostAsJsonAsync("/api/v1/organizations/tongji-auto/recommendations/query", new { text, limit = 10 }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var expected = ranked.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("candidateId").GetString()!).ToArray();
        Assert.NotEmpty(expected);
        await page.TypeAsync("#query-text", text);
        await page.ClickAsync("#query-form button[type=submit]");
        await page.WaitForSelectorAsync("#query-clear:not([hidden])", Wait);
        Assert.Equal(expected, await ShownCandidates(page));
        Assert.Equal(0, await page.EvaluateExpressionAsync<int>("document.querySelectorAll('#recs button.decline').length"));
        await page.ScreenshotAsync(Screenshot("read-only"), new ScreenshotOptions { FullPage = true });

        // The same console with the admin key shows both, so their absence above is the key's scopes.
        await using var full = await OpenAsync(browser, MatchmakerApiFactory.AdminKey, "同济", "tongji-auto");
        Assert.True(await full.EvaluateExpressionAsync<int>("document.querySelectorAll('#recs button.decline').length") > 0);
        Assert.False(await full.EvaluateExpressionAsync<bool>("document.querySelector('#plan-box').hidden"));
    }

    [Fact]
    public async Task The_console_is_served_without_a_key_and_leaves_the_other_routes_alone()
    {
        using var anonymous = new HttpClient { BaseAddress = new Uri(fixture.ApiBase) };
        var root = await anonymous.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, root.StatusCode);
        Assert.Equal("text/html", root.Content.Headers.ContentType?.MediaType);
        Assert.Contains("connect-src 'self'", root.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/console.js")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/swagger/index.html")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/widget/v1.js")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/jobs")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/organizations")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/metrics")).StatusCode);
    }
}
