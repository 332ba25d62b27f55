#!/usr/bin/env bash
# Incident scenario "db-wal-disk-full": PostgreSQL 15 with pg_wal on a 64 MB tmpfs and an archive_command
# that always fails (a broken archive target). WAL cannot be recycled, the archiver fails on every segment,
# the WAL volume fills up and the server PANICs with "No space left on device"; the batch writer
# (Python logging) sees its connection die and retries.
# Writes test/fixtures/incidents/db-wal-disk-full/{postgresql.log,order-writer.log}.
# Needs root (mount -t tmpfs) and psycopg in $CORPUS_PY (default /tmp/corpus-deps/py, a venv).
source "$(dirname "$0")/lib.sh"

: "${CORPUS_PY:=/tmp/corpus-deps/py}"
BIN=/usr/lib/postgresql/15/bin
work="$(mktemp -d /tmp/corpus-pgfull.XXXXXX)"
chmod 755 "$work"
mkdir -p "$work/wal"
mount -t tmpfs -o size=64m,mode=700 tmpfs "$work/wal"
chown postgres: "$work" "$work/wal"
port="$(free_port)"
as_pg() { runuser -u postgres -- "$@"; }
cleanup() {
  as_pg "$BIN/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
  umount "$work/wal" 2>/dev/null || true
}
trap cleanup EXIT

echo 'postgres-pw' >"$work/pwfile" && chown postgres: "$work/pwfile"
as_pg "$BIN/initdb" -D "$work/data" --waldir="$work/wal/pg_wal" -U postgres --pwfile="$work/pwfile" \
  --auth-local=trust --auth-host=scram-sha-256 >/dev/null
cat >>"$work/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$work'
logging_collector = on
log_directory = '$work/log'
log_filename = 'postgresql.log'
wal_level = replica
archive_mode = on
archive_command = 'cp %p /mnt/wal-archive/%f'
EOF
as_pg "$BIN/pg_ctl" -D "$work/data" -w -l "$work/pg_ctl.log" start >/dev/null
as_pg psql -X -q -h "$work" -p "$port" -U postgres -d postgres <<'SQL'
CREATE ROLE writer LOGIN PASSWORD 'writer-pw';
CREATE DATABASE orders OWNER writer;
\c orders
SET ROLE writer;
CREATE TABLE orders (id bigserial PRIMARY KEY, payload text NOT NULL, created timestamptz DEFAULT now());
SQL

DSN="host=127.0.0.1 port=$port dbname=orders user=writer password=writer-pw connect_timeout=3" \
  INTERVAL=0.5 ROWS=400 RUN_SECONDS=75 "$CORPUS_PY/bin/python" "$REPO_ROOT/scripts/corpus/apps/order_writer.py" \
  2>"$work/order-writer.log" || true
df -h "$work/wal" | tail -1

out="$INCIDENTS_DIR/db-wal-disk-full"
cleanup
trap - EXIT
mkdir -p "$out"
trim_log "$work/log/postgresql.log" "$out/postgresql.log"
trim_log "$work/order-writer.log" "$out/order-writer.log"
wc -l "$out"/*.log
rm -rf "$work"
