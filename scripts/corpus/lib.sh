# Shared helpers for the corpus generators (sourced, not run).
# Every generator runs a real program on 127.0.0.1 in a throw-away directory and copies its logs into
# test/fixtures/real/<program>/ byte for byte (trimmed only by whole lines, see trim_log).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# Overridable so a changed generator can be tried without touching the committed fixtures.
REAL_DIR="${CORPUS_REAL_DIR:-$REPO_ROOT/test/fixtures/real}"
INCIDENTS_DIR="${CORPUS_INCIDENTS_DIR:-$REPO_ROOT/test/fixtures/incidents}"

# A free TCP port on 127.0.0.1 (the kernel picks it; tiny race accepted for a generator).
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Wait until a TCP port on 127.0.0.1 accepts connections (max ~10 s).
wait_port() {
  local port="$1" i
  for i in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "port $port never opened" >&2
  return 1
}

# Wait until a file contains a fixed string (max ~20 s).
wait_for_text() {
  local file="$1" text="$2" i
  for i in $(seq 1 200); do
    if [ -f "$file" ] && grep -qF -- "$text" "$file"; then return 0; fi
    sleep 0.1
  done
  echo "'$text' never appeared in $file" >&2
  return 1
}

# Copy a log keeping at most 200 KB: whole lines only, head kept (start-up) plus the tail (failures).
trim_log() {
  local src="$1" dst="$2" max=190000
  mkdir -p "$(dirname "$dst")"
  if [ "$(stat -c %s "$src")" -le "$max" ]; then
    cp "$src" "$dst"
  else
    { head -c $((max / 2)) "$src" | sed '$d'; tail -c $((max / 2)) "$src" | sed '1d'; } >"$dst"
  fi
}

# Wait until a file contains a fixed string at least N times (max ~20 s).
wait_for_count() {
  local file="$1" text="$2" n="$3" i
  for i in $(seq 1 200); do
    if [ -f "$file" ] && [ "$(grep -cF -- "$text" "$file")" -ge "$n" ]; then return 0; fi
    sleep 0.1
  done
  echo "'$text' never appeared $n times in $file" >&2
  return 1
}

# An nginx config for a foreground run under prefix $1: listen 127.0.0.1:$2, /app/ proxied to 127.0.0.1:$3,
# combined access log and error log at notice in $1/logs, 1 KB body limit, 1 s upstream read timeout.
write_nginx_conf() {
  local work="$1" port="$2" uport="$3"
  cat >"$work/nginx.conf" <<EOF
  worker_processes 1;
  pid $work/nginx.pid;
  error_log $work/logs/error.log notice;
  events { worker_connections 64; }
  http {
    include /etc/nginx/mime.types;
    access_log $work/logs/access.log combined;
    client_body_temp_path $work/client_body;
    proxy_temp_path $work/proxy;
    fastcgi_temp_path $work/fastcgi;
    uwsgi_temp_path $work/uwsgi;
    scgi_temp_path $work/scgi;
    client_max_body_size 1k;
    upstream app { server 127.0.0.1:$uport; }
    server {
      listen 127.0.0.1:$port;
      server_name shop.example.test;
      root $work/html;
      location /app/ {
        proxy_pass http://app;
        proxy_read_timeout 1s;
      }
    }
  }
EOF
}

# PostgreSQL 15: a throw-away cluster in $1/data (initdb as `postgres`, password auth on 127.0.0.1, trust on
# the socket in $1), listening on 127.0.0.1:$2, logging_collector writing $1/log/postgresql.log with the
# default prefix. Extra postgresql.conf lines come on stdin; further initdb options follow $2.
PG_BIN=/usr/lib/postgresql/15/bin
as_pg() { runuser -u postgres -- "$@"; }
pg_init() {
  local work="$1" port="$2"
  shift 2
  chown postgres: "$work"
  echo 'postgres-pw' >"$work/pwfile" && chown postgres: "$work/pwfile"
  as_pg "$PG_BIN/initdb" -D "$work/data" -U postgres --pwfile="$work/pwfile" --auth-local=trust \
    --auth-host=scram-sha-256 "$@" >/dev/null
  {
    echo "listen_addresses = '127.0.0.1'"
    echo "port = $port"
    echo "unix_socket_directories = '$work'"
    echo "logging_collector = on"
    echo "log_directory = '$work/log'"
    echo "log_filename = 'postgresql.log'"
    cat
  } >>"$work/data/postgresql.conf"
  as_pg "$PG_BIN/pg_ctl" -D "$work/data" -w -l "$work/pg_ctl.log" start >/dev/null
}
# Stop the cluster in $1 (mode $2: fast or immediate), quietly if it is already down.
pg_stop() { as_pg "$PG_BIN/pg_ctl" -D "$1/data" -w -m "${2:-fast}" stop >/dev/null 2>&1 || true; }

# Redis: redis-server in the background as the unprivileged `redis` user (so root's bypass of file permissions
# cannot hide a failure), bound to 127.0.0.1:$2, logging to $1/redis.log with data in $1/data; extra
# redis.conf lines come on stdin. Sets REDIS_PID and returns once the port accepts connections.
redis_start() {
  local work="$1" port="$2"
  mkdir -p "$work/data" && chown redis: "$work/data"
  {
    echo "bind 127.0.0.1"
    echo "port $port"
    echo "daemonize no"
    echo "logfile $work/redis.log"
    echo "dir $work/data"
    cat
  } >"$work/redis.conf"
  touch "$work/redis.log" && chown redis: "$work/redis.log" "$work/redis.conf"
  runuser -u redis -- redis-server "$work/redis.conf" &
  REDIS_PID=$!
  wait_port "$port"
}

# MariaDB: a throw-away datadir in $1/data (mariadb-install-db, root by socket), mariadbd in the background
# as `mysql` on 127.0.0.1:$2 with its socket in $1 and the error log in $1/error.log. Sets MARIADB_PID.
mariadb_init() {
  chown mysql: "$1"
  mariadb-install-db --no-defaults --user=mysql --datadir="$1/data" --auth-root-authentication-method=socket \
    >/dev/null 2>&1
}
mariadb_start() {
  mariadbd --no-defaults --user=mysql --datadir="$1/data" --socket="$1/mysqld.sock" \
    --pid-file="$1/mysqld.pid" --port="$2" --bind-address=127.0.0.1 --log-error="$1/error.log" &
  MARIADB_PID=$!
  wait_port "$2"
}
