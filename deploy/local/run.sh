#!/usr/bin/env bash
# Runs VoiceAgent locally: installs what is missing, starts a private PostgreSQL under .data/ (127.0.0.1 only),
# builds (including front-end assets from npm), applies migrations, seeds a super-admin and a demo tenant,
# and serves the portal on http://127.0.0.1:5000. Running it again keeps all data. Ctrl-C stops everything.
# --proxy: also the production edge proxy (nginx + ModSecurity + OWASP CRS, deploy/proxy) on
# https://127.0.0.1:${VOICEAGENT_PROXY_PORT:-8443} in front of the app (self-signed certificate, logs in <data>/proxy/logs).
set -euo pipefail
WITH_PROXY=0
for arg in "$@"; do
  case "$arg" in
    --proxy) WITH_PROXY=1 ;;
    *) echo "usage: deploy/local/run.sh [--proxy]" >&2; exit 2 ;;
  esac
done
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
source deploy/local/lib.sh

DATA=${VOICEAGENT_DATA:-$ROOT/.data}
# PostgreSQL runs as the 'postgres' user, which must be able to reach the data folder. A checkout it cannot enter (e.g.
# under a private temp folder) keeps its cluster under /var/lib/voiceagent/<checkout hash> instead.
if [ -z "${VOICEAGENT_DATA:-}" ] && [ "$(id -u)" -eq 0 ] && id postgres >/dev/null 2>&1 \
   && ! runuser -u postgres -- test -x "$ROOT" 2>/dev/null; then
  DATA=/var/lib/voiceagent/$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)
  mkdir -p /var/lib/voiceagent && chmod 711 /var/lib/voiceagent
  echo "The postgres user cannot enter $ROOT: data (cluster, credentials, mails) go to $DATA."
fi
PG_PORT=${VOICEAGENT_PG_PORT:-5433}
export ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Development}
export ASPNETCORE_URLS=${ASPNETCORE_URLS:-http://127.0.0.1:5000}

ensure_packages postgresql espeak-ng ca-certificates fonts-liberation
command -v npm >/dev/null || ensure_packages nodejs npm
[ "$WITH_PROXY" -eq 1 ] && ensure_proxy_packages
PGBIN=$(pg_bindir)

mkdir -p "$DATA"
DATA=$(cd "$DATA" && pwd)
chmod 711 "$DATA"
CREDS="$DATA/credentials.env"
if [ ! -f "$CREDS" ]; then
  umask 077
  {
    echo "PG_SUPER_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
    echo "PG_OWNER_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
    echo "PG_APP_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
  } > "$CREDS"
  umask 022
fi
source "$CREDS"

# The Data Protection key ring is encrypted with a certificate of this checkout's own (created on first run, never
# committed); the pseudonym key keys the hashes that stand for caller numbers in the audit log. See RUNBOOK.
KEYRING="$DATA/keyring.pfx"
if [ ! -f "$KEYRING" ] || [ -z "${KEYRING_PASSWORD:-}" ]; then
  command -v openssl >/dev/null || ensure_packages openssl
  umask 077
  KEYRING_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
  keydir=$(mktemp -d)
  openssl req -x509 -newkey rsa:3072 -sha256 -days 3650 -nodes -subj "/CN=VoiceAgent local key ring" \
    -keyout "$keydir/key.pem" -out "$keydir/cert.pem" 2>/dev/null
  KEYRING_PASSWORD="$KEYRING_PASSWORD" openssl pkcs12 -export -inkey "$keydir/key.pem" -in "$keydir/cert.pem" \
    -out "$KEYRING" -passout env:KEYRING_PASSWORD
  rm -rf "$keydir"
  sed -i '/^KEYRING_PASSWORD=/d' "$CREDS"
  echo "KEYRING_PASSWORD=$KEYRING_PASSWORD" >> "$CREDS"
  umask 022
  echo "Created the key ring certificate $KEYRING"
fi
if [ -z "${PRIVACY_PSEUDONYM_KEY:-}" ]; then
  PRIVACY_PSEUDONYM_KEY=$(head -c 36 /dev/urandom | base64 | tr -d '/+=')
  (umask 077; echo "PRIVACY_PSEUDONYM_KEY=$PRIVACY_PSEUDONYM_KEY" >> "$CREDS")
fi
export DataProtection__Certificate__Path="$KEYRING"
export DataProtection__Certificate__Password="$KEYRING_PASSWORD"
export Privacy__PseudonymKey="$PRIVACY_PSEUDONYM_KEY"

PGDATA="$DATA/pg"
if [ ! -f "$PGDATA/PG_VERSION" ]; then
  echo "Creating a private PostgreSQL cluster in $PGDATA …"
  mkdir -p "$PGDATA"
  pwfile=$(mktemp)
  echo "$PG_SUPER_PASSWORD" > "$pwfile"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$PGDATA" "$pwfile"
    runuser -u postgres -- test -x "$DATA" || { echo "The postgres user cannot reach $DATA; set VOICEAGENT_DATA to a reachable folder." >&2; exit 1; }
  fi
  as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres --pwfile="$pwfile" --auth-local=scram-sha-256 --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pwfile"
fi

if [ "$(id -u)" -eq 0 ]; then touch "$DATA/postgresql.log" && chown postgres "$DATA/postgresql.log"; fi
as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$DATA/postgresql.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -c unix_socket_directories=''" start >/dev/null
echo "PostgreSQL listens on 127.0.0.1:$PG_PORT"

APP_PID=""
PROXY_PID=""
stop_all() {
  trap - INT TERM EXIT
  if [ -n "$PROXY_PID" ] && kill -0 "$PROXY_PID" 2>/dev/null; then
    kill -TERM "$PROXY_PID" 2>/dev/null || true
    wait "$PROXY_PID" 2>/dev/null || true
  fi
  if [ -n "$APP_PID" ] && kill -0 "$APP_PID" 2>/dev/null; then
    kill -TERM "$APP_PID" 2>/dev/null || true
    wait "$APP_PID" 2>/dev/null || true
  fi
  as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null 2>&1 || true
  echo "VoiceAgent and PostgreSQL stopped."
}
trap stop_all INT TERM EXIT

export PGPASSWORD="$PG_SUPER_PASSWORD"
psql_super() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres "$@"; }
psql_super -d postgres <<SQL
SELECT format('CREATE ROLE voiceagent_owner LOGIN PASSWORD %L', '$PG_OWNER_PASSWORD')
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'voiceagent_owner') \gexec
SELECT format('CREATE ROLE voiceagent_app LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD %L', '$PG_APP_PASSWORD')
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'voiceagent_app') \gexec
SELECT 'CREATE DATABASE voiceagent OWNER voiceagent_owner'
  WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'voiceagent') \gexec
