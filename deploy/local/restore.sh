#!/usr/bin/env bash
# Restores a backup of deploy/local/backup.sh into a fresh database:
#   1. checks the sha256 of every file against the MANIFEST (a damaged or altered backup is refused before anything changes);
#   2. restores the dump into a new database (<dbname>_restoring) owned by the owner role: objects are re-created as that
#      role and the dump's own owners and grants are ignored (--no-owner --no-acl), so the role names may differ from the
#      source's; then the app role gets the grants `voiceagent db migrate` gives it (DML only; row-level security applies);
#   3. only then puts the new database in place under <dbname>. An existing, non-empty database is never overwritten
#      without --force; with --force it is kept, renamed to <dbname>_replaced_<UTC time>;
#   4. puts the key ring certificate back, when the backup has one.
# By default into the local cluster that run.sh manages (created and started if missing, stopped again afterwards if it
# was not running); with --host into any server, as a superuser whose password comes from PGPASSWORD (or ~/.pgpass).
# Stop the app (run.sh) before restoring. See RUNBOOK.md "Backup and restore".
set -euo pipefail
usage() {
  cat >&2 <<'EOF'
usage: deploy/local/restore.sh BACKUP_DIR [--force]
       deploy/local/restore.sh BACKUP_DIR --host HOST [--port 5432] [--superuser postgres] [--owner-role voiceagent_owner]
                               [--app-role voiceagent_app] [--dbname voiceagent] [--keyring-to FILE] [--force]
  --force           replace a non-empty database (the old one is kept as <dbname>_replaced_<time>)
  --keyring-to FILE where to put the backup's key ring certificate (DataProtection__Certificate__Path); the local
                    cluster's is <data>/keyring.pfx
  The roles must exist on a --host server (RUNBOOK "Deploy", step 2). The superuser's password comes from PGPASSWORD or
  ~/.pgpass. Restoring the local key ring needs its password: KEYRING_PASSWORD in <data>/credentials.env or, on a new
  machine, in the environment (it is then written to credentials.env).
EOF
  exit 2
}

BACKUP="" HOST="" PORT=5432 SUPERUSER=postgres OWNER_ROLE=voiceagent_owner APP_ROLE=voiceagent_app DBNAME=voiceagent
KEYRING_TO="" FORCE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --host) HOST=${2:?}; shift 2 ;;
    --port) PORT=${2:?}; shift 2 ;;
    --superuser) SUPERUSER=${2:?}; shift 2 ;;
    --owner-role) OWNER_ROLE=${2:?}; shift 2 ;;
    --app-role) APP_ROLE=${2:?}; shift 2 ;;
    --dbname) DBNAME=${2:?}; shift 2 ;;
    --keyring-to) KEYRING_TO=${2:?}; shift 2 ;;
    --force) FORCE=1; shift ;;
    -h|--help) usage ;;
    -*) echo "Unknown option: $1" >&2; usage ;;
    *) [ -z "$BACKUP" ] || usage; BACKUP=$1; shift ;;
  esac
done
[ -n "$BACKUP" ] || usage

fail() { echo "Restore FAILED: $*" >&2; exit 1; }

