using Matchmaker.Engine.Delivery;
using Matchmaker.Engine.Recommendations;
using Matchmaker.Rendering;

namespace Matchmaker.Engine.Tests.Delivery;

/// <summary>The Razor components behind the e-mail's HTML, the list page and the unsubscribe pages: what the data holds comes out as text, never as markup.</summary>
public sealed class HtmlPagesTests
{
    private static readonly DateTimeOffset Monday = new(2026, 11, 23, 0, 0, 0, TimeSpan.Zero);
    private const string Hostile = "<script>alert(\"x\")</script> O'Brien & Söhne";
    private const string Encoded = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; O&#x27;Brien &amp; Söhne";

    private static Digest HostileDigest(DigestLanguage language)
    {
        var candidate = new DigestItem("c1\"><b>", 1, 9.5, Mutual: true, Repeated: false,
            new CandidateSummary(Hostile, Hostile, "enterprise", "hefei", []), [new Reason("x", Hostile, Hostile, [])]);
        var gap = new DigestGap("plan-1", Hostile, "finance", [candidate]);
        return new Digest("dg_1", "sub_1", "org-a", Hostile, Hostile, "2026-W48", Monday, "run-1", "m1", language, [candidate], [gap]);
    }

    [Theory]
    [InlineData(DigestLanguage.Zh)]
    [InlineData(DigestLanguage.En)]
    [InlineData(DigestLanguage.Both)]
    public async Task Hostile_names_and_reasons_are_encoded_in_the_email_and_the_page(DigestLanguage language)
    {
        var digest = HostileDigest(language);
        var pages = new HtmlPages();

        var email = await pages.EmailHtmlAsync(digest, "https://mm.example.cn/lists/t?a=1&b=\"2\"", "https://mm.example.cn/unsubscribe/u");
        var page = await pages.ListPageAsync(digest, "https://mm.example.cn/unsubscribe/u");

        foreach (var html in new[] { email, page })
        {
            Assert.DoesNotContain("<script>", html);
            Assert.DoesNotContain("<b>", html);
            Assert.DoesNotContain("O'Brien", html);
            Assert.DoesNotContain("& Söhne", html);
            Assert.Contains($"<strong>{Encoded}", html); // the candidate's name
            Assert.Contains($"<li>{Encoded}", html); // its reason
            Assert.Contains("data-candidate=\"c1&quot;&gt;&lt;b&gt;\"", html);
            Assert.Contains(Encoded, Between(html, "<title>", "</title>")); // the organization
            Assert.Contains(Encoded, Between(html, "<h1", "</h1>"));
            Assert.Contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; O&#x27;Brien &amp; Söhne",
                html[html.IndexOf("<h2", StringComparison.Ordinal)..]); // the plan's name in its gap
        }
        Assert.Contains("href=\"https://mm.example.cn/lists/t?a=1&amp;b=&quot;2&quot;\"", email);
        Assert.Contains("<!DOCTYPE html>", email);
        Assert.Contains("<!DOCTYPE html>", page);
    }

    [Fact]
    public async Task Chinese_text_stays_as_it_is()
    {
        var item = new DigestItem("c1", 1, 9.5, false, false, new CandidateSummary("合肥工业大学", "Hefei University of Technology", "university", "hefei", []),
            [new Reason("x", "2 个共同伙伴", "2 shared partners", [])]);
        var digest = new Digest("dg_1", "sub_1", "org-a", "同济大学汽车学院", null, "2026-W48", Monday, "run-1", "m1", DigestLanguage.Zh, [item], []);

        var page = await new HtmlPages().ListPageAsync(digest, "https://mm.example.cn/unsubscribe/u");

        Assert.Contains("<h1>本周新伙伴：同济大学汽车学院（2026年第48周，1 位）</h1>", page);
        Assert.Contains("<strong>合肥工业大学</strong>", page);
        Assert.Contains("<li>2 个共同伙伴</li>", page);
        Assert.Contains("<html lang=\"zh-CN\">", page);
    }

    [Theory]
    [InlineData(UnsubscribeStep.Confirm, "<form method=\"post\"><button type=\"submit\" id=\"confirm\">")]
    [InlineData(UnsubscribeStep.AlreadyUnsubscribed, "is unsubscribed from the weekly partner list.")]
    [InlineData(UnsubscribeStep.Done, "<p id=\"done\">")]
    public async Task The_unsubscribe_pages_encode_the_target(UnsubscribeStep step, string expected)
    {
        var html = await new HtmlPages().UnsubscribePageAsync("<img src=x onerror=\"alert(1)\">@example.cn", step);

        Assert.Contains(expected, html);
        Assert.DoesNotContain("<img", html);
        Assert.Contains("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;@example.cn", html);
    }

    private static string Between(string text, string start, string end)
    {
        var from = text.IndexOf(start, StringComparison.Ordinal);
        Assert.True(from >= 0, $"no {start}");
        return text[from..text.IndexOf(end, from, StringComparison.Ordinal)];
    }
}
