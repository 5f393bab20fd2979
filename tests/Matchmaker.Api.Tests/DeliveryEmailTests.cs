using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hangfire;
using Matchmaker.Engine.Delivery;
using Matchmaker.Jobs;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace Matchmaker.Api.Tests;

[Collection(DeliveryCollection.Name)]
public sealed partial class DeliveryEmailTests(DeliveryFixture fixture)
{
    [GeneratedRegex(@"https?://\S+/unsubscribe/[A-Za-z0-9_.\-]+")]
    private static partial Regex UnsubscribeLink();

    [GeneratedRegex(@"https?://\S+/lists/[A-Za-z0-9_.\-]+")]
    private static partial Regex ListLink();

    private static string NewAddress(string prefix) => $"{prefix}-{Guid.NewGuid():N}@example.cn";

    private Task RunWeeklyJobAsync() => fixture.Factory.Services.GetRequiredService<DigestJobs>().SendWeeklyDigests(CancellationToken.None);

    [Fact]
    public async Task The_weekly_list_arrives_as_html_and_text_with_a_working_unsubscribe_link()
    {
        await fixture.WaitForListAsync("tongji-auto");
        var address = NewAddress("tm");
        var created = await fixture.SubscribeAsync("tongji-auto", new { channel = "email", target = address, language = "both" });
        var subscriptionId = created.GetProperty("subscription").GetProperty("id").GetString()!;

        await RunWeeklyJobAsync();
        var mail = (await fixture.Smtp.WaitForAsync(address, 1)).Single();

        Assert.Equal(address, mail.To.Mailboxes.Single().Address);
        Assert.Equal("lists@matchmaker.test", mail.From.Mailboxes.Single().Address);
        Assert.Contains("同济大学汽车学院", mail.Subject);
        Assert.Contains("New partners", mail.Subject);
        Assert.Matches(@"\d{4}-W\d{2}", mail.Subject);
        var alternative = Assert.IsType<MultipartAlternative>(mail.Body);
        var text = alternative.OfType<TextPart>().Single(p => p.IsPlain).Text;
        var html = alternative.OfType<TextPart>().Single(p => p.IsHtml).Text;
        var list = await fixture.Admin.GetFromJsonAsync<JsonElement>("/api/v1/organizations/tongji-auto/recommendations?limit=1");
        var top = list.GetProperty("items")[0].GetProperty("candidate").GetProperty("nameZh").GetString()!;
        Assert.Contains(top, text);
        Assert.Contains(WebUtility.HtmlEncode(top), html);
        Assert.Contains("<ol", html);
        Assert.DoesNotContain("<", text);

        var unsubscribe = UnsubscribeLink().Match(text).Value;
        Assert.StartsWith(fixture.ApiBase + "/unsubscribe/", unsubscribe);
        Assert.Equal($"<{unsubscribe}>", mail.Headers["List-Unsubscribe"]);
        Assert.Equal("List-Unsubscribe=One-Click", mail.Headers["List-Unsubscribe-Post"]);
        Assert.Contains(WebUtility.HtmlEncode(unsubscribe), html);

        // The list link opens the same list without a key.
        var page = await fixture.Anonymous().GetStringAsync(ListLink().Match(text).Value);
        Assert.Contains(WebUtility.HtmlEncode(top), page);

        // GET only asks to confirm (link scanners fetch every link); the subscription is still active.
        using var browser = fixture.Anonymous();
        var confirm = await browser.GetAsync(unsubscribe);
        Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        Assert.Contains("<form method=\"post\"", await confirm.Content.ReadAsStringAsync());
        Assert.Equal("active", (await SubscriptionAsync("tongji-auto", subscriptionId)).GetProperty("status").GetString());

        // The one-click POST (RFC 8058) unsubscribes.
        var done = await browser.PostAsync(unsubscribe, new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Equal("unsubscribed", (await SubscriptionAsync("tongji-auto", subscriptionId)).GetProperty("status").GetString());

        // A tampered link is refused and changes nothing.
        var tampered = unsubscribe[..^2] + (unsubscribe[^2] == 'A' ? "B" : "A") + unsubscribe[^1];
        Assert.Equal(HttpStatusCode.NotFound, (await browser.PostAsync(tampered, null)).StatusCode);
    }

    [Fact]
    public async Task Revoking_a_subscriptions_links_makes_its_sent_links_answer_410_and_changes_nothing_else()
    {
        await fixture.WaitForListAsync("tongji-auto");
        var address = NewAddress("revoke");
        var created = await fixture.SubscribeAsync("tongji-auto", new { channel = "email", target = address, language = "zh" });
        var subscriptionId = created.GetProperty("subscription").GetProperty("id").GetString()!;
        var otherAddress = NewAddress("kept");
        var other = await fixture.SubscribeAsync("tongji-auto", new { channel = "email", target = otherAddress, language = "zh" });
        await RunWeeklyJobAsync();
        var text = TextOf((await fixture.Smtp.WaitForAsync(address, 1)).Single());
        var otherText = TextOf((await fixture.Smtp.WaitForAsync(otherAddress, 1)).Single());
        var list = ListLink().Match(text).Value;
        var unsubscribe = UnsubscribeLink().Match(text).Value;
        using var browser = fixture.Anonymous();
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(list)).StatusCode);

