using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Matchmaker.Reliability.Tests.Infrastructure;

namespace Matchmaker.Reliability.Tests.Faults;

/// <summary>
/// The embedded service with its graph in a SQLite file of its own, whose folder disappears (a lost volume, an
/// operator's mistake) and comes back.
/// </summary>
public sealed class GraphStoreOutageTests
{
    private const string Organization = "tongji-auto";

    [Fact]
    public async Task Without_the_graph_store_the_last_lists_are_served_readiness_is_degraded_writes_get_503_and_it_recovers_on_its_own()
    {
        using var directory = new TempDirectory("matchmaker-graphdown-");
        var graphFolder = directory.File("graph");
        var away = directory.File("graph-away");
        await using var api = await ApiProcess.StartAsync(new Dictionary<string, string>
        {
            ["Storage:SqlitePath"] = directory.File("app.db"),
            ["Graph:SqlitePath"] = Path.Combine(graphFolder, "graph.db"),
            ["Models:Directory"] = directory.File("models"),
            ["Models:MinimumTrainingQueries"] = "1000000000",
        });
        using var anonymous = new HttpClient { BaseAddress = api.Client.BaseAddress };
        await Runs.WaitForPublishedFullRunAsync(api.Client, _ => true, TimeSpan.FromMinutes(2), () => api.Output);
        var listUrl = $"/api/v1/organizations/{Organization}/recommendations";
        var before = await api.Client.GetStringAsync(listUrl);
        var runsBefore = (await Runs.ListAsync(api.Client)).Count;
        Assert.Equal("Healthy", await anonymous.GetStringAsync("/health/ready"));

        Directory.Move(graphFolder, away);
        try
        {
            var ready = await anonymous.GetAsync("/health/ready");
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            Assert.Equal("Degraded", await ready.Content.ReadAsStringAsync());

            // The lists need only the recommendation store: the same list, byte for byte.
            Assert.Equal(before, await api.Client.GetStringAsync(listUrl));

            foreach (var refused in new[]
            {
                await api.Client.GetAsync($"/api/v1/organizations/{Organization}"),
                await api.Client.GetAsync("/api/v1/organizations?q=同济"),
                await api.Client.PostAsJsonAsync($"/api/v1/organizations/{Organization}/feedback", new { candidateId = "donghua-mse", action = "accept" }),
                await api.Client.PostAsync("/api/v1/recompute/runs", null),
            })
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
                var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
                Assert.Equal("The graph store is unavailable.", problem.GetProperty("title").GetString());
                // The cause stays in the log: no file name or store text in the answer, a trace id to find it by.
                Assert.DoesNotContain("graph database", problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
                Assert.False(string.IsNullOrEmpty(problem.GetProperty("traceId").GetString()));
                Assert.NotNull(refused.Headers.RetryAfter);
            }
            // The store was not recreated empty in its place.
            Assert.False(Directory.Exists(graphFolder));
        }
        finally
        {
            if (!Directory.Exists(graphFolder)) Directory.Move(away, graphFolder);
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await anonymous.GetStringAsync("/health/ready") != "Healthy")
        {
            Assert.True(DateTime.UtcNow < deadline, "readiness did not recover\n" + api.Output);
            await Task.Delay(200);
        }
        Assert.Equal(HttpStatusCode.OK, (await api.Client.GetAsync($"/api/v1/organizations/{Organization}")).StatusCode);
        // What was refused left nothing behind: no feedback, no run.
        var feedback = await api.Client.GetFromJsonAsync<JsonElement>($"/api/v1/organizations/{Organization}/feedback");
        Assert.Empty(feedback.GetProperty("items").EnumerateArray());
        Assert.Equal(runsBefore, (await Runs.ListAsync(api.Client)).Count);
        Assert.Equal(before, await api.Client.GetStringAsync(listUrl));
    }
}
