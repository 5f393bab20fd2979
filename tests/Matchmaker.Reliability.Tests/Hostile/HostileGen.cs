using System.Collections;
using System.Reflection;
using System.Text;
using System.Text.Json;
using CsCheck;

namespace Matchmaker.Reliability.Tests.Hostile;

/// <summary>
/// Generators of hostile input: strings and numbers that have broken services before, JSON that is deep, huge,
/// duplicated or not UTF-8 at all, request bodies shaped like a request type with hostile values in its fields,
/// and CSV with every quoting and line-ending edge.
/// </summary>
internal static class HostileGen
{
    /// <summary>Values with a history: numbers past every limit, injections, control characters, mixed scripts, broken Unicode, codes the API knows.</summary>
    public static readonly string[] Classics =
    [
        "", " ", "\t", "null", "true", "0", "-0", "-1", "1e309", "-1e309", "NaN", "Infinity", "-Infinity", "1.5", "0x10", "1_000", "+1",
        "2147483647", "2147483648", "-2147483649", "9223372036854775808", "99999999999999999999999999999999999999", "1e-400", "٣", "１２",
        "同济大学", "Tongji 同济 大学 – Σ ١٢٣", "עברית", "مرحبا", "🚗🔋⚡", "e\u0301", "\u202Eevil\u202C", "\uFEFFbom", "\u00A0", "\u2028",
        "a\u0000b", "\u0007\u001b[31m", "line\nbreak", "cr\rlf", "\uD800", "x\uDC00y", "%", "%00", "%ff", "%C0%AF", "\\", "\"", "'",
        "../../etc/passwd", "'; DROP TABLE organizations; --", "\" OR 1=1 --", "MATCH (n) DETACH DELETE n", "<script>alert(1)</script>",
        "${jndi:ldap://127.0.0.1/a}", "{{7*7}}", "a,b\"c", "|||", ",,,", "*", "?", "#", "&", "=",
        "tongji-auto", "donghua-mse", "fuzz-target", "accept", "decline", "contacted", "formed", "too-far", "other", "read", "feedback", "admin",
        "university", "enterprise", "new-materials", "power-batteries", "hangzhou", "shanghai-songjiang", "http://127.0.0.1", "https://park.example.cn",
        "MjA", "LTE", "OTk5OTk5OTk5OTk5", "AAAA", "____",
    ];

    public static readonly Gen<string> String = Gen.Frequency(
        (6, Gen.OneOf(Classics)),
        (3, Gen.String[0, 30]),
        (1, Gen.Int[300, 20_000].Select(n => new string('长', n))),
        (1, Gen.Int[65, 3_000].Select(n => string.Concat(Enumerable.Repeat("ab\u0000💡", n / 4 + 1)))),
        (1, Gen.OneOf(Classics).Array[2, 4].Select(parts => string.Concat(parts))));

