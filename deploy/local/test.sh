#!/usr/bin/env bash
# Builds the solution and runs every test project, one after another (the machine has 2 cores).
# On a clean machine (as root) it installs what the tests need: PostgreSQL server binaries (each test run starts its
# own private cluster), Debian's Chromium for the browser tests, Radicale for the CalDAV tests (each starts its own on a
# free port), nginx with ModSecurity and the OWASP CRS (the browser tests run through the edge proxy, deploy/proxy),
# Node.js/npm for the front-end build.
# Then runs every benchmark's smoke mode (seconds) and fails if a test fixture left a process or a folder behind.
# Ends with the runners' summaries and one closing line "Total: N passed, N failed, N skipped".
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
source deploy/local/lib.sh

ensure_packages postgresql chromium fonts-liberation ca-certificates espeak-ng radicale redis-server
ensure_proxy_packages
command -v npm >/dev/null || ensure_packages nodejs npm
pg_bindir >/dev/null

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
dotnet build VoiceAgent.sln -c Release -nologo -v quiet -clp:ErrorsOnly

logs=$(mktemp -d)
status=0

# Everything the test fixtures start (PostgreSQL clusters, Radicale, mail folders …) lives in voiceagent-* folders under
# a temp folder private to this run, so leftovers can be found and removed without touching other runs on the machine.
# The fixtures clean up after themselves (and a watchdog does when a test host is killed); the trap is the last resort.
run_tmp=$(mktemp -d "${TMPDIR:-/tmp}/va-testrun.XXXXXX")
chmod 755 "$run_tmp" # PostgreSQL runs as the 'postgres' user when the tests run as root
trap 'stop_fixture_leftovers "$run_tmp" >/dev/null; rm -rf "$run_tmp"' EXIT
trap 'exit 130' INT TERM

run_tests() { # name, command …: runs with the private temp folder, output to $logs/name.log
  local name=$1; shift
  echo "=== $name"
  if ! TMPDIR="$run_tmp" MSBUILDDISABLENODEREUSE=1 "$@" 2>&1 | tee "$logs/$name.log"; then
    status=1
  fi
  grep -qE '^(Passed|Failed)! ' "$logs/$name.log" || { echo "$name: no test summary (did it run any test?)"; status=1; }
}

for project in tests/*/*.csproj; do
  name=$(basename "$project" .csproj)
  # Drills need a running cluster: deploy/local/drill.sh runs them.
  case "$name" in VoiceAgent.Testing|VoiceAgent.Benchmarks|VoiceAgent.Drills) continue ;; esac
  run_tests "$name" dotnet test "$project" -c Release --no-build -nologo
done

# Every benchmark and load driver once, tiny and bounded (seconds): a benchmark that stops working fails the run.
run_tests VoiceAgent.Benchmarks dotnet run -c Release --no-build --project tests/VoiceAgent.Benchmarks -- smoke

# No PostgreSQL, Radicale or fixture folder of this run may outlive its test process.
if ! check_fixture_leftovers "$run_tmp"; then
  status=1
fi

echo
echo "=== Summary"
grep -hE '^(Passed|Failed)! ' "$logs"/*.log || true
# The names of failed tests and the first lines of their messages, so the tail of a CI log says which one broke and why.
print_failures "$logs"/*.log
summarize_tests "$logs"/*.log
exit $status
