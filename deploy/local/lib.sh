# Shared helpers for run.sh, cluster.sh, drill.sh, test.sh, backup.sh and restore.sh (sourced, not executed).

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

# --- The local cluster that run.sh manages (run.sh, backup.sh, restore.sh) ---
# They share these globals: ROOT (the checkout), DATA (its data folder), PGBIN (pg_bindir), PG_PORT, PGDATA, CREDS and
# the PG_*_PASSWORD variables of credentials.env.

# Sets DATA to the checkout's data folder: $VOICEAGENT_DATA, else <checkout>/.data. PostgreSQL runs as the 'postgres'
# user, which must be able to reach the data folder: a checkout it cannot enter (e.g. under a private temp folder) keeps
# its cluster under /var/lib/voiceagent/<checkout hash> instead. Also sets PG_PORT (VOICEAGENT_PG_PORT, default 5433).
local_data_dir() {
  local root=$1
  DATA=${VOICEAGENT_DATA:-$root/.data}
  if [ -z "${VOICEAGENT_DATA:-}" ] && [ "$(id -u)" -eq 0 ] && id postgres >/dev/null 2>&1 \
     && ! runuser -u postgres -- test -x "$root" 2>/dev/null; then
    DATA=/var/lib/voiceagent/$(printf '%s' "$root" | sha256sum | cut -c1-12)
    mkdir -p /var/lib/voiceagent && chmod 711 /var/lib/voiceagent
    echo "The postgres user cannot enter $root: data (cluster, credentials, mails) go to $DATA."
  fi
  PG_PORT=${VOICEAGENT_PG_PORT:-5433}
}

# Creates the data folder (mode 711: the postgres user passes through) and makes DATA absolute.
local_data_create() {
  mkdir -p "$DATA"
  DATA=$(cd "$DATA" && pwd)
  chmod 711 "$DATA"
  PGDATA="$DATA/pg"
}

# Creates $DATA/credentials.env with random database passwords on first use and reads it (sets CREDS, PG_*_PASSWORD and
# whatever else the file holds: KEYRING_PASSWORD, PRIVACY_PSEUDONYM_KEY).
local_credentials() {
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
  # shellcheck disable=SC1090
  source "$CREDS"
}

# Creates the private cluster in $PGDATA (superuser 'postgres' with PG_SUPER_PASSWORD, 127.0.0.1 only) unless it exists.
local_cluster_init() {
  if [ ! -f "$PGDATA/PG_VERSION" ]; then
    echo "Creating a private PostgreSQL cluster in $PGDATA …"
    mkdir -p "$PGDATA"
    local pwfile
    pwfile=$(mktemp)
    echo "$PG_SUPER_PASSWORD" > "$pwfile"
    if [ "$(id -u)" -eq 0 ]; then
      chown postgres "$PGDATA" "$pwfile"
      runuser -u postgres -- test -x "$DATA" || { rm -f "$pwfile"; echo "The postgres user cannot reach $DATA; set VOICEAGENT_DATA to a reachable folder." >&2; exit 1; }
    fi
    as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres --pwfile="$pwfile" --auth-local=scram-sha-256 --auth-host=scram-sha-256 \
      --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    rm -f "$pwfile"
  fi
}

# Whether the local cluster is running.
local_cluster_running() {
  as_pg "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1
}

# Starts the local cluster on 127.0.0.1:$PG_PORT (no Unix socket), log in $DATA/postgresql.log.
local_cluster_start() {
  if [ "$(id -u)" -eq 0 ]; then touch "$DATA/postgresql.log" && chown postgres "$DATA/postgresql.log"; fi
  as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$DATA/postgresql.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -c unix_socket_directories=''" start >/dev/null
  echo "PostgreSQL listens on 127.0.0.1:$PG_PORT"
}

local_cluster_stop() {
  as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null 2>&1 || true
}

# psql as the local cluster's superuser (the password from credentials.env, never on the command line).
local_psql_super() {
  PGPASSWORD="$PG_SUPER_PASSWORD" psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres "$@"
}

# The roles voiceagent_owner and voiceagent_app (passwords from credentials.env), unless they exist.
local_roles() {
  local_psql_super -d postgres <<SQL
SELECT format('CREATE ROLE voiceagent_owner LOGIN PASSWORD %L', '$PG_OWNER_PASSWORD')
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'voiceagent_owner') \gexec
SELECT format('CREATE ROLE voiceagent_app LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD %L', '$PG_APP_PASSWORD')
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'voiceagent_app') \gexec
SQL
}

