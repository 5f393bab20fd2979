using System.Runtime.CompilerServices;
using System.Text.Json;
using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Import;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Matchmaker.Engine.Graph.Neo4j;

/// <summary>
/// The production graph store: Neo4j 5.26+ or Aura, spoken to over the HTTP Query API with parameters only.
/// Writes go out as <c>UNWIND $rows AS row MERGE ...</c> in batches of at most <see cref="Neo4jOptions.BatchSize"/> rows;
/// a batch import runs in one explicit transaction (reference checks inside it, rollback on any error); exports are
/// paged by id so that memory stays flat whatever the size of the graph.
/// Behaves as <see cref="Sqlite.SqliteGraphStore"/> does: the same contract suite holds both.
/// </summary>
public sealed class Neo4jGraphStore : IGraphStore
{
    private const string OrganizationProjection =
        "o {.id, .nameZh, .nameEn, .aliases, .kind, .city, .sectors, .subFields, .capabilities, .needs, .description, .employees, .illustrative}";

    internal static readonly Neo4jStatement Ping = new("verify.ping", """
        CALL dbms.components() YIELD name, versions, edition
        RETURN name, versions[0] AS version, edition
        """);

    internal static readonly Neo4jStatement AwaitIndexes = new("schema.await-indexes", "CALL db.awaitIndexes($timeoutSeconds)", "timeoutSeconds");

    internal static readonly Neo4jStatement GetOrganization = new("organization.get", $$"""
        MATCH (o:Organization {id: $id})
        RETURN {{OrganizationProjection}} AS organization
        """, "id");

    internal static readonly Neo4jStatement SearchOrganizations = new("organization.search", $$"""
        MATCH (o:Organization)
        WHERE o.id > $after
          AND ($text IS NULL OR o.searchText CONTAINS $text)
          AND ($kind IS NULL OR o.kind = $kind)
          AND ($city IS NULL OR o.city = $city)
          AND ($sector IS NULL OR $sector IN o.sectors)
          AND ($subField IS NULL OR $subField IN o.subFields)
        RETURN {{OrganizationProjection}} AS organization
        ORDER BY o.id
        LIMIT $limit
        """, "after", "text", "kind", "city", "sector", "subField", "limit");

    /// <summary><c>SET o = row</c> replaces every property, so a field left out of the row is removed.</summary>
    internal static readonly Neo4jStatement UpsertOrganizations = new("organization.upsert", """
        UNWIND $rows AS row
        MERGE (o:Organization {id: row.id})
        SET o = row
        """, "rows");

    /// <summary>CREATE, not MERGE: the uniqueness constraint on the id refuses a second organization with it.</summary>
    internal static readonly Neo4jStatement CreateOrganization = new("organization.create", """
        UNWIND $rows AS row
        CREATE (o:Organization)
        SET o = row
        """, "rows");

    internal static readonly Neo4jStatement DeleteOrganization = new("organization.delete", """
        MATCH (o:Organization {id: $id})
        DETACH DELETE o
        RETURN count(*) AS deleted
        """, "id");

    internal static readonly Neo4jStatement ExportOrganizations = new("organization.export", $$"""
        MATCH (o:Organization)
        WHERE o.id > $after
        RETURN {{OrganizationProjection}} AS organization
        ORDER BY o.id
        LIMIT $pageSize
        """, "after", "pageSize");

    private const string ProjectColumns = """
        RETURN p.id AS id, p.title AS title, p.year AS year, p.sector AS sector, p.subField AS subField,
               p.summary AS summary, p.keywords AS keywords, p.topicCodes AS topicCodes, p.topicTitles AS topicTitles,
               COLLECT {
                 MATCH (o:Organization)-[m:MEMBER_OF]->(p)
                 RETURN {org: o.id, role: m.role} AS member ORDER BY m.ordinal
               } AS members
        """;

    internal static readonly Neo4jStatement GetProject = new("project.get", $$"""
        MATCH (p:Project {id: $id})
        {{ProjectColumns}}
        """, "id");

