#!/usr/bin/env bash
# rsyslogd (Debian package) in the foreground with its own imuxsock socket and imudp on 127.0.0.1, writing one
# RFC 3164 file (RSYSLOG_TraditionalFileFormat) and one RFC 5424 file (RSYSLOG_SyslogProtocol23Format).
# Fed with util-linux `logger`: an OpenSSH-like brute force from 203.0.113.77 that ends in a successful
# password login, sudo to root and a new account, among routine cron/systemd/sshd lines. The messages are
# written after OpenSSH's, PAM's, sudo's and shadow's own message formats; rsyslog's reception and formatting
# is real (timestamps, hostname, tags, priorities).
# Writes test/fixtures/incidents/ssh-bruteforce-breakin/auth.log and test/fixtures/real/rsyslog/*.log.
source "$(dirname "$0")/lib.sh"

work="$(mktemp -d /tmp/corpus-rsyslog.XXXXXX)"
udp="$(free_port)"
cat >"$work/rsyslog.conf" <<EOF
global(workDirectory="$work")
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket="$work/log.sock")
module(load="imudp")
input(type="imudp" address="127.0.0.1" port="$udp")
*.* action(type="omfile" file="$work/traditional.log" template="RSYSLOG_TraditionalFileFormat")
*.* action(type="omfile" file="$work/rfc5424.log" template="RSYSLOG_SyslogProtocol23Format")
EOF
rsyslogd -n -f "$work/rsyslog.conf" -i "$work/rsyslogd.pid" &
rsyslog_pid=$!
trap 'kill $rsyslog_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do [ -S "$work/log.sock" ] && break; sleep 0.1; done

# log TAG PID PRIORITY MESSAGE — through the unix socket, like a local daemon.
log() { logger -u "$work/log.sock" -t "$1" --id="$2" -p "$3" -- "$4"; }
# The same over UDP in RFC 5424, like a remote host's forwarder.
log_udp() { logger -n 127.0.0.1 -P "$udp" -d --rfc5424 -t "$1" --id="$2" -p "$3" -- "$4"; }

log CRON 2211 cron.info '(root) CMD (   cd / && run-parts --report /etc/cron.hourly)'
log sshd 2301 auth.info 'Accepted publickey for deploy from 10.20.0.5 port 50212 ssh2: ED25519 SHA256:Ew9pKzJ6vQ0p1b3Yl3iJm2vH8Jt7m0Hq0L0b1sYc9xU'
log sshd 2301 authpriv.info 'pam_unix(sshd:session): session opened for user deploy(uid=1000) by (uid=0)'
log systemd-logind 611 auth.info 'New session 41 of user deploy.'
sleep 1
log_udp app-backup 880 local0.info 'nightly backup rotated: 14 archives kept'
sleep 1

port=41022
attempt() { # USER INVALID(0|1)
  local pid=$((3100 + port % 1000))
  if [ "$2" = 1 ]; then
    log sshd "$pid" auth.info "Invalid user $1 from 203.0.113.77 port $port"
    log sshd "$pid" authpriv.notice "pam_unix(sshd:auth): check pass; user unknown"
    log sshd "$pid" authpriv.notice "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.77"
    log sshd "$pid" auth.info "Failed password for invalid user $1 from 203.0.113.77 port $port ssh2"
    log sshd "$pid" auth.info "Connection closed by invalid user $1 203.0.113.77 port $port [preauth]"
  else
    log sshd "$pid" authpriv.notice "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.77  user=$1"
    log sshd "$pid" auth.info "Failed password for $1 from 203.0.113.77 port $port ssh2"
    log sshd "$pid" auth.info "Connection closed by authenticating user $1 203.0.113.77 port $port [preauth]"
  fi
  port=$((port + 7))
}
for u in admin test oracle ubuntu guest; do attempt "$u" 1; sleep 1; done
for _ in 1 2 3; do attempt root 0; sleep 1; done
pid=$((3100 + port % 1000))
log sshd "$pid" auth.err "error: maximum authentication attempts exceeded for root from 203.0.113.77 port $port ssh2 [preauth]"
log sshd "$pid" auth.info "Disconnecting authenticating user root 203.0.113.77 port $port: Too many authentication failures [preauth]"
port=$((port + 7))
sleep 1
log CRON 2290 cron.info '(root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)'
for u in postgres git jenkins backup backup; do attempt "$u" 0; sleep 1; done
pid=$((3100 + port % 1000))
log sshd "$pid" auth.info "Accepted password for backup from 203.0.113.77 port $port ssh2"
log sshd "$pid" authpriv.info 'pam_unix(sshd:session): session opened for user backup(uid=34) by (uid=0)'
log systemd-logind 611 auth.info 'New session 42 of user backup.'
sleep 2
log sudo 4410 authpriv.notice '  backup : TTY=pts/1 ; PWD=/var/backups ; USER=root ; COMMAND=/usr/bin/bash'
log sudo 4410 authpriv.info 'pam_unix(sudo:session): session opened for user root(uid=0) by backup(uid=34)'
sleep 1
log useradd 4431 authpriv.info 'new group: name=sysadm, GID=1001'
log useradd 4431 authpriv.info 'new user: name=sysadm, UID=1001, GID=1001, home=/home/sysadm, shell=/bin/bash, from=/dev/pts/1'
log_udp app-backup 880 local0.warning 'backup archive /var/backups/db-2026-12-04.tar.gz deleted by uid 0 (not by the rotation job)'
sleep 1
log sshd 2301 auth.info 'Received disconnect from 10.20.0.5 port 50212:11: disconnected by user'
log sshd 2301 authpriv.info 'pam_unix(sshd:session): session closed for user deploy'

kill "$rsyslog_pid"
wait "$rsyslog_pid" 2>/dev/null || true
trap - EXIT
out="$INCIDENTS_DIR/ssh-bruteforce-breakin"
mkdir -p "$out"
trim_log "$work/traditional.log" "$out/auth.log"
trim_log "$work/traditional.log" "$REAL_DIR/rsyslog/traditional.log"
trim_log "$work/rfc5424.log" "$REAL_DIR/rsyslog/rfc5424.log"
wc -l "$out/auth.log" "$REAL_DIR"/rsyslog/*.log
rm -rf "$work"
