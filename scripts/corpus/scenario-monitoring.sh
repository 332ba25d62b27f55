#!/usr/bin/env bash
# Incident scenario "alert-notify-cert-expired": Prometheus 2.42 scrapes the `checkout` target every second
# and alerts when it is down; Alertmanager 0.25 sends to the webhook receiver `pager-relay` (winston JSON),
# which forwards to a paging API whose TLS certificate expired on 2026-11-30. The relay's start-up health
# check already fails; when the target dies the alert fires and every notification fails, Alertmanager
# retries until it gives up: nobody is paged.
# Writes test/fixtures/incidents/alert-notify-cert-expired/{prometheus.log,alertmanager.log,pager-relay.log}.
source "$(dirname "$0")/lib.sh"

: "${CORPUS_NODE_DEPS:=/tmp/corpus-deps/node}"
work="$(mktemp -d /tmp/corpus-mon.XXXXXX)"
mkdir -p "$work/target" "$work/certs"
printf '# TYPE checkout_orders_total counter\ncheckout_orders_total 42\n' >"$work/target/metrics"
python3 "$REPO_ROOT/scripts/corpus/apps/expired_cert.py" "$work/certs"
tport="$(free_port)"; pport="$(free_port)"; aport="$(free_port)"; rport="$(free_port)"; papi="$(free_port)"
cat >"$work/prometheus.yml" <<EOF
global: { scrape_interval: 1s, evaluation_interval: 1s }
rule_files: [ "$work/rules.yml" ]
alerting:
  alertmanagers: [ { static_configs: [ { targets: [ "127.0.0.1:$aport" ] } ] } ]
scrape_configs:
  - job_name: checkout
    static_configs: [ { targets: [ "127.0.0.1:$tport" ] } ]
EOF
cat >"$work/rules.yml" <<'EOF'
groups:
  - name: checkout
    rules:
      - alert: CheckoutDown
        expr: up{job="checkout"} == 0
        for: 3s
        labels: { severity: page }
        annotations: { summary: "checkout target is down" }
EOF
cat >"$work/alertmanager.yml" <<EOF
route: { receiver: pager, group_by: [alertname], group_wait: 1s, group_interval: 10s, repeat_interval: 1h }
receivers:
  - name: pager
    webhook_configs: [ { url: "http://127.0.0.1:$rport/hook" } ]
EOF

pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT
(cd "$work/target" && exec python3 -m http.server "$tport" --bind 127.0.0.1 >/dev/null 2>&1) &
target=$!; pids+=("$target")
PAGER_SERVE=1 PAGER_PORT="$papi" CERT_DIR="$work/certs" CORPUS_NODE_DEPS="$CORPUS_NODE_DEPS" \
  node "$REPO_ROOT/scripts/corpus/apps/pager_relay.mjs" &
pids+=("$!")
wait_port "$papi"
PORT="$rport" PAGER_PORT="$papi" CERT_DIR="$work/certs" CORPUS_NODE_DEPS="$CORPUS_NODE_DEPS" \
  node "$REPO_ROOT/scripts/corpus/apps/pager_relay.mjs" >"$work/pager-relay.log" &
relay=$!; pids+=("$relay")
prometheus-alertmanager --config.file="$work/alertmanager.yml" --storage.path="$work/am" \
  --web.listen-address="127.0.0.1:$aport" --cluster.listen-address= 2>"$work/alertmanager.log" &
am=$!; pids+=("$am")
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$pport" 2>"$work/prometheus.log" &
prom=$!; pids+=("$prom")
wait_port "$pport"; wait_port "$aport"; wait_port "$rport"
sleep 8
kill "$target"
wait_for_text "$work/alertmanager.log" 'Notify for alerts failed'
sleep 2
kill "$prom" "$am" "$relay"
wait "$prom" "$am" "$relay" 2>/dev/null || true
trap - EXIT
for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done

out="$INCIDENTS_DIR/alert-notify-cert-expired"
mkdir -p "$out"
trim_log "$work/prometheus.log" "$out/prometheus.log"
trim_log "$work/alertmanager.log" "$out/alertmanager.log"
trim_log "$work/pager-relay.log" "$out/pager-relay.log"
wc -l "$out"/*.log
rm -rf "$work"
