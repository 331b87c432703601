#!/usr/bin/env bash
# Runs VoiceAgent as a local cluster on the loopback: run.sh's private PostgreSQL (same data folder, migrated and
# seeded), a private Redis, N app instances (default 3) on 127.0.0.1:5001…500N, and the WAF proxy (deploy/proxy) in
# front of them on https://127.0.0.1:${VOICEAGENT_PROXY_PORT:-8443} with sticky Blazor sessions. Ctrl-C stops all.
#   deploy/local/cluster.sh [--instances N] [--no-build]
# Pid files and logs are in <data>/cluster (app-i.pid/.log, redis.pid, proxy.pid); deploy/local/drill.sh uses them.
# Not together with run.sh: they share the data folder and PostgreSQL's port.
set -euo pipefail
INSTANCES=3
BUILD=1
while [ $# -gt 0 ]; do
  case "$1" in
    --instances) INSTANCES=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    *) echo "usage: deploy/local/cluster.sh [--instances N] [--no-build]" >&2; exit 2 ;;
  esac
done
[[ "$INSTANCES" =~ ^[1-9]$ ]] || { echo "--instances: 1 to 9" >&2; exit 2; }
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
source deploy/local/lib.sh

local_data_dir "$ROOT"
export ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Development}
ensure_packages postgresql espeak-ng ca-certificates fonts-liberation redis-server curl
command -v npm >/dev/null || ensure_packages nodejs npm
ensure_proxy_packages
PGBIN=$(pg_bindir)

local_data_create
local_credentials
local_app_secrets
cluster_dirs

stop_cluster() {
  trap - INT TERM EXIT
  cluster_stop proxy
  for i in $(seq 1 "$INSTANCES"); do cluster_stop "app-$i"; done
  cluster_stop redis
  local_cluster_stop
  echo "Cluster stopped."
}
trap stop_cluster INT TERM EXIT

local_cluster_init
local_cluster_running || local_cluster_start
local_database
local_app_env
if [ "$BUILD" -eq 1 ]; then
  local_build_migrate_seed
fi

cluster_redis_start
echo "Redis listens on 127.0.0.1:$REDIS_PORT"
upstreams=()
for i in $(seq 1 "$INSTANCES"); do
  cluster_app_start "$i"
  upstreams+=(--upstream "127.0.0.1:$((APP_PORT_BASE + i))")
  echo "Instance $i: http://127.0.0.1:$((APP_PORT_BASE + i)) (log $CLUSTER/app-$i.log)"
done

PROXY_PORT=${VOICEAGENT_PROXY_PORT:-8443}
deploy/proxy/start.sh --dir "$CLUSTER/proxy" --port "$PROXY_PORT" "${upstreams[@]}" &
echo $! > "$CLUSTER/proxy.pid"
cluster_wait_tcp "$PROXY_PORT" proxy
echo "Portal through the WAF proxy: https://127.0.0.1:$PROXY_PORT ($INSTANCES instances, Redis, PostgreSQL 127.0.0.1:$PG_PORT)"
echo "Ctrl-C stops the cluster."
wait
