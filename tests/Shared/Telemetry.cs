using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Matchmaker.Tests.Shared;

/// <summary>Reads figures out of Prometheus text as a scraper would.</summary>
public static class PrometheusText
{
    /// <summary>The sum of a metric's samples (every label set), or of those whose labels contain every one of <paramref name="labels"/>; null when none.</summary>
    public static double? Find(string text, string name, params string[] labels)
    {
        double? sum = null;
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith(name, StringComparison.Ordinal) || line.Length == name.Length || line[name.Length] is not ('{' or ' ')) continue;
            if (labels.Any(l => !line.Contains(l, StringComparison.Ordinal))) continue;
            var rest = line[name.Length] == '{' ? line[(line.LastIndexOf('}') + 1)..] : line[name.Length..];
            sum = (sum ?? 0) + double.Parse(rest.Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        return sum;
    }

    /// <summary>As <see cref="Find"/>, 0 when absent (counters not yet incremented).</summary>
    public static double Value(string text, string name, params string[] labels) => Find(text, name, labels) ?? 0;

    /// <summary>The service's own lines, for failure messages.</summary>
    public static string Own(string text) => string.Join('\n', text.Split('\n').Where(l => l.StartsWith("matchmaker_", StringComparison.Ordinal)));
}

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
