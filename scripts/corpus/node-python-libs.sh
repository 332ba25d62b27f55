#!/usr/bin/env bash
# Node (pino, bunyan, winston) and Python (logging basicConfig default and cookbook format, structlog console
# and JSON) loggers in their default configuration. Writes test/fixtures/real/{node,python}/<name>.log.
# Needs the npm packages in $CORPUS_NODE_DEPS and structlog in the venv $CORPUS_PY (see README.md).
source "$(dirname "$0")/lib.sh"
: "${CORPUS_NODE_DEPS:=/tmp/corpus-deps/node}"
: "${CORPUS_PY:=/tmp/corpus-deps/py}"
mkdir -p "$REAL_DIR/node" "$REAL_DIR/python"
for name in pino bunyan winston; do
  CORPUS_NODE_DEPS="$CORPUS_NODE_DEPS" node "$REPO_ROOT/scripts/corpus/apps/node_libs.mjs" "$name" >"$REAL_DIR/node/$name.log" 2>&1
done
for name in basic cookbook structlog-console structlog-json; do
  "$CORPUS_PY/bin/python" "$REPO_ROOT/scripts/corpus/apps/python_libs.py" "$name" >"$REAL_DIR/python/$name.log" 2>&1
done
wc -l "$REAL_DIR"/node/*.log "$REAL_DIR"/python/*.log
