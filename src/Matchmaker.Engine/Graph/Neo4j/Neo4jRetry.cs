namespace Matchmaker.Engine.Graph.Neo4j;

/// <summary>
/// Which failures a request may be repeated after; read by the resilience pipeline from the request's options.
/// Nothing sent into an open explicit transaction is ever repeated: the server closes a transaction on its first error,
/// and a repeated commit could apply twice or report a rollback as a success.
/// </summary>
internal enum Neo4jRetry
{
    /// <summary>Not repeated (statements inside an explicit transaction, commit, rollback).</summary>
    Never,

    /// <summary>Repeated only when the statement certainly did not take effect: the connection could not be opened, 503, or a
    /// Neo4j transient error (the server rolled it back).</summary>
    IfNotApplied,

    /// <summary>Repeated after any transient failure, time-outs included: reads, schema commands with IF NOT EXISTS, and opening a transaction with a read.</summary>
    Idempotent,
}
