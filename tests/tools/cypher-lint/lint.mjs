// Lints Cypher statements with Neo4j's own parser and semantic analysis (@neo4j-cypher/language-support).
// Input on stdin:  {"statements": [{"name": "...", "cypher": "...", "parameters": {...}}], "versions": ["CYPHER 5", "CYPHER 25"]}
// Output on stdout: {"results": [{"name", "version", "elapsedMs", "diagnostics": [{"severity", "message", "line", "column"}]}], "errors": N, "elapsedMs": N}
// Severity follows the Language Server Protocol: 1 error, 2 warning, 3 information, 4 hint.
// Exit code: 0 when no statement has an error diagnostic, 1 otherwise, 2 when the input cannot be read.
import { lintCypherQuery } from '@neo4j-cypher/language-support';

const started = Date.now();
let input = '';
process.stdin.setEncoding('utf8');
for await (const chunk of process.stdin) input += chunk;

let request;
try {
  request = JSON.parse(input);
} catch (e) {
  process.stderr.write(`cypher-lint: stdin is not JSON: ${e.message}\n`);
  process.exit(2);
}
if (!Array.isArray(request?.statements)) {
  process.stderr.write('cypher-lint: expected {"statements": [{"name", "cypher", "parameters"}]}\n');
  process.exit(2);
}

const versions = Array.isArray(request.versions) && request.versions.length > 0 ? request.versions : ['CYPHER 5'];
const results = [];
let errors = 0;
for (const statement of request.statements) {
  for (const version of versions) {
    const t0 = Date.now();
    const { diagnostics } = lintCypherQuery(statement.cypher ?? '', {
      parameters: statement.parameters ?? {},
      defaultLanguage: version,
    });
    const mapped = diagnostics.map((d) => ({
      severity: d.severity,
      message: d.message,
      line: d.range.start.line + 1,
      column: d.range.start.character + 1,
    }));
    errors += mapped.filter((d) => d.severity === 1).length;
    results.push({ name: statement.name, version, elapsedMs: Date.now() - t0, diagnostics: mapped });
  }
}

process.stdout.write(JSON.stringify({ results, errors, elapsedMs: Date.now() - started }) + '\n');
process.exit(errors > 0 ? 1 : 0);
