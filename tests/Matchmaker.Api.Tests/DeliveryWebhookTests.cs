using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Matchmaker.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace Matchmaker.Api.Tests;

[Collection(DeliveryCollection.Name)]
public sealed class DeliveryWebhookTests(DeliveryFixture fixture)
{
    private async Task<IntegratorSite.Delivery> WaitForAsync(string path, Func<IntegratorSite.Delivery, bool>? match = null, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var found = fixture.Site.At(path).FirstOrDefault(d => match?.Invoke(d) ?? true);
            if (found is not null) return found;
            if (DateTime.UtcNow > deadline) Assert.Fail($"nothing reached {path}");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task A_recompute_sends_a_signed_event_that_the_integrator_verifies_and_a_tampered_body_fails()
    {
        await fixture.WaitForListAsync("baolong-auto");
        var path = $"/hooks/{Guid.NewGuid():N}";
        var created = await fixture.SubscribeAsync("baolong-auto", new { channel = "webhook", target = fixture.Site.Origin + path });
        var secret = created.GetProperty("signingSecret").GetString()!;
        Assert.StartsWith("whsec_", secret);
        fixture.Site.Secrets[path] = secret;
        var subscriptionId = created.GetProperty("subscription").GetProperty("id").GetString()!;
        // The secret is shown once: reading the subscription back does not reveal it.
        var read = await fixture.Admin.GetStringAsync($"/api/v1/organizations/baolong-auto/subscriptions/{subscriptionId}");
        Assert.DoesNotContain(secret, read);

        var run = await fixture.Admin.PostAsync("/api/v1/recompute/runs", null);
        Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);

        // This run, or a later one that overtook it (a model promotion also recomputes), notifies the subscriber.
        var delivery = await WaitForAsync(path);
        Assert.True(delivery.Verified);
        Assert.Equal("recommendations.updated", delivery.Headers["X-Matchmaker-Event"]);
        var body = JsonDocument.Parse(delivery.Body).RootElement;
        Assert.Equal("recommendations.updated", body.GetProperty("type").GetString());
        Assert.StartsWith("evt_", body.GetProperty("id").GetString());
        var data = body.GetProperty("data");
        Assert.Equal("baolong-auto", data.GetProperty("organizationId").GetString());
        var runId = data.GetProperty("runId").GetString()!;
        var published = await fixture.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/recompute/runs/{runId}");
        Assert.Equal("published", published.GetProperty("status").GetString());
        var items = data.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("candidateId").GetString()).ToList();
        Assert.NotEmpty(items);
        var ranks = data.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("rank").GetInt32()).ToList();
        Assert.Equal(ranks.Order(), ranks);
        Assert.All(data.GetProperty("added").EnumerateArray(), a => Assert.Contains(a.GetString(), items));
        Assert.All(data.GetProperty("removed").EnumerateArray(), r => Assert.DoesNotContain(r.GetString(), items));
        var list = await fixture.Admin.GetFromJsonAsync<JsonElement>("/api/v1/organizations/baolong-auto/recommendations?limit=100");
        if (list.GetProperty("runId").GetString() == runId)
        {
            Assert.Equal(list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("candidateId").GetString()), items);
        }

        // The integrator's check refuses the same request with one byte of the body changed, and a replayed old timestamp.
        var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(delivery.Body).Replace("baolong-auto", "baolong-autp", StringComparison.Ordinal));
        using var client = new HttpClient();
        var replay = new HttpRequestMessage(HttpMethod.Post, fixture.Site.Origin + path) { Content = new ByteArrayContent(tampered) };
        replay.Headers.Add("X-Matchmaker-Timestamp", delivery.Headers["X-Matchmaker-Timestamp"]);
        replay.Headers.Add("X-Matchmaker-Signature", delivery.Headers["X-Matchmaker-Signature"]);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(replay)).StatusCode);
        Assert.False(IntegratorSite.VerifySignature(secret, delivery.Headers["X-Matchmaker-Timestamp"], delivery.Headers["X-Matchmaker-Signature"], delivery.Body,
            DateTimeOffset.UtcNow.AddMinutes(10)));
        Assert.True(IntegratorSite.VerifySignature(secret, delivery.Headers["X-Matchmaker-Timestamp"], delivery.Headers["X-Matchmaker-Signature"], delivery.Body,
            DateTimeOffset.UtcNow));

        // The delivery log shows the event sent with the integrator's answer.
        var messageId = delivery.Headers["X-Matchmaker-Delivery"];
        var log = await fixture.WaitForDeliveriesAsync("baolong-auto", subscriptionId,
            i => i.Any(m => m.GetProperty("id").GetString() == messageId && m.GetProperty("status").GetString() == "sent"));
        var sent = log.Single(m => m.GetProperty("id").GetString() == messageId);
        Assert.Equal("webhook", sent.GetProperty("kind").GetString());
        Assert.Equal($"webhook:{runId}:{subscriptionId}", sent.GetProperty("key").GetString());
        Assert.Equal(200, sent.GetProperty("attemptLog")[0].GetProperty("statusCode").GetInt32());

        // The same run notified again (a job delivered twice) sends nothing more. (Another run still in flight, the
        // triggered one or a model promotion's, may publish meanwhile and rightly send its own event.)
        int OfThisRun() => fixture.Site.At(path).Count(d =>
            JsonDocument.Parse(d.Body).RootElement.GetProperty("data").GetProperty("runId").GetString() == runId);
        var before = OfThisRun();
        await fixture.Factory.Services.GetRequiredService<DeliveryJobs>().NotifyRunPublished(runId, CancellationToken.None);
        // Only a pending outbox message is ever sent: the run's one message is still the sent one, after one attempt,
        // so the repeated notification left nothing to send.
        var again = await fixture.WaitForDeliveriesAsync("baolong-auto", subscriptionId, _ => true);
        var ofRun = Assert.Single(again, m => m.GetProperty("key").GetString() == $"webhook:{runId}:{subscriptionId}");
        Assert.Equal(messageId, ofRun.GetProperty("id").GetString());
        Assert.Equal("sent", ofRun.GetProperty("status").GetString());
        Assert.Equal(1, ofRun.GetProperty("attempts").GetInt32());
        Assert.Equal(before, OfThisRun());
    }

    [Fact]
    public async Task Weekly_lists_reach_wecom_within_its_size_limit_and_dingtalk_signed()
    {
        await fixture.WaitForListAsync("suda-mcce");
        var wecomKey = Guid.NewGuid().ToString("N");
        var dingToken = Guid.NewGuid().ToString("N");
        var dingSecret = "SEC" + Guid.NewGuid().ToString("N");
        fixture.Site.DingTalkSecrets[dingToken] = dingSecret;
        await fixture.SubscribeAsync("suda-mcce", new { channel = "wecom", target = $"{fixture.Site.Origin}/cgi-bin/webhook/send?key={wecomKey}", language = "both" });
        var ding = await fixture.SubscribeAsync("suda-mcce",
            new { channel = "dingtalk", target = $"{fixture.Site.Origin}/robot/send?access_token={dingToken}", language = "zh", secret = dingSecret });
        Assert.False(ding.TryGetProperty("signingSecret", out _)); // only webhooks get a generated secret

        await fixture.Factory.Services.GetRequiredService<DigestJobs>().SendWeeklyDigests(CancellationToken.None);

        var wecom = await WaitForAsync("/cgi-bin/webhook/send", d => d.Query.Contains(wecomKey, StringComparison.Ordinal));
        var content = JsonDocument.Parse(wecom.Body).RootElement.GetProperty("markdown").GetProperty("content").GetString()!;
        Assert.Equal("markdown", JsonDocument.Parse(wecom.Body).RootElement.GetProperty("msgtype").GetString());
        Assert.InRange(Encoding.UTF8.GetByteCount(content), 200, 4096);
        Assert.Contains($"({fixture.ApiBase}/lists/", content);
        Assert.Contains($"({fixture.ApiBase}/unsubscribe/", content);

        var dingtalk = await WaitForAsync("/robot/send", d => d.Query.Contains(dingToken, StringComparison.Ordinal));
        Assert.True(dingtalk.Verified);
        var markdown = JsonDocument.Parse(dingtalk.Body).RootElement.GetProperty("markdown");
        Assert.Contains("本周新伙伴", markdown.GetProperty("title").GetString());
        Assert.Contains("查看完整名单", markdown.GetProperty("text").GetString());
        var dingId = ding.GetProperty("subscription").GetProperty("id").GetString()!;
        await fixture.WaitForDeliveriesAsync("suda-mcce", dingId, i => i.Length == 1 && i[0].GetProperty("status").GetString() == "sent");
    }

    [Fact]
    public async Task A_robot_that_answers_with_an_error_code_is_a_failed_delivery()
    {
        await fixture.WaitForListAsync("suda-mcce");
        var dingToken = Guid.NewGuid().ToString("N");
        fixture.Site.DingTalkSecrets[dingToken] = "SEC-the-robot-has-this-one";
        var ding = await fixture.SubscribeAsync("suda-mcce",
            new { channel = "dingtalk", target = $"{fixture.Site.Origin}/robot/send?access_token={dingToken}", secret = "SEC-but-we-were-given-another" });
        var id = ding.GetProperty("subscription").GetProperty("id").GetString()!;

        await fixture.Factory.Services.GetRequiredService<DigestJobs>().SendWeeklyDigests(CancellationToken.None);

        var failed = (await fixture.WaitForDeliveriesAsync("suda-mcce", id, i => i.Length == 1 && i[0].GetProperty("status").GetString() == "failed")).Single();
        Assert.True(failed.GetProperty("permanentFailure").GetBoolean());
        Assert.Equal(310000, failed.GetProperty("attemptLog")[0].GetProperty("statusCode").GetInt32());
        // The code, not the robot's own text: remote text is never shown to API callers.
        Assert.Equal("robot error 310000", failed.GetProperty("lastError").GetString());
    }
}
