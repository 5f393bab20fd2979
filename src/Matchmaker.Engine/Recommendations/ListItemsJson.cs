using System.Buffers;
using System.Text.Json;
using Matchmaker.Engine.Import;

namespace Matchmaker.Engine.Recommendations;

/// <summary>
/// Writes a list's items as wire JSON with a <see cref="Utf8JsonWriter"/> directly: the same bytes as
/// <c>JsonSerializer.SerializeToUtf8Bytes(items, WireJson.Options)</c> (camelCase, nulls left out, the same escaping; a
/// test holds it to that), and faster. Every organization's list is written once per full run, so its serialization
/// was a large part of a run's CPU time (docs/benchmarks.md); the serializer's reflection-driven path is skipped here only.
/// </summary>
public static class ListItemsJson
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = WireJson.Options.Encoder,
        Indented = false,
        SkipValidation = true,
    };

    // One buffer and writer per thread, reused: a list is about 20 KB of JSON, and a fresh buffer grown to fit it
    // allocated three times that for every list of a full run.
    [ThreadStatic] private static ArrayBufferWriter<byte>? _threadBuffer;
    [ThreadStatic] private static Utf8JsonWriter? _threadWriter;

    public static byte[] ToUtf8Bytes(IReadOnlyList<RecommendedPartner> items)
    {
        if (items is EncodedItems encoded) return encoded.Utf8;
        return WriteReused(items).ToArray();
    }

    public static string ToJsonString(IReadOnlyList<RecommendedPartner> items) =>
        System.Text.Encoding.UTF8.GetString(items is EncodedItems encoded ? encoded.Utf8 : WriteReused(items));

    /// <summary>The items' JSON in this thread's buffer: valid until the thread's next call.</summary>
    internal static ReadOnlySpan<byte> WriteReused(IReadOnlyList<RecommendedPartner> items)
    {
        var buffer = _threadBuffer ??= new ArrayBufferWriter<byte>(32 * 1024);
        buffer.ResetWrittenCount();
        var writer = _threadWriter ??= new Utf8JsonWriter(buffer, WriterOptions);
        writer.Reset(buffer);
        Write(writer, items);
        writer.Flush();
        return buffer.WrittenSpan;
    }

    private static readonly JsonEncodedText CandidateId = JsonEncodedText.Encode("candidateId");
    private static readonly JsonEncodedText Rank = JsonEncodedText.Encode("rank");
    private static readonly JsonEncodedText Score = JsonEncodedText.Encode("score");
    private static readonly JsonEncodedText Reasons = JsonEncodedText.Encode("reasons");
    private static readonly JsonEncodedText ExistingPartner = JsonEncodedText.Encode("existingPartner");
    private static readonly JsonEncodedText Candidate = JsonEncodedText.Encode("candidate");
    private static readonly JsonEncodedText Code = JsonEncodedText.Encode("code");
    private static readonly JsonEncodedText Zh = JsonEncodedText.Encode("zh");
    private static readonly JsonEncodedText En = JsonEncodedText.Encode("en");
    private static readonly JsonEncodedText Evidence = JsonEncodedText.Encode("evidence");
    private static readonly JsonEncodedText NameZh = JsonEncodedText.Encode("nameZh");
    private static readonly JsonEncodedText NameEn = JsonEncodedText.Encode("nameEn");
    private static readonly JsonEncodedText Kind = JsonEncodedText.Encode("kind");
    private static readonly JsonEncodedText City = JsonEncodedText.Encode("city");
    private static readonly JsonEncodedText Sectors = JsonEncodedText.Encode("sectors");

    /// <summary>The items as one JSON array; property order and null handling follow the records' declarations.</summary>
    public static void Write(Utf8JsonWriter writer, IReadOnlyList<RecommendedPartner> items)
    {
        writer.WriteStartArray();
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            writer.WriteStartObject();
            WriteString(writer, CandidateId, item.CandidateId);
            writer.WriteNumber(Rank, item.Rank);
            if (!double.IsFinite(item.Score)) throw new ArgumentException($"The score of '{item.CandidateId}' is not a finite number.", nameof(items));
            writer.WriteNumber(Score, item.Score);
            if (item.Reasons is { } reasons)
            {
                writer.WriteStartArray(Reasons);
                for (var r = 0; r < reasons.Count; r++)
                {
                    var reason = reasons[r];
                    writer.WriteStartObject();
                    WriteString(writer, Code, reason.Code);
                    WriteString(writer, Zh, reason.Zh);
                    WriteString(writer, En, reason.En);
                    WriteStrings(writer, Evidence, reason.Evidence);
                    writer.WriteEndObject();
                }
                writer.WriteEndArray();
            }
            writer.WriteBoolean(ExistingPartner, item.ExistingPartner);
            if (item.Candidate is { } candidate)
            {
                writer.WriteStartObject(Candidate);
                WriteString(writer, NameZh, candidate.NameZh);
                WriteString(writer, NameEn, candidate.NameEn);
                WriteString(writer, Kind, candidate.Kind);
                WriteString(writer, City, candidate.City);
                WriteStrings(writer, Sectors, candidate.Sectors);
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    // Nulls are left out, as WireJson's DefaultIgnoreCondition.WhenWritingNull does.
    private static void WriteString(Utf8JsonWriter writer, JsonEncodedText name, string? value)
    {
        if (value is not null) writer.WriteString(name, value);
    }

    private static void WriteStrings(Utf8JsonWriter writer, JsonEncodedText name, IReadOnlyList<string?>? values)
    {
        if (values is null) return;
        writer.WriteStartArray(name);
        for (var i = 0; i < values.Count; i++)
        {
            if (values[i] is { } value) writer.WriteStringValue(value);
            else writer.WriteNullValue();
        }
        writer.WriteEndArray();
    }
}
