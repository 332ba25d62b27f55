#!/usr/bin/env bash
# Incident scenario "deploy-unbounded-cache": the checkout service's slog (logfmt) log over 2 h 45 min, written
# by Go's log/slog TextHandler with a virtual clock (see scripts/corpus/go/deploysim/main.go).
# Writes test/fixtures/incidents/deploy-unbounded-cache/checkout.log. Needs Go >= 1.22.
source "$(dirname "$0")/lib.sh"
out="$INCIDENTS_DIR/deploy-unbounded-cache"
mkdir -p "$out"
(cd "$REPO_ROOT/scripts/corpus/go/deploysim" && go run .) >"$out/checkout.log"
wc -l "$out/checkout.log"
