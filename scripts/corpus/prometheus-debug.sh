#!/usr/bin/env bash
# Prometheus 2.42 (Debian) at --log.level=debug, scraping a target every second that is killed after 3 s:
# at debug level Prometheus does log the failed scrapes ("Scrape failed", connection refused), which the
# default info level leaves out. Writes test/fixtures/real/prometheus/prometheus-debug.log.
source "$(dirname "$0")/lib.sh"
work="$(mktemp -d /tmp/corpus-promdbg.XXXXXX)"
mkdir -p "$work/target"
printf 'app_up 1\n' >"$work/target/metrics"
tport="$(free_port)"; pport="$(free_port)"
cat >"$work/prometheus.yml" <<EOF
global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: app
    static_configs: [ { targets: [ "127.0.0.1:$tport" ] } ]
EOF
(cd "$work/target" && exec python3 -m http.server "$tport" --bind 127.0.0.1 >/dev/null 2>&1) &
target=$!
prometheus --log.level=debug --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$pport" 2>"$work/prometheus.log" &
prom=$!
trap 'kill $target $prom 2>/dev/null || true' EXIT
wait_port "$pport"
sleep 3
kill "$target"
wait_for_count "$work/prometheus.log" 'Scrape failed' 5
kill "$prom"
wait "$prom" 2>/dev/null || true
trap - EXIT
trim_log "$work/prometheus.log" "$REAL_DIR/prometheus/prometheus-debug.log"
wc -l "$REAL_DIR/prometheus/prometheus-debug.log"
rm -rf "$work"
