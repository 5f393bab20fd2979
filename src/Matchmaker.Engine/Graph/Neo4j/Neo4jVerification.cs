namespace Matchmaker.Engine.Graph.Neo4j;

/// <summary>The outcome of <see cref="Neo4jGraphStore.VerifyAsync"/>: whether the store can be used, and a message for the log.</summary>
public sealed record Neo4jVerification(bool IsHealthy, string Message, string? ServerVersion) : StoreVerification(IsHealthy, Message);
