using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Matchmaker.Engine.Recommendations;
using Microsoft.Extensions.DependencyInjection;

namespace Matchmaker.Api.Tests;

/// <summary>
/// Full-run requests while a full run is in flight join it instead of each starting a recompute of everything. Its own
/// service: the run in flight is one the test stores as running, which no job will ever finish.
/// </summary>
public sealed class RecomputeMergeTests(MatchmakerApiFactory factory) : IClassFixture<MatchmakerApiFactory>
{
    private readonly HttpClient _admin = factory.CreateAdminClient();

    private async Task<string> StoreRunningRunAsync(TimeSpan age)
    {
        var store = factory.Services.GetRequiredService<IRecommendationStore>();
        var id = $"full-merge-{Guid.NewGuid():N}";
        await store.CreateRunAsync(new RecomputeRun(id, RunKind.Full, RunStatus.Running, "heuristic", DateTimeOffset.UtcNow - age, null, 4, 1, 0, 0, 0, null));
        return id;
    }

    private async Task<List<string>> RunIdsAsync() =>
        (await _admin.GetFromJsonAsync<JsonElement[]>("/api/v1/recompute/runs?limit=100"))!.Select(r => r.GetProperty("id").GetString()!).ToList();

    [Fact]
    public async Task Concurrent_full_run_requests_join_the_run_in_flight_and_a_stuck_one_does_not_block()
    {
        await StartUpWork.WaitAsync(_admin);
        // Stored as started a minute from now, so that it is the newest run in flight whatever the service's own
        // first run is doing; no job will finish it.
        var inFlight = await StoreRunningRunAsync(TimeSpan.FromMinutes(-1));
        var before = await RunIdsAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _admin.PostAsync("/api/v1/recompute/runs", null)));

        foreach (var answer in answers)
        {
            Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
            Assert.Equal(inFlight, (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString());
            Assert.EndsWith($"/api/v1/recompute/runs/{inFlight}", answer.Headers.Location!.ToString());
        }
        Assert.Equal(before, await RunIdsAsync());

        // A run that has said "running" for 13 hours is stuck: once it is the only one, a request plans a new run.
        await factory.Services.GetRequiredService<IRecommendationStore>().FailRunAsync(inFlight, "test: done with it", DateTimeOffset.UtcNow);
        var stuck = await StoreRunningRunAsync(TimeSpan.FromHours(13));
        var fresh = await _admin.PostAsync("/api/v1/recompute/runs", null);
        Assert.Equal(HttpStatusCode.Accepted, fresh.StatusCode);
        Assert.NotEqual(stuck, (await fresh.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString());
    }
}