# The roles and the database voiceagent (owned by voiceagent_owner, which also owns the schema public), unless they exist.
local_database() {
  local_roles
  local_psql_super -d postgres <<SQL
SELECT 'CREATE DATABASE voiceagent OWNER voiceagent_owner'
  WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'voiceagent') \gexec
SQL
  local_psql_super -d voiceagent -c "REVOKE CREATE ON SCHEMA public FROM PUBLIC; ALTER SCHEMA public OWNER TO voiceagent_owner;"
}

# The Data Protection key ring is encrypted with a certificate of this checkout's own (created on first run, never
# committed); the pseudonym key keys the hashes that stand for caller numbers in the audit log. See RUNBOOK.
# Needs DATA and CREDS (local_credentials); exports the app's DataProtection__* and Privacy__PseudonymKey.
local_app_secrets() {
  local keydir
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
}

# The app's database and mail settings for the local cluster (exports Database__*, Mail__PickupDirectory).
local_app_env() {
  export Database__OwnerConnectionString="Host=127.0.0.1;Port=$PG_PORT;Database=voiceagent;Username=voiceagent_owner;Password=$PG_OWNER_PASSWORD"
  export Database__AppConnectionString="Host=127.0.0.1;Port=$PG_PORT;Database=voiceagent;Username=voiceagent_app;Password=$PG_APP_PASSWORD"
  export Mail__PickupDirectory="$DATA/mail"
  mkdir -p "$Mail__PickupDirectory"
}

# Builds everything (Release), applies the migrations and seeds the super-admin and the demo tenant (idempotent).
local_build_migrate_seed() {
  echo "Building …"
  dotnet build VoiceAgent.sln -c Release -nologo -v quiet -clp:ErrorsOnly
  local cli="dotnet src/VoiceAgent.Cli/bin/Release/net10.0/voiceagent.dll"
  $cli db migrate
  $cli dev seed
}

# --- The local cluster of cluster.sh and drill.sh: Redis and N app instances next to run.sh's PostgreSQL ---
# Globals: CLUSTER (= $DATA/cluster: pid files and logs), REDIS_PORT (VOICEAGENT_REDIS_PORT, default 6380),
# APP_PORT_BASE (VOICEAGENT_APP_PORT_BASE, default 5000: instance i listens on base + i), PROMETHEUS_PORT_BASE
# (VOICEAGENT_PROMETHEUS_PORT_BASE, default 9463: instance i exports metrics on base + i).

cluster_dirs() {
  CLUSTER="$DATA/cluster"
  REDIS_PORT=${VOICEAGENT_REDIS_PORT:-6380}
  APP_PORT_BASE=${VOICEAGENT_APP_PORT_BASE:-5000}
  PROMETHEUS_PORT_BASE=${VOICEAGENT_PROMETHEUS_PORT_BASE:-9463}
  mkdir -p "$CLUSTER"
  chmod 700 "$CLUSTER"
  if [ -z "${REDIS_PASSWORD:-}" ]; then
    REDIS_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
    (umask 077; echo "REDIS_PASSWORD=$REDIS_PASSWORD" >> "$CREDS")
  fi
}

# Starts a private redis-server on 127.0.0.1:$REDIS_PORT (password from credentials.env, in a 600 config file, never on
# the command line; no persistence: it holds counters and pub/sub only). Exports Redis__Configuration.
cluster_redis_start() {
  mkdir -p "$CLUSTER/redis"
  (umask 077; printf 'bind 127.0.0.1\nport %s\nrequirepass %s\ndir %s\nsave ""\nappendonly no\nprotected-mode yes\nlogfile %s\n' \
    "$REDIS_PORT" "$REDIS_PASSWORD" "$CLUSTER/redis" "$CLUSTER/redis.log" > "$CLUSTER/redis/redis.conf")
  redis-server "$CLUSTER/redis/redis.conf" --daemonize no >> "$CLUSTER/redis.log" 2>&1 &
  echo $! > "$CLUSTER/redis.pid"
  export Redis__Configuration="127.0.0.1:$REDIS_PORT,password=$REDIS_PASSWORD"
  cluster_wait_tcp "$REDIS_PORT" redis
}

