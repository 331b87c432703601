#!/usr/bin/env bash
# Backs up VoiceAgent's database: one folder (mode 700, files 600) with
#   voiceagent.dump  pg_dump custom format (-Fc) of the whole database, key ring table data_protection_keys included
#   keyring.pfx      a copy of the key ring certificate, when it is known (never its password)
#   MANIFEST         time, PostgreSQL version, the newest applied migration, sha256 of each file (restore.sh checks them)
# By default it backs up the local cluster that run.sh manages (same data folder; a stopped cluster is started for the
# backup and stopped again). With --host it backs up any server instead; the password comes from PGPASSWORD (or ~/.pgpass).
# See RUNBOOK.md "Backup and restore".
set -euo pipefail
usage() {
  cat >&2 <<'EOF'
usage: deploy/local/backup.sh [--out DIR]
       deploy/local/backup.sh --host HOST [--port 5432] [--user voiceagent_owner] [--dbname voiceagent] [--keyring FILE] [--out DIR]
  --out DIR      the backup folder to create (must not exist or be empty); default: <data>/backups/voiceagent-<UTC time>
                 for the local cluster, ./voiceagent-backup-<UTC time> otherwise
  --keyring FILE the key ring certificate (DataProtection__Certificate__Path) to copy into the backup; the local
                 cluster's is <data>/keyring.pfx
  The password for --host comes from PGPASSWORD or ~/.pgpass, never from the command line.
EOF
  exit 2
}

HOST="" PORT=5432 USER_NAME=voiceagent_owner DBNAME=voiceagent OUT="" KEYRING_FILE=""
while [ $# -gt 0 ]; do
  case "$1" in
    --host) HOST=${2:?}; shift 2 ;;
    --port) PORT=${2:?}; shift 2 ;;
    --user) USER_NAME=${2:?}; shift 2 ;;
    --dbname) DBNAME=${2:?}; shift 2 ;;
    --out) OUT=${2:?}; shift 2 ;;
    --keyring) KEYRING_FILE=${2:?}; shift 2 ;;
    -h|--help) usage ;;
    *) echo "Unknown argument: $1" >&2; usage ;;
  esac
done

fail() { echo "Backup FAILED: $*" >&2; exit 1; }

