#!/usr/bin/env bash
# Incident scenario "mariadb-crash-spring-app": the Spring Boot `billing` worker (HikariCP + MariaDB
# Connector/J) records invoices in MariaDB 10.11; mariadbd is killed (kill -9) and only restarted 12 s later
# (InnoDB crash recovery). The app logs every failed invoice with its stack trace ("Caused by:" chain) and
# recovers when the database is back.
# Writes test/fixtures/incidents/mariadb-crash-spring-app/{mariadb-error.log,billing.log}.
# Needs mariadb-server, a JDK 17 and the jars in $CORPUS_JAVA/springjdbc/lib (see README.md).
source "$(dirname "$0")/lib.sh"
: "${CORPUS_JAVA:=/tmp/corpus-deps/java}"
work="$(mktemp -d /tmp/corpus-mspring.XXXXXX)"
chmod 755 "$work"
port="$(free_port)"
mariadb_init "$work"
start_db() {
  mariadb_start "$work" "$port"
  db=$MARIADB_PID
}
start_db
trap 'kill $db $app 2>/dev/null || true' EXIT
mariadb --no-defaults -S "$work/mysqld.sock" -u root -e "CREATE DATABASE billing;
  CREATE USER 'billing'@'localhost' IDENTIFIED BY 'billing-pw'; GRANT ALL ON billing.* TO 'billing'@'localhost';"
mkdir -p "$work/classes"
javac -d "$work/classes" -cp "$CORPUS_JAVA/springjdbc/lib/*" \
  "$REPO_ROOT/scripts/corpus/java/springjdbc/com/example/billing/BillingApplication.java"
(cd "$work" && RUN_SECONDS=40 exec java -cp "$CORPUS_JAVA/springjdbc/lib/*:$work/classes" \
  com.example.billing.BillingApplication --spring.application.name=billing \
  --spring.datasource.url="jdbc:mariadb://127.0.0.1:$port/billing" --spring.datasource.username=billing \
  --spring.datasource.password=billing-pw --spring.datasource.hikari.connection-timeout=2000 \
  --spring.main.banner-mode=off --logging.file.name="$work/billing.log" >/dev/null 2>&1) &
app=$!
# Spring Boot takes long to start on a busy machine: wait up to 2 minutes for two progress lines.
for _ in $(seq 1 24); do wait_for_count "$work/billing.log" 'invoices recorded' 2 2>/dev/null && break; done
kill -9 "$db"
wait "$db" 2>/dev/null || true
sleep 12
start_db
wait "$app" || true
mariadb --no-defaults -S "$work/mysqld.sock" -u root -e 'SHUTDOWN'
wait "$db" 2>/dev/null || true
trap - EXIT
out="$INCIDENTS_DIR/mariadb-crash-spring-app"
mkdir -p "$out"
trim_log "$work/error.log" "$out/mariadb-error.log"
trim_log "$work/billing.log" "$out/billing.log"
wc -lc "$out"/*.log
rm -rf "$work"
