using System.Buffers;
using System.Buffers.Text;
using System.Runtime.InteropServices;
using System.Text.Json;
using Matchmaker.Engine.Feedback;
using Matchmaker.Engine.Import;
using Matchmaker.Engine.Recommendations;

namespace Matchmaker.Api.Recommendations;

/// <summary>
/// Renders a page of a stored list straight from its stored JSON: the items are read with <see cref="JsonDocument"/>
/// (no objects per item), filtered, and copied into the response with the organization's feedback added where it has
/// any. The output has exactly the shape of <see cref="RecommendationPage"/>, which the OpenAPI document declares; this
/// path exists because decoding every list into records cost more than everything else a read does.
/// </summary>
internal static class ListPageWriter
{
    public sealed record Filters(string? Kind, string? Sector, string? City, double? MinScore, bool IncludeExistingPartners);

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = WireJson.Options.Encoder, SkipValidation = true };

    /// <summary>Writes the page; returns the serialized bytes.</summary>
    public static ReadOnlyMemory<byte> Write(StoredListJson list, FeedbackState feedback, Filters filters, int offset, int size, Func<int, string> cursorOf)
    {
        using var document = JsonDocument.Parse(list.ItemsUtf8);
        var buffer = new ArrayBufferWriter<byte>(list.ItemsUtf8.Length / 2 + 512);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("organizationId", list.OrganizationId);
            writer.WriteString("runId", list.RunId);
            writer.WriteString("modelVersion", list.ModelVersion);
            writer.WriteString("computedAt", list.ComputedAt);
            writer.WriteStartArray("items");
            var matched = 0;
            var splice = new ArrayBufferWriter<byte>(4096);
            // Strength is measured against the list's best candidate (MatchStrength): the same for every page and filter.
            var best = double.NegativeInfinity;
            foreach (var item in document.RootElement.EnumerateArray()) best = Math.Max(best, item.GetProperty("score").GetDouble());
            foreach (var item in document.RootElement.EnumerateArray())
            {
                if (!Matches(item, feedback, filters)) continue;
                var index = matched++;
                if (index < offset || index >= offset + size) continue;
                var candidateId = item.GetProperty("candidateId").GetString()!;
                // A person reads rank as the position in what is served (after hiding existing partners, declined
                // candidates and filtered ones): 1..n over the pages; the stored rank is the model's, kept as modelRank.
                var rank = index + 1;
                var strength = MatchStrength.Of(item.GetProperty("score").GetDouble(), best);
                if (!feedback.Given.TryGetValue(candidateId, out var given))
                {
                    // Stored by this service in the wire shape: copied as it is, not re-encoded, the rank's bytes swapped.
                    WriteRanked(writer, item, rank, strength, splice);
                    continue;
                }
                writer.WriteStartObject();
                foreach (var property in item.EnumerateObject())
                {
                    if (property.NameEquals("rank"))
                    {
                        writer.WriteNumber("rank", rank);
                        writer.WriteNumber("modelRank", property.Value.GetInt32());
                    }
                    else if (property.NameEquals("score"))
                    {
                        property.WriteTo(writer);
                        writer.WriteNumber("strength", strength);
                        writer.WriteString("strengthLevel", MatchStrength.Level(strength));
                    }
                    else
                    {
                        property.WriteTo(writer);
                    }
                }
                writer.WriteString("feedback", FeedbackCodes.ToCode(given.Action));
                writer.WriteBoolean("mutualInterest", feedback.IsMutual(candidateId));
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            if (offset + size < matched) writer.WriteString("nextCursor", cursorOf(offset + size));
            writer.WriteEndObject();
        }
        return buffer.WrittenMemory;
    }

    private static ReadOnlySpan<byte> ModelRankName => ",\"modelRank\":"u8;
    private static ReadOnlySpan<byte> StrengthName => ",\"strength\":"u8;
    private static ReadOnlySpan<byte> LevelName => ",\"strengthLevel\":\""u8;

    /// <summary>
    /// The item's raw bytes with its rank value replaced by the served position, the stored one appended as modelRank,
    /// and the strength and its level after the score.
    /// </summary>
    private static void WriteRanked(Utf8JsonWriter writer, JsonElement item, int rank, int strength, ArrayBufferWriter<byte> splice)
    {
        var raw = JsonMarshal.GetRawUtf8Value(item);
        var stored = JsonMarshal.GetRawUtf8Value(item.GetProperty("rank"));
        var score = JsonMarshal.GetRawUtf8Value(item.GetProperty("score"));
        if (!raw.Overlaps(stored, out var start) || !raw.Overlaps(score, out var scoreStart) || scoreStart < start + stored.Length)
        {
            throw new InvalidOperationException("rank and score are not inside their item in the stored order");
        }
        splice.ResetWrittenCount();
        splice.Write(raw[..start]);
        WriteNumber(splice, rank);
        splice.Write(ModelRankName);
        splice.Write(stored);
        splice.Write(raw[(start + stored.Length)..(scoreStart + score.Length)]);
        splice.Write(StrengthName);
        WriteNumber(splice, strength);
        splice.Write(LevelName);
        splice.Write(System.Text.Encoding.ASCII.GetBytes(MatchStrength.Level(strength)));
        splice.Write("\""u8);
        splice.Write(raw[(scoreStart + score.Length)..]);
        writer.WriteRawValue(splice.WrittenSpan, skipInputValidation: true);
    }

    private static void WriteNumber(ArrayBufferWriter<byte> into, int value)
    {
        if (!Utf8Formatter.TryFormat(value, into.GetSpan(11), out var written)) throw new InvalidOperationException("a number does not format");
        into.Advance(written);
    }

    private static bool Matches(JsonElement item, FeedbackState feedback, Filters filters)
    {
        if (feedback.Given.Count > 0 && feedback.IsDeclined(item.GetProperty("candidateId").GetString()!)) return false;
        if (!filters.IncludeExistingPartners && item.TryGetProperty("existingPartner", out var existing) && existing.GetBoolean()) return false;
        if (filters.MinScore is { } min && item.GetProperty("score").GetDouble() < min) return false;
        if (filters.Kind is null && filters.City is null && filters.Sector is null) return true;
        if (!item.TryGetProperty("candidate", out var candidate)) return false;
        if (filters.Kind is not null && !(candidate.TryGetProperty("kind", out var kind)
            && string.Equals(kind.GetString(), filters.Kind, StringComparison.OrdinalIgnoreCase))) return false;
        if (filters.City is not null && !(candidate.TryGetProperty("city", out var city) && city.ValueEquals(filters.City))) return false;
        if (filters.Sector is not null && !(candidate.TryGetProperty("sectors", out var sectors) && sectors.EnumerateArray().Any(s => s.ValueEquals(filters.Sector)))) return false;
        return true;
    }
}
