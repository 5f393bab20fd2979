using System.Diagnostics;

namespace Matchmaker.Engine.Tests.Docs;

/// <summary>
/// The build's line-length check (error MM0001 in Directory.Build.targets), run by <c>dotnet msbuild</c> on a small
/// project of its own that imports the repository's targets file: no SDK, only the check, so each run takes seconds.
/// </summary>
public sealed class LineLengthCheckTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("matchmaker-linelength-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_line_of_181_characters_fails_the_build_naming_file_and_line_and_generated_sources_are_skipped()
    {
        var source = Write("Long.cs", "// short", new string('x', 181), new string('y', 180));
        Write(Path.Combine("obj", "Generated.cs"), new string('z', 300));

        var (exitCode, output) = await CheckAsync();

        Assert.NotEqual(0, exitCode);
        Assert.Contains($"{source}(2): error MM0001: line is 181 characters, the limit is 180", output, StringComparison.Ordinal);
        // The build repeats each error in its summary: every MM0001 line is that one (not line 3 of 180, not obj/).
        Assert.All(output.Split('\n').Where(l => l.Contains("MM0001", StringComparison.Ordinal)),
            l => Assert.Contains($"{source}(2): error MM0001", l, StringComparison.Ordinal));
        Assert.DoesNotContain("Generated.cs", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lines_of_180_characters_pass_and_an_unchanged_project_is_not_checked_again()
    {
        Write("Fits.cs", new string('x', 180), "", new string('y', 180));

        var (exitCode, output) = await CheckAsync();
        Assert.True(exitCode == 0, output);
        Assert.DoesNotContain("MM0001", output, StringComparison.Ordinal);

        var (again, skipped) = await CheckAsync();
        Assert.True(again == 0, skipped);
        Assert.Contains("Skipping target \"CheckLineLength\" because all output files are up-to-date", skipped, StringComparison.Ordinal);
    }

    private string Write(string relativePath, params string[] lines)
    {
        var path = Path.Combine(_directory, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, string.Join('\n', lines) + "\n");
        return path;
    }

    private async Task<(int ExitCode, string Output)> CheckAsync()
    {
        var project = Path.Combine(_directory, "probe.proj");
        File.WriteAllText(project, $"""
            <Project>
              <PropertyGroup>
                <MatchmakerMaxLineLength>180</MatchmakerMaxLineLength>
                <BaseIntermediateOutputPath>obj/</BaseIntermediateOutputPath>
                <IntermediateOutputPath>obj/</IntermediateOutputPath>
              </PropertyGroup>
              <ItemGroup>
                <Compile Include="*.cs;obj/*.cs" />
              </ItemGroup>
              <Import Project="{SourceTree.Path("Directory.Build.targets")}" />
            </Project>
            """);

        var start = new ProcessStartInfo(DotnetHost(), ["msbuild", project, "-t:CheckLineLength", "-nologo", "-nodeReuse:false", "-v:n"])
        {
            WorkingDirectory = _directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // The test host may run inside a build: its MSBuild variables would point the child at another MSBuild.
        foreach (var name in new[] { "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "MSBuildExtensionsPath", "MSBuildLoadMicrosoftTargetsReadOnly" })
        {
            start.Environment.Remove(name);
        }
        start.Environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>The dotnet host running the tests (the test host is started by it), or the one on the PATH.</summary>
    private static string DotnetHost() =>
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
}
