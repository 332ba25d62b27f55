#!/usr/bin/env bash
# Incident scenario "pg-deadlocks-then-oom-kill": one PostgreSQL 15 log with two unrelated incidents four
# minutes apart. First, a transfer job and a settlement job lock the same two rows in opposite orders three
# times: lock waits (log_lock_waits) and "deadlock detected". Then a reporting job's sorts spill to temporary
# files (log_temp_files = 0) and its backend is SIGKILLed, as the kernel OOM killer does (the kill is
# ours): the postmaster resets every backend and recovers.
# Writes test/fixtures/incidents/pg-deadlocks-then-oom-kill/postgresql.log.
source "$(dirname "$0")/lib.sh"

BIN=/usr/lib/postgresql/15/bin
work="$(mktemp -d /tmp/corpus-pg2.XXXXXX)"
chown postgres: "$work"
chmod 755 "$work"
port="$(free_port)"
as_pg() { runuser -u postgres -- "$@"; }
trap 'as_pg "$BIN/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true' EXIT
echo 'postgres-pw' >"$work/pwfile" && chown postgres: "$work/pwfile"
as_pg "$BIN/initdb" -D "$work/data" -U postgres --pwfile="$work/pwfile" --auth-local=trust \
  --auth-host=scram-sha-256 >/dev/null
cat >>"$work/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$work'
logging_collector = on
log_directory = '$work/log'
log_filename = 'postgresql.log'
log_lock_waits = on
log_temp_files = 0
work_mem = '1MB'
EOF
as_pg "$BIN/pg_ctl" -D "$work/data" -w -l "$work/pg_ctl.log" start >/dev/null
psql_su() { as_pg psql -X -q -h "$work" -p "$port" -U postgres "$@"; }
psql_su -d postgres -c 'CREATE DATABASE bank'
psql_su -d bank <<'SQL'
CREATE TABLE accounts (id int PRIMARY KEY, balance numeric NOT NULL);
INSERT INTO accounts VALUES (1, 1000), (2, 1000);
CREATE TABLE ledger AS SELECT g AS id, md5(g::text) AS note, (random() * 1000)::numeric AS amount
  FROM generate_series(1, 300000) g;
SQL
sleep 5

# Incident 1: three deadlocks between the transfer and settlement jobs.
for round in 1 2 3; do
  psql_su -d bank -c "BEGIN; UPDATE accounts SET balance = balance - $round WHERE id = 1; SELECT pg_sleep(1.5);
    UPDATE accounts SET balance = balance + $round WHERE id = 2; COMMIT; -- transfer job" >/dev/null 2>&1 &
  a=$!
  psql_su -d bank -c "BEGIN; UPDATE accounts SET balance = balance + 0 WHERE id = 2; SELECT pg_sleep(1.5);
    UPDATE accounts SET balance = balance + 0 WHERE id = 1; COMMIT; -- settlement job" >/dev/null 2>&1 &
  b=$!
  wait $a $b || true
  sleep 4
done

sleep 240

# Incident 2: the monthly report sorts the ledger over and over, spilling to temporary files each time, until
# its backend is SIGKILLed (the kernel OOM killer's signal; here it is ours).
psql_su -d bank -c "DO \$\$ BEGIN FOR i IN 1..60 LOOP PERFORM count(*) FROM (SELECT * FROM ledger ORDER BY note) s;
  PERFORM pg_sleep(0.5); END LOOP; END \$\$ /* monthly report */" >/dev/null 2>&1 &
victim=$!
wait_for_count "$work/log/postgresql.log" 'temporary file' 4
bpid="$(psql_su -d postgres -At -c "SELECT pid FROM pg_stat_activity WHERE query LIKE '%monthly report%' AND pid <> pg_backend_pid()")"
kill -9 "$bpid"
wait $victim || true
wait_for_count "$work/log/postgresql.log" 'database system is ready to accept connections' 2
sleep 1
as_pg "$BIN/pg_ctl" -D "$work/data" -w -m fast stop >/dev/null
trap - EXIT
out="$INCIDENTS_DIR/pg-deadlocks-then-oom-kill"
mkdir -p "$out"
trim_log "$work/log/postgresql.log" "$out/postgresql.log"
wc -l "$out/postgresql.log"
rm -rf "$work"
