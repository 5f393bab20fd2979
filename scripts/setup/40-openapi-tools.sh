#!/usr/bin/env bash
# The OpenAPI tests lint the served document with Redocly CLI (recommended rules) and compile a typed client generated
# from it (openapi-typescript, openapi-fetch, TypeScript) on Node: npm packages pinned in tests/tools/openapi.
set -euo pipefail
cd "$(dirname "$0")/../../tests/tools/openapi"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then echo "Node.js and npm are needed for the OpenAPI lint and client tests." >&2; exit 1; fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
if [ ! -d node_modules/@redocly/cli ] || [ ! -d node_modules/openapi-typescript ] || [ package-lock.json -nt node_modules ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
