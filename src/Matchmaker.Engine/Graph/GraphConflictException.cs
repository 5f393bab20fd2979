namespace Matchmaker.Engine.Graph;

/// <summary>
/// The write collides with data the store already holds or that another writer changed meanwhile (a uniqueness
/// constraint, or a referenced organization deleted between check and write). Nothing was written; the caller may
/// re-read and try again. The API reports it as 409 Conflict.
/// </summary>
public sealed class GraphConflictException(string message, Exception? inner = null) : Exception(message, inner);
