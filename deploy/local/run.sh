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

# The data folder (cluster, credentials, key ring, mails) and the PostgreSQL port; see local_data_dir in lib.sh.
local_data_dir "$ROOT"
export ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Development}
export ASPNETCORE_URLS=${ASPNETCORE_URLS:-http://127.0.0.1:5000}

ensure_packages postgresql espeak-ng ca-certificates fonts-liberation
command -v npm >/dev/null || ensure_packages nodejs npm
[ "$WITH_PROXY" -eq 1 ] && ensure_proxy_packages
PGBIN=$(pg_bindir)

local_data_create
local_credentials

local_app_secrets

local_cluster_init
local_cluster_start

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
  local_cluster_stop
  echo "VoiceAgent and PostgreSQL stopped."
}
trap stop_all INT TERM EXIT

local_database

local_app_env
local_build_migrate_seed

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
