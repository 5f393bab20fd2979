using Matchmaker.Engine.Domain;

namespace Matchmaker.Engine.Graph;

/// <summary>
/// The system of record for organizations, projects and ties. Two adapters implement it (SQLite embedded,
/// Neo4j in production) and one contract test suite holds both to the same behaviour.
/// The engine never asks it pair by pair: it exports everything into a <see cref="GraphSnapshot"/>.
/// </summary>
public interface IGraphStore
{
    /// <summary>
    /// The start-up check, before <see cref="InitializeAsync"/>: whether the store can be used at all (a server is
    /// reachable, accepts the credentials, is recent enough). Never throws for those reasons; the message says what is wrong.
    /// </summary>
    Task<StoreVerification> VerifyAsync(CancellationToken cancellationToken = default);

    /// <summary>Creates the schema if missing. Idempotent.</summary>
    Task InitializeAsync(CancellationToken cancellationToken = default);

    Task<Organization?> GetOrganizationAsync(string id, CancellationToken cancellationToken = default);

    Task<OrganizationPage> SearchOrganizationsAsync(OrganizationQuery query, CancellationToken cancellationToken = default);

    /// <summary>Creates or replaces the organization. Its projects and ties are kept.</summary>
    Task UpsertOrganizationAsync(Organization organization, CancellationToken cancellationToken = default);

    /// <summary>Creates the organization if no organization has its id, in one step (of two concurrent creates one wins). False when the id is taken.</summary>
    Task<bool> CreateOrganizationAsync(Organization organization, CancellationToken cancellationToken = default);

    /// <summary>Deletes the organization with its project memberships and ties. False when it did not exist.</summary>
    Task<bool> DeleteOrganizationAsync(string id, CancellationToken cancellationToken = default);

    Task<Project?> GetProjectAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Creates or replaces a project and its member list. Throws <see cref="GraphImportException"/> when a member does not exist.</summary>
    Task UpsertProjectAsync(Project project, CancellationToken cancellationToken = default);

    Task<bool> DeleteProjectAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Creates or replaces a tie. Throws <see cref="GraphImportException"/> when an endpoint does not exist.</summary>
    Task UpsertTieAsync(Tie tie, CancellationToken cancellationToken = default);

    Task<bool> DeleteTieAsync(string from, string to, TieType type, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<Tie>> GetTiesAsync(string organizationId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes a whole batch atomically: either every row is written or none is. References (project members,
    /// tie endpoints) may point to organizations in the batch or already stored. On any bad row it throws
    /// <see cref="GraphImportException"/> naming each bad row and field, and the store is unchanged.
    /// </summary>
    Task<ImportSummary> ImportAsync(GraphBatch batch, CancellationToken cancellationToken = default);

    /// <summary>Streams every organization, ordered by id, without loading them all at once.</summary>
    IAsyncEnumerable<Organization> ExportOrganizationsAsync(CancellationToken cancellationToken = default);

    /// <summary>Streams every project with its members, ordered by id.</summary>
    IAsyncEnumerable<Project> ExportProjectsAsync(CancellationToken cancellationToken = default);

    /// <summary>Streams every tie, ordered by (from, to, type).</summary>
    IAsyncEnumerable<Tie> ExportTiesAsync(CancellationToken cancellationToken = default);

    Task<GraphCounts> CountAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// The cheapest question that proves the store answers (readiness probes ask it every few seconds): one row at
    /// most, no count. Throws <see cref="GraphStoreUnavailableException"/> as the other calls do.
    /// </summary>
    Task PingAsync(CancellationToken cancellationToken = default) => CountAsync(cancellationToken);
}

public sealed record GraphCounts(long Organizations, long Projects, long Memberships, long Ties);

public sealed record ImportSummary(int Organizations, int Projects, int Ties);

/// <summary>A validated batch of domain objects to import in one transaction.</summary>
public sealed record GraphBatch(
    IReadOnlyList<Organization> Organizations,
    IReadOnlyList<Project> Projects,
    IReadOnlyList<Tie> Ties)
{
    public static GraphBatch Empty { get; } = new([], [], []);
    public int RowCount => Organizations.Count + Projects.Count + Ties.Count;
}

/// <summary>Search over names and aliases (Chinese or English, substring, case-insensitive) with filters.</summary>
public sealed record OrganizationQuery
{
    public const int MaxPageSize = 200;

    public string? Text { get; init; }
    public OrganizationKind? Kind { get; init; }
    public string? Sector { get; init; }
    public string? SubField { get; init; }
    public string? City { get; init; }
    /// <summary>Keyset cursor: the last id of the previous page; results are ordered by id.</summary>
    public string? After { get; init; }
    public int Limit { get; init; } = 20;
}

public sealed record OrganizationPage(IReadOnlyList<Organization> Items, string? NextCursor);

/// <summary>One reason a row was refused: which section, which row (0-based), which field, and why.</summary>
public sealed record ImportError(string Section, int Row, string Field, string Reason)
{
    public override string ToString() => $"{Section}[{Row}].{Field}: {Reason}";
}

/// <summary>A batch or a write was refused; nothing was written. <see cref="Errors"/> names every bad row and field.</summary>
public sealed class GraphImportException(IReadOnlyList<ImportError> errors)
    : Exception(errors.Count == 1 ? $"Refused: {errors[0]}" : $"Refused: {errors.Count} bad rows, first {errors[0]}")
{
    public IReadOnlyList<ImportError> Errors { get; } = errors;
}

/// <summary>The store cannot be reached or refused the request for a reason outside the caller's control.</summary>
public sealed class GraphStoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
