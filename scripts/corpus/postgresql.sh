#!/usr/bin/env bash
# PostgreSQL 15 (Debian package): a temp cluster initdb'd as the `postgres` user, listening on 127.0.0.1,
# logging_collector on with the default log_line_prefix ('%m [%p] ') to stderr, csvlog and jsonlog at once.
# Induced: password and unknown-role/database auth failures, syntax and runtime errors, a unique violation,
# too many clients, a statement timeout, a deadlock between two sessions, pg_terminate_backend, kill -9 of a
# backend (crash, then automatic recovery), a manual checkpoint, a fast shutdown.
# Writes test/fixtures/real/postgresql/{postgresql.log,postgresql.csv,postgresql.json}.
source "$(dirname "$0")/lib.sh"

BIN=/usr/lib/postgresql/15/bin
work="$(mktemp -d /tmp/corpus-pg.XXXXXX)"
chown postgres: "$work"
chmod 755 "$work"
port="$(free_port)"
as_pg() { runuser -u postgres -- "$@"; }

echo 'postgres-pw' >"$work/pwfile"
chown postgres: "$work/pwfile"
as_pg "$BIN/initdb" -D "$work/data" -U postgres --pwfile="$work/pwfile" --auth-local=trust \
  --auth-host=scram-sha-256 >/dev/null
cat >>"$work/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$work'
max_connections = 8
logging_collector = on
log_destination = 'stderr,csvlog,jsonlog'
log_directory = '$work/log'
log_filename = 'postgresql.log'
EOF
as_pg "$BIN/pg_ctl" -D "$work/data" -w -l "$work/pg_ctl.log" start >/dev/null

psql_su() { as_pg psql -X -q -h "$work" -p "$port" -U postgres "$@"; }
psql_app() { PGPASSWORD="${PW:-app-pw}" psql -X -q -h 127.0.0.1 -p "$port" -U app "$@"; }

psql_su -d postgres <<'SQL'
CREATE ROLE app LOGIN PASSWORD 'app-pw';
CREATE DATABASE shop OWNER app;
SQL
psql_app -d shop <<'SQL'
CREATE TABLE accounts (id int PRIMARY KEY, balance numeric NOT NULL);
INSERT INTO accounts VALUES (1, 100), (2, 200);
SQL

# Authentication failures.
PW=wrong psql_app -d shop -c 'SELECT 1' 2>/dev/null || true
PW=wrong psql_app -d shop -c 'SELECT 1' 2>/dev/null || true
PGPASSWORD=x psql -X -h 127.0.0.1 -p "$port" -U mallory -d shop -c 'SELECT 1' 2>/dev/null || true
psql_app -d nosuchdb -c 'SELECT 1' 2>/dev/null || true

# Statement errors.
psql_app -d shop -c 'SELEC * FROM accounts' 2>/dev/null || true
psql_app -d shop -c 'SELECT * FROM orders' 2>/dev/null || true
psql_app -d shop -c 'SELECT balance / 0 FROM accounts' 2>/dev/null || true
psql_app -d shop -c 'INSERT INTO accounts VALUES (1, 5)' 2>/dev/null || true
psql_app -d shop -c "SET statement_timeout = '200ms'; SELECT pg_sleep(2)" 2>/dev/null || true

# Too many clients: app is not a superuser, so it gets max_connections - 3 slots.
for i in 1 2 3 4 5 6; do
  psql_app -d shop -c 'SELECT pg_sleep(3)' >/dev/null 2>&1 &
done
sleep 1.5
psql_app -d shop -c 'SELECT 1' 2>/dev/null || true
wait

# A deadlock: each session locks one row and then wants the other's.
psql_app -d shop -c 'BEGIN; UPDATE accounts SET balance = balance - 10 WHERE id = 1; SELECT pg_sleep(1);
  UPDATE accounts SET balance = balance + 10 WHERE id = 2; COMMIT;' >/dev/null 2>&1 &
a=$!
psql_app -d shop -c 'BEGIN; UPDATE accounts SET balance = balance - 20 WHERE id = 2; SELECT pg_sleep(1);
  UPDATE accounts SET balance = balance + 20 WHERE id = 1; COMMIT;' >/dev/null 2>&1 &
b=$!
wait $a $b || true

# pg_terminate_backend of a long query.
psql_app -d shop -c "SELECT pg_sleep(30) /* report */" >/dev/null 2>&1 &
victim=$!
sleep 0.5
psql_su -d postgres -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30) /* report */%' AND pid <> pg_backend_pid()" >/dev/null
wait $victim || true

psql_su -d postgres -c 'CHECKPOINT'

# kill -9 of a backend: the postmaster resets every process and recovers from WAL.
psql_app -d shop -c "INSERT INTO accounts VALUES (3, 300); SELECT pg_sleep(30) /* batch */" >/dev/null 2>&1 &
victim=$!
sleep 0.5
bpid="$(psql_su -d postgres -At -c "SELECT pid FROM pg_stat_activity WHERE query LIKE '%/* batch */%' AND pid <> pg_backend_pid()")"
kill -9 "$bpid"
wait $victim || true
wait_for_count "$work/log/postgresql.log" 'database system is ready to accept connections' 2
sleep 0.5
psql_app -d shop -c 'SELECT count(*) FROM accounts' >/dev/null

as_pg "$BIN/pg_ctl" -D "$work/data" -w -m fast stop >/dev/null

out="$REAL_DIR/postgresql"
trim_log "$work/log/postgresql.log" "$out/postgresql.log"
trim_log "$work/log/postgresql.csv" "$out/postgresql.csv"
trim_log "$work/log/postgresql.json" "$out/postgresql.json"
wc -l "$out"/*
rm -rf "$work"
