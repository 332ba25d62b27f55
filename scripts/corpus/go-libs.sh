#!/usr/bin/env bash
# Go logging libraries in their default configuration (zap production + development, zerolog with RFC 3339
# and Unix-ms time, logrus text + JSON, log/slog text + JSON, klog), each logging the same short sequence
# (scripts/corpus/go/golibs/cmd/libs). Writes test/fixtures/real/go/<name>.log. Needs Go and the module proxy.
source "$(dirname "$0")/lib.sh"
work="$(mktemp -d /tmp/corpus-golibs.XXXXXX)"
(cd "$REPO_ROOT/scripts/corpus/go/golibs" && go build -o "$work/libs" ./cmd/libs)
mkdir -p "$REAL_DIR/go"
for name in zap-production zap-development zerolog zerolog-unixms logrus-text logrus-json slog-text slog-json klog; do
  "$work/libs" "$name" >"$REAL_DIR/go/$name.log" 2>&1 || true
done
wc -l "$REAL_DIR"/go/*.log
rm -rf "$work"
