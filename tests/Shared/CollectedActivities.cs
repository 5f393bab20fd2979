using System.Collections.Concurrent;
using System.Diagnostics;

namespace Matchmaker.Tests.Shared;

/// <summary>Every span of the service's activity source that ends while this is alive (a real ActivityListener).</summary>
public sealed class CollectedActivities : IDisposable
{
    private readonly ActivityListener _listener;

    public CollectedActivities(string source = "Matchmaker")
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == source,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => Stopped.Enqueue(a),
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public ConcurrentQueue<Activity> Stopped { get; } = new();

    public IReadOnlyList<Activity> Named(string name) => Stopped.Where(a => a.OperationName == name).ToList();

    /// <summary>Polls until a span matching the predicate has ended.</summary>
    public async Task<Activity> WaitForAsync(Func<Activity, bool> match, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            if (Stopped.FirstOrDefault(match) is { } found) return found;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"no matching span; seen: {string.Join(", ", Stopped.Select(a => a.OperationName).Distinct())}");
            await Task.Delay(100);
        }
    }

    public void Dispose() => _listener.Dispose();
}
