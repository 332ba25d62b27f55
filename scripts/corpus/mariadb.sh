#!/usr/bin/env bash
# MariaDB 10.11 (Debian package mariadb-server) with a temp datadir on 127.0.0.1, error log to a file with
# the default log_warnings (2). Its service is not used: mariadbd runs in the foreground of this script.
# Induced: failed logins (wrong password, unknown user), a client killed mid-query (aborted connection),
# kill -9 of the server and a restart (InnoDB crash recovery), a normal shutdown.
# Writes test/fixtures/real/mysql/mariadb-error.log. Needs `apt-get install -y mariadb-server`.
source "$(dirname "$0")/lib.sh"
work="$(mktemp -d /tmp/corpus-maria.XXXXXX)"
chmod 755 "$work"
port="$(free_port)"
mariadb_init "$work"
start() {
  mariadb_start "$work" "$port"
  server=$MARIADB_PID
}
start
trap 'kill $server 2>/dev/null || true' EXIT
sql() { mariadb --no-defaults -S "$work/mysqld.sock" -u root "$@"; }
sql -e "CREATE DATABASE shop; CREATE USER 'app'@'127.0.0.1' IDENTIFIED BY 'app-pw'; GRANT ALL ON shop.* TO 'app'@'127.0.0.1';"
tcp() { mariadb --no-defaults -h 127.0.0.1 -P "$port" "$@"; }
tcp -u app -pwrong shop -e 'SELECT 1' 2>/dev/null || true
tcp -u app -pwrong shop -e 'SELECT 1' 2>/dev/null || true
tcp -u mallory -px shop -e 'SELECT 1' 2>/dev/null || true
tcp -u app -papp-pw shop -e 'CREATE TABLE orders (id INT PRIMARY KEY, note TEXT) ENGINE=InnoDB; INSERT INTO orders VALUES (1, "a")'
tcp -u app -papp-pw shop -e 'SELECT SLEEP(30)' >/dev/null 2>&1 &
client=$!
sleep 1
kill -9 "$client"
sleep 1
tcp -u app -papp-pw shop -e 'INSERT INTO orders VALUES (2, "b")'
kill -9 "$server"
wait "$server" 2>/dev/null || true
start
tcp -u app -papp-pw shop -e 'SELECT COUNT(*) FROM orders' >/dev/null
sql -e 'SHUTDOWN'
wait "$server" 2>/dev/null || true
trap - EXIT
trim_log "$work/error.log" "$REAL_DIR/mysql/mariadb-error.log"
wc -l "$REAL_DIR/mysql/mariadb-error.log"
rm -rf "$work"
