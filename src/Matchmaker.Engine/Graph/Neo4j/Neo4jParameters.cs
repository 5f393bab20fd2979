using System.Text.Json;
using Matchmaker.Engine.Domain;

namespace Matchmaker.Engine.Graph.Neo4j;

/// <summary>
/// Writes the parameters of <see cref="Neo4jStatements"/> straight into the request body: the <c>$rows</c> of the
/// UNWIND writes, the ids of the reference check, and nullable filters.
/// </summary>
internal static class Neo4jParameters
{
    public static void WriteStringOrNull(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null) w.WriteNull(name);
        else w.WriteString(name, value);
    }

    public static void WriteIds(Utf8JsonWriter w, IReadOnlyList<string> ids)
    {
        w.WriteStartArray("ids");
        foreach (var id in ids) w.WriteStringValue(id);
        w.WriteEndArray();
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }

    /// <summary>One row per organization: its properties as stored. Null fields are left out, so <c>SET o = row</c> removes them.</summary>
    public static void WriteOrganizationRows(Utf8JsonWriter w, IReadOnlyList<Organization> organizations, int start, int count)
    {
        w.WriteStartArray("rows");
        for (var i = start; i < start + count; i++)
        {
            var o = organizations[i];
            w.WriteStartObject();
            w.WriteString("id", o.Id);
            if (o.NameZh is not null) w.WriteString("nameZh", o.NameZh);
            if (o.NameEn is not null) w.WriteString("nameEn", o.NameEn);
            WriteStrings(w, "aliases", o.Aliases);
            w.WriteString("kind", o.Kind.ToCode());
            w.WriteString("city", o.City);
            WriteStrings(w, "sectors", o.Sectors);
            WriteStrings(w, "subFields", o.SubFields);
            WriteStrings(w, "capabilities", o.Capabilities);
            WriteStrings(w, "needs", o.Needs);
            if (o.Description is not null) w.WriteString("description", o.Description);
            if (o.Employees is { } employees) w.WriteNumber("employees", employees);
            w.WriteBoolean("illustrative", o.Illustrative);
            w.WriteString("searchText", o.SearchText);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    public static void WriteProjectRows(Utf8JsonWriter w, IReadOnlyList<Project> projects, int start, int count)
    {
        w.WriteStartArray("rows");
        for (var i = start; i < start + count; i++)
        {
            var p = projects[i];
            w.WriteStartObject();
            w.WriteString("id", p.Id);
            if (p.Title is not null) w.WriteString("title", p.Title);
            w.WriteNumber("year", p.Year);
            w.WriteString("sector", p.Sector);
            if (p.SubField is not null) w.WriteString("subField", p.SubField);
            if (p.Summary is not null) w.WriteString("summary", p.Summary);
            if (p.Keywords.Count > 0) WriteStrings(w, "keywords", p.Keywords);
            if (p.Topics.Count > 0)
            {
                // Topics as two aligned lists: a property cannot hold maps, and a list cannot hold null, so a topic
                // without a title has "" in topicTitles.
                WriteStrings(w, "topicCodes", p.Topics.Select(t => t.Code));
                WriteStrings(w, "topicTitles", p.Topics.Select(t => t.Title ?? ""));
            }
            w.WriteStartArray("members");
            for (var m = 0; m < p.Members.Count; m++)
            {
                w.WriteStartObject();
                w.WriteString("org", p.Members[m].OrganizationId);
                w.WriteString("role", p.Members[m].Role.ToCode());
                w.WriteNumber("ordinal", m);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    public static void WriteTieRows(Utf8JsonWriter w, IReadOnlyList<Tie> ties)
    {
        w.WriteStartArray("rows");
        foreach (var t in ties)
        {
            w.WriteStartObject();
            w.WriteString("from", t.From);
            w.WriteString("to", t.To);
            if (t.Year is { } year) w.WriteNumber("year", year);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }
}
