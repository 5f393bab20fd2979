namespace Matchmaker.Engine.Recommendations;

/// <summary>An organization's whole list, as computed by one run. Readers always get a whole list of one run.</summary>
public sealed record RecommendationList(
    string OrganizationId,
    string RunId,
    string ModelVersion,
    DateTimeOffset ComputedAt,
    IReadOnlyList<RecommendedPartner> Items);

/// <summary>
/// An organization's current list with its items as stored: a UTF-8 JSON array of <see cref="RecommendedPartner"/>
/// in the wire shape, so that readers can serve it without decoding it into objects.
/// </summary>
public sealed record StoredListJson(string OrganizationId, string RunId, string ModelVersion, DateTimeOffset ComputedAt, byte[] ItemsUtf8)
{
    public RecommendationList Decode() => new(OrganizationId, RunId, ModelVersion, ComputedAt,
        System.Text.Json.JsonSerializer.Deserialize<List<RecommendedPartner>>(ItemsUtf8, Import.WireJson.Options)!);
}
