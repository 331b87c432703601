#!/usr/bin/env bash
# Soak benchmark (issue #18, item 7) on a local cluster: starts deploy/local/cluster.sh (PostgreSQL, Redis, 3 instances,
# WAF proxy) in realtime mode against the soak's OpenAI fake unless a cluster is running, runs
# `tests/VoiceAgent.Benchmarks -- soak` against it (streams, gather calls, portal users; memory sampled every minute),
# stops the cluster it started, and ends with the soak's summary and its pass/fail line. Not part of CI (30 minutes).
#   deploy/local/soak.sh [--minutes N] [--streams N] [--gather-per-minute N] [--portal-users N] [--warmup-minutes M]
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
source deploy/local/lib.sh

local_data_dir "$ROOT"
local_data_create
local_credentials
cluster_dirs
export ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Development}
# Media-stream calls for tenants on OpenAI's engines against the soak's OpenAI fake (the soak process runs it on this
# port); tenants on the offline engines stay in gather mode.
export VOICEAGENT_DRILL_OPENAI_PORT=${VOICEAGENT_DRILL_OPENAI_PORT:-5099}
export Telephony__Mode=realtime OpenAi__Endpoint="http://127.0.0.1:$VOICEAGENT_DRILL_OPENAI_PORT/v1"
cluster_start_unless_running "Telephony__Mode=$Telephony__Mode, OpenAi__Endpoint=$OpenAi__Endpoint" \
  || { echo "SOAK fail: the cluster did not start"; exit 1; }
trap cluster_stop_started EXIT

# The soak creates its own super-admin with the platform's services and reads the instances' memory: it gets what the
# instances got (connection strings, key ring) and where their pid files are.
PGBIN=$(pg_bindir)
local_app_secrets
local_app_env
export VOICEAGENT_APP_PORT_BASE="$APP_PORT_BASE" VOICEAGENT_PROMETHEUS_PORT_BASE="$PROMETHEUS_PORT_BASE" VOICEAGENT_CLUSTER_DIR="$CLUSTER"
log="$CLUSTER/soak.log"
# cluster.sh built the whole solution (Release) when it started here; a running cluster's checkout may be older.
no_build=()
[ "$CLUSTER_STARTED" -ne 0 ] && no_build=(--no-build)
dotnet run -c Release "${no_build[@]}" --project tests/VoiceAgent.Benchmarks -- soak "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
echo
echo "=== Soak (log $log)"
grep -E '^(Calls completed|  (gather|stream|portal)|  instance|  error|SOAK)' "$log" || echo "SOAK fail: no summary (see $log)"
exit "$status"
