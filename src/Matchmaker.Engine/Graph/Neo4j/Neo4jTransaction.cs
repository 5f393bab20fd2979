using System.Text.Json;

namespace Matchmaker.Engine.Graph.Neo4j;

/// <summary>An open explicit transaction: its id and the cluster-affinity value that every later request must echo.</summary>
internal sealed class Neo4jTransaction(Neo4jQueryApi api, string id, string? affinity, Neo4jResult first) : IDisposable
{
    public string Id { get; } = id;
    public string? Affinity { get; } = affinity;

    /// <summary>The result of the statement that opened the transaction.</summary>
    public Neo4jResult First { get; } = first;

    public Task<Neo4jResult> RunAsync(Neo4jStatement statement, Action<Utf8JsonWriter>? parameters, CancellationToken cancellationToken) =>
        api.RunInTransactionAsync(this, statement, parameters, cancellationToken);

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        using var result = await api.CommitAsync(this, cancellationToken);
    }

    public Task RollbackAsync() => api.RollbackAsync(this);

    public void Dispose() => First.Dispose();
}
