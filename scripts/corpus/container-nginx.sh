#!/usr/bin/env bash
# nginx the way its official container image logs (access_log /dev/stdout, error_log stderr), run for real in
# the foreground under container_wrap.py, which writes what Docker's json-file driver and the CRI would store.
# Induced: 404s, a 502 from a dead upstream, a graceful stop.
# Writes test/fixtures/real/docker/nginx-json.log and test/fixtures/real/cri/nginx.log.
source "$(dirname "$0")/lib.sh"
work="$(mktemp -d /tmp/corpus-cnginx.XXXXXX)"
chmod 755 "$work"
mkdir -p "$work/logs" "$work/html"
echo '<h1>hello</h1>' >"$work/html/index.html"
port="$(free_port)"
uport="$(free_port)"
write_nginx_conf "$work" "$port" "$uport"
sed -i "s|error_log $work/logs/error.log notice;|error_log stderr notice;|; s|access_log $work/logs/access.log combined;|access_log /dev/stdout combined;|" "$work/nginx.conf"
python3 "$REPO_ROOT/scripts/corpus/container_wrap.py" --cri "$work/cri.log" --docker "$work/docker.json" \
  -- nginx -p "$work" -c "$work/nginx.conf" -g 'daemon off;' &
wrapper=$!
wait_port "$port"
req() { curl -s -o /dev/null -A 'Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0' "$@" || true; }
base="http://127.0.0.1:$port"
req "$base/"
req "$base/index.html?utm_source=mail&x=<script>"
req "$base/missing"
req "$base/app/orders"
req "$base/"
kill -QUIT "$(cat "$work/nginx.pid")"
wait "$wrapper" || true
trim_log "$work/docker.json" "$REAL_DIR/docker/nginx-json.log"
trim_log "$work/cri.log" "$REAL_DIR/cri/nginx.log"
wc -l "$REAL_DIR/docker/nginx-json.log" "$REAL_DIR/cri/nginx.log"
rm -rf "$work"
