namespace Matchmaker.Reliability.Tests.Infrastructure;

/// <summary>
/// The standalone worker (<c>jobs/Matchmaker.Worker</c>, its own build of this configuration) as a child process,
/// configured through environment variables as an operator would, so that a fault test can kill it with SIGKILL.
/// </summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    private readonly ChildService _process;

    private WorkerProcess(ChildService process) => _process = process;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Every line the process wrote (up to the last 4,000), for assertions on its log and failure messages.</summary>
    public IReadOnlyList<string> Lines => _process.Lines;

    public string Output => string.Join('\n', _process.Lines.TakeLast(200));

    /// <summary>The built worker, beside this test project's build of the same configuration.</summary>
    public static string WorkerDll { get; } = ChildService.FindBuiltDll(Path.Combine("jobs", "Matchmaker.Worker"), "Matchmaker.Worker.dll");

    /// <param name="settings">Configuration keys (Section:Key) and values, passed as environment variables.</param>
    public static WorkerProcess Start(IReadOnlyDictionary<string, string> settings)
    {
        var start = ChildService.StartInfo(WorkerDll);
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        // The production mode refuses to start without the key that signs list and unsubscribe links.
        start.Environment["Delivery__TokenKey"] = "reliability-suite-link-signing-key-0123456789";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__Matchmaker"] = "Information";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        return new WorkerProcess(ChildService.Start(start, settings, keepLines: 4000));
    }

    /// <summary>Kills the process with SIGKILL: no shutdown code runs, its jobs stay fetched in the job store.</summary>
    public void Kill() => _process.Kill();

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
