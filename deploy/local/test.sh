#!/usr/bin/env bash
# Builds the solution and runs every test project, one after another (the machine has 2 cores).
# On a clean machine (as root) it installs what the tests need: PostgreSQL server binaries (each test run starts its
# own private cluster), Debian's Chromium for the browser tests, Radicale for the CalDAV tests (each starts its own on a
# free port), Node.js/npm for the front-end build.
# Ends with the runners' summaries and one closing line "Total: N passed, N failed, N skipped".
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
source deploy/local/lib.sh

ensure_packages postgresql chromium fonts-liberation ca-certificates espeak-ng radicale
command -v npm >/dev/null || ensure_packages nodejs npm
pg_bindir >/dev/null

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
dotnet build VoiceAgent.sln -c Release -nologo -v quiet -clp:ErrorsOnly

logs=$(mktemp -d)
status=0
for project in tests/*/*.csproj; do
  name=$(basename "$project" .csproj)
  case "$name" in VoiceAgent.Testing|VoiceAgent.Benchmarks) continue ;; esac
  echo "=== $name"
  if ! dotnet test "$project" -c Release --no-build -nologo 2>&1 | tee "$logs/$name.log"; then
    status=1
  fi
  grep -qE '^(Passed|Failed)! ' "$logs/$name.log" || { echo "$name: no test summary (did it run any test?)"; status=1; }
done

echo
echo "=== Summary"
grep -hE '^(Passed|Failed)! ' "$logs"/*.log || true
summarize_tests "$logs"/*.log
exit $status
