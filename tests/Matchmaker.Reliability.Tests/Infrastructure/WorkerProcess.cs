using System.Collections.Concurrent;
using System.Diagnostics;

namespace Matchmaker.Reliability.Tests.Infrastructure;

/// <summary>
/// The standalone worker (<c>jobs/Matchmaker.Worker</c>, its own build of this configuration) as a child process,
/// configured through environment variables as an operator would, so that a fault test can kill it with SIGKILL.
/// </summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private WorkerProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Every line the process wrote (up to the last 4,000), for assertions on its log and failure messages.</summary>
    public IReadOnlyList<string> Lines => _output.ToList();

    public string Output => string.Join('\n', _output.TakeLast(200));

    /// <summary>The built worker, beside this test project's build of the same configuration.</summary>
    public static string WorkerDll { get; } = FindWorkerDll();

    /// <param name="settings">Configuration keys (Section:Key) and values, passed as environment variables.</param>
    public static WorkerProcess Start(IReadOnlyDictionary<string, string> settings)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(WorkerDll)!,
        };
        start.ArgumentList.Add(WorkerDll);
        Matchmaker.Tests.Shared.ServiceEnvironment.ClearInherited(start);
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        // The production mode refuses to start without the key that signs list and unsubscribe links.
        start.Environment["Delivery__TokenKey"] = "reliability-suite-link-signing-key-0123456789";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__Matchmaker"] = "Information";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        foreach (var (key, value) in settings) start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        return new WorkerProcess(Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start"));
    }

    /// <summary>Kills the process with SIGKILL: no shutdown code runs, its jobs stay fetched in the job store.</summary>
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
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        _output.Enqueue(line);
        while (_output.Count > 4000) _output.TryDequeue(out _);
    }

    private static string FindWorkerDll()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = output.Parent!.Name;
        var root = output;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Matchmaker.sln"))) root = root.Parent;
        if (root is null) throw new InvalidOperationException($"Matchmaker.sln not found above {AppContext.BaseDirectory}");
        var dll = Path.Combine(root.FullName, "jobs", "Matchmaker.Worker", "bin", configuration, output.Name, "Matchmaker.Worker.dll");
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} not found: build the solution first");
    }
}
