#!/usr/bin/env bash
# First start of the postgres container only (docker-entrypoint-initdb.d): the two roles and the database of RUNBOOK
# "Deploy" step 2. Passwords come from the environment (compose.yaml takes them from .env), never from this file.
set -euo pipefail
: "${VOICEAGENT_OWNER_PASSWORD:?}" "${VOICEAGENT_APP_PASSWORD:?}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v owner_pw="$VOICEAGENT_OWNER_PASSWORD" -v app_pw="$VOICEAGENT_APP_PASSWORD" <<'SQL'
CREATE ROLE voiceagent_owner LOGIN PASSWORD :'owner_pw';
CREATE ROLE voiceagent_app LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD :'app_pw';
CREATE DATABASE voiceagent OWNER voiceagent_owner;
SQL
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname voiceagent \
  -c "REVOKE CREATE ON SCHEMA public FROM PUBLIC; ALTER SCHEMA public OWNER TO voiceagent_owner;"
