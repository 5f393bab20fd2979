using System.Collections.Concurrent;
using System.Diagnostics;
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

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ApiProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        Client.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Port { get; }

    /// <summary>A client that sends the bootstrap admin key.</summary>
    public HttpClient Client { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>The last lines the process wrote, for failure messages.</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>The built API, next to this test project's build of the same configuration.</summary>
    public static string ApiDll { get; } = FindApiDll();

    /// <param name="settings">Configuration keys (Section:Key) and values, passed as environment variables.</param>
    public static async Task<ApiProcess> StartAsync(IReadOnlyDictionary<string, string> settings, TimeSpan? startTimeout = null)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(ApiDll)!,
        };
        start.ArgumentList.Add(ApiDll);
        Matchmaker.Tests.Shared.ServiceEnvironment.ClearInherited(start);
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
        foreach (var (key, value) in settings) start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
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
    public void Kill()
    {
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        Client.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        _output.Enqueue(line);
        while (_output.Count > 400) _output.TryDequeue(out _);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindApiDll()
    {
        // bin/<Configuration>/net10.0/ of this project: the API of the same configuration is built by the project reference.
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = output.Parent!.Name;
        var root = output;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Matchmaker.sln"))) root = root.Parent;
        if (root is null) throw new InvalidOperationException($"Matchmaker.sln not found above {AppContext.BaseDirectory}");
        var dll = Path.Combine(root.FullName, "src", "Matchmaker.Api", "bin", configuration, output.Name, "Matchmaker.Api.dll");
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} not found: build the solution first");
    }
}
