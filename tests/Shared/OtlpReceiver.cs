using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

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

/// <summary>An OTLP/HTTP collector on a loopback port: keeps every protobuf body it receives, by path.</summary>
public sealed class OtlpReceiver : IDisposable
{
    private readonly HttpListener _listener = new();

    public OtlpReceiver()
    {
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _ = Task.Run(ReceiveAsync);
    }

    public int Port { get; }
    public ConcurrentQueue<(string Path, string ContentType, byte[] Body)> Received { get; } = new();

    /// <summary>Polls until a body on <paramref name="path"/> contains every one of the strings (protobuf keeps strings as UTF-8 bytes).</summary>
    public async Task<byte[]> WaitForAsync(string path, params string[] contained)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var found = Received.FirstOrDefault(r => r.Path == path && contained.All(c => Contains(r.Body, c)));
            if (found.Body is not null)
            {
                Assert.Equal("application/x-protobuf", found.ContentType);
                return found.Body;
            }
            if (DateTime.UtcNow > deadline) Assert.Fail($"no OTLP body on {path} with {string.Join(", ", contained)}; received {Received.Count} on {string.Join(", ", Received.Select(r => r.Path).Distinct())}");
            await Task.Delay(200);
        }
    }

    public static bool Contains(byte[] body, string text) => body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;

    private async Task ReceiveAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            using var buffer = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(buffer);
            Received.Enqueue((context.Request.Url!.AbsolutePath, context.Request.ContentType ?? "", buffer.ToArray()));
            // An empty Export*ServiceResponse: success.
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();
        }
    }

    public void Dispose() => _listener.Close();

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