    /// <summary>
    /// The member list is replaced: old memberships go, the new ones keep their order in <c>ordinal</c>. Texts a row
    /// leaves out are null, and setting a property to null removes it.
    /// </summary>
    internal static readonly Neo4jStatement UpsertProjects = new("project.upsert", """
        UNWIND $rows AS row
        MERGE (p:Project {id: row.id})
        SET p.title = row.title, p.year = row.year, p.sector = row.sector, p.subField = row.subField,
            p.summary = row.summary, p.keywords = row.keywords, p.topicCodes = row.topicCodes, p.topicTitles = row.topicTitles
        WITH p, row
        CALL (p) {
          MATCH (p)<-[old:MEMBER_OF]-(:Organization)
          DELETE old
        }
        WITH p, row
        UNWIND row.members AS member
        MATCH (o:Organization {id: member.org})
        CREATE (o)-[:MEMBER_OF {role: member.role, ordinal: member.ordinal}]->(p)
        RETURN count(*) AS written
        """, "rows");

    internal static readonly Neo4jStatement DeleteProject = new("project.delete", """
        MATCH (p:Project {id: $id})
        DETACH DELETE p
        RETURN count(*) AS deleted
        """, "id");

    internal static readonly Neo4jStatement ExportProjects = new("project.export", $$"""
        MATCH (p:Project)
        WHERE p.id > $after
        WITH p ORDER BY p.id LIMIT $pageSize
        {{ProjectColumns}}
        ORDER BY id
        """, "after", "pageSize");

    // Relationship types cannot be parameters in Cypher 5, so each tie type has its own statements.
    internal static readonly IReadOnlyDictionary<TieType, Neo4jStatement> UpsertTies = Enum.GetValues<TieType>().ToDictionary(t => t, t =>
        new Neo4jStatement($"tie.upsert.{t.ToCode()}", $$"""
            UNWIND $rows AS row
            MATCH (a:Organization {id: row.from})
            MATCH (b:Organization {id: row.to})
            MERGE (a)-[r:{{RelationshipType(t)}}]->(b)
            SET r.year = row.year
            RETURN count(*) AS written
            """, "rows"));

    internal static readonly IReadOnlyDictionary<TieType, Neo4jStatement> DeleteTies = Enum.GetValues<TieType>().ToDictionary(t => t, t =>
        new Neo4jStatement($"tie.delete.{t.ToCode()}", $$"""
            MATCH (:Organization {id: $from})-[r:{{RelationshipType(t)}}]->(:Organization {id: $to})
            DELETE r
            RETURN count(*) AS deleted
            """, "from", "to"));

    internal static readonly Neo4jStatement GetTies = new("tie.list", """
        MATCH (:Organization {id: $id})-[r:HOSTED_BY|FINANCED_BY|INVESTED_IN]-(:Organization)
        RETURN startNode(r).id AS from, endNode(r).id AS to, type(r) AS type, r.year AS year
        ORDER BY from, to, type
        """, "id");

    /// <summary>Keyset paging over (from, to, type); the range seek on the source id keeps each page cheap.</summary>
    internal static readonly Neo4jStatement ExportTies = new("tie.export", """
        MATCH (a:Organization)-[r:HOSTED_BY|FINANCED_BY|INVESTED_IN]->(b:Organization)
        WHERE a.id >= $afterFrom
        WITH a.id AS from, b.id AS to, type(r) AS type, r.year AS year
        WHERE from > $afterFrom OR to > $afterTo OR (to = $afterTo AND type > $afterType)
        RETURN from, to, type, year
        ORDER BY from, to, type
        LIMIT $pageSize
        """, "afterFrom", "afterTo", "afterType", "pageSize");

    /// <summary>The ids among <c>$ids</c> that no organization has; run inside the import transaction.</summary>
    internal static readonly Neo4jStatement MissingOrganizations = new("import.missing-organizations", """
        UNWIND $ids AS id
        WITH id
        WHERE NOT EXISTS { MATCH (:Organization {id: id}) }
        RETURN collect(id) AS missing
        """, "ids");

    /// <summary>The readiness probe: one organization at most, no count.</summary>
    internal static readonly Neo4jStatement Probe = new("graph.ping", """
        OPTIONAL MATCH (o:Organization) WITH o LIMIT 1 RETURN 1 AS one
        """);