        // A key bound to another organization cannot revoke them.
        var outsider = await fixture.Admin.PostAsJsonAsync("/api/v1/keys", new { name = "outsider", scopes = new[] { "feedback" }, organizationId = "donghua-mse" });
        var outsiderClient = fixture.ClientWithKey((await outsider.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!);
        Assert.Equal(HttpStatusCode.Forbidden, (await outsiderClient.PostAsync($"/api/v1/organizations/tongji-auto/subscriptions/{subscriptionId}/revoke-links", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(list)).StatusCode);

        var revoke = await fixture.Admin.PostAsync($"/api/v1/organizations/tongji-auto/subscriptions/{subscriptionId}/revoke-links", null);
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        var revoked = await revoke.Content.ReadFromJsonAsync<JsonElement>();
        var newUnsubscribe = revoked.GetProperty("unsubscribeUrl").GetString()!;
        Assert.NotEqual(unsubscribe, newUnsubscribe);
        Assert.Equal("active", revoked.GetProperty("status").GetString());

        // Every link sent before answers 410 with a ProblemDetails, and the POST unsubscribes nobody.
        foreach (var answer in new[] { await browser.GetAsync(list), await browser.GetAsync(unsubscribe), await browser.PostAsync(unsubscribe, null) })
        {
            Assert.Equal(HttpStatusCode.Gone, answer.StatusCode);
            Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
            Assert.Equal("Link no longer valid.", (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        }
        Assert.Equal("active", (await SubscriptionAsync("tongji-auto", subscriptionId)).GetProperty("status").GetString());

        // The new link works; the other subscription's links were not touched.
        Assert.Contains("<form method=\"post\"", await browser.GetStringAsync(newUnsubscribe));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(ListLink().Match(otherText).Value)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(UnsubscribeLink().Match(otherText).Value)).StatusCode);
        Assert.Equal(0, (await SubscriptionAsync("tongji-auto", other.GetProperty("subscription").GetProperty("id").GetString()!)).GetProperty("consecutiveFailures").GetInt32());
    }

    private static string TextOf(MimeMessage mail) => Assert.IsType<MultipartAlternative>(mail.Body).OfType<TextPart>().Single(p => p.IsPlain).Text;

    [Fact]
    public async Task Running_the_weekly_job_twice_in_a_week_sends_each_list_once()
    {
        await fixture.WaitForListAsync("donghua-mse");
        var address = NewAddress("twice");
        var created = await fixture.SubscribeAsync("donghua-mse", new { channel = "email", target = address, language = "zh" });
        var subscriptionId = created.GetProperty("subscription").GetProperty("id").GetString()!;

        await RunWeeklyJobAsync();
        await fixture.Smtp.WaitForAsync(address, 1);
        await fixture.WaitForDeliveriesAsync("donghua-mse", subscriptionId, items => items.Length == 1 && items.All(i => i.GetProperty("status").GetString() == "sent"));
        await RunWeeklyJobAsync();
        // The second run composed nothing: the log still holds the one message, sent, and only pending messages are sent.
        var deliveries = await fixture.WaitForDeliveriesAsync("donghua-mse", subscriptionId, _ => true);

        Assert.Single(fixture.Smtp.To(address));
        var delivery = Assert.Single(deliveries);
        Assert.Equal("weekly-list", delivery.GetProperty("kind").GetString());
        Assert.Equal(1, delivery.GetProperty("attempts").GetInt32());

        // A send job delivered twice (Hangfire delivers at least once) finds the message sent and sends nothing.
        var messageId = delivery.GetProperty("id").GetString()!;
        await fixture.Factory.Services.GetRequiredService<DeliveryJobs>().Send(messageId, CancellationToken.None);
        Assert.Single(fixture.Smtp.To(address));
    }

    [Fact]
    public async Task A_failing_smtp_server_is_retried_with_backoff_then_recorded_and_nothing_is_lost()
    {
        await fixture.WaitForListAsync("tongji-auto");
        Assert.Equal([1, 2], fixture.Factory.Services.GetRequiredService<DeliveryService>().Options.RetryDelays);
        var address = NewAddress("flaky");
        fixture.Smtp.Refuse[address] = 451;
        var created = await fixture.SubscribeAsync("tongji-auto", new { channel = "email", target = address, language = "en" });
        var subscriptionId = created.GetProperty("subscription").GetProperty("id").GetString()!;

        await RunWeeklyJobAsync();
        var first = (await fixture.WaitForDeliveriesAsync("tongji-auto", subscriptionId, items => items.Any(i => i.GetProperty("status").GetString() == "failed"))).Single();

        // One attempt plus one per configured delay (1 s, 2 s), each a 451, spaced by the backoff.
        var log = first.GetProperty("attemptLog").EnumerateArray().ToList();
        Assert.Equal(3, log.Count);
        Assert.All(log, a => Assert.Equal("transient-failure", a.GetProperty("outcome").GetString()));
        Assert.All(log, a => Assert.Equal(451, a.GetProperty("statusCode").GetInt32()));
        var times = log.Select(a => a.GetProperty("at").GetDateTimeOffset()).ToList();
        Assert.True(times[1] - times[0] >= TimeSpan.FromSeconds(0.9), $"{times[0]:O} then {times[1]:O}");
        Assert.True(times[2] - times[1] >= TimeSpan.FromSeconds(1.9), $"{times[1]:O} then {times[2]:O}");
        Assert.False(first.GetProperty("permanentFailure").GetBoolean());
        Assert.Equal(3, fixture.Smtp.Refused.Count(r => r.Recipient == address));
        var subscription = await SubscriptionAsync("tongji-auto", subscriptionId);
        Assert.Equal("active", subscription.GetProperty("status").GetString());
        Assert.Equal(1, subscription.GetProperty("consecutiveFailures").GetInt32());
        Assert.Contains("451", subscription.GetProperty("lastError").GetString());

        // The next week's list fails too: the subscription has now failed twice in a row and is paused with the reason.
        var delivery = fixture.Factory.Services.GetRequiredService<DeliveryService>();
        var stored = (await fixture.Factory.Services.GetRequiredService<IDeliveryStore>().GetSubscriptionAsync(subscriptionId))!;
        var thisWeek = DeliveryService.IsoWeek(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai"));
        var nextWeek = DeliveryService.IsoWeek(DateTimeOffset.UtcNow.AddDays(7), TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai"));
        Assert.NotEqual(thisWeek, nextWeek);
        var (_, second, _) = await delivery.ComposeAndRecordAsync(stored, nextWeek, DateTimeOffset.UtcNow);
        Assert.NotNull(second);
        DeliveryJobs.Enqueue(fixture.Factory.Services.GetRequiredService<IBackgroundJobClient>(), second.Id);
        await fixture.WaitForDeliveriesAsync("tongji-auto", subscriptionId, items => items.Length == 2 && items.All(i => i.GetProperty("status").GetString() == "failed"));
        subscription = await SubscriptionAsync("tongji-auto", subscriptionId);
        Assert.Equal("paused", subscription.GetProperty("status").GetString());
        Assert.Contains($"after {DeliveryApiFactory.PauseAfterFailures} failed deliveries", subscription.GetProperty("statusReason").GetString());
        Assert.Empty(fixture.Smtp.To(address));

        // The server recovers; resuming sends both recorded lists, each once.
        fixture.Smtp.Refuse.TryRemove(address, out _);
        var resumed = await fixture.Admin.PutAsJsonAsync($"/api/v1/organizations/tongji-auto/subscriptions/{subscriptionId}", new { status = "active" });
        Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        var mails = await fixture.Smtp.WaitForAsync(address, 2);
        var final = await fixture.WaitForDeliveriesAsync("tongji-auto", subscriptionId, items => items.All(i => i.GetProperty("status").GetString() == "sent"));
        Assert.Equal(2, mails.Select(m => m.MessageId).Distinct().Count());
        // The log keeps the whole story: three refusals, then the delivery after resuming.
        var history = final.Single(m => m.GetProperty("id").GetString() == first.GetProperty("id").GetString()).GetProperty("attemptLog").EnumerateArray()
            .Select(a => a.GetProperty("outcome").GetString()).ToList();
        Assert.Equal(["transient-failure", "transient-failure", "transient-failure", "sent"], history);
        Assert.Contains(mails, m => m.Subject!.Contains(thisWeek, StringComparison.Ordinal));
        Assert.Contains(mails, m => m.Subject!.Contains(nextWeek, StringComparison.Ordinal));
        Assert.Equal(0, (await SubscriptionAsync("tongji-auto", subscriptionId)).GetProperty("consecutiveFailures").GetInt32());
    }

    [Fact]
    public async Task A_refused_mailbox_is_a_permanent_failure_that_is_not_retried()
    {
        await fixture.WaitForListAsync("donghua-mse");
        var address = NewAddress("gone");
        fixture.Smtp.Refuse[address] = 550;
        var created = await fixture.SubscribeAsync("donghua-mse", new { channel = "email", target = address });
        var subscriptionId = created.GetProperty("subscription").GetProperty("id").GetString()!;

        await RunWeeklyJobAsync();
        var failed = (await fixture.WaitForDeliveriesAsync("donghua-mse", subscriptionId, items => items.Any(i => i.GetProperty("status").GetString() == "failed"))).Single();
        // A control refused with a transient 451 from now on: once its retry after the first delay has come, a retry of the
        // permanent failure would have come too.
        var control = NewAddress("control");
        fixture.Smtp.Refuse[control] = 451;
        var controlId = (await fixture.SubscribeAsync("donghua-mse", new { channel = "email", target = control })).GetProperty("subscription").GetProperty("id").GetString()!;
        await RunWeeklyJobAsync();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (fixture.Smtp.Refused.Count(r => r.Recipient == control) < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "the control was not retried");
            await Task.Delay(100);
        }
        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Admin.DeleteAsync($"/api/v1/organizations/donghua-mse/subscriptions/{controlId}")).StatusCode);

        Assert.True(failed.GetProperty("permanentFailure").GetBoolean());
        Assert.Equal(1, (await fixture.WaitForDeliveriesAsync("donghua-mse", subscriptionId, _ => true)).Single().GetProperty("attempts").GetInt32());
        Assert.Equal(1, fixture.Smtp.Refused.Count(r => r.Recipient == address));
        var attempt = failed.GetProperty("attemptLog").EnumerateArray().Single();
        Assert.Equal("permanent-failure", attempt.GetProperty("outcome").GetString());
        Assert.Equal(550, attempt.GetProperty("statusCode").GetInt32());
        var subscription = await SubscriptionAsync("donghua-mse", subscriptionId);
        Assert.Contains("550", subscription.GetProperty("lastError").GetString());
        Assert.Equal(1, subscription.GetProperty("consecutiveFailures").GetInt32());

        // The server's reply names the mailbox; the service's logs name the message and a masked address only.
        var lines = fixture.Factory.Logs.Lines.Select(l => l.Message).ToList();
        Assert.Contains(lines, l => l.Contains(failed.GetProperty("id").GetString()!, StringComparison.Ordinal) && l.Contains("g***@", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains(address, StringComparison.OrdinalIgnoreCase));
    }

    private async Task<JsonElement> SubscriptionAsync(string organization, string subscriptionId) =>
        await fixture.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/organizations/{organization}/subscriptions/{subscriptionId}");
}
