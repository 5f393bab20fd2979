using System.Net;
using Matchmaker.Engine.Delivery;
using Matchmaker.Engine.Recommendations;
using Microsoft.Extensions.DependencyInjection;

namespace Matchmaker.Api.Tests;

/// <summary>The list page as served over HTTP: a list recorded with hostile names and reasons is shown as text.</summary>
[Collection(DeliveryCollection.Name)]
public sealed class ListPageEncodingTests(DeliveryFixture fixture)
{
    [Fact]
    public async Task A_list_with_hostile_names_and_reasons_is_served_encoded()
    {
        const string hostile = "<script>alert(\"x\")</script> O'Brien & Co";
        const string encoded = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; O&#x27;Brien &amp; Co";
        var created = await fixture.SubscribeAsync("suda-mcce", new { channel = "email", target = $"enc-{Guid.NewGuid():N}@example.cn", language = "en" });
        var services = fixture.Factory.Services;
        var store = services.GetRequiredService<IDeliveryStore>();
        var subscription = (await store.GetSubscriptionAsync(created.GetProperty("subscription").GetProperty("id").GetString()!))!;
        // A week long past, so that no weekly run of the other tests composes the same list.
        var digest = new Digest(DeliveryService.DigestId(subscription.Id, "2020-W01"), subscription.Id, "suda-mcce", "苏大 " + hostile, "Soochow " + hostile,
            "2020-W01", DateTimeOffset.UtcNow, "run-x", "m1", DigestLanguage.En,
            [new DigestItem("c1", 1, 9.5, true, false, new CandidateSummary("候选 " + hostile, "Candidate " + hostile, "enterprise", "hefei", []),
                [new Reason("x", "原因 " + hostile, "Reason " + hostile, [])])], []);
        await store.RecordListAsync(digest, null);
        var link = services.GetRequiredService<DeliveryService>().ListUrl(digest.Id, subscription.LinkVersion);

        using var response = await fixture.Anonymous().GetAsync(link);
        var page = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.StartsWith("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.DoesNotContain("<script>", page);
        Assert.DoesNotContain("O'Brien", page);
        Assert.Contains($"<h1>New partners for Soochow {encoded} (2020-W01, 1)</h1>", page);
        Assert.Contains($"<strong>Candidate {encoded}</strong>", page);
        Assert.Contains($"<li>Reason {encoded}</li>", page);
    }
}