SQL
psql_super -d voiceagent -c "REVOKE CREATE ON SCHEMA public FROM PUBLIC; ALTER SCHEMA public OWNER TO voiceagent_owner;"
unset PGPASSWORD

export Database__OwnerConnectionString="Host=127.0.0.1;Port=$PG_PORT;Database=voiceagent;Username=voiceagent_owner;Password=$PG_OWNER_PASSWORD"
export Database__AppConnectionString="Host=127.0.0.1;Port=$PG_PORT;Database=voiceagent;Username=voiceagent_app;Password=$PG_APP_PASSWORD"
export Mail__PickupDirectory="$DATA/mail"
mkdir -p "$Mail__PickupDirectory"

echo "Building …"
dotnet build VoiceAgent.sln -c Release -nologo -v quiet -clp:ErrorsOnly
CLI="dotnet src/VoiceAgent.Cli/bin/Release/net10.0/voiceagent.dll"
$CLI db migrate
$CLI dev seed

echo "Portal: $ASPNETCORE_URLS (mails in development: $DATA/mail)"
if [ "$WITH_PROXY" -eq 1 ]; then
  # The app trusts X-Forwarded-For/-Proto only from the proxy on the loopback.
  export ForwardedHeaders__KnownProxies__0=127.0.0.1
fi
dotnet src/VoiceAgent.Web/bin/Release/net10.0/VoiceAgent.Web.dll --contentRoot "$ROOT/src/VoiceAgent.Web" &
APP_PID=$!
if [ "$WITH_PROXY" -eq 1 ]; then
  PROXY_PORT=${VOICEAGENT_PROXY_PORT:-8443}
  upstream=${ASPNETCORE_URLS%%;*}
  upstream=${upstream#*://}
  deploy/proxy/start.sh --dir "$DATA/proxy" --port "$PROXY_PORT" --upstream "${upstream%/}" &
  PROXY_PID=$!
  echo "Portal through the WAF proxy: https://127.0.0.1:$PROXY_PORT (self-signed certificate; audit log $DATA/proxy/logs/modsec_audit.log)"
fi
wait "$APP_PID"
