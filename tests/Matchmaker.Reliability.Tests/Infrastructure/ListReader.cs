using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;

namespace Matchmaker.Reliability.Tests.Infrastructure;

/// <summary>
/// Reads random organizations' whole lists in a loop and checks each one is whole: one run, ranks 1..n without a
/// gap, scores in rank order, no candidate twice, never the organization itself, at most 2 x TopK items (the top K
/// plus at most K labelled existing partners). Refused connections (the service is down) are counted, not failures;
/// any answer other than a whole list is a violation.
/// </summary>
internal sealed class ListReader(string[] organizationIds, int topK)
{
    private readonly ConcurrentQueue<string> _sequence = new();
    private readonly CancellationTokenSource _stop = new();
    private volatile HttpClient? _client;
    private volatile bool _killed;
    private Task? _loop;

    public ConcurrentQueue<string> Violations { get; } = new();
    public int Lists;
    public int ListsBeforeKill;
    public int Unavailable;

    /// <summary>The run of every list read, in the order read.</summary>
    public IReadOnlyList<string> Sequence => _sequence.ToList();

    public IReadOnlySet<string> RunsSeen => _sequence.ToHashSet();

    public bool Saw(string runId) => _sequence.Contains(runId);

    public void Start(HttpClient client)
    {
        _client = client;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>The service was killed: failures from now on are the outage until <see cref="Resume"/>.</summary>
    public void Restarting() => _killed = true;

    public void Resume(HttpClient client) => _client = client;

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null) await _loop;
    }

    private async Task LoopAsync()
    {
        var random = new Random(60);
        while (!_stop.IsCancellationRequested)
        {
            var client = _client!;
            var id = organizationIds[random.Next(organizationIds.Length)];
            HttpResponseMessage response;
            string body;
            try
            {
                response = await client.GetAsync($"/api/v1/organizations/{id}/recommendations?limit=100&includeExistingPartners=true", _stop.Token);
                body = await response.Content.ReadAsStringAsync(_stop.Token);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException or ObjectDisposedException)
            {
                // Down (killed, or starting again): not an answer at all.
                Interlocked.Increment(ref Unavailable);
                if (!_killed) Violations.Enqueue($"{id}: request failed while the service was up: {e.Message}");
                await Task.Delay(50);
                continue;
            }
            if (response.StatusCode != HttpStatusCode.OK)
            {
                Violations.Enqueue($"{id}: {(int)response.StatusCode} {body}");
                continue;
            }
            var problem = Check(id, body, out var runId);
            if (problem is not null) Violations.Enqueue($"{id}: {problem}: {body}");
            else
            {
                _sequence.Enqueue(runId!);
                Interlocked.Increment(ref Lists);
                if (!_killed) Interlocked.Increment(ref ListsBeforeKill);
            }
        }
    }

    private string? Check(string id, string body, out string? runId)
    {
        var root = JsonDocument.Parse(body).RootElement;
        runId = root.TryGetProperty("runId", out var run) ? run.GetString() : null;
        if (string.IsNullOrEmpty(runId)) return "no run id";
        if (root.GetProperty("organizationId").GetString() != id) return "another organization's list";
        if (root.TryGetProperty("nextCursor", out _)) return "a whole list asked for, a page given";
        var items = root.GetProperty("items").EnumerateArray().ToList();
        if (items.Count > 2 * topK) return $"{items.Count} items";
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var previous = double.PositiveInfinity;
        for (var i = 0; i < items.Count; i++)
        {
            var candidate = items[i].GetProperty("candidateId").GetString()!;
            if (items[i].GetProperty("rank").GetInt32() != i + 1) return $"rank {items[i].GetProperty("rank").GetInt32()} at position {i + 1}";
            if (candidate == id) return "the organization recommended to itself";
            if (!seen.Add(candidate)) return $"{candidate} twice";
            var score = items[i].GetProperty("score").GetDouble();
            if (score > previous) return $"score {score} after {previous}";
            previous = score;
            if (!items[i].TryGetProperty("candidate", out _) || !items[i].TryGetProperty("reasons", out _)) return $"{candidate} without its summary or reasons";
        }
        return null;
    }
}
