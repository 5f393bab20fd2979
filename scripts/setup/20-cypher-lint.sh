#!/usr/bin/env bash
# The Cypher lint tests run Neo4j's own Cypher front end (npm @neo4j-cypher/language-support) on Node.
set -euo pipefail
cd "$(dirname "$0")/../../tests/tools/cypher-lint"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then echo "Node.js and npm are needed for the Cypher lint tests." >&2; exit 1; fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
if [ ! -d node_modules/@neo4j-cypher/language-support ] || [ package-lock.json -nt node_modules ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
