#!/usr/bin/env bash
# One-shot setup for the crumbtrail stack (service `setup`, runs in the Elasticsearch image: bash + curl).
#  1. Refuses to go on when a secret from .env is empty, a well-known default, or too short, naming the variable.
#  2. Waits for Elasticsearch, then creates/updates the least-privilege roles and users and sets
#     kibana_system's password. Every call is a PUT/POST that overwrites: running it again is safe and
#     re-syncs passwords that drifted from .env.
# Env: ES_URL (default http://elasticsearch:9200), the secrets below (or <NAME>_FILE naming a file that holds
# one, as Compose secrets do), SETUP_WAIT_SECONDS (default 300).
set -euo pipefail

ES_URL="${ES_URL:-http://elasticsearch:9200}"
WAIT_SECONDS="${SETUP_WAIT_SECONDS:-300}"

say() { echo "setup: $*"; }
die() {
  echo "setup: ERROR: $*" >&2
  exit 1
}

# --- 1. secrets -------------------------------------------------------------------------------------------
PASSWORD_VARS=(ELASTIC_PASSWORD KIBANA_SYSTEM_PASSWORD FILEBEAT_WRITER_PASSWORD ANALYZER_WRITER_PASSWORD
  PROVISIONER_PASSWORD GRAFANA_READER_PASSWORD GRAFANA_ADMIN_PASSWORD)
KEY_VARS=(KIBANA_ENCRYPTED_SAVED_OBJECTS_KEY KIBANA_SECURITY_KEY KIBANA_REPORTING_KEY)
KNOWN_DEFAULTS=(changeme changeit admin administrator password passw0rd secret elastic kibana kibana_system
  filebeat grafana root test test123 123456 12345678 letmein default)

# Compose passes the secrets as files (/run/secrets/…, not visible in `docker inspect`): <NAME>_FILE wins.
for v in "${PASSWORD_VARS[@]}" "${KEY_VARS[@]}"; do
  file_var="${v}_FILE"
  if [ -n "${!file_var:-}" ]; then
    [ -r "${!file_var}" ] || die "$file_var points at ${!file_var}, which cannot be read."
    printf -v "$v" '%s' "$(cat "${!file_var}")"
  fi
done

check_secret() {
  local name="$1" min="$2" value lower
  value="${!name:-}"
  [ -n "$value" ] || die "$name is empty. Fill it in .env (npm run secrets writes strong random values)."
  lower="$(printf '%s' "$value" | tr '[:upper:]' '[:lower:]')"
  for known in "${KNOWN_DEFAULTS[@]}"; do
    [ "$lower" != "$known" ] || die "$name is a well-known default ('$known' is guessed first). Set a random value in .env (npm run secrets)."
  done
  [ "${#value}" -ge "$min" ] || die "$name is ${#value} characters; it needs at least $min. Set a longer value in .env (npm run secrets)."
}

for v in "${PASSWORD_VARS[@]}"; do check_secret "$v" 12; done
# Kibana rejects encryption keys under 32 characters (alerting then refuses to run).
for v in "${KEY_VARS[@]}"; do check_secret "$v" 32; done
say "secrets present and non-default"

if [ "${1:-}" = "--check-only" ]; then exit 0; fi

# --- 2. wait for Elasticsearch ----------------------------------------------------------------------------
# ES answers 401 to a wrong password right away; that is a configuration error, not something to wait out.
es() {
  # es METHOD PATH [BODY] -> prints body, returns 0 on 2xx; HTTP code in $ES_CODE
  local method="$1" path="$2" body="${3:-}" out
  out="$(mktemp)"
  if [ -n "$body" ]; then
    ES_CODE="$(curl -sS -o "$out" -w '%{http_code}' -u "elastic:${ELASTIC_PASSWORD}" -X "$method" \
      -H 'Content-Type: application/json' --data-binary "$body" "${ES_URL}${path}" || echo 000)"
  else
    ES_CODE="$(curl -sS -o "$out" -w '%{http_code}' -u "elastic:${ELASTIC_PASSWORD}" -X "$method" \
      "${ES_URL}${path}" || echo 000)"
  fi
  ES_BODY="$(cat "$out")"
  rm -f "$out"
  [[ "$ES_CODE" =~ ^2 ]]
}

