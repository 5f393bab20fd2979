using System.IO.Compression;
using System.Text.Json;
using Matchmaker.Engine.Import;

namespace Matchmaker.Engine.Recommendations.Sqlite;

/// <summary>
/// How the SQLite store keeps a list's items: the wire JSON, UTF-8, Brotli-compressed (about a sixth of the text).
/// A list is written once per run for every organization, so its size is most of what a full run writes.
/// </summary>
internal static class ListItems
{
    // Quality 1 of 11: nearly the ratio of the slower levels on this repetitive JSON, at a fraction of their time.
    private const int Quality = 1;
    private const int Window = 22;

    public static byte[] Encode(IReadOnlyList<RecommendedPartner> items)
    {
        var json = items is EncodedItems encoded ? encoded.Utf8 : ListItemsJson.WriteReused(items);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(BrotliEncoder.GetMaxCompressedLength(json.Length));
        try
        {
            if (!BrotliEncoder.TryCompress(json, buffer, out var written, Quality, Window)) throw new InvalidOperationException("Brotli could not compress a list.");
            return buffer.AsSpan(0, written).ToArray();
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The stored list's wire JSON (UTF-8), for serving it without decoding it into objects.</summary>
    public static byte[] DecodeUtf8(byte[] stored)
    {
        using var json = new BrotliStream(new MemoryStream(stored), CompressionMode.Decompress);
        using var output = new MemoryStream(stored.Length * 6);
        json.CopyTo(output);
        return output.ToArray();
    }

    public static List<RecommendedPartner> Decode(byte[] stored)
    {
        using var json = new BrotliStream(new MemoryStream(stored), CompressionMode.Decompress);
        return JsonSerializer.Deserialize<List<RecommendedPartner>>(json, WireJson.Options)
            ?? throw new InvalidDataException("A stored list is empty.");
    }
}
