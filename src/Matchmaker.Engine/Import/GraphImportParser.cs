using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;
using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Graph;

namespace Matchmaker.Engine.Import;

/// <summary>
/// Turns wire records (JSON body, JSON Lines files, CSV) into a validated <see cref="GraphBatch"/>. Every row is
/// checked and every bad row reported (section, row, field, reason); a batch with any bad row is refused whole.
/// </summary>
public static class GraphImportParser
{
    public const int MaxErrorsReported = 100;

    public static GraphBatch Parse(GraphRecords records)
    {
        var errors = new List<ImportError>();
        var organizations = Convert(records.Organizations, "organizations", r => r.ToDomain(), errors);
        var projects = Convert(records.Projects, "projects", r => r.ToDomain(), errors);
        var ties = Convert(records.Ties, "ties", r => r.ToDomain(), errors);
        var batch = new GraphBatch(organizations, projects, ties);
        errors.AddRange(BatchChecks.Duplicates(batch));
        if (errors.Count > 0) throw new GraphImportException(errors.Take(MaxErrorsReported).ToList());
        return batch;
    }

    private static List<T> Convert<TRecord, T>(IReadOnlyList<TRecord?>? rows, string section, Func<TRecord, T> map, List<ImportError> errors)
        where TRecord : class
    {
        var result = new List<T>(rows?.Count ?? 0);
        if (rows is null) return result;
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            if (row is null)
            {
                errors.Add(new(section, i, "", "row is null"));
                continue;
            }
            try
            {
                result.Add(map(row));
            }
            catch (DomainValidationException e)
            {
                errors.Add(new(section, i, e.Field, e.Reason));
            }
        }
        return result;
    }

    /// <summary>Reads the three JSON Lines files of a seed directory (organizations, projects, ties).</summary>
    public static GraphBatch ParseJsonLinesDirectory(string directory)
    {
        var errors = new List<ImportError>();
        var orgs = ReadJsonLines<OrganizationRecord>(Path.Combine(directory, "organizations.jsonl"), "organizations", errors);
        var projects = ReadJsonLines<ProjectRecord>(Path.Combine(directory, "projects.jsonl"), "projects", errors);
        var ties = ReadJsonLines<TieRecord>(Path.Combine(directory, "ties.jsonl"), "ties", errors);
        if (errors.Count > 0) throw new GraphImportException(errors);
        return Parse(new GraphRecords { Organizations = orgs, Projects = projects, Ties = ties });
    }

    private static List<T?> ReadJsonLines<T>(string path, string section, List<ImportError> errors) where T : class
    {
        var rows = new List<T?>();
        if (!File.Exists(path)) return rows;
        var row = 0;
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                rows.Add(JsonSerializer.Deserialize<T>(line, WireJson.Options));
            }
            catch (JsonException e)
            {
                errors.Add(new(section, row, e.Path ?? "", $"invalid JSON: {e.Message}"));
                rows.Add(null);
            }
            row++;
        }
        return rows;
    }

    /// <summary>The CSV columns for organizations. Lists are separated by '|'.</summary>
    public static IReadOnlyList<string> CsvColumns { get; } =
        ["id", "nameZh", "nameEn", "aliases", "kind", "city", "sectors", "subFields", "capabilities", "needs", "description", "employees", "illustrative"];

    /// <summary>Parses organizations from CSV (RFC 4180, UTF-8, header row required).</summary>
    public static GraphBatch ParseOrganizationsCsv(TextReader reader)
    {
        var errors = new List<ImportError>();
        var rows = ReadCsv(reader);
        if (rows.Count == 0) throw new GraphImportException([new("organizations", 0, "", "the CSV is empty; a header row is required")]);
        var header = rows[0].Select(h => h.Trim()).ToArray();
        var index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var c = 0; c < header.Length; c++)
        {
            var known = CsvColumns.FirstOrDefault(k => string.Equals(k, header[c], StringComparison.OrdinalIgnoreCase));
            if (known is null) errors.Add(new("organizations", 0, header[c], $"unknown column; expected some of {string.Join(", ", CsvColumns)}"));
            else if (!index.TryAdd(known, c)) errors.Add(new("organizations", 0, header[c], "column appears twice"));
        }
        foreach (var required in new[] { "id", "kind", "city" })
        {
            if (!index.ContainsKey(required)) errors.Add(new("organizations", 0, required, "required column is missing"));
        }
        if (errors.Count > 0) throw new GraphImportException(errors);

        // Cell-level errors are collected beside the domain errors, so that one bad cell does not hide another.
        var records = new List<OrganizationRecord?>();
        for (var r = 1; r < rows.Count; r++)
        {
            var cells = rows[r];
            if (IsBlank(cells)) continue; // blank line
            var row = records.Count;
            if (cells.Length != header.Length)
            {
                errors.Add(new("organizations", row, "", $"has {cells.Length} cells; the header has {header.Length}"));
            }
            string? Cell(string name) => index.TryGetValue(name, out var c) && c < cells.Length && cells[c].Length > 0 ? cells[c] : null;
            IReadOnlyList<string>? List(string name) => Cell(name)?.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            int? employees = null;
            if (Cell("employees") is { } e)
            {
                if (int.TryParse(e, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) employees = n;
                else errors.Add(new("organizations", row, "employees", $"'{e}' is not a whole number"));
            }
            bool? illustrative = null;
            if (Cell("illustrative") is { } b)
            {
                if (bool.TryParse(b, out var v)) illustrative = v;
                else errors.Add(new("organizations", row, "illustrative", $"'{b}' is not true or false"));
            }
            records.Add(new OrganizationRecord
            {
                Id = Cell("id"), NameZh = Cell("nameZh"), NameEn = Cell("nameEn"), Aliases = List("aliases"), Kind = Cell("kind"),
                City = Cell("city"), Sectors = List("sectors"), SubFields = List("subFields"), Capabilities = List("capabilities"),
                Needs = List("needs"), Description = Cell("description"), Employees = employees, Illustrative = illustrative,
            });
        }
        GraphBatch? parsed = null;
        try
        {
            parsed = Parse(new GraphRecords { Organizations = records });
        }
        catch (GraphImportException e)
        {
            errors.AddRange(e.Errors);
        }
        if (errors.Count > 0) throw new GraphImportException(errors.OrderBy(x => x.Row).Take(MaxErrorsReported).ToList());
        return parsed!;
    }

    /// <summary>
    /// Every record of the CSV as its cells, the header first and blank lines kept (the caller skips them, so that row
    /// numbers count data records only, as for JSON). A blank line reads as one empty cell; CR, LF and CR LF each end a record.
    /// </summary>
    /// <remarks>
    /// CsvHelper rather than Sep: CsvHelper's RFC 4180 mode opens a quoted field only at the start of a field and
    /// recovers from stray quotes as this import always has (<c>x"y</c> and <c>"a"b</c> read as text), and it reports a
    /// quote that is never closed, which the import refuses. Sep toggles quoting at any quote, so one stray quote
    /// swallows the rest of the file into a cell without a word, and it does not report an open quote at the end.
    /// </remarks>
    private static List<string[]> ReadCsv(TextReader reader)
    {
        var unterminated = false;
        var options = CsvReaderOptions.Default with
        {
            Separator = ',', // fixed: detection could take the '|' of list cells for the separator
            HasHeader = false, // the header is checked here, by the import's own rules
            SkipEmptyLines = false,
            OnMalformedRecord = m => unterminated |= m.Reason == CsvMalformedReason.UnterminatedQuote,
        };
        var rows = new List<string[]>();
        using (var csv = CsvReader.Create(reader, options, leaveOpen: true))
        {
            while (csv.Read())
            {
                var cells = new string[Math.Max(csv.FieldCount, 1)];
                cells[0] = "";
                for (var c = 0; c < csv.FieldCount; c++) cells[c] = csv.GetString(c);
                rows.Add(cells);
            }
        }
        if (unterminated)
        {
            // A quote that is never closed runs to the end of the input, so it is in the last record; named as the data row it is.
            var dataRows = rows.Skip(1).Count(cells => !IsBlank(cells));
            var row = rows.Count > 1 && !IsBlank(rows[^1]) ? dataRows - 1 : dataRows;
            throw new GraphImportException([new("organizations", row, "", "the CSV ends inside a quoted field")]);
        }
        return rows;
    }

    private static bool IsBlank(string[] cells) => cells.Length == 1 && cells[0].Length == 0;
}