    internal static readonly Neo4jStatement Count = new("graph.count", """
        RETURN COUNT { (:Organization) } AS organizations,
               COUNT { (:Project) } AS projects,
               COUNT { (:Organization)-[:MEMBER_OF]->(:Project) } AS memberships,
               COUNT { (:Organization)-[:HOSTED_BY|FINANCED_BY|INVESTED_IN]->(:Organization) } AS ties
        """);

    /// <summary>Every statement the adapter sends besides the schema (<see cref="Neo4jScript.Schema"/>): the linter test checks them all.</summary>
    public static IReadOnlyList<Neo4jStatement> Statements { get; } =
    [
        Ping, AwaitIndexes, GetOrganization, SearchOrganizations, UpsertOrganizations, CreateOrganization, DeleteOrganization, ExportOrganizations,
        GetProject, UpsertProjects, DeleteProject, ExportProjects, .. UpsertTies.Values, .. DeleteTies.Values, GetTies, ExportTies,
        MissingOrganizations, Count, Probe,
    ];

    private readonly Neo4jQueryApi _api;
    private readonly ILogger _logger;

    /// <summary>For dependency injection: one HttpClient per operation from the factory, with the resilience handler.</summary>
    public Neo4jGraphStore(IHttpClientFactory httpClientFactory, IOptions<Neo4jOptions> options, ILogger<Neo4jGraphStore>? logger = null)
        : this(() => httpClientFactory.CreateClient(Neo4jServiceCollectionExtensions.HttpClientName), options.Value, logger)
    {
    }

    /// <summary>Over a caller-owned HttpClient (no retries unless its handler adds them).</summary>
    public Neo4jGraphStore(HttpClient httpClient, Neo4jOptions options, ILogger? logger = null)
        : this(() => httpClient, options, logger)
    {
    }

    private Neo4jGraphStore(Func<HttpClient> client, Neo4jOptions options, ILogger? logger)
    {
        var validation = new Neo4jOptionsValidator().Validate(null, options);
        if (validation.Failed) throw new OptionsValidationException(Neo4jOptions.SectionName, typeof(Neo4jOptions), validation.Failures);
        _logger = logger ?? NullLogger.Instance;
        _api = new Neo4jQueryApi(client, options, _logger);
    }

    public Neo4jOptions Options => _api.Options;

    /// <summary>
    /// The start-up check: reaches the server, proves the credentials and the database, and checks that the server
    /// is recent enough for explicit transactions. Never throws for those reasons; the message says what is wrong.
    /// </summary>
    public async Task<Neo4jVerification> VerifyAsync(CancellationToken cancellationToken = default)
    {
        var target = Options.Describe();
        try
        {
            using var result = await _api.RunAsync(Ping, null, Neo4jRetry.Idempotent, cancellationToken);
            string? version = null, edition = null;
            foreach (var row in result.Rows)
            {
                if (row[result.Field("name")].GetString() != "Neo4j Kernel") continue;
                version = row[result.Field("version")].GetString();
                edition = row[result.Field("edition")].GetString();
            }
            if (version is not null && !SupportsExplicitTransactions(version))
            {
                return new(false, $"Neo4j {version} at {target} is too old: the adapter needs the Query API's explicit transactions (Neo4j 5.26 or later, or Aura).", version);
            }
            return new(true, $"Neo4j {version ?? "(unknown version)"} {edition} at {target}: reachable, credentials accepted.", version);
        }
        catch (GraphStoreUnavailableException e)
        {
            return new(false, e.Message, null);
        }
        catch (Neo4jException e)
        {
            return new(false, $"Neo4j at {target} refused the start-up check: {e.Message}", null);
        }
    }

    async Task<StoreVerification> IGraphStore.VerifyAsync(CancellationToken cancellationToken) => await VerifyAsync(cancellationToken);

