using System.Net.Http.Json;
using System.Text.Json;

namespace Matchmaker.Reliability.Tests.Infrastructure;

/// <summary>A recompute run as GET /api/v1/recompute/runs shows it.</summary>
internal sealed record RunView(string Id, string Kind, string Status, DateTimeOffset StartedAt, int ShardsTotal, int ShardsDone, long OrganizationsScored, string? Error)
{
    public static RunView From(JsonElement e) => new(e.GetProperty("id").GetString()!, e.GetProperty("kind").GetString()!, e.GetProperty("status").GetString()!,
        e.GetProperty("startedAt").GetDateTimeOffset(), e.GetProperty("shardsTotal").GetInt32(), e.GetProperty("shardsDone").GetInt32(),
        e.GetProperty("organizationsScored").GetInt64(), e.TryGetProperty("error", out var error) ? error.GetString() : null);
}

internal static class Runs
{
    public static async Task<IReadOnlyList<RunView>> ListAsync(HttpClient client)
    {
        var runs = await client.GetFromJsonAsync<JsonElement>("/api/v1/recompute/runs?limit=100");
        return runs.EnumerateArray().Select(RunView.From).ToList();
    }

    public static async Task<RunView> GetAsync(HttpClient client, string runId) =>
        RunView.From(await client.GetFromJsonAsync<JsonElement>($"/api/v1/recompute/runs/{runId}"));

    /// <summary>Waits for a full run that matches and is published; fails early when a matching run failed.</summary>
    public static async Task<RunView> WaitForPublishedFullRunAsync(HttpClient client, Func<RunView, bool> which, TimeSpan timeout, Func<string>? diagnostics = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        IReadOnlyList<RunView> runs = [];
        while (DateTime.UtcNow < deadline)
        {
            runs = await ListAsync(client);
            if (runs.FirstOrDefault(r => r.Kind == "full" && which(r) && r.Status == "published") is { } published) return published;
            await Task.Delay(200);
        }
        throw new TimeoutException($"no full run was published in {timeout}; runs: {string.Join("; ", runs)}\n{diagnostics?.Invoke()}");
    }
}
