namespace Matchmaker.Bench;

/// <summary>Where a data set is when no directory is given: beside the repository, as ../shared/data/NAME.</summary>
internal static class BenchData
{
    public static string? DefaultDirectory(string name)
    {
        for (var directory = new DirectoryInfo(Directory.GetCurrentDirectory()); directory is not null; directory = directory.Parent)
        {
            if (!File.Exists(Path.Combine(directory.FullName, "Matchmaker.sln"))) continue;
            var data = Path.GetFullPath(Path.Combine(directory.FullName, "..", "shared", "data", name));
            return Directory.Exists(data) ? data : null;
        }
        return null;
    }
}
