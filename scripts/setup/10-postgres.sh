#!/usr/bin/env bash
# The PostgreSQL tests start their own throwaway cluster from the machine's server binaries (initdb, pg_ctl).
# Install Debian's server package when no binaries are found (root only; otherwise say what is missing).
set -euo pipefail
for dir in ${MATCHMAKER_PG_BIN:-} /usr/lib/postgresql/*/bin; do
  if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then exit 0; fi
done
if [ "$(id -u)" -ne 0 ]; then
  echo "PostgreSQL server binaries (initdb, pg_ctl) are missing: install the postgresql package (15 or later) or set MATCHMAKER_PG_BIN." >&2
  exit 1
fi
echo "installing PostgreSQL server binaries (Debian package postgresql)" >&2
apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
