#!/usr/bin/env bash
# Controls a running deploy/local/cluster.sh (for deploy/local/drill.sh and by hand):
#   cluster-ctl.sh stop-app I [--kill]   stop instance I (SIGTERM: graceful; --kill: SIGKILL, a crash)
#   cluster-ctl.sh start-app I           start instance I again (waits until it is ready)
#   cluster-ctl.sh stop-redis | start-redis
#   cluster-ctl.sh restart-postgres      PostgreSQL stopped (fast) and started again
#   cluster-ctl.sh stop-postgres | start-postgres   PostgreSQL stopped (fast: sessions cut) / started again
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
source deploy/local/lib.sh
local_data_dir "$ROOT"
local_data_create
local_credentials
cluster_dirs
PGBIN=$(pg_bindir)
export ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Development}

case "${1:-}" in
  stop-app) cluster_stop "app-$2" "$([ "${3:-}" = --kill ] && echo KILL || echo TERM)" ;;
  start-app)
    local_app_secrets
    local_app_env
    export Redis__Configuration="127.0.0.1:$REDIS_PORT,password=$REDIS_PASSWORD"
    cluster_app_start "$2" ;;
  stop-redis) cluster_stop redis ;;
  start-redis) cluster_redis_start ;;
  restart-postgres) local_cluster_stop; local_cluster_start ;;
  stop-postgres) local_cluster_stop ;;
  start-postgres) local_cluster_start ;;
  *) sed -n '2,8p' "$0" >&2; exit 2 ;;
esac
