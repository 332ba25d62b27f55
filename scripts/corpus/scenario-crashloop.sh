#!/usr/bin/env bash
# Incident scenario "crashloop-db-unreachable": the zap (production JSON) worker payments-worker started four
# times, as kubelet restarts a crashing container (back-off 10 s, 20 s, 40 s), with a database address that
# refuses connections. Each start logs its config (one line over 16 KiB, so CRI splits it into P + F), three
# failed connection attempts and a fatal exit. CRI files per restart (named as in /var/log/containers) and one
# Docker json-file log for the same runs (docker's restart policy keeps one file per container).
# Writes test/fixtures/incidents/crashloop-db-unreachable/<pod>_default_payments-worker-<id>.log (one per run), real/cri/payments-worker-0.log,
# real/docker/payments-worker-json.log. Needs Go (builds scripts/corpus/go/golibs/cmd/crashloop).
source "$(dirname "$0")/lib.sh"

work="$(mktemp -d /tmp/corpus-crash.XXXXXX)"
(cd "$REPO_ROOT/scripts/corpus/go/golibs" && go build -o "$work/payments-worker" ./cmd/crashloop)
dead="$(free_port)"
out="$INCIDENTS_DIR/crashloop-db-unreachable"
# Named as in /var/log/containers: <pod>_<namespace>_<container>-<container id>.log, a new (made-up, stable)
# container id per restart.
mkdir -p "$out" && rm -f "$out"/*.log
name() { echo "payments-worker-7d9f8b6c5-x2k4q_default_payments-worker-$(printf 'payments-worker restart %s' "$1" | sha256sum | cut -c1-64).log"; }
delays=(10 20 40)
for restart in 0 1 2 3; do
  DB_ADDR="127.0.0.1:$dead" POD_NAME=payments-worker-7d9f8b6c5-x2k4q BIG_CONFIG=1 \
    python3 "$REPO_ROOT/scripts/corpus/container_wrap.py" --cri "$work/$restart.log" --docker "$work/docker.json" \
    -- "$work/payments-worker" || true
  if [ "$restart" -lt 3 ]; then sleep "${delays[$restart]}"; fi
done
for restart in 0 1 2 3; do trim_log "$work/$restart.log" "$out/$(name "$restart")"; done
trim_log "$work/0.log" "$REAL_DIR/cri/payments-worker-0.log"
trim_log "$work/docker.json" "$REAL_DIR/docker/payments-worker-json.log"
wc -lc "$out"/*.log "$REAL_DIR/docker/payments-worker-json.log"
rm -rf "$work"
