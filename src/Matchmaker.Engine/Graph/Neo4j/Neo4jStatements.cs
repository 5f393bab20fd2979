using Matchmaker.Engine.Domain;

namespace Matchmaker.Engine.Graph.Neo4j;

/// <summary>
/// The Cypher of <see cref="Neo4jGraphStore"/>: fixed texts with names, every value a parameter, so that the server
/// caches each plan once and the linter test can check every statement the adapter can send.
/// </summary>
public static class Neo4jStatements
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
    public static IReadOnlyList<Neo4jStatement> All { get; } =
    [
        Ping, AwaitIndexes, GetOrganization, SearchOrganizations, UpsertOrganizations, CreateOrganization, DeleteOrganization, ExportOrganizations,
        GetProject, UpsertProjects, DeleteProject, ExportProjects, .. UpsertTies.Values, .. DeleteTies.Values, GetTies, ExportTies,
        MissingOrganizations, Count, Probe,
    ];

    /// <summary>HOSTED_BY for hosted-by: the relationship type of a tie type.</summary>
    internal static string RelationshipType(TieType type) => type.ToCode().Replace('-', '_').ToUpperInvariant();
}
