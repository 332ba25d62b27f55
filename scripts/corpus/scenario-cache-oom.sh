#!/usr/bin/env bash
# Incident scenario "cache-maxmemory-noeviction": Redis with maxmemory 4mb and maxmemory-policy noeviction
# used as a session store by a structlog (JSON) app. Sessions never expire, memory climbs, the app warns
# above 70 %, then every write is refused with OOM and the app opens its circuit (logins failing).
# Writes test/fixtures/incidents/cache-maxmemory-noeviction/{redis.log,session-store.log}.
source "$(dirname "$0")/lib.sh"

: "${CORPUS_PY:=/tmp/corpus-deps/py}"
work="$(mktemp -d /tmp/corpus-cache.XXXXXX)"
chmod 755 "$work"
mkdir -p "$work/data" && chown redis: "$work/data"
port="$(free_port)"
cat >"$work/redis.conf" <<EOF
bind 127.0.0.1
port $port
daemonize no
logfile $work/redis.log
dir $work/data
maxmemory 4mb
maxmemory-policy noeviction
EOF
touch "$work/redis.log" && chown redis: "$work/redis.log" "$work/redis.conf"
runuser -u redis -- redis-server "$work/redis.conf" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
wait_port "$port"

REDIS_PORT="$port" "$CORPUS_PY/bin/python" "$REPO_ROOT/scripts/corpus/apps/session_store.py" >"$work/session-store.log"
redis-cli -h 127.0.0.1 -p "$port" SHUTDOWN NOSAVE >/dev/null 2>&1 || true
wait $server 2>/dev/null || true
trap - EXIT

out="$INCIDENTS_DIR/cache-maxmemory-noeviction"
mkdir -p "$out"
trim_log "$work/redis.log" "$out/redis.log"
trim_log "$work/session-store.log" "$out/session-store.log"
wc -l "$out"/*.log
rm -rf "$work"
