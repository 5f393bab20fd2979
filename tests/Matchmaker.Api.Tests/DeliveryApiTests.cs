using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Matchmaker.Engine.Delivery;
using Microsoft.Extensions.DependencyInjection;

namespace Matchmaker.Api.Tests;

[Collection(DeliveryCollection.Name)]
public sealed class DeliveryApiTests(DeliveryFixture fixture)
{
    private async Task<string> IssueKeyAsync(string[] scopes, string? organizationId, string[]? origins = null)
    {
        var response = await fixture.Admin.PostAsJsonAsync("/api/v1/keys",
            new { name = $"delivery test {Guid.NewGuid():N}", scopes, organizationId, allowedOrigins = origins ?? [] });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }

    private async Task<int> CountAsync(string organization) =>
        (await fixture.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/organizations/{organization}/subscriptions")).GetArrayLength();

    [Fact]
    public async Task Bad_subscriptions_are_refused_field_by_field_and_nothing_is_stored()
    {
        var before = await CountAsync("czbank");
        var response = await fixture.Admin.PostAsJsonAsync("/api/v1/organizations/czbank/subscriptions", new
        {
            channel = "email",
            target = "not-an-address",
            language = "fr",
            secret = "only-for-dingtalk",
            filters = new { kinds = new[] { "university", "castle" }, roles = new[] { "金", "pirate" }, sectors = new[] { "low-altitude-economy", "space" },
                cities = new[] { "atlantis" } },
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        foreach (var field in new[] { "target", "language", "secret", "filters.kinds[1]", "filters.roles[1]", "filters.sectors[1]", "filters.cities[0]" })
        {
            Assert.True(errors.TryGetProperty(field, out _), $"no error for {field}: {errors}");
        }
        Assert.False(errors.TryGetProperty("filters.kinds[0]", out _));
        Assert.Equal(before, await CountAsync("czbank"));
    }

    [Theory]
    [InlineData("webhook", "http://hooks.example.cn/matchmaker", "must use https")]
    [InlineData("webhook", "https://user:pw@hooks.example.cn/x", "user name or password")]
    [InlineData("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send", "WeCom group robot URL")]
    [InlineData("dingtalk", "https://oapi.dingtalk.com/robot/send?token=x", "DingTalk robot URL")]
    [InlineData("sms", "+8613800000000", null)]
    public async Task Targets_are_checked_for_their_channel(string channel, string target, string? reason)
    {
        var response = await fixture.Admin.PostAsJsonAsync("/api/v1/organizations/czbank/subscriptions", new { channel, target });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        if (reason is null) Assert.True(errors.TryGetProperty("channel", out _));
        else Assert.Contains(reason, errors.GetProperty("target")[0].GetString());
    }

    [Fact]
    public async Task Subscriptions_need_the_feedback_scope_and_a_bound_key_reaches_only_its_own()
    {
        var body = new { channel = "email", target = $"bank-{Guid.NewGuid():N}@example.cn", filters = new { roles = new[] { "学", "research" } } };
        using var reader = fixture.ClientWithKey(await IssueKeyAsync(["read"], "czbank"));
        using var own = fixture.ClientWithKey(await IssueKeyAsync(["feedback"], "czbank"));

        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsJsonAsync("/api/v1/organizations/czbank/subscriptions", body)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.GetAsync("/api/v1/organizations/czbank/subscriptions")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await own.PostAsJsonAsync("/api/v1/organizations/tongji-auto/subscriptions", body)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Anonymous().GetAsync("/api/v1/organizations/czbank/subscriptions")).StatusCode);

        var created = await own.PostAsJsonAsync("/api/v1/organizations/czbank/subscriptions", body);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var subscription = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("subscription");
        Assert.Equal(["academia", "research"], subscription.GetProperty("filters").GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("zh", subscription.GetProperty("language").GetString());
        Assert.Equal("active", subscription.GetProperty("status").GetString());
        var id = subscription.GetProperty("id").GetString()!;
        Assert.Equal(created.Headers.Location!.ToString(), $"/api/v1/organizations/czbank/subscriptions/{id}");

        // The same subscription is not reachable under another organization's path.
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Admin.GetAsync($"/api/v1/organizations/tongji-auto/subscriptions/{id}")).StatusCode);

        var paused = await own.PutAsJsonAsync($"/api/v1/organizations/czbank/subscriptions/{id}", new { status = "paused", language = "en" });
        Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        var after = await paused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("paused", after.GetProperty("status").GetString());
        Assert.Equal("en", after.GetProperty("language").GetString());
        Assert.Equal(2, after.GetProperty("filters").GetProperty("roles").GetArrayLength()); // untouched when not sent

        var channelChange = await own.PutAsJsonAsync($"/api/v1/organizations/czbank/subscriptions/{id}", new { channel = "webhook" });
        Assert.Equal(HttpStatusCode.BadRequest, channelChange.StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await own.DeleteAsync($"/api/v1/organizations/czbank/subscriptions/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await own.GetAsync($"/api/v1/organizations/czbank/subscriptions/{id}")).StatusCode);
    }

    [Fact]
    public async Task The_widget_data_endpoint_answers_cors_only_for_the_keys_origins()
    {
        await fixture.WaitForListAsync("tongji-auto");
        const string partner = "https://park.example.cn";
        var key = await IssueKeyAsync(["widget"], "tongji-auto", [partner]);
        using var anonymous = fixture.Anonymous();

        var preflight = new HttpRequestMessage(HttpMethod.Options, "/widget/v1/organizations/tongji-auto/matches");
        preflight.Headers.Add("Origin", partner);
        preflight.Headers.Add("Access-Control-Request-Method", "GET");
        preflight.Headers.Add("Access-Control-Request-Headers", "x-api-key");
        var allowed = await anonymous.SendAsync(preflight);
        Assert.Equal(HttpStatusCode.NoContent, allowed.StatusCode);
        Assert.Equal(partner, allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("X-Api-Key", allowed.Headers.GetValues("Access-Control-Allow-Headers").Single());

        var elsewhere = new HttpRequestMessage(HttpMethod.Options, "/widget/v1/organizations/tongji-auto/matches");
        elsewhere.Headers.Add("Origin", "https://evil.example.com");
        var refused = await anonymous.SendAsync(elsewhere);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));

        var get = new HttpRequestMessage(HttpMethod.Get, "/widget/v1/organizations/tongji-auto/matches?lang=en&limit=3");
        get.Headers.Add("Origin", partner);
        get.Headers.Add("X-Api-Key", key);
        var matches = await anonymous.SendAsync(get);
        Assert.Equal(HttpStatusCode.OK, matches.StatusCode);
        Assert.Equal(partner, matches.Headers.GetValues("Access-Control-Allow-Origin").Single());
        var data = await matches.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("en", data.GetProperty("language").GetString());
        Assert.Equal(3, data.GetProperty("items").GetArrayLength());
        Assert.All(data.GetProperty("items").EnumerateArray(), i => Assert.NotEmpty(i.GetProperty("reasons").EnumerateArray()));

        var wrongOrigin = new HttpRequestMessage(HttpMethod.Get, "/widget/v1/organizations/tongji-auto/matches");
        wrongOrigin.Headers.Add("Origin", "https://evil.example.com");
        wrongOrigin.Headers.Add("X-Api-Key", key);
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.SendAsync(wrongOrigin)).StatusCode);

