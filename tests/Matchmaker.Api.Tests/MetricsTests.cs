using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Matchmaker.Api.Tests;

/// <summary>/metrics: Prometheus text for admin keys, with request and recompute figures that move.</summary>
public sealed class MetricsTests(MatchmakerApiFactory factory) : IClassFixture<MatchmakerApiFactory>
{
    private readonly HttpClient _admin = factory.CreateAdminClient();

    [Fact]
    public async Task Metrics_are_for_admin_keys_and_count_a_recompute_and_the_requests()
    {
        await WaitForListAsync("tongji-auto");
        var before = await ScrapeAsync();

        var trigger = await _admin.PostAsync("/api/v1/recompute/runs", null);
        Assert.Equal(HttpStatusCode.Accepted, trigger.StatusCode);
        var location = trigger.Headers.Location!;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        JsonElement run;
        do
        {
            await Task.Delay(200);
            run = await _admin.GetFromJsonAsync<JsonElement>(location);
        }
        while (run.GetProperty("status").GetString() == "running" && DateTime.UtcNow < deadline);
        Assert.Equal("published", run.GetProperty("status").GetString());
        var organizations = run.GetProperty("organizationsScored").GetInt64();
        var after = await ScrapeAsync();

        // Other tests' services in this process share the meter: the figures rise at least by this run's.
        Assert.True(Value(after, "matchmaker_recompute_organizations_total") - Value(before, "matchmaker_recompute_organizations_total") >= organizations,
            $"organizations: {Value(before, "matchmaker_recompute_organizations_total")} -> {Value(after, "matchmaker_recompute_organizations_total")}, run scored {organizations}");
        Assert.True(Value(after, "matchmaker_recompute_pairs_total") > Value(before, "matchmaker_recompute_pairs_total"));
        Assert.True(Value(after, "matchmaker_recompute_runs_published_total") >= Value(before, "matchmaker_recompute_runs_published_total") + 1);
        Assert.True(Value(after, "matchmaker_recompute_shard_duration_seconds_count") > Value(before, "matchmaker_recompute_shard_duration_seconds_count"));
        // Requests are counted and timed by route (ASP.NET Core's own instrument). A request is recorded when the server
        // has finished with it, which may come after the client read the answer: scrape again until it shows.
        var routed = Value(after, "http_server_request_duration_seconds_count", "http_route=\"/api/v1/recompute/runs/{runId}\"");
        for (var i = 0; i < 50 && routed == 0; i++)
        {
            await Task.Delay(100);
            routed = Value(await ScrapeAsync(), "http_server_request_duration_seconds_count", "http_route=\"/api/v1/recompute/runs/{runId}\"");
        }
        Assert.True(routed > 0, "no request to /api/v1/recompute/runs/{runId} in the metrics");

        var read = await _admin.PostAsJsonAsync("/api/v1/keys", new { name = "metrics reader", scopes = new[] { "read" } });
        var readKey = (await read.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
        Assert.Equal(HttpStatusCode.Forbidden, (await factory.CreateClientWithKey(readKey).GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateClient().GetAsync("/metrics")).StatusCode);
    }

    private async Task<string> ScrapeAsync()
    {
        var response = await _admin.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The sum of a metric's samples (every label set), or of those whose labels contain <paramref name="label"/>; 0 when absent.</summary>
    private static double Value(string text, string name, string? label = null)
    {
        double sum = 0;
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith(name, StringComparison.Ordinal) || line.Length == name.Length || line[name.Length] is not ('{' or ' ')) continue;
            if (label is not null && !line.Contains(label, StringComparison.Ordinal)) continue;
            var rest = line[name.Length] == '{' ? line[(line.LastIndexOf('}') + 1)..] : line[name.Length..];
            sum += double.Parse(rest.Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        return sum;
    }

    private async Task WaitForListAsync(string organization)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while ((await _admin.GetAsync($"/api/v1/organizations/{organization}/recommendations")).StatusCode != HttpStatusCode.OK)
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"no recommendations were published for {organization}");
            await Task.Delay(200);
        }
    }
}
