# The edge proxy of deploy/proxy (nginx + ModSecurity v3 + OWASP CRS 3.3) as a container: Debian's packages, the very
# ones deploy/local/lib.sh installs, and deploy/proxy's own start.sh and rule files, mounted read-only by compose.yaml
# (nothing of the configuration is copied into the image, so the WAF in a container is the one the tests run).
#   docker build -f deploy/docker/proxy.Dockerfile -t voiceagent-proxy:dev deploy/docker
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends nginx libnginx-mod-http-modsecurity modsecurity-crs openssl ca-certificates \
 && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled/default
EXPOSE 8443
# start.sh renders the templates into /var/lib/voiceagent/proxy and replaces itself with nginx (daemon off); as root it
# lets nginx's workers run as www-data. Arguments (upstreams, port) come from compose.yaml.
ENTRYPOINT ["/opt/voiceagent/proxy/start.sh", "--dir", "/var/lib/voiceagent/proxy"]
