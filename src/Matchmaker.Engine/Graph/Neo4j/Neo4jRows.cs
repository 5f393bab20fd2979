using System.Text.Json;
using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Import;

namespace Matchmaker.Engine.Graph.Neo4j;

/// <summary>Reads domain objects from the rows of <see cref="Neo4jStatements"/>' results.</summary>
internal static class Neo4jRows
{
    public static Organization ReadOrganization(JsonElement map) =>
        map.Deserialize<OrganizationRecord>(WireJson.Options)!.ToDomain();

    public static Project? ReadProject(Neo4jResult result, JsonElement row)
    {
        var members = row[result.Field("members")];
        if (members.ValueKind != JsonValueKind.Array || members.GetArrayLength() == 0) return null;
        return new Project(
            row[result.Field("id")].GetString()!,
            NullableString(row[result.Field("title")]),
            row[result.Field("year")].GetInt32(),
            row[result.Field("sector")].GetString()!,
            NullableString(row[result.Field("subField")]),
            members.EnumerateArray().Select(m => new ProjectMember(m.GetProperty("org").GetString()!, Codes.ParseRole(m.GetProperty("role").GetString()))),
            NullableString(row[result.Field("summary")]),
            Strings(row[result.Field("keywords")]),
            ReadTopics(Strings(row[result.Field("topicCodes")]), Strings(row[result.Field("topicTitles")])));
    }

    private static List<string> Strings(JsonElement value) =>
        value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Select(v => v.GetString()!).ToList() : [];

    private static IEnumerable<ProjectTopic> ReadTopics(List<string> codes, List<string> titles) =>
        codes.Select((code, i) => new ProjectTopic(code, i < titles.Count && titles[i].Length > 0 ? titles[i] : null));

    public static List<Tie> ReadTies(Neo4jResult result)
    {
        int from = result.Field("from"), to = result.Field("to"), type = result.Field("type"), year = result.Field("year");
        return result.Rows.Select(row => new Tie(
            row[from].GetString()!,
            row[to].GetString()!,
            ParseRelationshipType(row[type].GetString()),
            row[year].ValueKind == JsonValueKind.Number ? row[year].GetInt32() : null)).ToList();
    }

    private static string? NullableString(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>The ids of <c>import.missing-organizations</c>' one row, added to <paramref name="missing"/>.</summary>
    public static void CollectMissing(Neo4jResult result, HashSet<string> missing)
    {
        foreach (var id in result.Single("missing").EnumerateArray()) missing.Add(id.GetString()!);
    }

    private static TieType ParseRelationshipType(string? type) => Codes.ParseTieType(type?.Replace('_', '-').ToLowerInvariant());
}