START_DIR=$PWD
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=lib.sh
source "$ROOT/deploy/local/lib.sh"
case "$BACKUP" in /*) ;; *) BACKUP="$START_DIR/$BACKUP" ;; esac
[ -z "$KEYRING_TO" ] || case "$KEYRING_TO" in /*) ;; *) KEYRING_TO="$START_DIR/$KEYRING_TO" ;; esac
STAMP=$(date -u +%Y%m%dT%H%M%SZ)

# Role and database names go into SQL: the same rule as the migrator's (lower-case letters, digits, underscores).
for name in "$OWNER_ROLE" "$APP_ROLE" "$DBNAME" "$SUPERUSER"; do
  [[ "$name" =~ ^[a-z_][a-z0-9_]{0,62}$ ]] || fail "invalid name '$name' (lower-case letters, digits and _ only)."
done
[ "$OWNER_ROLE" != "$APP_ROLE" ] || fail "the owner role and the app role must differ (row-level security does not apply to the owner)."

# --- 1. The backup: complete and unaltered ------------------------------------------------------------------------------
[ -d "$BACKUP" ] || fail "$BACKUP is not a folder."
[ -f "$BACKUP/MANIFEST" ] || fail "$BACKUP has no MANIFEST: not a backup of deploy/local/backup.sh."
[ -f "$BACKUP/voiceagent.dump" ] || fail "$BACKUP has no voiceagent.dump."
SUMS=$(sed -n 's/^sha256: //p' "$BACKUP/MANIFEST")
grep -qE '^[0-9a-f]{64}  voiceagent\.dump$' <<<"$SUMS" || fail "the MANIFEST lists no checksum for voiceagent.dump."
if [ -f "$BACKUP/keyring.pfx" ]; then
  grep -qE '^[0-9a-f]{64}  keyring\.pfx$' <<<"$SUMS" || fail "the MANIFEST lists no checksum for keyring.pfx."
fi
if ! CHECK=$(cd "$BACKUP" && sha256sum --check --strict <<<"$SUMS" 2>&1); then
  echo "$CHECK" | grep -v ': OK$' | sed 's/^/  /' >&2
  fail "checksum mismatch: the backup in $BACKUP is damaged or was altered (sha256 differs from its MANIFEST). Nothing was changed."
fi
echo "Checksums of $BACKUP match its MANIFEST."
PGBIN=$(pg_bindir) || fail "PostgreSQL tools not found (apt-get install postgresql)."
"$PGBIN/pg_restore" -l "$BACKUP/voiceagent.dump" >/dev/null 2>&1 || fail "$BACKUP/voiceagent.dump is not a readable pg_dump archive."
HAS_KEYRING=0
[ -f "$BACKUP/keyring.pfx" ] && HAS_KEYRING=1

STARTED_CLUSTER=0
cleanup() {
  if [ "$STARTED_CLUSTER" -eq 1 ]; then
    local_cluster_stop
    echo "Stopped the local PostgreSQL again (it was not running before the restore)."
  fi
}
trap cleanup EXIT

# --- 2. The target server -------------------------------------------------------------------------------------------------
NEW_KEYRING_PASSWORD=""
if [ -z "$HOST" ]; then
  GIVEN_KEYRING_PASSWORD=${KEYRING_PASSWORD:-}
  local_data_dir "$ROOT"
  [ "$(id -u)" -ne 0 ] || id postgres >/dev/null 2>&1 || fail "no 'postgres' system user: apt-get install postgresql."
  local_data_create
  local_credentials
  [ -n "$KEYRING_TO" ] || KEYRING_TO="$DATA/keyring.pfx"
  if [ "$HAS_KEYRING" -eq 1 ]; then
    # run.sh replaces a key ring certificate it has no password for with a new one: the backup's certificate is only
    # put back together with a password that opens it. Checked before anything changes.
    command -v openssl >/dev/null || ensure_packages openssl
    opens() { KRPW="$1" openssl pkcs12 -in "$BACKUP/keyring.pfx" -noout -passin env:KRPW >/dev/null 2>&1; }
    FILE_KEYRING_PASSWORD=$(sed -n 's/^KEYRING_PASSWORD=//p' "$CREDS" | tail -n 1)
    if [ -n "$GIVEN_KEYRING_PASSWORD" ] && opens "$GIVEN_KEYRING_PASSWORD"; then
      [ "$GIVEN_KEYRING_PASSWORD" = "$FILE_KEYRING_PASSWORD" ] || NEW_KEYRING_PASSWORD=$GIVEN_KEYRING_PASSWORD
    elif [ -n "$FILE_KEYRING_PASSWORD" ] && opens "$FILE_KEYRING_PASSWORD"; then
      :
    else
      fail "the backup's key ring certificate does not open with KEYRING_PASSWORD (from the environment or $CREDS). Run again with
  KEYRING_PASSWORD=… (the password kept with the backups' secrets, not in the backup) in the environment. No database was changed."
    fi
  fi
  local_cluster_init
  if ! local_cluster_running; then
    local_cluster_start
    STARTED_CLUSTER=1
  fi
  local_roles
  HOST=127.0.0.1 PORT=$PG_PORT SUPERUSER=postgres OWNER_ROLE=voiceagent_owner APP_ROLE=voiceagent_app DBNAME=voiceagent
  export PGPASSWORD="$PG_SUPER_PASSWORD"
  TARGET="the local cluster $PGDATA (127.0.0.1:$PG_PORT)"
else
  TARGET="$HOST:$PORT"
fi

# psql as the superuser; -w: never prompt (a missing password is an error, not a hanging script).
# Notices ("does not exist, skipping") are not news here.
psql_super() { PGOPTIONS='-c client_min_messages=warning' psql -X -q -A -t -w -v ON_ERROR_STOP=1 -h "$HOST" -p "$PORT" -U "$SUPERUSER" "$@"; }

VERSION=$(psql_super -d postgres -c "SELECT current_setting('server_version')" 2>&1) \
  || fail "cannot connect to $TARGET as $SUPERUSER: $VERSION"
for role in "$OWNER_ROLE" "$APP_ROLE"; do
  [ "$(psql_super -d postgres -c "SELECT count(*) FROM pg_roles WHERE rolname = '$role'")" = 1 ] \
    || fail "role $role does not exist on $TARGET: create it first (RUNBOOK \"Deploy\", step 2). Nothing was changed."
done
[ "$(psql_super -d postgres -c "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = '$APP_ROLE'")" = f ] \
  || fail "the app role $APP_ROLE is a superuser or has BYPASSRLS: row-level security would not apply to it."

EXISTING=0
if [ "$(psql_super -d postgres -c "SELECT count(*) FROM pg_database WHERE datname = '$DBNAME'")" = 1 ]; then
  RELATIONS=$(psql_super -d "$DBNAME" -c "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'")
  if [ "$RELATIONS" -gt 0 ] && [ "$FORCE" -ne 1 ]; then
    fail "database $DBNAME on $TARGET is not empty ($RELATIONS tables, indexes, sequences …): refusing to overwrite it.
  Restore with --force to replace it (the current one is kept as ${DBNAME}_replaced_<time>). Nothing was changed."
  fi
  EXISTING=$RELATIONS
  [ "$EXISTING" -gt 0 ] || EXISTING=-1 # exists, but empty
fi

# --- 3. Restore into a new database, then swap ----------------------------------------------------------------------------
WORK_DB="${DBNAME}_restoring"
echo "Restoring into $TARGET (database $DBNAME, owner $OWNER_ROLE, app role $APP_ROLE) …"
psql_super -d postgres -c "DROP DATABASE IF EXISTS $WORK_DB WITH (FORCE)" >/dev/null
psql_super -d postgres -c "CREATE DATABASE $WORK_DB OWNER $OWNER_ROLE TEMPLATE template0 ENCODING 'UTF8'" >/dev/null
drop_work_db() { psql_super -d postgres -c "DROP DATABASE IF EXISTS $WORK_DB WITH (FORCE)" >/dev/null 2>&1 || true; }
psql_super -d "$WORK_DB" -c "REVOKE CREATE ON SCHEMA public FROM PUBLIC; ALTER SCHEMA public OWNER TO $OWNER_ROLE;" >/dev/null \
  || { drop_work_db; fail "could not prepare the schema public."; }

# As the superuser, but every object is created by (and owned by) the owner role; one transaction: all or nothing.
if ! "$PGBIN/pg_restore" -w -h "$HOST" -p "$PORT" -U "$SUPERUSER" -d "$WORK_DB" --role="$OWNER_ROLE" \
     --no-owner --no-acl --exit-on-error --single-transaction "$BACKUP/voiceagent.dump"; then
  drop_work_db
  fail "pg_restore failed (see above); $DBNAME was not touched."
fi

# The app role's grants, as `voiceagent db migrate` gives them (DatabaseMigrator): DML only, never DDL or ownership.
if ! psql_super -d "$WORK_DB" >/dev/null <<SQL
SET ROLE $OWNER_ROLE;
GRANT USAGE ON SCHEMA public TO $APP_ROLE;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO $APP_ROLE;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO $APP_ROLE;
REVOKE ALL ON schema_migrations FROM $APP_ROLE;
GRANT SELECT ON schema_migrations TO $APP_ROLE;
SELECT 'GRANT USAGE ON SCHEMA hangfire TO $APP_ROLE' WHERE EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'hangfire') \gexec
SELECT 'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA hangfire TO $APP_ROLE' WHERE EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'hangfire') \gexec
SELECT 'GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA hangfire TO $APP_ROLE' WHERE EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'hangfire') \gexec
SQL
then
  drop_work_db
  fail "granting $APP_ROLE failed; $DBNAME was not touched."
fi

REPLACED=""
if [ "$EXISTING" -ne 0 ]; then
  psql_super -d postgres -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '$DBNAME' AND pid <> pg_backend_pid()" >/dev/null
  if [ "$EXISTING" -gt 0 ]; then
    REPLACED="${DBNAME}_replaced_$(tr '[:upper:]' '[:lower:]' <<<"$STAMP")"
    psql_super -d postgres -c "ALTER DATABASE $DBNAME RENAME TO $REPLACED" >/dev/null
  else
    psql_super -d postgres -c "DROP DATABASE $DBNAME WITH (FORCE)" >/dev/null
  fi
fi
psql_super -d postgres -c "ALTER DATABASE $WORK_DB RENAME TO $DBNAME" >/dev/null

HEAD=$(psql_super -d "$DBNAME" -c "SELECT coalesce(max(id), '(none)') FROM schema_migrations")
INVOICES=$(psql_super -d "$DBNAME" -c "SELECT count(*) FROM invoices WHERE number IS NOT NULL" 2>/dev/null || echo "?")
echo "Restored $DBNAME on $TARGET: migrations up to $HEAD, $INVOICES issued invoices (backup: $(sed -n 's/^invoices: //p' "$BACKUP/MANIFEST"))."
[ -z "$REPLACED" ] || echo "The previous database is kept as $REPLACED (DROP DATABASE $REPLACED once the restore is checked)."

# --- 4. The key ring certificate -----------------------------------------------------------------------------------------
if [ "$HAS_KEYRING" -eq 1 ] && [ -n "$KEYRING_TO" ]; then
  mkdir -p "$(dirname "$KEYRING_TO")"
  if [ -f "$KEYRING_TO" ] && ! cmp -s "$KEYRING_TO" "$BACKUP/keyring.pfx"; then
    mv "$KEYRING_TO" "$KEYRING_TO.replaced-$STAMP"
    echo "The previous key ring certificate is kept as $KEYRING_TO.replaced-$STAMP."
  fi
  (umask 077; cp "$BACKUP/keyring.pfx" "$KEYRING_TO")
  chmod 600 "$KEYRING_TO"
  echo "Key ring certificate restored to $KEYRING_TO."
  if [ -n "$NEW_KEYRING_PASSWORD" ]; then
    sed -i '/^KEYRING_PASSWORD=/d' "$CREDS"
    (umask 077; echo "KEYRING_PASSWORD=$NEW_KEYRING_PASSWORD" >> "$CREDS")
    echo "Its password (from the environment) is now in $CREDS."
  fi
elif [ "$HAS_KEYRING" -eq 1 ]; then
  echo "The backup's key ring certificate is $BACKUP/keyring.pfx: install it where DataProtection__Certificate__Path points"
  echo "(with its password in DataProtection__Certificate__Password), or pass --keyring-to FILE."
else
  echo "WARNING: the backup has no key ring certificate. The app needs the certificate the key ring was encrypted with;" >&2
  echo "without it stored provider credentials and calendar tokens cannot be decrypted (the app refuses to start)." >&2
fi

echo "Next: apply newer migrations with \`voiceagent db migrate\` (run.sh does it on start), start the app, check /api/health"
echo "and the restore drill's checks (RUNBOOK \"Backup and restore\")."
