using System.Runtime.CompilerServices;
using System.Text.Json;
using Matchmaker.Engine.Domain;
using Matchmaker.Engine.Import;
using Matchmaker.Engine.Migrations;
using Microsoft.Data.Sqlite;

namespace Matchmaker.Engine.Graph.Sqlite;

/// <summary>
/// The embedded graph store: one SQLite file in WAL mode. Organizations keep their full record as JSON beside
/// the columns that searches filter on; memberships and ties reference organizations with ON DELETE CASCADE,
/// so deleting an organization removes its ties in the same statement.
/// </summary>
public sealed class SqliteGraphStore : IGraphStore
{
    private readonly string _connectionString;
    private volatile bool _initialized;

    public SqliteGraphStore(string databasePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        DatabasePath = Path.GetFullPath(databasePath);
        _connectionString = SqliteFile.ConnectionString(DatabasePath, foreignKeys: true);
    }

    public string DatabasePath { get; }

    /// <summary>An embedded file has no server to reach: initializing it is its check (the file is created if missing).</summary>
    public Task<StoreVerification> VerifyAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(new StoreVerification(true, $"SQLite file {DatabasePath}"));

    /// <summary>Brings the file's graph tables to the latest migration (Migrations/Sqlite/Graph).</summary>
    public Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        SchemaMigrations.ApplySqlite(_connectionString, MigrationScope.Graph);
        _initialized = true;
        return Task.CompletedTask;
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        // Once the schema exists the file must be there. A pooled handle would keep reading (and writing into) a file
        // that was moved or deleted, and a fresh open would create an empty graph in its place: both would hide an
        // outage (a lost volume, a bad restore) behind wrong answers. A missing file is an unavailable store.
        if (_initialized && !File.Exists(DatabasePath))
        {
            SqliteConnection.ClearPool(connection);
            await connection.DisposeAsync();
            throw new GraphStoreUnavailableException($"The graph database '{Path.GetFileName(DatabasePath)}' is missing from its folder; the store is " +
                "unavailable until it is back.");
        }
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch (SqliteException e)
        {
            await connection.DisposeAsync();
            throw new GraphStoreUnavailableException($"The graph database '{Path.GetFileName(DatabasePath)}' cannot be opened: {e.Message}", e);
        }
    }

    public async Task<Organization?> GetOrganizationAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT record FROM organizations WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        var json = (string?)await command.ExecuteScalarAsync(cancellationToken);
        return json is null ? null : ReadOrganization(json);
    }

    public async Task<OrganizationPage> SearchOrganizationsAsync(OrganizationQuery query, CancellationToken cancellationToken = default)
    {
        var search = OrganizationSearch.From(query);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // Only the filters given go into the SQL; lists are stored as '|a|b|', so a whole code is found with its bars.
        var where = new List<string>();
        if (search.Text is not null)
        {
            where.Add("instr(search_text, $text) > 0");
            command.Parameters.AddWithValue("$text", search.Text);
        }
        if (search.Kind is not null)
        {
            where.Add("kind = $kind");
            command.Parameters.AddWithValue("$kind", search.Kind);
        }
        if (search.City is not null)
        {
            where.Add("city = $city");
            command.Parameters.AddWithValue("$city", search.City);
        }
        if (search.Sector is not null)
        {
            where.Add("instr(sectors, $sector) > 0");
            command.Parameters.AddWithValue("$sector", $"|{search.Sector}|");
        }
        if (search.SubField is not null)
        {
            where.Add("instr(sub_fields, $subField) > 0");
            command.Parameters.AddWithValue("$subField", $"|{search.SubField}|");
        }
        if (search.After is not null)
        {
            where.Add("id > $after");
            command.Parameters.AddWithValue("$after", search.After);
        }
        command.CommandText = $"""
            SELECT record FROM organizations
            {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")}
            ORDER BY id LIMIT $limit
            """;
        command.Parameters.AddWithValue("$limit", search.FetchSize);
        var items = new List<Organization>(search.FetchSize);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken)) items.Add(ReadOrganization(reader.GetString(0)));
        }
        return search.Page(items);
    }

    public async Task UpsertOrganizationAsync(Organization organization, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = UpsertOrganizationCommand(connection, null);
        BindOrganization(command, organization);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> CreateOrganizationAsync(Organization organization, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO organizations (id, kind, city, sectors, sub_fields, search_text, record)
            VALUES ($id, $kind, $city, $sectors, $subFields, $searchText, $record)
            ON CONFLICT (id) DO NOTHING
            """;
        foreach (var name in new[] { "$id", "$kind", "$city", "$sectors", "$subFields", "$searchText", "$record" })
        {
            command.Parameters.Add(name, SqliteType.Text);
        }
        BindOrganization(command, organization);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<bool> DeleteOrganizationAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM organizations WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<Project?> GetProjectAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT p.id, p.title, p.year, p.sector, p.sub_field, m.org_id, m.role, p.summary, p.keywords, p.topics
            FROM projects p LEFT JOIN project_members m ON m.project_id = p.id
            WHERE p.id = $id ORDER BY m.ordinal
            """;
        command.Parameters.AddWithValue("$id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await foreach (var project in ReadProjects(reader, cancellationToken)) return project;
        return null;
    }

    public Task UpsertProjectAsync(Project project, CancellationToken cancellationToken = default) =>
        WriteAsync(new GraphBatch([], [project], []), cancellationToken);

    public async Task<bool> DeleteProjectAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM projects WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public Task UpsertTieAsync(Tie tie, CancellationToken cancellationToken = default) =>
        WriteAsync(new GraphBatch([], [], [tie]), cancellationToken);

    public async Task<bool> DeleteTieAsync(string from, string to, TieType type, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM ties WHERE from_id = $from AND to_id = $to AND type = $type";
        command.Parameters.AddWithValue("$from", from);
        command.Parameters.AddWithValue("$to", to);
        command.Parameters.AddWithValue("$type", type.ToCode());
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<IReadOnlyList<Tie>> GetTiesAsync(string organizationId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT from_id, to_id, type, year FROM ties WHERE from_id = $id
            UNION ALL
            SELECT from_id, to_id, type, year FROM ties WHERE to_id = $id
            ORDER BY 1, 2, 3
            """;
        command.Parameters.AddWithValue("$id", organizationId);
        var ties = new List<Tie>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) ties.Add(ReadTie(reader));
        return ties;
    }

    public async Task<ImportSummary> ImportAsync(GraphBatch batch, CancellationToken cancellationToken = default)
    {
        var duplicates = BatchChecks.Duplicates(batch);
        if (duplicates.Count > 0) throw new GraphImportException(duplicates);
        await WriteAsync(batch, cancellationToken);
        return new ImportSummary(batch.Organizations.Count, batch.Projects.Count, batch.Ties.Count);
    }

    /// <summary>One transaction: references are checked inside it, and any failure rolls everything back.</summary>
    private async Task WriteAsync(GraphBatch batch, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var large = batch.RowCount > 10_000;
        if (large)
        {
            // Index pages of a large import are touched in random order (memberships by organization); with the
            // default 2 MiB page cache they thrash. The larger cache lives only as long as this import.
            await ExecuteAsync(connection, "PRAGMA cache_size = -262144", cancellationToken);
        }
        try
        {
            await WriteInTransactionAsync(connection, batch, cancellationToken);
        }
        finally
        {
            if (large) await ExecuteAsync(connection, "PRAGMA cache_size = -2000", CancellationToken.None);
        }
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task WriteInTransactionAsync(SqliteConnection connection, GraphBatch batch, CancellationToken cancellationToken)
    {
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);

        var inBatch = new HashSet<string>(batch.Organizations.Select(o => o.Id), StringComparer.Ordinal);
        var known = new Dictionary<string, bool>(StringComparer.Ordinal);
        await using (var exists = connection.CreateCommand())
        {
            exists.Transaction = transaction;
            exists.CommandText = "SELECT 1 FROM organizations WHERE id = $id";
            var idParameter = exists.Parameters.Add("$id", SqliteType.Text);
            bool Exists(string id)
            {
                if (inBatch.Contains(id)) return true;
                if (known.TryGetValue(id, out var found)) return found;
                idParameter.Value = id;
                found = exists.ExecuteScalar() is not null;
                known[id] = found;
                return found;
            }
            var referenceErrors = BatchChecks.References(batch, Exists);
            if (referenceErrors.Count > 0) throw new GraphImportException(referenceErrors.Take(GraphImportParser.MaxErrorsReported).ToList());
        }

        if (batch.Organizations.Count > 0)
        {
            await using var upsert = UpsertOrganizationCommand(connection, transaction);
            foreach (var organization in batch.Organizations)
            {
                cancellationToken.ThrowIfCancellationRequested();
                BindOrganization(upsert, organization);
                await upsert.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        if (batch.Projects.Count > 0)
        {
            await using var project = connection.CreateCommand();
            project.Transaction = transaction;
            project.CommandText = """
                INSERT INTO projects (id, title, year, sector, sub_field, summary, keywords, topics)
                VALUES ($id, $title, $year, $sector, $subField, $summary, $keywords, $topics)
                ON CONFLICT (id) DO UPDATE SET title = excluded.title, year = excluded.year, sector = excluded.sector, sub_field = excluded.sub_field,
                    summary = excluded.summary, keywords = excluded.keywords, topics = excluded.topics
                """;
            var pId = project.Parameters.Add("$id", SqliteType.Text);
            var pTitle = project.Parameters.Add("$title", SqliteType.Text);
            var pYear = project.Parameters.Add("$year", SqliteType.Integer);
            var pSector = project.Parameters.Add("$sector", SqliteType.Text);
            var pSub = project.Parameters.Add("$subField", SqliteType.Text);
            var pSummary = project.Parameters.Add("$summary", SqliteType.Text);
            var pKeywords = project.Parameters.Add("$keywords", SqliteType.Text);
            var pTopics = project.Parameters.Add("$topics", SqliteType.Text);
            await using var clear = connection.CreateCommand();
            clear.Transaction = transaction;
            clear.CommandText = "DELETE FROM project_members WHERE project_id = $id";
            var cId = clear.Parameters.Add("$id", SqliteType.Text);
            await using var member = connection.CreateCommand();
            member.Transaction = transaction;
            member.CommandText = "INSERT INTO project_members (project_id, org_id, role, ordinal) VALUES ($project, $org, $role, $ordinal)";
            var mProject = member.Parameters.Add("$project", SqliteType.Text);
            var mOrg = member.Parameters.Add("$org", SqliteType.Text);
            var mRole = member.Parameters.Add("$role", SqliteType.Text);
            var mOrdinal = member.Parameters.Add("$ordinal", SqliteType.Integer);
            foreach (var p in batch.Projects)
            {
                cancellationToken.ThrowIfCancellationRequested();
                pId.Value = p.Id;
                pTitle.Value = (object?)p.Title ?? DBNull.Value;
                pYear.Value = p.Year;
                pSector.Value = p.Sector;
                pSub.Value = (object?)p.SubField ?? DBNull.Value;
                pSummary.Value = (object?)p.Summary ?? DBNull.Value;
                pKeywords.Value = p.Keywords.Count == 0 ? DBNull.Value : JsonSerializer.Serialize(p.Keywords, WireJson.Options);
                pTopics.Value = p.Topics.Count == 0 ? DBNull.Value
                    : JsonSerializer.Serialize(p.Topics.Select(t => new ProjectTopicRecord { Code = t.Code, Title = t.Title }).ToList(), WireJson.Options);
                await project.ExecuteNonQueryAsync(cancellationToken);
                cId.Value = p.Id;
                await clear.ExecuteNonQueryAsync(cancellationToken);
                for (var i = 0; i < p.Members.Count; i++)
                {
                    mProject.Value = p.Id;
                    mOrg.Value = p.Members[i].OrganizationId;
                    mRole.Value = p.Members[i].Role.ToCode();
                    mOrdinal.Value = i;
                    await member.ExecuteNonQueryAsync(cancellationToken);
                }
            }
        }

        if (batch.Ties.Count > 0)
        {
            await using var tie = connection.CreateCommand();
            tie.Transaction = transaction;
            tie.CommandText = """
                INSERT INTO ties (from_id, to_id, type, year) VALUES ($from, $to, $type, $year)
                ON CONFLICT (from_id, to_id, type) DO UPDATE SET year = excluded.year
                """;
            var tFrom = tie.Parameters.Add("$from", SqliteType.Text);
            var tTo = tie.Parameters.Add("$to", SqliteType.Text);
            var tType = tie.Parameters.Add("$type", SqliteType.Text);
            var tYear = tie.Parameters.Add("$year", SqliteType.Integer);
            foreach (var t in batch.Ties)
            {
                cancellationToken.ThrowIfCancellationRequested();
                tFrom.Value = t.From;
                tTo.Value = t.To;
                tType.Value = t.Type.ToCode();
                tYear.Value = (object?)t.Year ?? DBNull.Value;
                await tie.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async IAsyncEnumerable<Organization> ExportOrganizationsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT record FROM organizations ORDER BY id";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) yield return ReadOrganization(reader.GetString(0));
    }

    public async IAsyncEnumerable<Project> ExportProjectsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT p.id, p.title, p.year, p.sector, p.sub_field, m.org_id, m.role, p.summary, p.keywords, p.topics
            FROM projects p LEFT JOIN project_members m ON m.project_id = p.id
            ORDER BY p.id, m.ordinal
            """;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await foreach (var project in ReadProjects(reader, cancellationToken)) yield return project;
    }

    public async IAsyncEnumerable<Tie> ExportTiesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT from_id, to_id, type, year FROM ties ORDER BY from_id, to_id, type";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) yield return ReadTie(reader);
    }

    public async Task PingAsync(CancellationToken cancellationToken = default)
    {
        // Opening checks that the file is still in its folder; one row of one table proves it is the graph's file.
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1 FROM organizations LIMIT 1";
        try
        {
            await command.ExecuteScalarAsync(cancellationToken);
        }
        catch (SqliteException e)
        {
            throw new GraphStoreUnavailableException($"The graph database '{Path.GetFileName(DatabasePath)}' cannot be read: {e.Message}", e);
        }
    }

    public async Task<GraphCounts> CountAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT (SELECT count(*) FROM organizations), (SELECT count(*) FROM projects),
                   (SELECT count(*) FROM project_members), (SELECT count(*) FROM ties)
            """;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new GraphCounts(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
    }

    private static SqliteCommand UpsertOrganizationCommand(SqliteConnection connection, SqliteTransaction? transaction)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO organizations (id, kind, city, sectors, sub_fields, search_text, record)
            VALUES ($id, $kind, $city, $sectors, $subFields, $searchText, $record)
            ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, city = excluded.city, sectors = excluded.sectors,
                sub_fields = excluded.sub_fields, search_text = excluded.search_text, record = excluded.record
            """;
        foreach (var name in new[] { "$id", "$kind", "$city", "$sectors", "$subFields", "$searchText", "$record" })
        {
            command.Parameters.Add(name, SqliteType.Text);
        }
        return command;
    }

    private static void BindOrganization(SqliteCommand command, Organization o)
    {
        command.Parameters["$id"].Value = o.Id;
        command.Parameters["$kind"].Value = o.Kind.ToCode();
        command.Parameters["$city"].Value = o.City;
        command.Parameters["$sectors"].Value = "|" + string.Join('|', o.Sectors) + "|";
        command.Parameters["$subFields"].Value = "|" + string.Join('|', o.SubFields) + "|";
        command.Parameters["$searchText"].Value = o.SearchText;
        command.Parameters["$record"].Value = JsonSerializer.Serialize(OrganizationRecord.FromDomain(o), WireJson.Options);
    }

    private static Organization ReadOrganization(string json) =>
        JsonSerializer.Deserialize<OrganizationRecord>(json, WireJson.Options)!.ToDomain();

    private static Tie ReadTie(SqliteDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), Codes.ParseTieType(reader.GetString(2)), reader.IsDBNull(3) ? null : reader.GetInt32(3));

    /// <summary>Rows of one project per member (columns: id, title, year, sector, sub_field, org_id, role, summary, keywords, topics), in project order.</summary>
    private static async IAsyncEnumerable<Project> ReadProjects(SqliteDataReader reader, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? id = null;
        string? title = null, sector = null, subField = null, summary = null, keywords = null, topics = null;
        var year = 0;
        var members = new List<ProjectMember>();
        Project Build() => new(id!, title, year, sector!, subField, members, summary,
            keywords is null ? null : JsonSerializer.Deserialize<List<string>>(keywords, WireJson.Options),
            topics is null ? null : JsonSerializer.Deserialize<List<ProjectTopicRecord>>(topics, WireJson.Options)!.Select(t => new ProjectTopic(t.Code!, t.Title)));
        while (await reader.ReadAsync(cancellationToken))
        {
            var rowId = reader.GetString(0);
            if (id is not null && rowId != id)
            {
                // A project whose last member was deleted has no members left; it is not exported.
                if (members.Count > 0) yield return Build();
                members = [];
            }
            id = rowId;
            title = reader.IsDBNull(1) ? null : reader.GetString(1);
            year = reader.GetInt32(2);
            sector = reader.GetString(3);
            subField = reader.IsDBNull(4) ? null : reader.GetString(4);
            if (!reader.IsDBNull(5)) members.Add(new ProjectMember(reader.GetString(5), Codes.ParseRole(reader.GetString(6))));
            summary = reader.IsDBNull(7) ? null : reader.GetString(7);
            keywords = reader.IsDBNull(8) ? null : reader.GetString(8);
            topics = reader.IsDBNull(9) ? null : reader.GetString(9);
        }
        if (id is not null && members.Count > 0) yield return Build();
    }
}
