#!/usr/bin/env bash
# Prometheus 2.42 and Alertmanager 0.25 (Debian packages) at their default info level, and mtail (Debian
# 3.0.0~rc50) logging to stderr, all on 127.0.0.1.
# Prometheus: a scrape target that goes down (not logged at info: Prometheus only records up=0), a rule file
# made invalid and reloaded with SIGHUP, remote_write to a closed port, an alert sent to Alertmanager.
# Alertmanager: a webhook receiver on a closed port (connect: connection refused), retries, give-up.
# mtail: a program with a syntax error, then a SIGTERM.
# Writes test/fixtures/real/prometheus/prometheus.log, real/alertmanager/alertmanager.log, real/mtail/mtail.log.
source "$(dirname "$0")/lib.sh"

work="$(mktemp -d /tmp/corpus-prom.XXXXXX)"
mkdir -p "$work/target" "$work/progs"
printf 'app_up 1\n' >"$work/target/metrics"
tport="$(free_port)"; pport="$(free_port)"; aport="$(free_port)"; closed="$(free_port)"; mport="$(free_port)"
cat >"$work/prometheus.yml" <<EOF
global: { scrape_interval: 1s, evaluation_interval: 1s }
rule_files: [ "$work/rules.yml" ]
alerting:
  alertmanagers: [ { static_configs: [ { targets: [ "127.0.0.1:$aport" ] } ] } ]
remote_write:
  - url: http://127.0.0.1:$closed/api/v1/write
scrape_configs:
  - job_name: app
    static_configs: [ { targets: [ "127.0.0.1:$tport" ] } ]
EOF
cat >"$work/rules.yml" <<'EOF'
groups:
  - name: app
    rules:
      - alert: AppDown
        expr: up{job="app"} == 0
        labels: { severity: page }
EOF
cat >"$work/alertmanager.yml" <<EOF
route: { receiver: ops, group_wait: 1s, group_interval: 5s, repeat_interval: 1h }
receivers:
  - name: ops
    webhook_configs: [ { url: "http://127.0.0.1:$closed/alert" } ]
EOF
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT
(cd "$work/target" && exec python3 -m http.server "$tport" --bind 127.0.0.1 >/dev/null 2>&1) &
target=$!; pids+=("$target")
prometheus-alertmanager --config.file="$work/alertmanager.yml" --storage.path="$work/am" \
  --web.listen-address="127.0.0.1:$aport" --cluster.listen-address= 2>"$work/alertmanager.log" &
am=$!; pids+=("$am")
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$pport" 2>"$work/prometheus.log" &
prom=$!; pids+=("$prom")
wait_port "$pport"; wait_port "$aport"
sleep 3
kill "$target"
wait_for_text "$work/alertmanager.log" 'Notify for alerts failed'
# A broken rule file, reloaded.
cat >"$work/rules.yml" <<'EOF'
groups:
  - name: app
    rules:
      - alert: AppDown
        expr: up{job="app"} == 0 and
EOF
kill -HUP "$prom"
wait_for_text "$work/prometheus.log" 'Error reloading config'
wait_for_text "$work/prometheus.log" 'Failed to send batch'
kill "$prom" "$am"
wait "$prom" "$am" 2>/dev/null || true

# mtail with one good and one broken program.
printf 'counter lines_total\n/$/ {\n  lines_total++\n}\n' >"$work/progs/lines.mtail"
printf 'counter errors_total\n/ERROR (?P<code>\\d+/ {\n  errors_total[$code]++\n}\n' >"$work/progs/errors.mtail"
echo "2026-12-04 ERROR 500 boom" >"$work/app.log"
mtail --progs "$work/progs" --logs "$work/app.log" --logtostderr --address 127.0.0.1 --port "$mport" \
  2>"$work/mtail.log" &
mtail_pid=$!; pids+=("$mtail_pid")
wait_port "$mport" || true
sleep 2
kill "$mtail_pid"
wait "$mtail_pid" 2>/dev/null || true
trap - EXIT
for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done

trim_log "$work/prometheus.log" "$REAL_DIR/prometheus/prometheus.log"
trim_log "$work/alertmanager.log" "$REAL_DIR/alertmanager/alertmanager.log"
trim_log "$work/mtail.log" "$REAL_DIR/mtail/mtail.log"
wc -l "$REAL_DIR"/prometheus/*.log "$REAL_DIR"/alertmanager/*.log "$REAL_DIR"/mtail/*.log
rm -rf "$work"
