#!/usr/bin/env bash
# Starts the VoiceAgent edge proxy (nginx + ModSecurity v3 + OWASP CRS) as a private nginx instance in a run folder:
#   deploy/proxy/start.sh --dir RUN [--port 8443] [--listen ADDRESS] [--upstream 127.0.0.1:5000]... [--render-only]
# Renders nginx.conf.template and modsecurity.conf.template into RUN (nothing else is copied: the rule files are
# included from deploy/proxy/rules), creates a self-signed certificate RUN/tls/proxy.crt (+ .key) unless one is there
# (replace both files to use a real certificate), checks the configuration, then replaces itself with nginx in the
# foreground (daemon off), so the caller owns the process: its id is this script's id.
# Logs: RUN/logs/error.log, access.log, modsec_audit.log (JSON, one refused request a line).
# Upstreams default to $VOICEAGENT_PROXY_UPSTREAMS (space separated) or 127.0.0.1:5000.
set -euo pipefail
PROXY=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

run="" port=${VOICEAGENT_PROXY_PORT:-8443} listen=127.0.0.1 render_only=0 extra=""
upstreams=()
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) run=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --listen) listen=$2; shift 2 ;;
    --upstream) upstreams+=("$2"); shift 2 ;;
    --render-only) render_only=1; shift ;;
    # Extra global directives for nginx -g (tests: "master_process off;").
    --global) extra=$2; shift 2 ;;
    *) echo "start.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -n "$run" ] || { echo "start.sh: --dir RUN is required" >&2; exit 2; }
if [ ${#upstreams[@]} -eq 0 ]; then
  read -r -a upstreams <<<"${VOICEAGENT_PROXY_UPSTREAMS:-127.0.0.1:5000}"
fi
[ -f /usr/lib/nginx/modules/ngx_http_modsecurity_module.so ] && [ -d /usr/share/modsecurity-crs/rules ] || {
  echo "nginx with ModSecurity and the OWASP CRS is not installed: apt-get install nginx libnginx-mod-http-modsecurity modsecurity-crs" >&2
  exit 1
}

mkdir -p "$run"
run=$(cd "$run" && pwd)
mkdir -p "$run/logs" "$run/tls" "$run/temp"/{client_body,proxy,fastcgi,uwsgi,scgi,modsecurity}

# As root, nginx's workers run as www-data: they need to reach the run folder and write the temp folders.
user_line=""
if [ "$(id -u)" -eq 0 ]; then
  worker_user=www-data
  id "$worker_user" >/dev/null 2>&1 || worker_user=nobody
  user_line="user $worker_user;"
  chmod 711 "$run"
  chown -R "$worker_user" "$run/temp"
fi

if [ ! -s "$run/tls/proxy.crt" ] || [ ! -s "$run/tls/proxy.key" ]; then
  (umask 077 && openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$run/tls/proxy.key" -out "$run/tls/proxy.crt" >/dev/null 2>&1)
fi

upstream_lines=""
for u in "${upstreams[@]}"; do
  upstream_lines+="        server $u max_fails=3 fail_timeout=10s;"$'\n'
done

render() { # template → output
  local t
  t=$(<"$1")
  t=${t//@@RUN@@/$run}
  t=${t//@@PROXY@@/$PROXY}
  t=${t//@@LISTEN@@/$listen:$port}
  t=${t//@@UPSTREAMS@@/${upstream_lines%$'\n'}}
  t=${t//@@USER@@/$user_line}
  t=${t//@@WORKERS@@/${VOICEAGENT_PROXY_WORKERS:-1}}
  t=${t//@@CERT@@/$run/tls/proxy.crt}
  t=${t//@@KEY@@/$run/tls/proxy.key}
  printf '%s\n' "$t" >"$2"
}
render "$PROXY/nginx.conf.template" "$run/nginx.conf"
render "$PROXY/modsecurity.conf.template" "$run/modsecurity.conf"

nginx_args=(-p "$run" -c "$run/nginx.conf" -e "$run/logs/error.log")
if ! out=$(/usr/sbin/nginx "${nginx_args[@]}" -g "daemon off; $extra" -t 2>&1); then
  echo "$out" >&2
  exit 1
fi
[ "$render_only" -eq 1 ] && exit 0
exec /usr/sbin/nginx "${nginx_args[@]}" -g "daemon off; $extra"
