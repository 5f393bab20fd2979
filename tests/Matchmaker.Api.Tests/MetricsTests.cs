using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Matchmaker.Engine.Recommendations;
using Matchmaker.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using static Matchmaker.Tests.Shared.PrometheusText;

namespace Matchmaker.Api.Tests;

/// <summary>/metrics: Prometheus text for admin keys, with request, recompute, list and model figures that move, and the spans behind them.</summary>
public sealed class MetricsTests(MatchmakerApiFactory factory) : IClassFixture<MatchmakerApiFactory>
{
    private readonly HttpClient _admin = factory.CreateAdminClient();

    [Fact]
    public async Task Metrics_are_for_admin_keys_and_count_a_recompute_and_the_requests()
    {
        // The first start's runs and training are over: the run below is the only one, and the latest.
        await StartUpWork.WaitAsync(_admin);
        using var spans = new CollectedActivities();
        var before = await ScrapeAsync();

        var run = await RecomputeRuns.TriggerAndWaitAsync(_admin);
        Assert.Equal("published", run.GetProperty("status").GetString());
        var runId = run.GetProperty("id").GetString()!;
        var organizations = run.GetProperty("organizationsScored").GetInt64();
        var finishedAt = run.GetProperty("finishedAt").GetDateTimeOffset();
        var after = await ScrapeAsync();
        var scrapedBy = DateTimeOffset.UtcNow;

        // Other tests' services in this process share the meter: the figures rise at least by this run's.
        Assert.True(Value(after, "matchmaker_recompute_organizations_total", "kind=\"full\"")
            - Value(before, "matchmaker_recompute_organizations_total", "kind=\"full\"") >= organizations,
            $"organizations: {Value(before, "matchmaker_recompute_organizations_total")} -> {Value(after, "matchmaker_recompute_organizations_total")}, " +
            $"run scored {organizations}");
        Assert.True(Value(after, "matchmaker_recompute_pairs_total") > Value(before, "matchmaker_recompute_pairs_total"));
        Assert.True(Value(after, "matchmaker_recompute_runs_published_total") >= Value(before, "matchmaker_recompute_runs_published_total") + 1);
        Assert.True(Value(after, "matchmaker_recompute_shard_duration_seconds_count") > Value(before, "matchmaker_recompute_shard_duration_seconds_count"));

        // The served lists' age restarts at this run's publication (or a later one's, if a promotion's run overtook it).
        var age = Find(after, "matchmaker_lists_age_seconds", "kind=\"full\"");
        Assert.True(age is not null, Own(after));
        Assert.InRange(age.Value, 0, (scrapedBy - finishedAt).TotalSeconds + 0.001);
        // The latest full run's progress: every shard written, every organization scored.
        var latest = (await _admin.GetFromJsonAsync<JsonElement[]>("/api/v1/recompute/runs?limit=20"))!.First(r => r.GetProperty("kind").GetString() == "full");
        Assert.Equal(latest.GetProperty("shardsTotal").GetInt32(), Value(after, "matchmaker_recompute_run_shards_total"));
        Assert.Equal(latest.GetProperty("shardsDone").GetInt32(), Value(after, "matchmaker_recompute_run_shards_done"));
        Assert.Equal(latest.GetProperty("organizationsScored").GetInt64(), Value(after, "matchmaker_recompute_run_organizations"));
        Assert.True(Value(after, "matchmaker_recompute_run_pairs_per_second") > 0, Own(after));
        Assert.NotNull(Find(after, "matchmaker_recompute_changes_pending"));
        Assert.Equal(4, after.Split('\n').Count(l => l.StartsWith("matchmaker_delivery_outbox_pending{", StringComparison.Ordinal)));

        // The run's spans: planning, then each shard with its figures.
        var plan = Assert.Single(spans.Named("recompute.plan"), a => (string?)a.GetTagItem("matchmaker.run_id") == runId);
        var shards = spans.Named("recompute.shard").Where(a => (string?)a.GetTagItem("matchmaker.run_id") == runId).ToList();
        Assert.Equal(plan.GetTagItem("matchmaker.shards"), shards.Count);
        Assert.Equal(organizations, shards.Sum(a => Convert.ToInt64(a.GetTagItem("matchmaker.organizations"), System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Single(shards, a => (bool?)a.GetTagItem("matchmaker.published") == true);

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

    [Fact]
    public async Task The_model_in_use_and_its_validation_are_shown_and_a_retraining_is_counted_and_traced()
    {
        await StartUpWork.WaitAsync(_admin);
        var model = await _admin.GetFromJsonAsync<JsonElement>("/api/v1/models/current");
        var before = await ScrapeAsync();
        Assert.Equal(model.GetProperty("version").GetInt32(), Value(before, "matchmaker_model_version"));
        Assert.Equal(model.GetProperty("validation").GetProperty("ndcg10").GetDouble(), Value(before, "matchmaker_model_validation_ndcg10"), 9);

        using var spans = new CollectedActivities();
        var outcome = await factory.Services.GetRequiredService<ModelTrainingService>().RetrainAsync();
        var after = await ScrapeAsync();

        var result = outcome.Promotion is null ? "skipped" : outcome.Promotion.Promoted ? "promoted" : "kept_aside";
        Assert.Equal(Value(before, "matchmaker_model_trainings_total", $"result=\"{result}\"") + 1, Value(after, "matchmaker_model_trainings_total", $"result=\"{result}\""));
        var trained = Assert.Single(spans.Named("model.train"));
        Assert.Equal(result, trained.GetTagItem("matchmaker.result"));
        var current = await _admin.GetFromJsonAsync<JsonElement>("/api/v1/models/current");
        Assert.Equal(current.GetProperty("version").GetInt32(), Value(after, "matchmaker_model_version"));
        Assert.Equal(current.GetProperty("validation").GetProperty("ndcg10").GetDouble(), Value(after, "matchmaker_model_validation_ndcg10"), 9);
    }

    private async Task<string> ScrapeAsync()
    {
        var response = await _admin.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync();
    }
}
