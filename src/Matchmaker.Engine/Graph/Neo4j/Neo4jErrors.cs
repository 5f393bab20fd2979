using System.Text.Json;

namespace Matchmaker.Engine.Graph.Neo4j;

/// <summary>
/// Neo4j's status codes (<c>Neo.{Classification}.{Category}.{Title}</c>) mapped to the store's exceptions:
/// credentials and permissions, unknown database, transient failures and database errors become
/// <see cref="GraphStoreUnavailableException"/>; a constraint violation becomes <see cref="GraphConflictException"/>;
/// every other client error is a bug in a statement and becomes <see cref="Neo4jException"/> naming it.
/// </summary>
internal static class Neo4jErrors
{
    /// <summary>
    /// Transient errors are retryable, except the two that Neo4j's own drivers do not retry because a user or an
    /// administrator caused them (a terminated transaction, a stopped lock client).
    /// </summary>
    public static bool IsTransient(string? code) =>
        code is not null
        && code.StartsWith("Neo.TransientError.", StringComparison.Ordinal)
        && code is not "Neo.TransientError.Transaction.Terminated" and not "Neo.TransientError.Transaction.LockClientStopped";

    public static Exception ToException(string statementName, int httpStatus, string code, string message, Neo4jOptions options)
    {
        var neo4j = new Neo4jException(statementName, code, message, httpStatus);
        var target = options.Describe();
        if (code.StartsWith("Neo.ClientError.Security.", StringComparison.Ordinal) || httpStatus == 401)
        {
            var who = !string.IsNullOrEmpty(options.BearerToken) ? "the bearer token"
                : !string.IsNullOrEmpty(options.User) ? $"user '{options.User}'" : "anonymous requests (no credentials are configured)";
            var advice = code.EndsWith(".Forbidden", StringComparison.Ordinal) || code.EndsWith(".AuthorizationExpired", StringComparison.Ordinal)
                ? $"{who} lacks a privilege that '{statementName}' needs"
                : $"the credentials were refused for {who}; check {Neo4jOptions.SectionName}:User/Password or BearerToken";
            return new GraphStoreUnavailableException($"Neo4j at {target}: {advice} ({code}: {message}).", neo4j);
        }
        if (code == "Neo.ClientError.Database.DatabaseNotFound")
        {
            return new GraphStoreUnavailableException(
                $"Neo4j at {target}: the database does not exist; check {Neo4jOptions.SectionName}:Database ({code}: {message}).", neo4j);
        }
        if (code == "Neo.ClientError.Schema.ConstraintValidationFailed")
        {
            return new GraphConflictException($"The write '{statementName}' conflicts with data already in the graph: {message}", neo4j);
        }
        if (code.StartsWith("Neo.TransientError.", StringComparison.Ordinal))
        {
            return new GraphStoreUnavailableException($"Neo4j at {target} reported a transient failure running '{statementName}' ({code}: {message}); try again later.", neo4j);
        }
        if (code.StartsWith("Neo.DatabaseError.", StringComparison.Ordinal) || code == "Neo.ClientError.General.ForbiddenOnReadOnlyDatabase"
            || code.StartsWith("Neo.ClientError.Cluster.", StringComparison.Ordinal))
        {
            return new GraphStoreUnavailableException($"Neo4j at {target} failed running '{statementName}' ({code}: {message}).", neo4j);
        }
        return neo4j;
    }

    /// <summary>A response without a Neo4j error body (a proxy's 503, a 404 from a server without the Query API).</summary>
    public static Exception FromHttpStatus(string statementName, int httpStatus, string? reason, Neo4jOptions options)
    {
        var target = options.Describe();
        return httpStatus switch
        {
            404 => new GraphStoreUnavailableException(
                $"Neo4j at {target} has no Query API at {options.QueryUri.AbsolutePath} (HTTP 404 for '{statementName}'). It needs Neo4j 5.19+ with " +
                "QUERY_API_ENDPOINTS in server.http_enabled_modules (on by default from 5.25), or Aura."),
            _ => new GraphStoreUnavailableException($"Neo4j at {target} answered '{statementName}' with HTTP {httpStatus} {reason}."),
        };
    }

    /// <summary>
    /// Reads the first error code of a response body without parsing the rest: a body that does not start with
    /// <c>{"errors": [...]</c> is a result, and its data is not scanned.
    /// </summary>
    public static string? FirstErrorCode(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
            if (!reader.Read() || reader.TokenType != JsonTokenType.PropertyName || !reader.ValueTextEquals("errors"u8)) return null;
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray) return null;
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("code"u8))
                {
                    reader.Read();
                    return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                reader.Skip();
            }
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
