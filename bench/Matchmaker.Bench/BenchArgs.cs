using System.Globalization;

namespace Matchmaker.Bench;

/// <summary>Minimal "--name value" option parsing shared by the bench commands.</summary>
internal sealed class BenchArgs(string[] args)
{
    public string? Get(string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    public int GetInt(string name, int fallback) =>
        Get(name) is { } v ? int.Parse(v, NumberStyles.Integer, CultureInfo.InvariantCulture) : fallback;

    public bool Has(string name) => Array.IndexOf(args, name) >= 0;

    /// <summary>Positional arguments: those not an option name or an option value.</summary>
    public IReadOnlyList<string> Positional()
    {
        var result = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i].StartsWith("--", StringComparison.Ordinal)) { i++; continue; }
            result.Add(args[i]);
        }
        return result;
    }
}

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

internal static class Machine
{
    public static string Describe() =>
        $"{Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024):F0} GiB, .NET {Environment.Version}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    public static string Mib(long bytes) => $"{bytes / (1024.0 * 1024):F0} MiB";

    /// <summary>The 1, 5 and 15 minute load averages (Linux), to note how busy the shared machine was.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}
