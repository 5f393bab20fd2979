using System.Net;
using System.Net.Sockets;

namespace Matchmaker.Reliability.Tests.Infrastructure;

/// <summary>
/// The API's own Release (or Debug) build started as a child process on a free loopback port, configured through
/// environment variables exactly as an operator would, so that a fault test can kill it with SIGKILL and start it
/// again on the same files.
/// </summary>
internal sealed class ApiProcess : IAsyncDisposable
{
    public const string AdminKey = "reliability-bootstrap-admin-key-0123456789abcdef";

    private readonly ChildService _process;

    private ApiProcess(ChildService process, int port)
    {
        _process = process;
        Port = port;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        Client.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
    }

    public int Port { get; }

    /// <summary>A client that sends the bootstrap admin key.</summary>
    public HttpClient Client { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>The last lines the process wrote, for failure messages.</summary>
    public string Output => string.Join('\n', _process.Lines);

    /// <summary>The built API, next to this test project's build of the same configuration.</summary>
    public static string ApiDll { get; } = ChildService.FindBuiltDll(Path.Combine("src", "Matchmaker.Api"), "Matchmaker.Api.dll");

    /// <param name="settings">Configuration keys (Section:Key) and values, passed as environment variables.</param>
    public static async Task<ApiProcess> StartAsync(IReadOnlyDictionary<string, string> settings, TimeSpan? startTimeout = null)
    {
        var port = FreePort();
        var start = ChildService.StartInfo(ApiDll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Auth__BootstrapAdminKey"] = AdminKey;
        // The production mode refuses to start without the key that signs list and unsubscribe links.
        start.Environment["Delivery__TokenKey"] = "reliability-suite-link-signing-key-0123456789";
        start.Environment["RateLimits__PermitsPerMinute"] = "1000000";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__Matchmaker"] = "Information";
        start.Environment["Logging__LogLevel__Matchmaker.Requests"] = "Warning";
        var process = ChildService.Start(start, settings, keepLines: 400);
        var api = new ApiProcess(process, port);
        var deadline = DateTime.UtcNow + (startTimeout ?? TimeSpan.FromSeconds(120));
        using var probe = new HttpClient { BaseAddress = api.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        while (true)
        {
            if (process.HasExited)
            {
                await process.WaitForExitAsync();
                throw new InvalidOperationException($"the API exited with {process.ExitCode} while starting:\n{api.Output}");
            }
            try
            {
                // The server listens only after start-up (schemas, seed, recovery) finished.
                if ((await probe.GetAsync("/health/live")).StatusCode == HttpStatusCode.OK) return api;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            if (DateTime.UtcNow > deadline)
            {
                await api.DisposeAsync();
                throw new TimeoutException($"the API did not start listening in time:\n{api.Output}");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>Kills the process with SIGKILL: no shutdown code runs, as in a crash or an OOM kill.</summary>
    public void Kill() => _process.Kill();

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        Client.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
