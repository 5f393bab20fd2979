using System.Text;
using System.Text.Json;
using CsCheck;
using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Graph;
using Matchmaker.Engine.Import;

namespace Matchmaker.Reliability.Tests.Hostile;

/// <summary>
/// Properties of the import formats (JSON, JSON Lines, CSV): any input yields either a validated batch or a refusal
/// that names rows and fields (<see cref="GraphImportException"/>), never another exception, and CSV written by the
/// rules of RFC 4180 reads back as the organizations it was written from. Seeds are printed on failure.
/// </summary>
public sealed class ImportFormatPropertyTests
{
    private static readonly string[] Cities = [.. G60Catalog.Cities.Select(c => c.Code)];
    private static readonly string[] Sectors = [.. G60Catalog.Sectors.Select(s => s.Code)];

    /// <summary>Names in any script with the characters CSV must quote: commas, quotes, and (in descriptions) line breaks.</summary>
    private static readonly Gen<string> Name = Gen.Frequency(
        (3, Gen.OneOf("同济大学汽车学院", "Tongji University", "嘉兴, \"蓝线\" 复合材料", "Σ-Lab ١٢٣", "🚗 EV Works", "O'Brien & Söhne GmbH", "a,b", "\"quoted\"", " padded ")),
        (2, Gen.Char["同济大学材料汽车低空经济嘉兴 ,\"'abcXYZ-é"].Array[1, 40].Select(chars => new string(chars)).Where(n => n.Trim().Length > 0)));

    private static readonly Gen<Organization> ValidOrganization = Gen.Select(
        Gen.Int[0, 1_000_000], Name, Name.Null(), Gen.OneOf(Enum.GetValues<OrganizationKind>()), Gen.OneOf(Cities),
        Gen.OneOf(Sectors).Array[0, 2], Gen.Char["abcdefghij-0123"].Array[1, 12].Select(c => new string(c)).Where(t => char.IsAsciiLetterOrDigit(t[0])).Array[0, 3],
        Gen.Select(Gen.OneOf(Gen.Const((string?)null), Name.Select(n => (string?)(n + "\n第二行, \"引号\"\r\n" + n))),
            Gen.OneOf(Gen.Const((int?)null), Gen.Int[0, 100_000].Select(i => (int?)i))))
        .Select((n, nameZh, nameEn, kind, city, sectors, tags, rest) =>
            new Organization($"org-{n}", nameZh, nameEn, kind, city, [nameZh.Trim() + " alias"], sectors, null, tags, tags.Reverse(), rest.Item1, rest.Item2));

    [Fact]
    public void Csv_written_by_the_rules_reads_back_as_the_same_organizations()
    {
        Gen.Select(ValidOrganization.Array[1, 8], Gen.OneOf("\n", "\r\n"), Gen.Bool, Gen.Bool).Sample((organizations, newline, quoteAll, trailingNewline) =>
        {
            var unique = organizations.DistinctBy(o => o.Id).ToArray();
            var columns = GraphImportParser.CsvColumns;
            var text = new StringBuilder(string.Join(',', columns.Select(c => Cell(c, quoteAll))));
            foreach (var o in unique)
            {
                var record = OrganizationRecord.FromDomain(o);
                var cells = new[]
                {
                    record.Id, record.NameZh, record.NameEn, Join(record.Aliases), record.Kind, record.City, Join(record.Sectors), Join(record.SubFields),
                    Join(record.Capabilities), Join(record.Needs), record.Description, record.Employees?.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    record.Illustrative == true ? "true" : "false",
                };
                text.Append(newline).Append(string.Join(',', cells.Select(c => Cell(c ?? "", quoteAll))));
            }
            if (trailingNewline) text.Append(newline);
            var batch = GraphImportParser.ParseOrganizationsCsv(new StringReader(text.ToString()));
            Assert.Equal(unique.Select(Json), batch.Organizations.Select(Json));
        }, iter: 400);
    }

    [Fact]
    public void Any_csv_is_read_or_refused_with_named_rows_never_with_another_exception()
    {
        HostileGen.Csv.Sample(text =>
        {
            // As the API reads a body: UTF-8, a byte order mark dropped.
            using var reader = new StreamReader(new MemoryStream(Encoding.UTF8.GetBytes(text)), new UTF8Encoding(false, throwOnInvalidBytes: true));
            try
            {
                var batch = GraphImportParser.ParseOrganizationsCsv(reader);
                Assert.All(batch.Organizations, o => Assert.NotNull(o.Id));
            }
            catch (GraphImportException e)
            {
                Assert.NotEmpty(e.Errors);
                Assert.All(e.Errors, x => Assert.True(x.Row >= 0 && x.Section == "organizations" && x.Reason.Length > 0, x.ToString()));
            }
        }, iter: 3000);
    }

    [Fact]
    public void Any_json_records_are_read_or_refused_with_named_rows_never_with_another_exception()
    {
        HostileGen.Shaped(typeof(GraphRecords), depth: 4).Sample(json =>
        {
            GraphRecords? records;
            try
            {
                records = JsonSerializer.Deserialize<GraphRecords>(json, WireJson.Options);
            }
            catch (JsonException)
            {
                return; // the API answers 400 before the parser sees it
            }
            if (records is null) return;
            try
            {
                var batch = GraphImportParser.Parse(records);
                Assert.Equal(batch.RowCount, batch.Organizations.Count + batch.Projects.Count + batch.Ties.Count);
            }
            catch (GraphImportException e)
            {
                Assert.NotEmpty(e.Errors);
                Assert.All(e.Errors, x => Assert.True(x.Section is "organizations" or "projects" or "ties" && x.Reason.Length > 0, x.ToString()));
            }
        }, iter: 3000);
    }

    [Fact]
    public void Any_json_lines_files_are_read_or_refused_never_with_another_exception()
    {
        var line = Gen.Frequency(
            (3, HostileGen.Shaped(typeof(OrganizationRecord)).Select(HostileGen.Utf8)),
            (1, HostileGen.Shaped(typeof(ProjectRecord)).Select(HostileGen.Utf8)),
            (2, HostileGen.BrokenJson),
            (1, Gen.OneOf(HostileGen.Utf8(""), HostileGen.Utf8("   "), HostileGen.Utf8("\r"))));
        using var directory = new Infrastructure.TempDirectory("matchmaker-jsonl-");
        line.Array[0, 6].Array[3].Sample(files =>
        {
            var names = new[] { "organizations.jsonl", "projects.jsonl", "ties.jsonl" };
            for (var f = 0; f < names.Length; f++)
            {
                // Lines must not contain raw line breaks of their own: the format is one JSON value per line.
                File.WriteAllBytes(directory.File(names[f]), [.. files[f].SelectMany(l => l.Where(b => b is not ((byte)'\n' or (byte)'\r')).Append((byte)'\n'))]);
            }
            try
            {
                GraphImportParser.ParseJsonLinesDirectory(directory.Path);
            }
            catch (GraphImportException e)
            {
                Assert.NotEmpty(e.Errors);
            }
        }, iter: 200, threads: 1);
    }

    private static string Json(Organization o) => JsonSerializer.Serialize(OrganizationRecord.FromDomain(o), WireJson.Options);

    private static string? Join(IReadOnlyList<string>? values) => values is null || values.Count == 0 ? null : string.Join('|', values);

    /// <summary>RFC 4180: a cell with a comma, a quote or a line break is quoted, quotes doubled.</summary>
    private static string Cell(string value, bool always) =>
        always || value.AsSpan().IndexOfAny(",\"\r\n") >= 0 || value != value.Trim() ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
