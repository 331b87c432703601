#!/usr/bin/env bash
# Failover drills (issue #18) on a local cluster: builds, starts deploy/local/cluster.sh (PostgreSQL, Redis, 3 instances,
# WAF proxy) unless one is running, runs tests/VoiceAgent.Drills against it (instances killed and restarted through
# deploy/local/cluster-ctl.sh), stops the cluster it started, and ends with one "N passed, N failed" line.
#   deploy/local/drill.sh [--filter EXPR]   (EXPR as for dotnet test --filter)
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
source deploy/local/lib.sh
FILTER=()
[ "${1:-}" = --filter ] && FILTER=(--filter "$2")

local_data_dir "$ROOT"
local_data_create
local_credentials
cluster_dirs
export ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Development}
# Media-stream calls for tenants whose speech engines recognize speech, against the drills' OpenAI fake (which the drill
# process runs on this port); tenants on the offline engines stay in gather mode.
export VOICEAGENT_DRILL_OPENAI_PORT=${VOICEAGENT_DRILL_OPENAI_PORT:-5099}
export Telephony__Mode=realtime OpenAi__Endpoint="http://127.0.0.1:$VOICEAGENT_DRILL_OPENAI_PORT/v1"
# sipgate pushes signed by the drills' own key (sipgate's public key replaced by its pair's), private key in a 600 file.
export VOICEAGENT_DRILL_SIPGATE_KEY="$CLUSTER/drill-sipgate.pem"
[ -s "$VOICEAGENT_DRILL_SIPGATE_KEY" ] || (umask 077 && openssl genrsa -out "$VOICEAGENT_DRILL_SIPGATE_KEY" 2048 2>/dev/null)
Sipgate__Push__PublicKeyPem=$(openssl rsa -in "$VOICEAGENT_DRILL_SIPGATE_KEY" -pubout 2>/dev/null)
export Sipgate__Push__PublicKeyPem
cluster_start_unless_running "drill.sh: Telephony__Mode, OpenAi__Endpoint, the drills' sipgate key" || { echo "0 passed, 1 failed"; exit 1; }
trap cluster_stop_started EXIT

# The drills create their own super-admin with the platform's services: they get what the instances got.
PGBIN=$(pg_bindir)
local_app_secrets
local_app_env
export VOICEAGENT_APP_PORT_BASE="$APP_PORT_BASE"
log="$CLUSTER/drills.log"
dotnet test tests/VoiceAgent.Drills -c Release -nologo "${FILTER[@]}" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
echo
echo "=== Drills"
print_failures "$log"
summarize_tests "$log"
exit "$status"
