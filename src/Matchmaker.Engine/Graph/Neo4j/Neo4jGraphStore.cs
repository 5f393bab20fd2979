using System.Runtime.CompilerServices;
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
/// The Cypher is in <see cref="Neo4jStatements"/>, parameters are written by <see cref="Neo4jParameters"/>, rows read by
/// <see cref="Neo4jRows"/>, and batches written by <see cref="Neo4jBatchWriter"/>.
/// Behaves as <see cref="Sqlite.SqliteGraphStore"/> does: the same contract suite holds both.
/// </summary>
public sealed class Neo4jGraphStore : IGraphStore
{
    private readonly Neo4jQueryApi _api;
    private readonly Neo4jBatchWriter _writer;
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
        _writer = new Neo4jBatchWriter(_api);
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
            using var result = await _api.RunAsync(Neo4jStatements.Ping, null, Neo4jRetry.Idempotent, cancellationToken);
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
        using var awaited = await _api.RunAsync(Neo4jStatements.AwaitIndexes, w => w.WriteNumber("timeoutSeconds", timeout), Neo4jRetry.Idempotent, cancellationToken);
    }

    public async Task<Organization?> GetOrganizationAsync(string id, CancellationToken cancellationToken = default)
    {
        using var result = await _api.RunAsync(Neo4jStatements.GetOrganization, w => w.WriteString("id", id), Neo4jRetry.Idempotent, cancellationToken);
        return result.RowCount == 0 ? null : Neo4jRows.ReadOrganization(result.Single("organization"));
    }

    public async Task<OrganizationPage> SearchOrganizationsAsync(OrganizationQuery query, CancellationToken cancellationToken = default)
    {
        var search = OrganizationSearch.From(query);
        // One fixed statement whatever the filters: a filter not given is a null parameter ('$x IS NULL OR ...').
        using var result = await _api.RunAsync(Neo4jStatements.SearchOrganizations, w =>
        {
            w.WriteString("after", search.After ?? "");
            Neo4jParameters.WriteStringOrNull(w, "text", search.Text);
            Neo4jParameters.WriteStringOrNull(w, "kind", search.Kind);
            Neo4jParameters.WriteStringOrNull(w, "city", search.City);
            Neo4jParameters.WriteStringOrNull(w, "sector", search.Sector);
            Neo4jParameters.WriteStringOrNull(w, "subField", search.SubField);
            w.WriteNumber("limit", search.FetchSize);
        }, Neo4jRetry.Idempotent, cancellationToken);
        var column = result.Field("organization");
        return search.Page(result.Rows.Select(row => Neo4jRows.ReadOrganization(row[column])).ToList());
    }

    public async Task UpsertOrganizationAsync(Organization organization, CancellationToken cancellationToken = default)
    {
        // MERGE then SET of the whole record: repeating it changes nothing, so it may be retried.
        using var _ = await _api.RunAsync(Neo4jStatements.UpsertOrganizations, w => Neo4jParameters.WriteOrganizationRows(w, [organization], 0, 1),
            Neo4jRetry.Idempotent, cancellationToken);
    }

    public async Task<bool> CreateOrganizationAsync(Organization organization, CancellationToken cancellationToken = default)
    {
        try
        {
            // Not retried once sent: a retry of a create that was applied would meet its own organization.
            using var _ = await _api.RunAsync(Neo4jStatements.CreateOrganization, w => Neo4jParameters.WriteOrganizationRows(w, [organization], 0, 1),
                Neo4jRetry.IfNotApplied, cancellationToken);
            return true;
        }
        catch (GraphConflictException)
        {
            return false;
        }
    }

    public async Task<bool> DeleteOrganizationAsync(string id, CancellationToken cancellationToken = default)
    {
        using var result = await _api.RunAsync(Neo4jStatements.DeleteOrganization, w => w.WriteString("id", id), Neo4jRetry.IfNotApplied, cancellationToken);
        return result.Single("deleted").GetInt64() > 0;
    }

    public async Task<Project?> GetProjectAsync(string id, CancellationToken cancellationToken = default)
    {
        using var result = await _api.RunAsync(Neo4jStatements.GetProject, w => w.WriteString("id", id), Neo4jRetry.Idempotent, cancellationToken);
        return result.Rows.Select(row => Neo4jRows.ReadProject(result, row)).FirstOrDefault(p => p is not null);
    }

    public Task UpsertProjectAsync(Project project, CancellationToken cancellationToken = default) =>
        WriteAsync(new GraphBatch([], [project], []), cancellationToken);

    public async Task<bool> DeleteProjectAsync(string id, CancellationToken cancellationToken = default)
    {
        using var result = await _api.RunAsync(Neo4jStatements.DeleteProject, w => w.WriteString("id", id), Neo4jRetry.IfNotApplied, cancellationToken);
        return result.Single("deleted").GetInt64() > 0;
    }

    public Task UpsertTieAsync(Tie tie, CancellationToken cancellationToken = default) =>
        WriteAsync(new GraphBatch([], [], [tie]), cancellationToken);

    public async Task<bool> DeleteTieAsync(string from, string to, TieType type, CancellationToken cancellationToken = default)
    {
        using var result = await _api.RunAsync(Neo4jStatements.DeleteTies[type], w =>
        {
            w.WriteString("from", from);
            w.WriteString("to", to);
        }, Neo4jRetry.IfNotApplied, cancellationToken);
        return result.Single("deleted").GetInt64() > 0;
    }

    public async Task<IReadOnlyList<Tie>> GetTiesAsync(string organizationId, CancellationToken cancellationToken = default)
    {
        using var result = await _api.RunAsync(Neo4jStatements.GetTies, w => w.WriteString("id", organizationId), Neo4jRetry.Idempotent, cancellationToken);
        return Neo4jRows.ReadTies(result);
    }

    public async Task<ImportSummary> ImportAsync(GraphBatch batch, CancellationToken cancellationToken = default)
    {
        var duplicates = BatchChecks.Duplicates(batch);
        if (duplicates.Count > 0) throw new GraphImportException(duplicates.Take(GraphImportParser.MaxErrorsReported).ToList());
        await WriteAsync(batch, cancellationToken);
        return new ImportSummary(batch.Organizations.Count, batch.Projects.Count, batch.Ties.Count);
    }

    /// <summary>One explicit transaction with the reference check, bounded batches and commit; see <see cref="Neo4jBatchWriter"/>.</summary>
    private Task WriteAsync(GraphBatch batch, CancellationToken cancellationToken) => _writer.WriteAsync(batch, cancellationToken);

    public async IAsyncEnumerable<Organization> ExportOrganizationsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var after = "";
        while (true)
        {
            List<Organization> page;
            using (var result = await _api.RunAsync(Neo4jStatements.ExportOrganizations, w =>
            {
                w.WriteString("after", after);
                w.WriteNumber("pageSize", Options.ExportPageSize);
            }, Neo4jRetry.Idempotent, cancellationToken))
            {
                var column = result.Field("organization");
                page = result.Rows.Select(row => Neo4jRows.ReadOrganization(row[column])).ToList();
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
            using (var result = await _api.RunAsync(Neo4jStatements.ExportProjects, w =>
            {
                w.WriteString("after", after);
                w.WriteNumber("pageSize", Options.ExportPageSize);
            }, Neo4jRetry.Idempotent, cancellationToken))
            {
                rows = result.RowCount;
                var idColumn = result.Field("id");
                last = result.Rows.Select(row => row[idColumn].GetString()).LastOrDefault();
                // A project whose last member was deleted has no members left; it is not exported (as in SQLite).
                page = result.Rows.Select(row => Neo4jRows.ReadProject(result, row)).OfType<Project>().ToList();
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
            using (var result = await _api.RunAsync(Neo4jStatements.ExportTies, w =>
            {
                w.WriteString("afterFrom", afterFrom);
                w.WriteString("afterTo", afterTo);
                w.WriteString("afterType", afterType);
                w.WriteNumber("pageSize", Options.ExportPageSize);
            }, Neo4jRetry.Idempotent, cancellationToken))
            {
                page = Neo4jRows.ReadTies(result);
            }
            foreach (var tie in page) yield return tie;
            if (page.Count < Options.ExportPageSize) yield break;
            (afterFrom, afterTo, afterType) = (page[^1].From, page[^1].To, Neo4jStatements.RelationshipType(page[^1].Type));
        }
    }

    public async Task PingAsync(CancellationToken cancellationToken = default)
    {
        using var _ = await _api.RunAsync(Neo4jStatements.Probe, null, Neo4jRetry.Idempotent, cancellationToken);
    }

    public async Task<GraphCounts> CountAsync(CancellationToken cancellationToken = default)
    {
        using var result = await _api.RunAsync(Neo4jStatements.Count, null, Neo4jRetry.Idempotent, cancellationToken);
        return new GraphCounts(result.Single("organizations").GetInt64(), result.Single("projects").GetInt64(),
            result.Single("memberships").GetInt64(), result.Single("ties").GetInt64());
    }
}
