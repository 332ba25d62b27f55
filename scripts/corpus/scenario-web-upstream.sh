#!/usr/bin/env bash
# Incident scenario "web-upstream-pool-leak": nginx in front of the pino app `orders-api`, whose database
# connection pool leaks one connection per order. The app warns as the pool fills, dies on an uncaught
# "connection pool exhausted" error, and nginx answers 502 (connect() refused) from then on.
# Writes test/fixtures/incidents/web-upstream-pool-leak/{nginx-access.log,nginx-error.log,orders-api.log}.
source "$(dirname "$0")/lib.sh"

: "${CORPUS_NODE_DEPS:=/tmp/corpus-deps/node}"
work="$(mktemp -d /tmp/corpus-web.XXXXXX)"
chmod 755 "$work"
mkdir -p "$work/logs" "$work/html"
echo '<h1>shop</h1>' >"$work/html/index.html"
port="$(free_port)"
uport="$(free_port)"
write_nginx_conf "$work" "$port" "$uport"

PORT="$uport" POOL_SIZE=10 LEAK=1 APP_NAME=orders-api CORPUS_NODE_DEPS="$CORPUS_NODE_DEPS" \
  node "$REPO_ROOT/scripts/corpus/apps/upstream.mjs" >"$work/logs/orders-api.log" 2>&1 &
upstream_pid=$!
nginx -p "$work" -c "$work/nginx.conf" -g 'daemon off;' &
nginx_pid=$!
trap 'kill $upstream_pid $nginx_pid 2>/dev/null || true' EXIT
wait_port "$port"
wait_port "$uport"

base="http://127.0.0.1:$port"
req() { curl -s -o /dev/null -A 'shop-frontend/3.2 (+checkout)' "$@" || true; }
# Normal traffic, one unrelated 404, then an order every 2 s until the app dies, then 10 s of 502s.
req "$base/"
req "$base/favicon.ico"
for i in $(seq 1 14); do
  req "$base/"
  req "$base/app/ok?item=$i"
  req -X POST --data-binary "sku=$i" "$base/app/order"
  sleep 2
done
for i in 1 2 3 4 5; do
  req "$base/app/ok?item=retry-$i"
  sleep 2
done
kill -QUIT "$nginx_pid"
wait "$nginx_pid" 2>/dev/null || true
kill "$upstream_pid" 2>/dev/null || true
trap - EXIT

out="$INCIDENTS_DIR/web-upstream-pool-leak"
mkdir -p "$out"
trim_log "$work/logs/access.log" "$out/nginx-access.log"
trim_log "$work/logs/error.log" "$out/nginx-error.log"
trim_log "$work/logs/orders-api.log" "$out/orders-api.log"
wc -l "$out"/*.log
rm -rf "$work"
