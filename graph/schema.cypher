// Schema of the Matchmaker organization graph (Neo4j 5.26+ or Aura).
// Idempotent: every command says IF NOT EXISTS, so it runs on every start of the service (Neo4jGraphStore.InitializeAsync)
// and can be pasted into Neo4j Browser or cypher-shell as it is. Statements end with ';'.
//
// Model:
//   (:Organization {id, nameZh, nameEn, aliases, kind, city, sectors, subFields, capabilities, needs, description,
//                   employees, illustrative, searchText})
//   (:Project {id, title, year, sector, subField, summary, keywords, topicCodes, topicTitles})
//     keywords: list of strings; call topics as two aligned lists (a property cannot hold maps, a list cannot hold
//     null: a topic without a title has '' in topicTitles). A text the project lacks is no property at all.
//   (:Organization)-[:MEMBER_OF {role, ordinal}]->(:Project)
//   (:Organization)-[:HOSTED_BY|FINANCED_BY|INVESTED_IN {year}]->(:Organization)

// Unique ids. Each constraint owns a range index on id that serves MERGE, lookups and the keyset paging of exports
// (WHERE o.id > $after ORDER BY o.id LIMIT $pageSize).
CREATE CONSTRAINT organization_id IF NOT EXISTS
FOR (o:Organization) REQUIRE o.id IS UNIQUE;

CREATE CONSTRAINT project_id IF NOT EXISTS
FOR (p:Project) REQUIRE p.id IS UNIQUE;

// Search filters: kind and city together, as the API filters them.
CREATE INDEX organization_kind_city IF NOT EXISTS
FOR (o:Organization) ON (o.kind, o.city);

// Names and aliases, lower-cased and joined by U+001F: a text index answers CONTAINS.
CREATE TEXT INDEX organization_search_text IF NOT EXISTS
FOR (o:Organization) ON (o.searchText);
