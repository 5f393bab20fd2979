using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Matchmaker.Api.Tests;

/// <summary>A full recompute asked for through the API, followed until it is no longer running.</summary>
internal static class RecomputeRuns
{
    /// <summary>
    /// Posts a full-run request (202 expected) and polls the run it names until it has ended or
    /// <paramref name="seconds"/> have passed; returns the run as last read (the caller asserts its status).
    /// </summary>
    public static async Task<JsonElement> TriggerAndWaitAsync(HttpClient admin, int seconds = 60)
    {
        var trigger = await admin.PostAsync("/api/v1/recompute/runs", null);
        Assert.Equal(HttpStatusCode.Accepted, trigger.StatusCode);
        var location = trigger.Headers.Location!;
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        JsonElement run;
        do
        {
            await Task.Delay(100);
            run = await admin.GetFromJsonAsync<JsonElement>(location);
        }
        while (run.GetProperty("status").GetString() == "running" && DateTime.UtcNow < deadline);
        return run;
    }
}
