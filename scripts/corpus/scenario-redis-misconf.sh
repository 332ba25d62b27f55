#!/usr/bin/env bash
# Incident scenario "redis-snapshot-readonly-dir": Redis with RDB snapshots (`save 3 1`, the default
# stop-writes-on-bgsave-error yes) under the structlog session store. Three seconds in, its data directory
# becomes read-only (chmod 555: an operator's or a deploy's mistake); the next automatic BGSAVE fails and
# Redis refuses every write with MISCONF, so the session store fails its writes and opens its circuit.
# Writes test/fixtures/incidents/redis-snapshot-readonly-dir/{redis.log,session-store.log}.
source "$(dirname "$0")/lib.sh"

: "${CORPUS_PY:=/tmp/corpus-deps/py}"
work="$(mktemp -d /tmp/corpus-misconf.XXXXXX)"
chmod 755 "$work"
port="$(free_port)"
redis_start "$work" "$port" <<<'save 3 1'
server=$REDIS_PID
trap 'kill $server 2>/dev/null || true; chmod 755 "$work/data"' EXIT

REDIS_PORT="$port" SIZE=512 COUNT=200 "$CORPUS_PY/bin/python" "$REPO_ROOT/scripts/corpus/apps/session_store.py" \
  >"$work/session-store.log" &
app=$!
wait_for_text "$work/redis.log" 'Background saving terminated with success'
chmod 555 "$work/data"
wait "$app" || true
chmod 755 "$work/data"
redis-cli -h 127.0.0.1 -p "$port" SHUTDOWN NOSAVE >/dev/null 2>&1 || true
wait $server 2>/dev/null || true
trap - EXIT

out="$INCIDENTS_DIR/redis-snapshot-readonly-dir"
mkdir -p "$out"
trim_log "$work/redis.log" "$out/redis.log"
trim_log "$work/session-store.log" "$out/session-store.log"
wc -l "$out"/*.log
rm -rf "$work"
