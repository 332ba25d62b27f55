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