    public static readonly Gen<string> JsonNumber = Gen.Frequency(
        (3, Gen.OneOf("0", "-0", "1e309", "-1e309", "1E+400", "123456789012345678901234567890", "1.7976931348623157e308", "4.9e-324",
            "2147483648", "-2147483649", "9007199254740993", "0.1e-400", "1.0", "-1", "00", "1.", ".5", "+1", "NaN", "Infinity", "0x1F")),
        (2, Gen.Int.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))),
        (1, Gen.Long.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))),
        (1, Gen.Double.Where(double.IsFinite).Select(d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture))));

    public static readonly Gen<string> JsonScalar = Gen.Frequency(
        (5, String.Select(s => JsonSerializer.Serialize(s))),
        (2, JsonNumber),
        (1, Gen.OneOf("true", "false", "null")));

    /// <summary>Any JSON value, nesting at most <paramref name="depth"/> levels.</summary>
    public static Gen<string> JsonValue(int depth) => depth <= 0
        ? JsonScalar
        : Gen.Frequency(
            (6, JsonScalar),
            (1, JsonValue(depth - 1).Array[0, 4].Select(items => "[" + string.Join(",", items) + "]")),
            (1, Gen.Select(String, JsonValue(depth - 1)).Array[0, 4]
                .Select(members => "{" + string.Join(",", members.Select(m => JsonSerializer.Serialize(m.Item1) + ":" + m.Item2)) + "}")));

    /// <summary>A JSON text that no strict parser should accept or that sits at its limits.</summary>
    public static readonly Gen<byte[]> BrokenJson = Gen.OneOf(
        Gen.Int[65, 20_000].Select(n => Utf8(new string('[', n) + new string(']', n))),
        Gen.Int[65, 5_000].Select(n => Utf8(string.Concat(Enumerable.Repeat("{\"a\":", n)) + "1" + new string('}', n))),
        Gen.OneOf(
            Utf8(""), Utf8("null"), Utf8("[]"), Utf8("\"text\""), Utf8("{}x"), Utf8("{"), Utf8("{\"a\":NaN}"), Utf8("/* comment */ {}"),
            Utf8("{\"candidateId\":\"donghua-mse\",\"action\":\"accept\",\"action\":\"decline\"}"),
            Utf8("{\"id\":\"dup-key\",\"id\":\"dup-key-2\",\"nameZh\":\"重复\",\"kind\":\"enterprise\",\"city\":\"jiaxing\"}"),
            Utf8("{\"organizations\":[],\"organizations\":[{\"id\":\"x\"}]}"),
            Utf8("\uFEFF{}"), Utf8(new string(' ', 100_000) + "{}"), Utf8("{\"name\":\"a\\ud800b\"}"), Utf8("{\"employees\": 1e400}")),
        // Not UTF-8: bytes that no encoder produces, inside a string value.
        Gen.Select(Gen.OneOf<byte[]>([0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xC3], [0xF4, 0x90, 0x80, 0x80], [0xFE, 0xFF]),
            Gen.OneOf("candidateId", "nameZh", "name", "comment", "id"),
            (bad, field) => (byte[])[.. Utf8($"{{\"{field}\":\"a"), .. bad, .. Utf8("b\"}")]));

    /// <summary>A JSON object shaped like <paramref name="type"/>: its properties (camelCase), each near-valid or hostile, some dropped, one unknown or one twice.</summary>
    public static Gen<string> Shaped(Type type, int depth = 3)
    {
        var members = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0)
            .Select(p => Maybe(ValueFor(p.PropertyType, depth).Select(v => JsonSerializer.Serialize(JsonNamingPolicy.CamelCase.ConvertName(p.Name)) + ":" + v)))
            .ToArray();
        return Gen.Select(Sequence(members), Gen.Int[0, 3], Gen.Select(String, JsonValue(1)), (chosen, mode, extra) =>
        {
            var list = chosen.OfType<string>().ToList();
            if (mode == 1) list.Add(JsonSerializer.Serialize(extra.Item1) + ":" + extra.Item2);
            if (mode == 2 && list.Count > 0) list.Add(list[^1]);
            return "{" + string.Join(",", list) + "}";
        });
    }

    private static Gen<string?> Maybe(Gen<string> gen) => Gen.Frequency((1, Gen.Const((string?)null)), (6, gen.Select(x => (string?)x)));

    private static Gen<string> ValueFor(Type type, int depth)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        Gen<string> nearValid;
        if (type == typeof(string)) nearValid = String.Select(s => JsonSerializer.Serialize(s));
        else if (type == typeof(int) || type == typeof(long) || type == typeof(double)) nearValid = JsonNumber;
        else if (type == typeof(bool)) nearValid = Gen.OneOf("true", "false");
        else if (type != typeof(string) && type.IsAssignableTo(typeof(IEnumerable)) && type.IsGenericType)
        {
            var element = type.GetGenericArguments()[0];
            nearValid = Gen.Frequency(
                (4, ValueFor(element, depth - 1).Array[0, 5].Select(items => "[" + string.Join(",", items) + "]")),
                // Long lists of small items: past every list limit without making the input itself huge.
                (1, Gen.Select(Gen.Int[65, 1_500], Gen.OneOf("\"x\"", "1", "null", "{}", "\"new-materials\""),
                    (n, item) => "[" + string.Join(",", Enumerable.Repeat(item, n)) + "]")));
        }
        else if (depth > 0 && type.IsClass) nearValid = Shaped(type, depth - 1);
        else nearValid = JsonValue(1);
        return Gen.Frequency((5, nearValid), (1, JsonValue(2)));
    }

    private static Gen<T[]> Sequence<T>(Gen<T>[] gens) =>
        gens.Aggregate(Gen.Const(Array.Empty<T>()), (all, next) => Gen.Select(all, next, (a, x) => (T[])[.. a, x]));

    /// <summary>CSV documents for the organization import: header permutations, unknown and repeated columns, BOM, quotes, line
    /// breaks in quotes, wrong cell counts, unterminated quotes.</summary>
    public static readonly Gen<string> Csv = Gen.Select(
            Gen.OneOf(Matchmaker.Engine.Import.GraphImportParser.CsvColumns.Concat(["ID", " kind ", "unknown", "name"]).ToArray()).Array[0, 8],
            Gen.Frequency((3, Gen.OneOf(Classics)), (1, String), (1, Gen.OneOf("\"quoted, with comma\"", "\"a \"\"b\"\" c\"", "\"multi\nline\"",
                "\"unterminated", "x\"y", "\"\"", "\"a\"b", "\r", "\n\n"))).Array[0, 10].Array[0, 6],
            Gen.OneOf("\n", "\r\n", "\r"), Gen.Bool, Gen.Bool)
        .Select((header, rows, newline, bom, trailing) =>
        {
            var text = new StringBuilder(bom ? "\uFEFF" : "");
            text.Append(string.Join(',', header));
            foreach (var row in rows) text.Append(newline).Append(string.Join(',', row));
            if (trailing) text.Append(newline);
            return text.ToString();
        });

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