START_DIR=$PWD
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=lib.sh
source "$ROOT/deploy/local/lib.sh"
PGBIN=$(pg_bindir) || fail "PostgreSQL client tools not found (apt-get install postgresql)."
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
[ -z "$OUT" ] || case "$OUT" in /*) ;; *) OUT="$START_DIR/$OUT" ;; esac
[ -z "$KEYRING_FILE" ] || case "$KEYRING_FILE" in /*) ;; *) KEYRING_FILE="$START_DIR/$KEYRING_FILE" ;; esac

STARTED_CLUSTER=0
TMP_OUT=""
cleanup() {
  [ -n "$TMP_OUT" ] && [ -d "$TMP_OUT" ] && rm -rf "$TMP_OUT"
  if [ "$STARTED_CLUSTER" -eq 1 ]; then
    local_cluster_stop
    echo "Stopped the local PostgreSQL again (it was not running before the backup)."
  fi
}
trap cleanup EXIT

if [ -z "$HOST" ]; then
  # The local cluster of run.sh: connect as its superuser with the password from credentials.env.
  local_data_dir "$ROOT"
  [ -d "$DATA" ] || fail "no local data folder $DATA (has deploy/local/run.sh ever run here?)."
  DATA=$(cd "$DATA" && pwd)
  PGDATA="$DATA/pg"
  [ -f "$DATA/credentials.env" ] || fail "$DATA/credentials.env is missing: the local cluster's passwords are unknown."
  [ -f "$PGDATA/PG_VERSION" ] || fail "no local PostgreSQL cluster in $PGDATA."
  # shellcheck disable=SC1091
  source "$DATA/credentials.env"
  if ! local_cluster_running; then
    echo "The local PostgreSQL is not running: starting it for the backup …"
    local_cluster_start
    STARTED_CLUSTER=1
  fi
  HOST=127.0.0.1 PORT=$PG_PORT USER_NAME=postgres DBNAME=voiceagent
  export PGPASSWORD="$PG_SUPER_PASSWORD"
  # run.sh creates the certificate on its first run; a cluster without one gets a warning below, not an error.
  if [ -z "$KEYRING_FILE" ] && [ -f "$DATA/keyring.pfx" ]; then KEYRING_FILE="$DATA/keyring.pfx"; fi
  [ -n "$OUT" ] || OUT="$DATA/backups/voiceagent-$STAMP"
  SOURCE="local cluster $PGDATA (127.0.0.1:$PG_PORT)"
  PASSWORD_HINT="KEYRING_PASSWORD in $DATA/credentials.env"
else
  [ -n "$OUT" ] || OUT="$START_DIR/voiceagent-backup-$STAMP"
  SOURCE="$HOST:$PORT as $USER_NAME"
  PASSWORD_HINT="the app's DataProtection__Certificate__Password"
fi

# Never prompt for a password (-w): a missing one is an error, not a hanging script.
psql_src() { psql -X -q -A -t -w -v ON_ERROR_STOP=1 -h "$HOST" -p "$PORT" -U "$USER_NAME" -d "$DBNAME" "$@"; }

if [ -e "$OUT" ] && [ -n "$(ls -A "$OUT" 2>/dev/null)" ]; then
  fail "$OUT exists and is not empty; choose another --out."
fi

echo "Backing up database $DBNAME from $SOURCE …"
SERVER_VERSION=$(psql_src -c "SELECT current_setting('server_version')" 2>&1) \
  || fail "cannot connect to $DBNAME on $HOST:$PORT as $USER_NAME: $SERVER_VERSION"
MIGRATION_HEAD=$(psql_src -c "SELECT coalesce(max(id), '(none)') FROM schema_migrations" 2>/dev/null) \
  || fail "$DBNAME has no schema_migrations table: is this a VoiceAgent database?"
MIGRATION_COUNT=$(psql_src -c "SELECT count(*) FROM schema_migrations")
INVOICES=$(psql_src -c "SELECT count(*) || ' issued, newest ' || coalesce((SELECT number FROM invoices WHERE number IS NOT NULL
  ORDER BY invoice_date DESC, number_seq DESC LIMIT 1), '-') FROM invoices WHERE number IS NOT NULL" 2>/dev/null || echo "unknown")
KEYS=$(psql_src -c "SELECT count(*) FROM data_protection_keys" 2>/dev/null || echo "unknown")

# Everything is written into a private temporary folder next to the target and renamed at the end: a failed backup
# leaves no half-written folder that looks like a backup.
umask 077
mkdir -p "$(dirname "$OUT")"
TMP_OUT=$(mktemp -d "$(dirname "$OUT")/.voiceagent-backup.XXXXXX")
chmod 700 "$TMP_OUT"

"$PGBIN/pg_dump" -w -h "$HOST" -p "$PORT" -U "$USER_NAME" -d "$DBNAME" -Fc -f "$TMP_OUT/voiceagent.dump" \
  || fail "pg_dump failed (see above)."
"$PGBIN/pg_restore" -l "$TMP_OUT/voiceagent.dump" >/dev/null || fail "the dump just written cannot be read back."

KEYRING_LINE="none (back up the key ring certificate separately: without it the key ring in the dump cannot be decrypted)"
if [ -n "$KEYRING_FILE" ] && [ -f "$KEYRING_FILE" ]; then
  cp "$KEYRING_FILE" "$TMP_OUT/keyring.pfx"
  KEYRING_LINE="keyring.pfx (copy of $KEYRING_FILE; its password is NOT in this backup: $PASSWORD_HINT)"
elif [ -n "$KEYRING_FILE" ]; then
  fail "the key ring certificate $KEYRING_FILE does not exist."
fi

{
  echo "# VoiceAgent backup (deploy/local/backup.sh); restore with deploy/local/restore.sh <this folder>"
  echo "created_at: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "source: $SOURCE"
  echo "database: $DBNAME"
  echo "postgresql_version: $SERVER_VERSION"
  echo "pg_dump_version: $("$PGBIN/pg_dump" --version)"
  echo "schema_migrations_head: $MIGRATION_HEAD"
  echo "schema_migrations_count: $MIGRATION_COUNT"
  echo "invoices: $INVOICES"
  echo "data_protection_keys: $KEYS"
  echo "keyring: $KEYRING_LINE"
  for f in voiceagent.dump keyring.pfx; do
    if [ -f "$TMP_OUT/$f" ]; then echo "sha256: $(cd "$TMP_OUT" && sha256sum "$f")"; fi
  done
} > "$TMP_OUT/MANIFEST"
chmod 600 "$TMP_OUT"/*

if [ -d "$OUT" ]; then rmdir "$OUT"; fi
mv "$TMP_OUT" "$OUT"
TMP_OUT=""
chmod 700 "$OUT"

echo "Backup written to $OUT:"
(cd "$OUT" && stat -c '  %n (%s bytes)' -- *)
echo "  PostgreSQL $SERVER_VERSION, migrations up to $MIGRATION_HEAD, invoices: $INVOICES"
if [ -f "$OUT/keyring.pfx" ]; then
  echo "The key ring certificate's password is not in the backup ($PASSWORD_HINT): keep it in your password store, apart from the dumps."
else
  echo "WARNING: no key ring certificate in this backup (pass --keyring FILE). Without it stored provider credentials and calendar tokens cannot be decrypted." >&2
fi
echo "Copy the folder off-site; it contains all tenants' data: protect it like a secret."