        var otherOrganization = new HttpRequestMessage(HttpMethod.Get, "/widget/v1/organizations/donghua-mse/matches");
        otherOrganization.Headers.Add("X-Api-Key", key);
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.SendAsync(otherOrganization)).StatusCode);

        var script = await anonymous.GetAsync("/widget/v1.js");
        Assert.Equal("text/javascript", script.Content.Headers.ContentType!.MediaType);
        Assert.Contains("data-matchmaker-widget", await script.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Robot_keys_are_never_returned_and_a_masked_url_sent_back_keeps_the_key()
    {
        var key = Guid.NewGuid().ToString("N");
        var created = await fixture.SubscribeAsync("czbank", new { channel = "wecom", target = $"{fixture.Site.Origin}/cgi-bin/webhook/send?key={key}" });
        var subscription = created.GetProperty("subscription");
        var id = subscription.GetProperty("id").GetString()!;
        Assert.Equal($"{fixture.Site.Origin}/cgi-bin/webhook/send?…", subscription.GetProperty("target").GetString());

        var listed = await fixture.Admin.GetStringAsync("/api/v1/organizations/czbank/subscriptions");
        Assert.DoesNotContain(key, listed);
        var shown = await fixture.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/organizations/czbank/subscriptions/{id}");
        Assert.DoesNotContain(key, shown.GetRawText());

        // A client that PUTs back what it read (the masked URL) pauses the subscription without losing the key.
        var updated = await fixture.Admin.PutAsJsonAsync($"/api/v1/organizations/czbank/subscriptions/{id}",
            new { target = shown.GetProperty("target").GetString(), status = "paused" });
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var stored = await fixture.Factory.Services.GetRequiredService<IDeliveryStore>().GetSubscriptionAsync(id);
        Assert.EndsWith($"key={key}", stored!.Target);
        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Admin.DeleteAsync($"/api/v1/organizations/czbank/subscriptions/{id}")).StatusCode);
    }
}
