# Shared helpers for run.sh and test.sh (sourced, not executed).

# Installs Debian packages that are missing (as root; otherwise tells what to install).
ensure_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing Debian packages: ${missing[*]} (run as root or install them: apt-get install ${missing[*]})" >&2
    return 1
  fi
  echo "Installing ${missing[*]} …"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Installs the edge proxy's Debian packages (nginx, ModSecurity v3 module, OWASP CRS) without starting the system nginx:
# Debian's nginx package would start and enable nginx on port 80; a policy-rc.d that refuses every service start is in
# place for the install only (an existing one, e.g. Docker's, is kept), and a system nginx this install started anyway
# is stopped and disabled.
# The proxy always runs as a private instance (deploy/proxy/start.sh), never as the system service.
ensure_proxy_packages() {
  local pkgs=(nginx libnginx-mod-http-modsecurity modsecurity-crs) missing=() pkg policy=/usr/sbin/policy-rc.d added=0
  for pkg in "${pkgs[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ] && [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && added=1
  fi
  local status=0
  ensure_packages "${missing[@]}" || status=$?
  [ "$added" -eq 1 ] && rm -f "$policy"
  if [ "$status" -eq 0 ] && [[ " ${missing[*]} " == *" nginx "* ]] && [ -s /run/nginx.pid ]; then
    # This install started the system nginx anyway (a policy-rc.d that allows starts): it must not hold port 80.
    if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet nginx 2>/dev/null; then
      systemctl disable --now nginx >/dev/null 2>&1 || true
    else
      /usr/sbin/nginx -s quit >/dev/null 2>&1 || true
    fi
  fi
  return $status
}

# The PostgreSQL server binaries (initdb, pg_ctl, postgres) of the newest installed major version.
pg_bindir() {
  if [ -n "${VOICEAGENT_PG_BIN:-}" ]; then echo "$VOICEAGENT_PG_BIN"; return; fi
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] || { echo "PostgreSQL server binaries not found" >&2; return 1; }
  echo "$dir"
}

# PostgreSQL refuses to run as root: as root, run its tools as the 'postgres' system user.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Sums the "Failed: x, Passed: y, Skipped: z" lines of dotnet test output files into one closing line.
summarize_tests() {
  local passed=0 failed=0 skipped=0 line p f s
  while IFS= read -r line; do
    f=$(sed -E 's/.*Failed: *([0-9]+).*/\1/' <<<"$line")
    p=$(sed -E 's/.*Passed: *([0-9]+).*/\1/' <<<"$line")
    s=$(sed -E 's/.*Skipped: *([0-9]+).*/\1/' <<<"$line")
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
  done < <(grep -hE '^(Passed|Failed)! +- Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+' "$@" || true)
  echo "Total: $passed passed, $failed failed, $skipped skipped"
}

# Processes whose command line names the test run's temp folder (PostgreSQL -D …, radicale --config …, fixture watchdogs).
fixture_processes() {
  pgrep -f -- "$1/voiceagent-" || true
}

# Stops what test fixtures of a run left behind (by process id, only processes under the run's temp folder) and removes
# their folders; prints what it found.
stop_fixture_leftovers() {
  local tmp=$1 pid dir pids
  pids=$(fixture_processes "$tmp")
  for pid in $pids; do
    echo "  process $pid: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-160)"
    # SIGQUIT is PostgreSQL's immediate shutdown; the others end on it too.
    kill -QUIT "$pid" 2>/dev/null || true
  done
  if [ -n "$pids" ]; then
    sleep 1
    for pid in $(fixture_processes "$tmp"); do kill -KILL "$pid" 2>/dev/null || true; done
  fi
  for dir in "$tmp"/voiceagent-*; do
    [ -e "$dir" ] || continue
    echo "  folder $dir"
    rm -rf "$dir"
  done
}

# After the test runs: fixtures must have stopped their processes and removed their folders. Their watchdogs need a
# moment after a test host ended, so this waits up to 15 s before it reports, removes the leftovers and fails.
check_fixture_leftovers() {
  local tmp=$1 i
  for i in $(seq 1 15); do
    [ -z "$(fixture_processes "$tmp")" ] && ! compgen -G "$tmp/voiceagent-*" >/dev/null && return 0
    sleep 1
  done
  echo "Test fixtures left processes or folders behind (stopped and removed now):"
  stop_fixture_leftovers "$tmp"
  return 1
}
