using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace Matchmaker.Tests.Shared;

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
            if (DateTime.UtcNow > deadline) Assert.Fail($"no OTLP body on {path} with {string.Join(", ", contained)}; received {Received.Count} on " +
                $"{string.Join(", ", Received.Select(r => r.Path).Distinct())}");
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
