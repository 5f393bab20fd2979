using System.Collections;
using System.Text.Json;
using Matchmaker.Engine.Import;

namespace Matchmaker.Engine.Recommendations;

/// <summary>
/// A list's items held as their wire JSON (UTF-8, as <see cref="ListItemsJson"/> writes it), decoded into objects
/// only if something reads them. A full run keeps each shard's lists from their computation until the shard's write:
/// as objects that is hundreds per list (items, reasons, strings), which the garbage collector marked and promoted
/// over and over while two shards were in flight; as bytes it is one array per list, and the stores write these bytes
/// as they are.
/// </summary>
public sealed class EncodedItems : IReadOnlyList<RecommendedPartner>
{
    private List<RecommendedPartner>? _decoded;

    public EncodedItems(byte[] utf8) => Utf8 = utf8;

    public static EncodedItems Of(IReadOnlyList<RecommendedPartner> items) => items as EncodedItems ?? new(ListItemsJson.ToUtf8Bytes(items));

    /// <summary>The items' wire JSON, UTF-8: an array of <see cref="RecommendedPartner"/>.</summary>
    public byte[] Utf8 { get; }

    private List<RecommendedPartner> Decoded => LazyInitializer.EnsureInitialized(ref _decoded,
        () => JsonSerializer.Deserialize<List<RecommendedPartner>>(Utf8, WireJson.Options) ?? throw new InvalidDataException("The items are null."));

    public RecommendedPartner this[int index] => Decoded[index];

    public int Count => Decoded.Count;

    public IEnumerator<RecommendedPartner> GetEnumerator() => Decoded.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