# Waits up to 60 s until something accepts connections on 127.0.0.1:port.
cluster_wait_tcp() {
  local port=$1 what=$2 i
  for i in $(seq 1 600); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "$what did not start listening on 127.0.0.1:$port" >&2
  return 1
}

# Starts app instance i (1…N) on 127.0.0.1:$((APP_PORT_BASE + i)) (Prometheus metrics on 127.0.0.1:$((PROMETHEUS_PORT_BASE + i))) with
# the environment the caller exported
# (local_app_secrets, local_app_env, Redis__Configuration); pid in $CLUSTER/app-i.pid, log in $CLUSTER/app-i.log.
# Waits until its readiness endpoint answers 200.
cluster_app_start() {
  local i=$1 port=$((APP_PORT_BASE + $1))
  ASPNETCORE_URLS="http://127.0.0.1:$port" ForwardedHeaders__KnownProxies__0=127.0.0.1 \
    Observability__PrometheusPort=$((PROMETHEUS_PORT_BASE + $1)) \
    dotnet "$ROOT/src/VoiceAgent.Web/bin/Release/net10.0/VoiceAgent.Web.dll" --contentRoot "$ROOT/src/VoiceAgent.Web" \
    >> "$CLUSTER/app-$i.log" 2>&1 &
  echo $! > "$CLUSTER/app-$i.pid"
  cluster_wait_ready "$port" "instance $i"
}

# Waits up to 120 s until http://127.0.0.1:port/api/health answers 200.
cluster_wait_ready() {
  local port=$1 what=$2 i
  for i in $(seq 1 1200); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/health" 2>/dev/null)" = 200 ] && return 0
    sleep 0.1
  done
  echo "$what is not ready on 127.0.0.1:$port (log: $CLUSTER)" >&2
  return 1
}

# Stops the process whose pid is in $CLUSTER/<name>.pid: TERM (or KILL with --kill), then waits for it to end.
cluster_stop() {
  local name=$1 signal=${2:-TERM} pid
  [ -f "$CLUSTER/$name.pid" ] || return 0
  pid=$(cat "$CLUSTER/$name.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill "-$signal" "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$CLUSTER/$name.pid"
}

# For drill.sh and soak.sh: starts deploy/local/cluster.sh in the background (log $CLUSTER/cluster.log) unless instance 1
# answers, and waits until it is up. Sets CLUSTER_STARTED (its pid, 0 when a running cluster is used); returns 1 when the
# cluster did not start. cluster_stop_started stops only a cluster started here.
cluster_start_unless_running() {
  CLUSTER_STARTED=0
  if curl -s -o /dev/null "http://127.0.0.1:$((APP_PORT_BASE + 1))/api/health"; then
    echo "Using the running cluster: it must have been started with the same settings ($1)."
    return 0
  fi
  deploy/local/cluster.sh > "$CLUSTER/cluster.log" 2>&1 &
  CLUSTER_STARTED=$!
  echo "Starting the cluster (log $CLUSTER/cluster.log) …"
  local i
  for i in $(seq 1 3600); do
    grep -q "Ctrl-C stops the cluster" "$CLUSTER/cluster.log" 2>/dev/null && return 0
    kill -0 "$CLUSTER_STARTED" 2>/dev/null || { tail -20 "$CLUSTER/cluster.log"; return 1; }
    sleep 0.5
  done
  return 1
}

cluster_stop_started() {
  if [ "${CLUSTER_STARTED:-0}" -ne 0 ]; then
    kill -TERM "$CLUSTER_STARTED" 2>/dev/null || true
    wait "$CLUSTER_STARTED" 2>/dev/null || true
  fi
}

# The failed tests of the runners' logs, each with the first lines of its message (so a CI log's tail says why).
print_failures() {
  awk '/^[[:space:]]+Failed [A-Za-z]/ { sub(/^[[:space:]]+/, ""); print "failed: " $0; n = 12; next }
       n > 0 && /^[[:space:]]*(Stack Trace:|Standard Output Messages:|(Passed|Failed|Skipped) [A-Za-z])/ { n = 0 }
       n > 0 && !/^[[:space:]]*Error Message:/ { print "  | " substr($0, 1, 300); n-- }' "$@" || true
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
