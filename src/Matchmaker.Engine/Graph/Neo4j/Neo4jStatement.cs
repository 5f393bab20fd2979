namespace Matchmaker.Engine.Graph.Neo4j;

/// <summary>One Cypher statement of the adapter, with a stable name (used in errors and logs) and its parameter names.</summary>
public sealed record Neo4jStatement(string Name, string Text, params string[] Parameters);
