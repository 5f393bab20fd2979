namespace Matchmaker.Engine.Graph;

/// <summary>The outcome of <see cref="IGraphStore.VerifyAsync"/>: whether the store can be used, and a message for the log.</summary>
public record StoreVerification(bool IsHealthy, string Message);
