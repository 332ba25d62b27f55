# Shared helpers for the corpus generators (sourced, not run).
# Every generator runs a real program on 127.0.0.1 in a throw-away directory and copies its logs into
# test/fixtures/real/<program>/ byte for byte (trimmed only by whole lines, see trim_log).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
REAL_DIR="$REPO_ROOT/test/fixtures/real"
INCIDENTS_DIR="$REPO_ROOT/test/fixtures/incidents"

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
