using System.Globalization;
using System.IO.Compression;

namespace Matchmaker.Engine.Matching.Evaluation;

/// <summary>
/// What a loader of a real export read: rows kept, rows skipped (per reason) and cells defaulted (per column).
/// Real exports write <c>NA</c> or nothing where a value is unknown; a loader counts such cells instead of failing.
/// </summary>
public sealed class LoadReport
{
    private readonly Dictionary<string, int> _skipped = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _defaulted = new(StringComparer.Ordinal);

    public LoadReport(string file) => File = file;

    public string File { get; }
    public int Loaded { get; private set; }
    public IReadOnlyDictionary<string, int> Skipped => _skipped;
    public IReadOnlyDictionary<string, int> Defaulted => _defaulted;
    public int SkippedCount => _skipped.Values.Sum();
    public int DefaultedCount => _defaulted.Values.Sum();

    public void Load() => Loaded++;

    public void Skip(string reason) => _skipped[reason] = _skipped.GetValueOrDefault(reason) + 1;

    public void Default(string column) => _defaulted[column] = _defaulted.GetValueOrDefault(column) + 1;

    /// <summary>True for a cell that carries no value: empty, or <c>NA</c> as R writes it.</summary>
    public static bool IsMissing(string cell) => cell.Length == 0 || cell == "NA";

    public override string ToString()
    {
        static string List(IReadOnlyDictionary<string, int> counts) => counts.Count == 0
            ? "0"
            : string.Join(", ", counts.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Value:N0} ({p.Key})")));
        return string.Create(CultureInfo.InvariantCulture, $"{File}: loaded {Loaded:N0} rows; skipped {List(_skipped)}; defaulted {List(_defaulted)}");
    }

    /// <summary>
    /// Rows of a delimited file without quoting (optionally gzip), as dictionaries by header name. A row whose
    /// cell count differs from the header's is skipped and counted, not parsed.
    /// </summary>
    internal static IEnumerable<Dictionary<string, string>> ReadRows(string path, char separator, LoadReport report)
    {
        using var file = System.IO.File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var reader = new StreamReader(stream);
        var header = reader.ReadLine()?.Split(separator) ?? throw new InvalidDataException($"{path} is empty.");
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            if (line.Length == 0) continue;
            var cells = line.Split(separator);
            if (cells.Length != header.Length)
            {
                report.Skip($"{cells.Length} cells, header {header.Length}");
                continue;
            }
            var row = new Dictionary<string, string>(header.Length, StringComparer.Ordinal);
            for (var i = 0; i < header.Length; i++) row[header[i]] = cells[i];
            yield return row;
        }
    }

    internal static string FindFile(string directory, string name)
    {
        foreach (var candidate in new[] { name + ".gz", name })
        {
            var path = Path.Combine(directory, candidate);
            if (System.IO.File.Exists(path)) return path;
        }
        throw new FileNotFoundException($"Neither {name}.gz nor {name} is in {directory}.");
    }
}
