namespace Matchmaker.Tests.Shared;

/// <summary>The repository the tests were built from: the folder of <c>Matchmaker.sln</c> above the test binaries.</summary>
public static class SourceTree
{
    private static readonly Lazy<string> RootPath = new(() =>
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "Matchmaker.sln"))) return directory.FullName;
        }
        throw new InvalidOperationException($"Matchmaker.sln not found above {AppContext.BaseDirectory}: the tests run from the repository's build output.");
    });

    public static string Root => RootPath.Value;

    /// <summary>A path inside the repository, from its parts (e.g. <c>Path("graph", "seed")</c>).</summary>
    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);
}
