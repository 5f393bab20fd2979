using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Matchmaker.Api.Tests;

/// <summary>
/// A service's first start recomputes, trains a model and, when it is promoted, recomputes again on its own (not
/// through an endpoint). Tests that count runs wait for that, so that the runs they see are their own requests'.
/// </summary>
internal static class StartUpWork
{
    public static async Task WaitAsync(HttpClient admin, int seconds = 180)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var model = await admin.GetAsync("/api/v1/models/current");
            var runs = (await admin.GetFromJsonAsync<JsonElement[]>("/api/v1/recompute/runs?limit=100"))!;
            if (model.StatusCode == HttpStatusCode.OK && runs.Length >= 2 && runs.All(r => r.GetProperty("status").GetString() != "running")) return;
            if (DateTime.UtcNow > deadline) Assert.Fail("the first start's recompute and training did not finish");
            await Task.Delay(250);
        }
    }
}
