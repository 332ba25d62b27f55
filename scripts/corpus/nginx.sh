#!/usr/bin/env bash
# nginx (Debian package) in the foreground on 127.0.0.1 with a temp prefix, in front of the pino upstream app.
# Induced: 404s, 403, 500 from the upstream, an upstream that times out (504), the upstream killed (502 with
# "connect() failed (111: Connection refused)"), a request body over client_max_body_size (413), a reload
# (SIGHUP) and a graceful stop (SIGQUIT).
# Writes test/fixtures/real/nginx/{access.log,error.log} and the upstream's pino log, real/pino/upstream.log.
source "$(dirname "$0")/lib.sh"

: "${CORPUS_NODE_DEPS:=/tmp/corpus-deps/node}"
work="$(mktemp -d /tmp/corpus-nginx.XXXXXX)"
chmod 755 "$work"
mkdir -p "$work/logs" "$work/html/static" "$work/html/private"
echo '<h1>hello</h1>' >"$work/html/index.html"
echo 'body{}' >"$work/html/static/site.css"
echo 'secret' >"$work/html/private/x.txt"
chmod 000 "$work/html/private/x.txt"

port="$(free_port)"
uport="$(free_port)"
write_nginx_conf "$work" "$port" "$uport"

PORT="$uport" SLOW_MS=3000 CORPUS_NODE_DEPS="$CORPUS_NODE_DEPS" \
  node "$REPO_ROOT/scripts/corpus/apps/upstream.mjs" >"$work/logs/upstream.log" 2>&1 &
upstream_pid=$!
nginx -p "$work" -c "$work/nginx.conf" -g 'daemon off;' &
nginx_pid=$!
trap 'kill $upstream_pid $nginx_pid 2>/dev/null || true' EXIT
wait_port "$port"
wait_port "$uport"

base="http://127.0.0.1:$port"
ua_browser='Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0'
ua_bot='Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)'
req() { curl -s -o /dev/null -A "${UA:-$ua_browser}" "$@" || true; }

for i in 1 2 3; do
  req "$base/"
  req -e "$base/" "$base/static/site.css"
  req "$base/app/ok?page=$i"
done
UA=$ua_bot req "$base/robots.txt"
UA=$ua_bot req "$base/wp-login.php"
req "$base/static/missing.png"
req "$base/private/x.txt"
req -X POST --data-binary 'item=42' "$base/app/ok"
req "$base/app/error?order=1001"
req "$base/app/error?order=1002"
req "$base/app/slow"
head -c 4096 /dev/zero | tr '\0' 'a' >"$work/big.bin"
req -X POST --data-binary "@$work/big.bin" "$base/app/upload"
req -I "$base/"

# Reload (workers restart), then the upstream dies.
kill -HUP "$nginx_pid"
wait_for_text "$work/logs/error.log" 'reconfiguring'
sleep 0.5
kill "$upstream_pid"
wait "$upstream_pid" 2>/dev/null || true
for i in 1 2 3 4 5; do
  req "$base/app/ok?page=$i"
done
req "$base/"
kill -QUIT "$nginx_pid"
wait "$nginx_pid" 2>/dev/null || true
trap - EXIT

out="$REAL_DIR/nginx"
trim_log "$work/logs/access.log" "$out/access.log"
trim_log "$work/logs/error.log" "$out/error.log"
trim_log "$work/logs/upstream.log" "$REAL_DIR/pino/upstream.log"
wc -l "$out"/*.log "$REAL_DIR/pino/upstream.log"
rm -rf "$work"
