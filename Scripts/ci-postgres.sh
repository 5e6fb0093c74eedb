#!/usr/bin/env bash
# Installs (from Debian), starts and prepares a local PostgreSQL for the CacheStores tests.
#
#   eval "$(Scripts/ci-postgres.sh)"     # exports LORASERVE_TEST_POSTGRES_URL
#
# Idempotent: a second run finds the package installed, the cluster running and the role and
# database present, and only prints the export line (about a second). Runs as root (CI) or as a
# user with sudo-less access to `runuser`; the server itself always runs as the `postgres` user.
# Progress goes to stderr; stdout carries only the `export ...` line.
#
# Settings (environment): LORASERVE_PG_PORT (5432), LORASERVE_PG_DB (loraserve_test),
# LORASERVE_PG_USER (loraserve), LORASERVE_PG_PASSWORD (loraserve), LORASERVE_PG_CLUSTER (main).
set -euo pipefail

PORT="${LORASERVE_PG_PORT:-5432}"
DB="${LORASERVE_PG_DB:-loraserve_test}"
ROLE="${LORASERVE_PG_USER:-loraserve}"
PASSWORD="${LORASERVE_PG_PASSWORD:-loraserve}"

log() { printf 'ci-postgres: %s\n' "$*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
    log "must run as root (installs packages and switches to the postgres user)"
    exit 1
fi

# 1. Install the Debian server package if missing (it brings pg_ctlcluster/pg_createcluster).
if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    log "installing postgresql from Debian"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
fi

# 2. Pick the newest installed major version and make sure a cluster exists on PORT.
VERSION="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
CLUSTER="${LORASERVE_PG_CLUSTER:-main}"
if ! pg_lsclusters -h 2>/dev/null | awk -v v="$VERSION" -v c="$CLUSTER" '$1==v && $2==c {found=1} END {exit !found}'; then
    log "creating cluster $VERSION/$CLUSTER on port $PORT"
    pg_createcluster --port "$PORT" "$VERSION" "$CLUSTER" >&2
fi
CLUSTER_PORT="$(pg_lsclusters -h | awk -v v="$VERSION" -v c="$CLUSTER" '$1==v && $2==c {print $3}')"
if [ "$CLUSTER_PORT" != "$PORT" ]; then
    log "cluster $VERSION/$CLUSTER listens on $CLUSTER_PORT (LORASERVE_PG_PORT=$PORT ignored)"
    PORT="$CLUSTER_PORT"
fi

# 3. Start it unless it is already up. pg_ctlcluster runs the server as `postgres`, so this is
#    safe as root and needs no systemd (containers).
if ! pg_lsclusters -h | awk -v v="$VERSION" -v c="$CLUSTER" '$1==v && $2==c && $4 ~ /online/ {found=1} END {exit !found}'; then
    log "starting cluster $VERSION/$CLUSTER"
    pg_ctlcluster "$VERSION" "$CLUSTER" start >&2
fi
for _ in $(seq 1 60); do
    if pg_isready -q -h 127.0.0.1 -p "$PORT"; then break; fi
    sleep 0.5
done
pg_isready -h 127.0.0.1 -p "$PORT" >&2

# 4. Role and database (idempotent). Password auth over TCP: Debian's pg_hba.conf allows
#    scram-sha-256 for 127.0.0.1, which PostgresNIO speaks.
psql_admin() { runuser -u postgres -- psql -p "$PORT" -v ON_ERROR_STOP=1 -qtA "$@"; }
if [ -z "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")" ]; then
    log "creating role $ROLE"
    psql_admin -c "CREATE ROLE \"$ROLE\" LOGIN PASSWORD '$PASSWORD'" >&2
else
    psql_admin -c "ALTER ROLE \"$ROLE\" LOGIN PASSWORD '$PASSWORD'" >&2
fi
# A second database for the cache API's tests: the store tests drop and recreate tables in the
# first one, and the two test suites run concurrently.
for D in "$DB" "${DB}_api"; do
    if [ -z "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$D'")" ]; then
        log "creating database $D"
        psql_admin -c "CREATE DATABASE \"$D\" OWNER \"$ROLE\"" >&2
    fi
done

URL="postgres://$ROLE:$PASSWORD@127.0.0.1:$PORT/$DB"
log "ready: $URL"
echo "export LORASERVE_TEST_POSTGRES_URL='$URL'"
echo "export LORASERVE_TEST_POSTGRES_API_URL='postgres://$ROLE:$PASSWORD@127.0.0.1:$PORT/${DB}_api'"