say "waiting for Elasticsearch at $ES_URL (up to ${WAIT_SECONDS}s)"
deadline=$((SECONDS + WAIT_SECONDS))
until es GET '/_cluster/health?wait_for_status=yellow&timeout=5s'; do
  if [ "$ES_CODE" = "401" ]; then
    die "Elasticsearch rejected user 'elastic' (401): ELASTIC_PASSWORD in .env differs from the one the data \
volume was first started with. Put the old value back, or reset it (docs/troubleshooting.md)."
  fi
  [ "$SECONDS" -lt "$deadline" ] || die "Elasticsearch not ready after ${WAIT_SECONDS}s (last HTTP $ES_CODE). \
See 'docker compose logs elasticsearch' and docs/troubleshooting.md."
  sleep 3
done
say "Elasticsearch is up"

# JSON string escaping for values we put into request bodies (passwords may hold quotes or backslashes).
json_string() {
  local s="$1"
  s="${s//\\/\\\\}"
  s="${s//\"/\\\"}"
  printf '"%s"' "$s"
}

put() {
  local what="$1" method="$2" path="$3" body="$4"
  es "$method" "$path" "$body" || die "$what failed: HTTP $ES_CODE $ES_BODY"
  say "$what: ok"
}

# --- 3. roles: least privilege per client ------------------------------------------------------------------
# Filebeat: append documents to the app-log data stream (create_doc + auto_configure to create it from its
# template); `monitor` for the version/licence checks it makes on connect. No template/ILM setup rights.
put "role crumbtrail_filebeat_writer" PUT /_security/role/crumbtrail_filebeat_writer '{
  "cluster": ["monitor"],
  "indices": [
    { "names": ["logs-crumbtrail.app-*", "logs-crumbtrail.containers-*"], "privileges": ["create_doc", "auto_configure"] }
  ]
}'

# Analyzer: append breadcrumbs and anomalies, nothing else.
# The analyzer also reads its own streams: after a restart it looks re-sent ids up first (no duplicate across a
# rollover). Without `read` that check turns itself off and shipping falls back to plain at-least-once.
put "role crumbtrail_analyzer_writer" PUT /_security/role/crumbtrail_analyzer_writer '{
  "cluster": ["monitor"],
  "indices": [
    { "names": ["logs-crumbtrail.breadcrumbs-*", "logs-crumbtrail.anomalies-*"], "privileges": ["create_doc", "auto_configure", "read"] }
  ]
}'

# Provisioner (npm run provision): templates, ILM, ingest pipelines, watches (trial/gold), the crumbtrail
# data streams and the alert-history index; Kibana objects (data views, dashboards, rules, connectors) in the
# default space. Rules run with an API key of the creating user, hence manage_own_api_key and read rights.
put "role crumbtrail_provisioner" PUT /_security/role/crumbtrail_provisioner '{
  "cluster": ["monitor", "manage_index_templates", "manage_ilm", "manage_ingest_pipelines", "manage_watcher",
              "manage_own_api_key", "read_pipeline"],
  "indices": [
    { "names": ["logs-crumbtrail.*", "crumbtrail-alerts-history*"],
      "privileges": ["read", "view_index_metadata", "manage", "create_doc", "auto_configure", "create_index", "write"] }
  ],
  "applications": [
    { "application": "kibana-.kibana", "privileges": ["space_all"], "resources": ["space:default"] }
  ]
}'

# Grafana's Elasticsearch datasource: read-only on the crumbtrail data streams.
put "role crumbtrail_reader" PUT /_security/role/crumbtrail_reader '{
  "cluster": ["monitor"],
  "indices": [ { "names": ["logs-crumbtrail.*"], "privileges": ["read", "view_index_metadata"] } ]
}'

# --- 4. users and passwords --------------------------------------------------------------------------------
user() {
  local name="$1" password="$2" role="$3" full="$4"
  put "user $name" PUT "/_security/user/$name" "{
  \"password\": $(json_string "$password"),
  \"roles\": [\"$role\"],
  \"full_name\": \"$full\"
}"
}
user filebeat_writer "$FILEBEAT_WRITER_PASSWORD" crumbtrail_filebeat_writer "crumbtrail Filebeat"
user analyzer_writer "$ANALYZER_WRITER_PASSWORD" crumbtrail_analyzer_writer "crumbtrail analyzer"
user provisioner "$PROVISIONER_PASSWORD" crumbtrail_provisioner "crumbtrail provisioner"
user grafana_reader "$GRAFANA_READER_PASSWORD" crumbtrail_reader "crumbtrail Grafana datasource"

put "kibana_system password" POST /_security/user/kibana_system/_password \
  "{ \"password\": $(json_string "$KIBANA_SYSTEM_PASSWORD") }"

say "done"
