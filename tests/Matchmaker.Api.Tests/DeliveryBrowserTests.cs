using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Matchmaker.Jobs;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using PuppeteerSharp;

namespace Matchmaker.Api.Tests;

/// <summary>
/// The list page and the widget as a person sees them: rendered by headless Chromium (Debian's package, installed by
/// scripts/setup/30-chromium.sh), checked on the visible text, with screenshots kept under TestResults/delivery/.
/// </summary>
[Collection(DeliveryCollection.Name)]
public sealed partial class DeliveryBrowserTests(DeliveryFixture fixture)
{
    [GeneratedRegex(@"https?://\S+/lists/[A-Za-z0-9_.\-]+")]
    private static partial Regex ListLink();

    private static Task<IBrowser> LaunchAsync() => HeadlessChromium.LaunchAsync(900, 1000);

    [Fact]
    public async Task The_list_page_from_the_email_shows_the_candidates_in_chromium()
    {
        await fixture.WaitForListAsync("tongji-g60-institute");
        var address = $"browser-{Guid.NewGuid():N}@example.cn";
        await fixture.SubscribeAsync("tongji-g60-institute", new { channel = "email", target = address, language = "zh" });
        await fixture.Factory.Services.GetRequiredService<DigestJobs>().SendWeeklyDigests(CancellationToken.None);
        var mail = (await fixture.Smtp.WaitForAsync(address, 1)).Single();
        var text = Assert.IsType<MultipartAlternative>(mail.Body).OfType<TextPart>().Single(p => p.IsPlain).Text;
        var link = ListLink().Match(text).Value;
        // The names the e-mail lists, in its order: "1. name" lines.
        var names = Regex.Matches(text, @"^\d+\. (.+?)(?: \[.*)?$", RegexOptions.Multiline).Select(m => m.Groups[1].Value.Trim()).ToList();
        Assert.NotEmpty(names);

        await using var browser = await LaunchAsync();
        await using var page = await browser.NewPageAsync();
        var response = await page.GoToAsync(link, WaitUntilNavigation.Load);
        Assert.Equal(HttpStatusCode.OK, response.Status);
        var visible = await page.EvaluateExpressionAsync<string>("document.body.innerText");
        var heading = await page.EvaluateExpressionAsync<string>("document.querySelector('h1').innerText");
        var shown = await page.EvaluateExpressionAsync<string[]>("[...document.querySelectorAll('li.candidate > strong')].map(e => e.innerText)");
        await page.ScreenshotAsync(Path.Combine(DeliveryFixture.ArtifactsDirectory(), "list-page.png"), new ScreenshotOptions { FullPage = true });

        Assert.Contains("本周新伙伴", heading);
        Assert.Contains("同济大学长三角G60科创走廊研究院", heading);
        Assert.Equal(names, shown);
        Assert.Contains("退订", visible);
        Assert.DoesNotContain("&amp;", visible);
    }

    [Fact]
    public async Task The_widget_on_a_partner_page_shows_the_top_matches_only_from_its_allowed_origin()
    {
        await fixture.WaitForListAsync("tongji-auto");
        var site = fixture.Site;
        var keyResponse = await fixture.Admin.PostAsJsonAsync("/api/v1/keys",
            new { name = "Songjiang park website (widget)", scopes = new[] { "widget" }, organizationId = "tongji-auto", allowedOrigins = new[] { site.Origin } });
        var key = (await keyResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
        var pageName = Guid.NewGuid().ToString("N");
        site.Pages[pageName] = $$"""
            <!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>松江科创园 · 合作伙伴</title></head>
            <body style="font-family:sans-serif;padding:16px"><h2>松江科创园</h2>
            <div data-matchmaker-widget data-organization="tongji-auto" data-key="{{key}}" data-lang="zh" data-limit="4"></div>
            <script src="{{fixture.ApiBase}}/widget/v1.js" async></script>
            </body></html>
            """;
        var expected = await fixture.ClientWithKey(key).GetFromJsonAsync<JsonElement>("/widget/v1/organizations/tongji-auto/matches?lang=zh&limit=4");
        var expectedNames = expected.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("name").GetString()).ToList();
        Assert.Equal(4, expectedNames.Count);

        await using var browser = await LaunchAsync();
        await using var page = await browser.NewPageAsync();
        await page.GoToAsync($"{site.Origin}/pages/{pageName}", WaitUntilNavigation.Load);
        await page.WaitForSelectorAsync("[data-matchmaker-widget][data-state=ready]", new WaitForSelectorOptions { Timeout = 30_000 });
        var names = await page.EvaluateExpressionAsync<string[]>("[...document.querySelectorAll('.mm-widget .mm-name')].map(e => e.innerText)");
        var reasons = await page.EvaluateExpressionAsync<string[]>("[...document.querySelectorAll('.mm-widget .mm-reason')].map(e => e.innerText)");
        var title = await page.EvaluateExpressionAsync<string>("document.querySelector('.mm-widget h3').innerText");
        await page.ScreenshotAsync(Path.Combine(DeliveryFixture.ArtifactsDirectory(), "widget.png"), new ScreenshotOptions { FullPage = true });

        Assert.Equal(expectedNames, names);
        Assert.NotEmpty(reasons);
        Assert.Contains("推荐合作伙伴", title);
        Assert.Contains("同济大学汽车学院", title);

        // The same page served from another origin (localhost is not 127.0.0.1 to a browser): the key does not work there.
        await using var other = await browser.NewPageAsync();
        await other.GoToAsync($"http://localhost:{site.Port}/pages/{pageName}", WaitUntilNavigation.Load);
        await other.WaitForSelectorAsync("[data-matchmaker-widget][data-state=error]", new WaitForSelectorOptions { Timeout = 30_000 });
        Assert.Contains("推荐暂时无法显示", await other.EvaluateExpressionAsync<string>("document.querySelector('.mm-widget').innerText"));
        Assert.Empty(await other.EvaluateExpressionAsync<string[]>("[...document.querySelectorAll('.mm-widget .mm-name')].map(e => e.innerText)"));
    }
}
