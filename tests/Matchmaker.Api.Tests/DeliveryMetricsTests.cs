using System.Diagnostics;
using System.Net;
using Matchmaker.Tests.Shared;
using static Matchmaker.Tests.Shared.PrometheusText;

namespace Matchmaker.Api.Tests;

/// <summary>Delivery outcomes in /metrics and one span per attempt, after a recompute's webhook events reach (or fail to reach) real endpoints.</summary>
[Collection(DeliveryCollection.Name)]
public sealed class DeliveryMetricsTests(DeliveryFixture fixture)
{
    [Fact]
    public async Task Webhook_events_are_counted_as_sent_retried_and_failed_with_a_span_per_attempt()
    {
        // After the first start's runs and training: no promotion's run queues more events during the test.
        await StartUpWork.WaitAsync(fixture.Admin);
        // An endpoint that verifies the signature, one that refuses it (401: given up at once) and one that is not
        // listening (a transient failure: retried after 1 s).
        var good = $"/hooks/{Guid.NewGuid():N}";
        var created = await fixture.SubscribeAsync("baolong-auto", new { channel = "webhook", target = fixture.Site.Origin + good });
        fixture.Site.Secrets[good] = created.GetProperty("signingSecret").GetString()!;
        var goodId = created.GetProperty("subscription").GetProperty("id").GetString()!;
        var refusedPath = $"/hooks/{Guid.NewGuid():N}";
        var refusedId = (await fixture.SubscribeAsync("baolong-auto", new { channel = "webhook", target = fixture.Site.Origin + refusedPath }))
            .GetProperty("subscription").GetProperty("id").GetString()!;
        var closed = $"http://127.0.0.1:{DeliveryFixture.FreePort()}/hook";
        var closedId = (await fixture.SubscribeAsync("baolong-auto", new { channel = "webhook", target = closed }))
            .GetProperty("subscription").GetProperty("id").GetString()!;
        using var spans = new CollectedActivities();
        var before = await ScrapeAsync();

        Assert.Equal(HttpStatusCode.Accepted, (await fixture.Admin.PostAsync("/api/v1/recompute/runs", null)).StatusCode);
        // Each attempt's span ends after the attempt is recorded: waiting for the spans waits for the counts too.
        Activity Span(string subscription, string outcome) => spans.Stopped.FirstOrDefault(a =>
            (string?)a.GetTagItem("matchmaker.subscription_id") == subscription && (string?)a.GetTagItem("matchmaker.delivery.outcome") == outcome)!;
        var sent = await spans.WaitForAsync(a => Span(goodId, "sent") == a);
        var refused = await spans.WaitForAsync(a => Span(refusedId, "failed") == a);
        var retried = await spans.WaitForAsync(a => Span(closedId, "retried") == a);
        var after = await ScrapeAsync();

        // Other subscriptions of this service may be delivered meanwhile: at least these.
        double Rise(string outcome) => Value(after, "matchmaker_delivery_outcomes_total", "channel=\"webhook\"", $"outcome=\"{outcome}\"")
            - Value(before, "matchmaker_delivery_outcomes_total", "channel=\"webhook\"", $"outcome=\"{outcome}\"");
        Assert.True(Rise("sent") >= 1, Own(after));
        Assert.True(Rise("failed") >= 1, Own(after));
        Assert.True(Rise("retried") >= 1, Own(after));

        // A span per attempt with what the operator needs, never the target (the integrator's path or port).
        Assert.All(new[] { sent, refused, retried }, a => Assert.Equal("webhook", a.GetTagItem("matchmaker.delivery.channel")));
        Assert.Equal(200, sent.GetTagItem("matchmaker.delivery.status_code"));
        Assert.Equal(401, refused.GetTagItem("matchmaker.delivery.status_code"));
        Assert.Equal(ActivityStatusCode.Error, retried.Status);
        var values = new[] { sent, refused, retried }.SelectMany(a => a.TagObjects.Select(t => t.Value?.ToString() ?? "").Append(a.StatusDescription ?? "")).ToList();
        Assert.DoesNotContain(values, v => v.Contains(good, StringComparison.Ordinal) || v.Contains(refusedPath, StringComparison.Ordinal)
            || v.Contains(closed, StringComparison.Ordinal));
    }

    private async Task<string> ScrapeAsync()
    {
        var response = await fixture.Admin.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }
}
