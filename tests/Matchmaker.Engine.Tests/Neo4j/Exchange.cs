using System.Text.Json;

namespace Matchmaker.Engine.Tests.Neo4j;

/// <summary>
/// One recorded exchange of Neo4j's HTTP Query API: the request the adapter must send (method, path, exact Cypher,
/// parameters, affinity header) and the response Neo4j answers, in the shapes the Query API documentation gives.
/// </summary>
internal sealed record Exchange(
    string Method,
    string Path,
    string? Statement,
    string? Parameters,
    string? Affinity,
    int Status,
    string? ResponseBody,
    IReadOnlyDictionary<string, string>? ResponseHeaders = null)
{
    public const string Database = "neo4j";
    public const string TransactionId = "lyU";
    public const string AffinityValue = "MTAuOC41Ljc6MTc0NzQ=";
    public const string Bookmarks = """["FB:kcwQ/wTfJf8rS1WY+GiIKXsCXgmQ"]""";
    public const string Transaction = """{"id": "lyU", "expires": "2024-10-22T15:48:29Z"}""";

    private static string QueryPath => $"/db/{Database}/query/v2";
    private static string TxPath => $"/db/{Database}/query/v2/tx";

    /// <summary>An auto-commit query answered with 202 and <c>{"data": {"fields", "values"}, "bookmarks"}</c>.</summary>
    public static Exchange Query(string statement, string parameters, string fields, string values) =>
        new("POST", QueryPath, statement, parameters, null, 202, Result(fields, values));

    /// <summary>An auto-commit query answered with an error body (202, as documented, or a 4xx on servers that map GQL status to HTTP).</summary>
    public static Exchange QueryError(string statement, string parameters, string code, string message, int status = 202) =>
        new("POST", QueryPath, statement, parameters, null, status, Error(code, message));

    public static Exchange QueryStatus(string statement, string parameters, int status, string? body = null) =>
        new("POST", QueryPath, statement, parameters, null, status, body);

    /// <summary>Opens the explicit transaction: 202, the affinity header, and the transaction object.</summary>
    public static Exchange Begin(string statement, string parameters, string fields, string values) =>
        new("POST", TxPath, statement, parameters, null, 202,
            $$"""{"data": {"fields": {{fields}}, "values": {{values}}}, "bookmarks": {{Bookmarks}}, "transaction": {{Transaction}}}""",
            new Dictionary<string, string> { ["neo4j-cluster-affinity"] = AffinityValue });

    public static Exchange InTransaction(string statement, string parameters, string fields, string values) =>
        new("POST", $"{TxPath}/{TransactionId}", statement, parameters, AffinityValue, 202,
            $$"""{"data": {"fields": {{fields}}, "values": {{values}}}, "bookmarks": {{Bookmarks}}, "transaction": {{Transaction}}}""",
            new Dictionary<string, string> { ["neo4j-cluster-affinity"] = AffinityValue });

    /// <summary>A statement that fails inside the transaction: the response has no transaction key (the server closed it).</summary>
    public static Exchange InTransactionError(string statement, string parameters, string code, string message) =>
        new("POST", $"{TxPath}/{TransactionId}", statement, parameters, AffinityValue, 202, Error(code, message),
            new Dictionary<string, string> { ["neo4j-cluster-affinity"] = AffinityValue });

    public static Exchange Commit() =>
        new("POST", $"{TxPath}/{TransactionId}/commit", null, null, AffinityValue, 202, $$"""{"bookmarks": {{Bookmarks}}}""",
            new Dictionary<string, string> { ["neo4j-cluster-affinity"] = AffinityValue });

    public static Exchange Rollback() =>
        new("DELETE", $"{TxPath}/{TransactionId}", null, null, AffinityValue, 202, null,
            new Dictionary<string, string> { ["neo4j-cluster-affinity"] = AffinityValue });

    public static string Result(string fields, string values) =>
        $$"""{"data": {"fields": {{fields}}, "values": {{values}}}, "bookmarks": {{Bookmarks}}}""";

    public static string Error(string code, string message) =>
        $$"""{"errors": [{"code": {{JsonSerializer.Serialize(code)}}, "message": {{JsonSerializer.Serialize(message)}}}]}""";
}
