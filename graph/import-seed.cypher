// Loads the G60 demo graph from the JSON Lines seed files into Neo4j, by hand: paste into Neo4j Browser (or run
// with cypher-shell) after graph/schema.cypher. It writes the same model as the service's adapter, so the service
// reads the result as if it had imported it itself. The service's own path (GraphImportParser + ImportAsync) also
// validates every row; this script trusts the files.
//
// Needs APOC Core (bundled with Neo4j 5 under labs/, enabled on Aura): LOAD CSV cannot read JSON Lines, because every
// line is full of the double quotes that CSV treats as quoting. apoc.load.json reads a file of one JSON object per
// line and yields one row per line.
//
// Set where the files are first, then run the rest (every statement is idempotent: MERGE on ids):
//   :param seedBase => 'file:///'                   -- files copied into the server's import directory;
//                                                      needs apoc.import.file.enabled=true in apoc.conf
//   :param seedBase => 'https://example.org/seed/'  -- or any HTTP(S) URL that serves the three files (Aura)

// Organizations. searchText is the names and aliases, lower-cased and joined by U+001F, as the adapter writes it.
CALL apoc.load.json($seedBase + 'organizations.jsonl') YIELD value
WITH value, [x IN [value.nameZh, value.nameEn] + coalesce(value.aliases, []) WHERE x IS NOT NULL] AS names
MERGE (o:Organization {id: value.id})
SET o = {
  id: value.id,
  nameZh: value.nameZh,
  nameEn: value.nameEn,
  aliases: coalesce(value.aliases, []),
  kind: value.kind,
  city: value.city,
  sectors: coalesce(value.sectors, []),
  subFields: coalesce(value.subFields, []),
  capabilities: coalesce(value.capabilities, []),
  needs: coalesce(value.needs, []),
  description: value.description,
  employees: value.employees,
  illustrative: coalesce(value.illustrative, false),
  searchText: toLower(reduce(acc = '', name IN names | acc + CASE WHEN acc = '' THEN '' ELSE '\u001F' END + name))
};

// Projects, their texts and their members; a member's ordinal is its position in the list (the first member leads).
// Roles may be written as codes or as 产学研金用; they are stored as codes. Call topics become two aligned lists, codes
// and titles ('' for a topic without a title); empty lists are left out (null removes the property), as the adapter does.
CALL apoc.load.json($seedBase + 'projects.jsonl') YIELD value
WITH value, coalesce(value.keywords, []) AS keywords, coalesce(value.topics, []) AS topics
MERGE (p:Project {id: value.id})
SET p.title = value.title, p.year = value.year, p.sector = value.sector, p.subField = value.subField,
    p.summary = value.summary,
    p.keywords = CASE WHEN size(keywords) = 0 THEN null ELSE keywords END,
    p.topicCodes = CASE WHEN size(topics) = 0 THEN null ELSE [t IN topics | t.code] END,
    p.topicTitles = CASE WHEN size(topics) = 0 THEN null ELSE [t IN topics | coalesce(t.title, '')] END
WITH p, value
CALL (p) {
  MATCH (p)<-[old:MEMBER_OF]-(:Organization)
  DELETE old
}
WITH p, value
UNWIND range(0, size(value.members) - 1) AS ordinal
WITH p, ordinal, value.members[ordinal] AS member
MATCH (o:Organization {id: member.org})
CREATE (o)-[:MEMBER_OF {
  role: CASE trim(member.role)
    WHEN '产' THEN 'industry' WHEN '学' THEN 'academia' WHEN '研' THEN 'research'
    WHEN '金' THEN 'finance' WHEN '用' THEN 'user' WHEN '平台' THEN 'platform'
    ELSE toLower(trim(member.role)) END,
  ordinal: ordinal
}]->(p);

// Ties, one statement per relationship type (a type cannot be a parameter in Cypher 5).
CALL apoc.load.json($seedBase + 'ties.jsonl') YIELD value
WITH value WHERE value.type = 'hosted-by'
MATCH (a:Organization {id: value.from})
MATCH (b:Organization {id: value.to})
MERGE (a)-[r:HOSTED_BY]->(b)
SET r.year = value.year;

CALL apoc.load.json($seedBase + 'ties.jsonl') YIELD value
WITH value WHERE value.type = 'financed-by'
MATCH (a:Organization {id: value.from})
MATCH (b:Organization {id: value.to})
MERGE (a)-[r:FINANCED_BY]->(b)
SET r.year = value.year;

CALL apoc.load.json($seedBase + 'ties.jsonl') YIELD value
WITH value WHERE value.type = 'invested-in'
MATCH (a:Organization {id: value.from})
MATCH (b:Organization {id: value.to})
MERGE (a)-[r:INVESTED_IN]->(b)
SET r.year = value.year;

// What was loaded.
RETURN COUNT { (:Organization) } AS organizations,
       COUNT { (:Project) } AS projects,
       COUNT { (:Organization)-[:MEMBER_OF]->(:Project) } AS memberships,
       COUNT { (:Organization)-[:HOSTED_BY|FINANCED_BY|INVESTED_IN]->(:Organization) } AS ties;
