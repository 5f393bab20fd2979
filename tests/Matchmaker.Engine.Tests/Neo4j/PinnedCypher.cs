namespace Matchmaker.Engine.Tests.Neo4j;

/// <summary>
/// The Cypher the adapter must send, written out by hand: a change to one of the adapter's statements fails the wire
/// tests until the text here is changed too (and the Cypher linter test still checks the adapter's own texts).
/// </summary>
internal static class PinnedCypher
{
    public const string Ping = """
        CALL dbms.components() YIELD name, versions, edition
        RETURN name, versions[0] AS version, edition
        """;

    public const string AwaitIndexes = "CALL db.awaitIndexes($timeoutSeconds)";

    public const string GetOrganization = """
        MATCH (o:Organization {id: $id})
        RETURN o {.id, .nameZh, .nameEn, .aliases, .kind, .city, .sectors, .subFields, .capabilities, .needs, .description, .employees, .illustrative} AS organization
        """;

    public const string SearchOrganizations = """
        MATCH (o:Organization)
        WHERE o.id > $after
          AND ($text IS NULL OR o.searchText CONTAINS $text)
          AND ($kind IS NULL OR o.kind = $kind)
          AND ($city IS NULL OR o.city = $city)
          AND ($sector IS NULL OR $sector IN o.sectors)
          AND ($subField IS NULL OR $subField IN o.subFields)
        RETURN o {.id, .nameZh, .nameEn, .aliases, .kind, .city, .sectors, .subFields, .capabilities, .needs, .description, .employees, .illustrative} AS organization
        ORDER BY o.id
        LIMIT $limit
        """;

    public const string UpsertOrganizations = """
        UNWIND $rows AS row
        MERGE (o:Organization {id: row.id})
        SET o = row
        """;

    public const string DeleteOrganization = """
        MATCH (o:Organization {id: $id})
        DETACH DELETE o
        RETURN count(*) AS deleted
        """;

    public const string ExportOrganizations = """
        MATCH (o:Organization)
        WHERE o.id > $after
        RETURN o {.id, .nameZh, .nameEn, .aliases, .kind, .city, .sectors, .subFields, .capabilities, .needs, .description, .employees, .illustrative} AS organization
        ORDER BY o.id
        LIMIT $pageSize
        """;

    public const string GetProject = """
        MATCH (p:Project {id: $id})
        RETURN p.id AS id, p.title AS title, p.year AS year, p.sector AS sector, p.subField AS subField,
               p.summary AS summary, p.keywords AS keywords, p.topicCodes AS topicCodes, p.topicTitles AS topicTitles,
               COLLECT {
                 MATCH (o:Organization)-[m:MEMBER_OF]->(p)
                 RETURN {org: o.id, role: m.role} AS member ORDER BY m.ordinal
               } AS members
        """;

    public const string UpsertProjects = """
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
        """;

    public const string ExportProjects = """
        MATCH (p:Project)
        WHERE p.id > $after
        WITH p ORDER BY p.id LIMIT $pageSize
        RETURN p.id AS id, p.title AS title, p.year AS year, p.sector AS sector, p.subField AS subField,
               p.summary AS summary, p.keywords AS keywords, p.topicCodes AS topicCodes, p.topicTitles AS topicTitles,
               COLLECT {
                 MATCH (o:Organization)-[m:MEMBER_OF]->(p)
                 RETURN {org: o.id, role: m.role} AS member ORDER BY m.ordinal
               } AS members
        ORDER BY id
        """;

    public const string UpsertHostedBy = """
        UNWIND $rows AS row
        MATCH (a:Organization {id: row.from})
        MATCH (b:Organization {id: row.to})
        MERGE (a)-[r:HOSTED_BY]->(b)
        SET r.year = row.year
        RETURN count(*) AS written
        """;

    public const string UpsertFinancedBy = """
        UNWIND $rows AS row
        MATCH (a:Organization {id: row.from})
        MATCH (b:Organization {id: row.to})
        MERGE (a)-[r:FINANCED_BY]->(b)
        SET r.year = row.year
        RETURN count(*) AS written
        """;

    public const string UpsertInvestedIn = """
        UNWIND $rows AS row
        MATCH (a:Organization {id: row.from})
        MATCH (b:Organization {id: row.to})
        MERGE (a)-[r:INVESTED_IN]->(b)
        SET r.year = row.year
        RETURN count(*) AS written
        """;

    public const string DeleteFinancedBy = """
        MATCH (:Organization {id: $from})-[r:FINANCED_BY]->(:Organization {id: $to})
        DELETE r
        RETURN count(*) AS deleted
        """;

    public const string GetTies = """
        MATCH (:Organization {id: $id})-[r:HOSTED_BY|FINANCED_BY|INVESTED_IN]-(:Organization)
        RETURN startNode(r).id AS from, endNode(r).id AS to, type(r) AS type, r.year AS year
        ORDER BY from, to, type
        """;

    public const string ExportTies = """
        MATCH (a:Organization)-[r:HOSTED_BY|FINANCED_BY|INVESTED_IN]->(b:Organization)
        WHERE a.id >= $afterFrom
        WITH a.id AS from, b.id AS to, type(r) AS type, r.year AS year
        WHERE from > $afterFrom OR to > $afterTo OR (to = $afterTo AND type > $afterType)
        RETURN from, to, type, year
        ORDER BY from, to, type
        LIMIT $pageSize
        """;

    public const string MissingOrganizations = """
        UNWIND $ids AS id
        WITH id
        WHERE NOT EXISTS { MATCH (:Organization {id: id}) }
        RETURN collect(id) AS missing
        """;

    public const string Count = """
        RETURN COUNT { (:Organization) } AS organizations,
               COUNT { (:Project) } AS projects,
               COUNT { (:Organization)-[:MEMBER_OF]->(:Project) } AS memberships,
               COUNT { (:Organization)-[:HOSTED_BY|FINANCED_BY|INVESTED_IN]->(:Organization) } AS ties
        """;

    public const string Probe = "OPTIONAL MATCH (o:Organization) WITH o LIMIT 1 RETURN 1 AS one";

    /// <summary>graph/schema.cypher as the adapter runs it: comments gone, one request per statement, in file order.</summary>
    public static readonly string[] Schema =
    [
        """
        CREATE CONSTRAINT organization_id IF NOT EXISTS
        FOR (o:Organization) REQUIRE o.id IS UNIQUE
        """,
        """
        CREATE CONSTRAINT project_id IF NOT EXISTS
        FOR (p:Project) REQUIRE p.id IS UNIQUE
        """,
        """
        CREATE INDEX organization_kind_city IF NOT EXISTS
        FOR (o:Organization) ON (o.kind, o.city)
        """,
        """
        CREATE TEXT INDEX organization_search_text IF NOT EXISTS
        FOR (o:Organization) ON (o.searchText)
        """,
    ];
}