    internal static bool SupportsExplicitTransactions(string version)
    {
        var parts = version.Split('.', '-');
        if (parts.Length < 2 || !int.TryParse(parts[0], out var major) || !int.TryParse(parts[1], out var minor)) return true;
        return major > 5 || (major == 5 && minor >= 26);
    }

    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        foreach (var statement in Neo4jScript.Schema)
        {
            using var _ = await _api.RunAsync(statement, null, Neo4jRetry.Idempotent, cancellationToken);
        }
        var timeout = (long)Math.Max(1, Options.RequestTimeout.TotalSeconds);
        using var awaited = await _api.RunAsync(AwaitIndexes, w => w.WriteNumber("timeoutSeconds", timeout), Neo4jRetry.Idempotent, cancellationToken);
    }

    public async Task<Organization?> GetOrganizationAsync(string id, CancellationToken cancellationToken = default)
    {
        using var result = await _api.RunAsync(GetOrganization, w => w.WriteString("id", id), Neo4jRetry.Idempotent, cancellationToken);
        return result.RowCount == 0 ? null : ReadOrganization(result.Single("organization"));
    }

    public async Task<OrganizationPage> SearchOrganizationsAsync(OrganizationQuery query, CancellationToken cancellationToken = default)
    {
        var limit = Math.Clamp(query.Limit, 1, OrganizationQuery.MaxPageSize);
        using var result = await _api.RunAsync(SearchOrganizations, w =>
        {
            w.WriteString("after", query.After ?? "");
            WriteStringOrNull(w, "text", string.IsNullOrWhiteSpace(query.Text) ? null : query.Text.Trim().ToLowerInvariant());
            WriteStringOrNull(w, "kind", query.Kind?.ToCode());
            WriteStringOrNull(w, "city", string.IsNullOrWhiteSpace(query.City) ? null : query.City);
            WriteStringOrNull(w, "sector", string.IsNullOrWhiteSpace(query.Sector) ? null : query.Sector);
            WriteStringOrNull(w, "subField", string.IsNullOrWhiteSpace(query.SubField) ? null : query.SubField);
            w.WriteNumber("limit", limit + 1);
        }, Neo4jRetry.Idempotent, cancellationToken);
        var column = result.Field("organization");
        var items = result.Rows.Select(row => ReadOrganization(row[column])).ToList();
        string? next = null;
        if (items.Count > limit)
        {
            items.RemoveAt(items.Count - 1);
            next = items[^1].Id;
        }
        return new OrganizationPage(items, next);
    }

    public async Task UpsertOrganizationAsync(Organization organization, CancellationToken cancellationToken = default)
    {
        // MERGE then SET of the whole record: repeating it changes nothing, so it may be retried.
        using var _ = await _api.RunAsync(UpsertOrganizations, w => WriteOrganizationRows(w, [organization], 0, 1), Neo4jRetry.Idempotent, cancellationToken);
    }

    public async Task<bool> CreateOrganizationAsync(Organization organization, CancellationToken cancellationToken = default)
    {
        try
        {
            // Not retried once sent: a retry of a create that was applied would meet its own organization.
            using var _ = await _api.RunAsync(CreateOrganization, w => WriteOrganizationRows(w, [organization], 0, 1), Neo4jRetry.IfNotApplied, cancellationToken);
            return true;
        }
        catch (GraphConflictException)
        {
            return false;
        }
    }

    public async Task<bool> DeleteOrganizationAsync(string id, CancellationToken cancellationToken = default)
    {
        using var result = await _api.RunAsync(DeleteOrganization, w => w.WriteString("id", id), Neo4jRetry.IfNotApplied, cancellationToken);
        return result.Single("deleted").GetInt64() > 0;
    }

    public async Task<Project?> GetProjectAsync(string id, CancellationToken cancellationToken = default)
    {
        using var result = await _api.RunAsync(GetProject, w => w.WriteString("id", id), Neo4jRetry.Idempotent, cancellationToken);
        return result.Rows.Select(row => ReadProject(result, row)).FirstOrDefault(p => p is not null);
    }

    public Task UpsertProjectAsync(Project project, CancellationToken cancellationToken = default) =>
        WriteAsync(new GraphBatch([], [project], []), cancellationToken);

    public async Task<bool> DeleteProjectAsync(string id, CancellationToken cancellationToken = default)
    {
        using var result = await _api.RunAsync(DeleteProject, w => w.WriteString("id", id), Neo4jRetry.IfNotApplied, cancellationToken);
        return result.Single("deleted").GetInt64() > 0;
    }

    public Task UpsertTieAsync(Tie tie, CancellationToken cancellationToken = default) =>
        WriteAsync(new GraphBatch([], [], [tie]), cancellationToken);

    public async Task<bool> DeleteTieAsync(string from, string to, TieType type, CancellationToken cancellationToken = default)
    {
        using var result = await _api.RunAsync(DeleteTies[type], w =>
        {
            w.WriteString("from", from);
            w.WriteString("to", to);
        }, Neo4jRetry.IfNotApplied, cancellationToken);
        return result.Single("deleted").GetInt64() > 0;
    }

    public async Task<IReadOnlyList<Tie>> GetTiesAsync(string organizationId, CancellationToken cancellationToken = default)
    {
        using var result = await _api.RunAsync(GetTies, w => w.WriteString("id", organizationId), Neo4jRetry.Idempotent, cancellationToken);
        return ReadTies(result);
    }

    public async Task<ImportSummary> ImportAsync(GraphBatch batch, CancellationToken cancellationToken = default)
    {
        var duplicates = BatchChecks.Duplicates(batch);
        if (duplicates.Count > 0) throw new GraphImportException(duplicates.Take(GraphImportParser.MaxErrorsReported).ToList());
        await WriteAsync(batch, cancellationToken);
        return new ImportSummary(batch.Organizations.Count, batch.Projects.Count, batch.Ties.Count);
    }

    /// <summary>
    /// One explicit transaction: it opens with the reference check (a read, so opening may be retried), writes
    /// organizations, projects and ties in bounded batches, and commits. Any failure rolls it back.
    /// </summary>
    private async Task WriteAsync(GraphBatch batch, CancellationToken cancellationToken)
    {
        var idChunks = ReferencedOutsideBatch(batch).Chunk(Options.BatchSize).ToList();
        if (idChunks.Count == 0) idChunks.Add([]);

        var missing = new HashSet<string>(StringComparer.Ordinal);
        using var transaction = await _api.BeginAsync(MissingOrganizations, w => WriteIds(w, idChunks[0]), cancellationToken);
        try
        {
            CollectMissing(transaction.First, missing);
            foreach (var chunk in idChunks.Skip(1))
            {
                using var result = await transaction.RunAsync(MissingOrganizations, w => WriteIds(w, chunk), cancellationToken);
                CollectMissing(result, missing);
            }
            if (missing.Count > 0)
            {
                var errors = BatchChecks.References(batch, id => !missing.Contains(id));
                throw new GraphImportException(errors.Take(GraphImportParser.MaxErrorsReported).ToList());
            }

            for (var start = 0; start < batch.Organizations.Count; start += Options.BatchSize)
            {
                var count = Math.Min(Options.BatchSize, batch.Organizations.Count - start);
                using var _ = await transaction.RunAsync(UpsertOrganizations, w => WriteOrganizationRows(w, batch.Organizations, start, count), cancellationToken);
            }

            // A project row carries its members, so project batches are bounded by members, not by projects.
            foreach (var (start, count, members) in ChunkByWeight(batch.Projects, p => p.Members.Count, Options.BatchSize))
            {
                using var result = await transaction.RunAsync(UpsertProjects, w => WriteProjectRows(w, batch.Projects, start, count), cancellationToken);
                EnsureWritten(result, members, UpsertProjects);
            }

            foreach (var group in batch.Ties.GroupBy(t => t.Type).OrderBy(g => g.Key))
            {
                foreach (var chunk in group.Chunk(Options.BatchSize))
                {
                    using var result = await transaction.RunAsync(UpsertTies[group.Key], w => WriteTieRows(w, chunk), cancellationToken);
                    EnsureWritten(result, chunk.Length, UpsertTies[group.Key]);
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

    private static void CollectMissing(Neo4jResult result, HashSet<string> missing)
    {
        foreach (var id in result.Single("missing").EnumerateArray()) missing.Add(id.GetString()!);
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

    public async IAsyncEnumerable<Organization> ExportOrganizationsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var after = "";
        while (true)
        {
            List<Organization> page;
            using (var result = await _api.RunAsync(ExportOrganizations, w =>
            {
                w.WriteString("after", after);
                w.WriteNumber("pageSize", Options.ExportPageSize);
            }, Neo4jRetry.Idempotent, cancellationToken))
            {
                var column = result.Field("organization");
                page = result.Rows.Select(row => ReadOrganization(row[column])).ToList();
            }
            foreach (var organization in page) yield return organization;
            if (page.Count < Options.ExportPageSize) yield break;
            after = page[^1].Id;
        }
    }

    public async IAsyncEnumerable<Project> ExportProjectsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var after = "";
        while (true)
        {
            List<Project> page;
            int rows;
            string? last;
            using (var result = await _api.RunAsync(ExportProjects, w =>
            {
                w.WriteString("after", after);
                w.WriteNumber("pageSize", Options.ExportPageSize);
            }, Neo4jRetry.Idempotent, cancellationToken))
            {
                rows = result.RowCount;
                var idColumn = result.Field("id");
                last = result.Rows.Select(row => row[idColumn].GetString()).LastOrDefault();
                // A project whose last member was deleted has no members left; it is not exported (as in SQLite).
                page = result.Rows.Select(row => ReadProject(result, row)).OfType<Project>().ToList();
            }
            foreach (var project in page) yield return project;
            if (rows < Options.ExportPageSize || last is null) yield break;
            after = last;
        }
    }

    public async IAsyncEnumerable<Tie> ExportTiesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (afterFrom, afterTo, afterType) = ("", "", "");
        while (true)
        {
            IReadOnlyList<Tie> page;
            using (var result = await _api.RunAsync(ExportTies, w =>
            {
                w.WriteString("afterFrom", afterFrom);
                w.WriteString("afterTo", afterTo);
                w.WriteString("afterType", afterType);
                w.WriteNumber("pageSize", Options.ExportPageSize);
            }, Neo4jRetry.Idempotent, cancellationToken))
            {
                page = ReadTies(result);
            }
            foreach (var tie in page) yield return tie;
            if (page.Count < Options.ExportPageSize) yield break;
            (afterFrom, afterTo, afterType) = (page[^1].From, page[^1].To, RelationshipType(page[^1].Type));
        }
    }

    public async Task PingAsync(CancellationToken cancellationToken = default)
    {
        using var _ = await _api.RunAsync(Probe, null, Neo4jRetry.Idempotent, cancellationToken);
    }

    public async Task<GraphCounts> CountAsync(CancellationToken cancellationToken = default)
    {
        using var result = await _api.RunAsync(Count, null, Neo4jRetry.Idempotent, cancellationToken);
        return new GraphCounts(result.Single("organizations").GetInt64(), result.Single("projects").GetInt64(),
            result.Single("memberships").GetInt64(), result.Single("ties").GetInt64());
    }

    /// <summary>HOSTED_BY for hosted-by: the relationship type of a tie type.</summary>
    internal static string RelationshipType(TieType type) => type.ToCode().Replace('-', '_').ToUpperInvariant();

    private static TieType ParseRelationshipType(string? type) => Codes.ParseTieType(type?.Replace('_', '-').ToLowerInvariant());

    private static void WriteStringOrNull(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null) w.WriteNull(name);
        else w.WriteString(name, value);
    }

    private static void WriteIds(Utf8JsonWriter w, IReadOnlyList<string> ids)
    {
        w.WriteStartArray("ids");
        foreach (var id in ids) w.WriteStringValue(id);
        w.WriteEndArray();
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }

    /// <summary>One row per organization: its properties as stored. Null fields are left out, so <c>SET o = row</c> removes them.</summary>
    internal static void WriteOrganizationRows(Utf8JsonWriter w, IReadOnlyList<Organization> organizations, int start, int count)
    {
        w.WriteStartArray("rows");
        for (var i = start; i < start + count; i++)
        {
            var o = organizations[i];
            w.WriteStartObject();
            w.WriteString("id", o.Id);
            if (o.NameZh is not null) w.WriteString("nameZh", o.NameZh);
            if (o.NameEn is not null) w.WriteString("nameEn", o.NameEn);
            WriteStrings(w, "aliases", o.Aliases);
            w.WriteString("kind", o.Kind.ToCode());
            w.WriteString("city", o.City);
            WriteStrings(w, "sectors", o.Sectors);
            WriteStrings(w, "subFields", o.SubFields);
            WriteStrings(w, "capabilities", o.Capabilities);
            WriteStrings(w, "needs", o.Needs);
            if (o.Description is not null) w.WriteString("description", o.Description);
            if (o.Employees is { } employees) w.WriteNumber("employees", employees);
            w.WriteBoolean("illustrative", o.Illustrative);
            w.WriteString("searchText", o.SearchText);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void WriteProjectRows(Utf8JsonWriter w, IReadOnlyList<Project> projects, int start, int count)
    {
        w.WriteStartArray("rows");
        for (var i = start; i < start + count; i++)
        {
            var p = projects[i];
            w.WriteStartObject();
            w.WriteString("id", p.Id);
            if (p.Title is not null) w.WriteString("title", p.Title);
            w.WriteNumber("year", p.Year);
            w.WriteString("sector", p.Sector);
            if (p.SubField is not null) w.WriteString("subField", p.SubField);
            if (p.Summary is not null) w.WriteString("summary", p.Summary);
            if (p.Keywords.Count > 0) WriteStrings(w, "keywords", p.Keywords);
            if (p.Topics.Count > 0)
            {
                // Topics as two aligned lists: a property cannot hold maps, and a list cannot hold null, so a topic
                // without a title has "" in topicTitles.
                WriteStrings(w, "topicCodes", p.Topics.Select(t => t.Code));
                WriteStrings(w, "topicTitles", p.Topics.Select(t => t.Title ?? ""));
            }
            w.WriteStartArray("members");
            for (var m = 0; m < p.Members.Count; m++)
            {
                w.WriteStartObject();
                w.WriteString("org", p.Members[m].OrganizationId);
                w.WriteString("role", p.Members[m].Role.ToCode());
                w.WriteNumber("ordinal", m);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void WriteTieRows(Utf8JsonWriter w, IReadOnlyList<Tie> ties)
    {
        w.WriteStartArray("rows");
        foreach (var t in ties)
        {
            w.WriteStartObject();
            w.WriteString("from", t.From);
            w.WriteString("to", t.To);
            if (t.Year is { } year) w.WriteNumber("year", year);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static Organization ReadOrganization(JsonElement map) =>
        map.Deserialize<OrganizationRecord>(WireJson.Options)!.ToDomain();

    private static Project? ReadProject(Neo4jResult result, JsonElement row)
    {
        var members = row[result.Field("members")];
        if (members.ValueKind != JsonValueKind.Array || members.GetArrayLength() == 0) return null;
        return new Project(
            row[result.Field("id")].GetString()!,
            NullableString(row[result.Field("title")]),
            row[result.Field("year")].GetInt32(),
            row[result.Field("sector")].GetString()!,
            NullableString(row[result.Field("subField")]),
            members.EnumerateArray().Select(m => new ProjectMember(m.GetProperty("org").GetString()!, Codes.ParseRole(m.GetProperty("role").GetString()))),
            NullableString(row[result.Field("summary")]),
            Strings(row[result.Field("keywords")]),
            ReadTopics(Strings(row[result.Field("topicCodes")]), Strings(row[result.Field("topicTitles")])));
    }

    private static List<string> Strings(JsonElement value) =>
        value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Select(v => v.GetString()!).ToList() : [];

    private static IEnumerable<ProjectTopic> ReadTopics(List<string> codes, List<string> titles) =>
        codes.Select((code, i) => new ProjectTopic(code, i < titles.Count && titles[i].Length > 0 ? titles[i] : null));

    private static List<Tie> ReadTies(Neo4jResult result)
    {
        int from = result.Field("from"), to = result.Field("to"), type = result.Field("type"), year = result.Field("year");
        return result.Rows.Select(row => new Tie(
            row[from].GetString()!,
            row[to].GetString()!,
            ParseRelationshipType(row[type].GetString()),
            row[year].ValueKind == JsonValueKind.Number ? row[year].GetInt32() : null)).ToList();
    }

    private static string? NullableString(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <summary>The outcome of <see cref="Neo4jGraphStore.VerifyAsync"/>: whether the store can be used, and a message for the log.</summary>
public sealed record Neo4jVerification(bool IsHealthy, string Message, string? ServerVersion) : StoreVerification(IsHealthy, Message);
