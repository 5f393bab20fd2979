namespace Matchmaker.Engine.Graph.Neo4j;

/// <summary>
/// Neo4j refused a statement for a reason that only a code change fixes: a syntax or semantic error, a missing
/// parameter, a malformed request. <see cref="StatementName"/> names the adapter's statement so that the bug can be
/// found at once. Errors with another cause surface as <see cref="GraphStoreUnavailableException"/>,
/// <see cref="GraphConflictException"/> or <see cref="GraphImportException"/>, with this exception as the inner one.
/// </summary>
public sealed class Neo4jException(string statementName, string code, string serverMessage, int httpStatus)
    : Exception($"Neo4j refused the statement '{statementName}' with {code}: {serverMessage}")
{
    public string StatementName { get; } = statementName;

    /// <summary>The Neo4j status code, e.g. <c>Neo.ClientError.Statement.SyntaxError</c>.</summary>
    public string Code { get; } = code;

    public string ServerMessage { get; } = serverMessage;

    public int HttpStatus { get; } = httpStatus;

    /// <summary>Neo4j's own classification: ClientError, ClientNotification, TransientError or DatabaseError.</summary>
    public string Classification => Code.Split('.') is [_, var classification, ..] ? classification : "";

    public bool IsTransient => Neo4jErrors.IsTransient(Code);
}
