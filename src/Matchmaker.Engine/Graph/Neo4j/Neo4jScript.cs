using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;

namespace Matchmaker.Engine.Graph.Neo4j;

/// <summary>
/// Splits a Cypher script (graph/schema.cypher, graph/import-seed.cypher) into statements on ';', as Neo4j Browser
/// and cypher-shell do, leaving ';' inside quoted strings and identifiers alone and dropping comments.
/// </summary>
public static partial class Neo4jScript
{
    /// <summary>The schema the adapter applies in <see cref="Neo4jGraphStore.InitializeAsync"/>: graph/schema.cypher, embedded at build.</summary>
    public static IReadOnlyList<Neo4jStatement> Schema { get; } = Named(Split(ReadEmbedded("Matchmaker.Engine.Graph.Neo4j.schema.cypher")), "schema");

    public static IReadOnlyList<string> Split(string script)
    {
        var statements = new List<string>();
        var current = new StringBuilder();
        var i = 0;
        while (i < script.Length)
        {
            var c = script[i];
            if (c is '\'' or '"' or '`')
            {
                var end = i + 1;
                while (end < script.Length && script[end] != c)
                {
                    if (script[end] == '\\' && c != '`') end++;
                    end++;
                }
                end = Math.Min(end + 1, script.Length);
                current.Append(script, i, end - i);
                i = end;
            }
            else if (c == '/' && i + 1 < script.Length && script[i + 1] == '/')
            {
                while (i < script.Length && script[i] != '\n') i++;
            }
            else if (c == '/' && i + 1 < script.Length && script[i + 1] == '*')
            {
                var end = script.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? script.Length : end + 2;
                current.Append(' ');
            }
            else if (c == ';')
            {
                Add(statements, current);
                i++;
            }
            else
            {
                current.Append(c);
                i++;
            }
        }
        Add(statements, current);
        return statements;
    }

    private static void Add(List<string> statements, StringBuilder current)
    {
        // Blank lines left by removed comments are dropped; the statement keeps its own line breaks.
        var lines = current.ToString().Split('\n').Select(l => l.TrimEnd()).Where(l => l.Trim().Length > 0);
        var text = string.Join('\n', lines).Trim();
        if (text.Length > 0) statements.Add(text);
        current.Clear();
    }

    /// <summary>Names each statement after the constraint or index it creates, else by position.</summary>
    public static IReadOnlyList<Neo4jStatement> Named(IReadOnlyList<string> statements, string prefix) =>
        statements.Select((text, i) =>
        {
            var match = SchemaObjectName().Match(text);
            return new Neo4jStatement(match.Success ? $"{prefix}.{match.Groups[1].Value}" : $"{prefix}[{i}]", text);
        }).ToList();

    [GeneratedRegex(@"^\s*CREATE\s+(?:\w+\s+)?(?:CONSTRAINT|INDEX)\s+(\w+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SchemaObjectName();

    private static string ReadEmbedded(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The resource '{name}' is missing from the engine assembly.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
