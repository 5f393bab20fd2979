using System.Collections.Concurrent;
using System.Diagnostics;

namespace Matchmaker.Reliability.Tests.Infrastructure;

/// <summary>
/// One of the solution's own service builds (the API, the worker) run as a child process of this test process: the
/// start information an operator's environment would give it (inherited service settings dropped), its output kept
/// for assertions and failure messages, and SIGKILL.
/// </summary>
internal sealed class ChildService : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly int _keepLines;

    private ChildService(Process process, int keepLines)
    {
        _process = process;
        _keepLines = keepLines;
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>The lines kept (the last <c>keepLines</c>), oldest first.</summary>
    public IReadOnlyList<string> Lines => _output.ToList();

    /// <summary><c>dotnet &lt;dll&gt;</c> with redirected output, in the dll's folder, without the service settings this process inherited.</summary>
    public static ProcessStartInfo StartInfo(string dll)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        start.ArgumentList.Add(dll);
        Matchmaker.Tests.Shared.ServiceEnvironment.ClearInherited(start);
        return start;
    }

    /// <param name="settings">Configuration keys (Section:Key) and values, added as environment variables.</param>
    public static ChildService Start(ProcessStartInfo start, IReadOnlyDictionary<string, string> settings, int keepLines)
    {
        foreach (var (key, value) in settings) start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        return new ChildService(Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start"), keepLines);
    }

    /// <summary>
    /// A project's build of this test project's configuration and target (bin/&lt;Configuration&gt;/&lt;tfm&gt;/), found
    /// from the solution's root; the test project's reference makes sure it is built first.
    /// </summary>
    public static string FindBuiltDll(string projectDirectory, string dllName)
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = output.Parent!.Name;
        var dll = Path.Combine(SourceTree.Root, projectDirectory, "bin", configuration, output.Name, dllName);
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} not found: build the solution first");
    }

    public Task WaitForExitAsync() => _process.WaitForExitAsync();

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
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        _output.Enqueue(line);
        while (_output.Count > _keepLines) _output.TryDequeue(out _);
    }
}
