using System.Text.Json;

namespace Matchmaker.Engine.Graph.Neo4j;

/// <summary>A successful response: <c>{"data": {"fields": [...], "values": [[...], ...]}, "bookmarks": [...], "transaction": {...}}</c>.</summary>
internal sealed class Neo4jResult : IDisposable
{
    private readonly JsonDocument? _document;
    private readonly string[] _fields;

    public Neo4jResult(JsonDocument? document, string? affinity)
    {
        _document = document;
        Affinity = affinity;
        _fields = [];
        if (document is null || document.RootElement.ValueKind != JsonValueKind.Object) return;
        var root = document.RootElement;
        if (root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object)
        {
            if (data.TryGetProperty("fields", out var fields) && fields.ValueKind == JsonValueKind.Array)
            {
                _fields = fields.EnumerateArray().Select(f => f.GetString() ?? "").ToArray();
            }
            if (data.TryGetProperty("values", out var values) && values.ValueKind == JsonValueKind.Array) Values = values;
        }
        if (root.TryGetProperty("transaction", out var transaction) && transaction.ValueKind == JsonValueKind.Object
            && transaction.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
        {
            TransactionId = id.GetString();
        }
    }

    public string? TransactionId { get; }
    public string? Affinity { get; }
    private JsonElement Values { get; }

    public int RowCount => Values.ValueKind == JsonValueKind.Array ? Values.GetArrayLength() : 0;

    /// <summary>The rows, each an array of values in the order of the fields.</summary>
    public IEnumerable<JsonElement> Rows => Values.ValueKind == JsonValueKind.Array ? Values.EnumerateArray() : [];

    public int Field(string name)
    {
        var index = Array.IndexOf(_fields, name);
        return index >= 0 ? index : throw new InvalidOperationException($"The result has no field '{name}' (fields: {string.Join(", ", _fields)}).");
    }

    /// <summary>The one value of a one-row result.</summary>
    public JsonElement Single(string field) =>
        RowCount == 1 ? Values[0][Field(field)] : throw new InvalidOperationException($"Expected one row, got {RowCount}.");

    public void Dispose() => _document?.Dispose();
}
