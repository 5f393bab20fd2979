using System.Globalization;

namespace Matchmaker.Tests.Shared;

/// <summary>Reads figures out of Prometheus text as a scraper would.</summary>
public static class PrometheusText
{
    /// <summary>The sum of a metric's samples (every label set), or of those whose labels contain every one of <paramref name="labels"/>; null when none.</summary>
    public static double? Find(string text, string name, params string[] labels)
    {
        double? sum = null;
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith(name, StringComparison.Ordinal) || line.Length == name.Length || line[name.Length] is not ('{' or ' ')) continue;
            if (labels.Any(l => !line.Contains(l, StringComparison.Ordinal))) continue;
            var rest = line[name.Length] == '{' ? line[(line.LastIndexOf('}') + 1)..] : line[name.Length..];
            sum = (sum ?? 0) + double.Parse(rest.Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        return sum;
    }

    /// <summary>As <see cref="Find"/>, 0 when absent (counters not yet incremented).</summary>
    public static double Value(string text, string name, params string[] labels) => Find(text, name, labels) ?? 0;

    /// <summary>The service's own lines, for failure messages.</summary>
    public static string Own(string text) => string.Join('\n', text.Split('\n').Where(l => l.StartsWith("matchmaker_", StringComparison.Ordinal)));
}
