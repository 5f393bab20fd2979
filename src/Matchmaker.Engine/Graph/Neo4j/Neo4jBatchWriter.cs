using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Import;

namespace Matchmaker.Engine.Graph.Neo4j;

/// <summary>
/// Writes a <see cref="GraphBatch"/> (an import, or one project or tie) in one explicit transaction, in UNWIND batches
/// of at most <see cref="Neo4jOptions.BatchSize"/> rows.
/// </summary>
internal sealed class Neo4jBatchWriter(Neo4jQueryApi api)
{
    private int BatchSize => api.Options.BatchSize;

    /// <summary>
    /// One explicit transaction: it opens with the reference check (a read, so opening may be retried), writes
    /// organizations, projects and ties in bounded batches, and commits. Any failure rolls it back.
    /// </summary>
    public async Task WriteAsync(GraphBatch batch, CancellationToken cancellationToken)
    {
        var idChunks = ReferencedOutsideBatch(batch).Chunk(BatchSize).ToList();
        if (idChunks.Count == 0) idChunks.Add([]);

        var missing = new HashSet<string>(StringComparer.Ordinal);
        using var transaction = await api.BeginAsync(Neo4jStatements.MissingOrganizations, w => Neo4jParameters.WriteIds(w, idChunks[0]), cancellationToken);
        try
        {
            Neo4jRows.CollectMissing(transaction.First, missing);
            foreach (var chunk in idChunks.Skip(1))
            {
                using var result = await transaction.RunAsync(Neo4jStatements.MissingOrganizations, w => Neo4jParameters.WriteIds(w, chunk), cancellationToken);
                Neo4jRows.CollectMissing(result, missing);
            }
            if (missing.Count > 0)
            {
                var errors = BatchChecks.References(batch, id => !missing.Contains(id));
                throw new GraphImportException(errors.Take(GraphImportParser.MaxErrorsReported).ToList());
            }

            for (var start = 0; start < batch.Organizations.Count; start += BatchSize)
            {
                var count = Math.Min(BatchSize, batch.Organizations.Count - start);
                using var _ = await transaction.RunAsync(Neo4jStatements.UpsertOrganizations,
                    w => Neo4jParameters.WriteOrganizationRows(w, batch.Organizations, start, count), cancellationToken);
            }

            // A project row carries its members, so project batches are bounded by members, not by projects.
            foreach (var (start, count, members) in ChunkByWeight(batch.Projects, p => p.Members.Count, BatchSize))
            {
                using var result = await transaction.RunAsync(Neo4jStatements.UpsertProjects, w => Neo4jParameters.WriteProjectRows(w, batch.Projects, start, count),
                    cancellationToken);
                EnsureWritten(result, members, Neo4jStatements.UpsertProjects);
            }

            foreach (var group in batch.Ties.GroupBy(t => t.Type).OrderBy(g => g.Key))
            {
                foreach (var chunk in group.Chunk(BatchSize))
                {
                    using var result = await transaction.RunAsync(Neo4jStatements.UpsertTies[group.Key], w => Neo4jParameters.WriteTieRows(w, chunk), cancellationToken);
                    EnsureWritten(result, chunk.Length, Neo4jStatements.UpsertTies[group.Key]);
                }
            }

            await transaction.CommitAsync(cancellationToken);
        }
        catch
        {
            await transaction.RollbackAsync();
            throw;
        }
    }

    /// <summary>
    /// The organization ids that members and ties reference but the batch does not hold, sorted. A method of its own so
    /// that the set of the batch's ids is garbage before the writes start (an async method keeps its locals alive).
    /// </summary>
    private static List<string> ReferencedOutsideBatch(GraphBatch batch)
    {
        var inBatch = new HashSet<string>(batch.Organizations.Count, StringComparer.Ordinal);
        foreach (var o in batch.Organizations) inBatch.Add(o.Id);
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in batch.Projects)
        {
            foreach (var m in p.Members) if (!inBatch.Contains(m.OrganizationId)) referenced.Add(m.OrganizationId);
        }
        foreach (var t in batch.Ties)
        {
            if (!inBatch.Contains(t.From)) referenced.Add(t.From);
            if (!inBatch.Contains(t.To)) referenced.Add(t.To);
        }
        return referenced.Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// The reference check ran inside the transaction, but a concurrent delete can still remove an organization
    /// before the write takes its lock; MATCH then yields fewer rows, and the whole batch is refused.
    /// </summary>
    private static void EnsureWritten(Neo4jResult result, long expected, Neo4jStatement statement)
    {
        var written = result.Single("written").GetInt64();
        if (written != expected)
        {
            throw new GraphConflictException(
                $"'{statement.Name}' wrote {written} of {expected} relationships: an organization it references was deleted meanwhile. Nothing was written.");
        }
    }

    private static IEnumerable<(int Start, int Count, long Weight)> ChunkByWeight<T>(IReadOnlyList<T> items, Func<T, int> weight, int limit)
    {
        var start = 0;
        long total = 0;
        for (var i = 0; i < items.Count; i++)
        {
            var w = weight(items[i]);
            if (i > start && total + w > limit)
            {
                yield return (start, i - start, total);
                start = i;
                total = 0;
            }
            total += w;
        }
        if (items.Count > start) yield return (start, items.Count - start, total);
    }
}
