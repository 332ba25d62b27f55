#!/usr/bin/env bash
# Redis (Debian package) with a temp config on 127.0.0.1, logging to a file at `loglevel notice` (the default).
# Induced: maxmemory 2mb + noeviction filled by a loop (OOM errors go to the client; the server logs nothing
# for them, so the generator only counts the client's replies), a BGSAVE into a directory that is
# not writable (the fork's "Failed opening the temp RDB file" and the parent's "Background saving error"), a
# CONFIG SET of a bad value, a client killed, a SHUTDOWN whose final save fails, then SHUTDOWN NOSAVE.
# Writes test/fixtures/real/redis/redis.log.
source "$(dirname "$0")/lib.sh"

work="$(mktemp -d /tmp/corpus-redis.XXXXXX)"
chmod 755 "$work"
mkdir -p "$work/data"
# The data dir gets chmod 555 later; the server runs as the unprivileged `redis` user so root's bypass of
# file permissions does not hide the failure.
chown redis: "$work/data"
port="$(free_port)"
cat >"$work/redis.conf" <<EOF
bind 127.0.0.1
port $port
daemonize no
logfile $work/redis.log
dir $work/data
dbfilename dump.rdb
maxmemory 2mb
maxmemory-policy noeviction
save ""
EOF
chown redis: "$work/redis.conf"
touch "$work/redis.log" && chown redis: "$work/redis.log"
runuser -u redis -- redis-server "$work/redis.conf" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
wait_port "$port"
cli() { redis-cli -h 127.0.0.1 -p "$port" "$@"; }

cli SET greeting hello >/dev/null
cli BGSAVE >/dev/null
wait_for_text "$work/redis.log" 'Background saving terminated with success'

# Fill memory until noeviction refuses writes.
: >"$work/client-oom.txt"
for i in $(seq 1 400); do
  reply="$(cli SET "session:$i" "$(head -c 8192 /dev/zero | tr '\0' 'x')" 2>&1)"
  if [ "$reply" != "OK" ]; then
    echo "SET session:$i -> $reply" >>"$work/client-oom.txt"
  fi
done
cli INFO memory | grep -E '^(used_memory_human|maxmemory_human|maxmemory_policy):' >>"$work/client-oom.txt"

# BGSAVE into a directory the server cannot write.
chmod 555 "$work/data"
cli BGSAVE >/dev/null
wait_for_text "$work/redis.log" 'Background saving error'
cli CONFIG SET maxmemory-policy sometimes >>"$work/client-oom.txt" 2>&1 || true
cli CLIENT KILL TYPE normal >/dev/null || true
# With a save point configured, the failed BGSAVE makes the server refuse writes (MISCONF, client side) and
# SHUTDOWN's final save fails on the read-only dir, so it refuses to exit; then NOSAVE.
cli CONFIG SET save "3600 1" >/dev/null
echo "SET after failed BGSAVE -> $(cli SET k v 2>&1)" >>"$work/client-oom.txt"
cli SHUTDOWN >>"$work/client-oom.txt" 2>&1 || true
cli SHUTDOWN NOSAVE >/dev/null 2>&1 || true
wait $server 2>/dev/null || true
trap - EXIT

out="$REAL_DIR/redis"
trim_log "$work/redis.log" "$out/redis.log"
echo "client side (not kept: not a log): $(grep -c OOM "$work/client-oom.txt") OOM replies"
tail -n 3 "$work/client-oom.txt"
wc -l "$out"/*
chmod 755 "$work/data"
rm -rf "$work"
