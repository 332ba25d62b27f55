#!/usr/bin/env bash
# Apache httpd 2.4 (Debian package apache2) in the foreground on 127.0.0.1 with a minimal config of its own,
# combined access log and error log at LogLevel info (warn, the default, does not record 404s).
# Induced: 404s, a 403 (unreadable file), a proxy to a closed port (503 with AH00957 / AH01114), a request
# with a bad method, a graceful stop.
# Writes test/fixtures/real/apache/{access.log,error.log}. Needs `apt-get install -y apache2` (its service is
# not started by this script).
source "$(dirname "$0")/lib.sh"
work="$(mktemp -d /tmp/corpus-apache.XXXXXX)"
chmod 755 "$work"
mkdir -p "$work/logs" "$work/html/private"
echo '<h1>hello</h1>' >"$work/html/index.html"
echo secret >"$work/html/private/x.txt" && chmod 000 "$work/html/private/x.txt"
port="$(free_port)"
closed="$(free_port)"
mods=/usr/lib/apache2/modules
cat >"$work/httpd.conf" <<EOF
ServerRoot "$work"
ServerName shop.example.test
Listen 127.0.0.1:$port
PidFile $work/httpd.pid
LoadModule mpm_event_module $mods/mod_mpm_event.so
LoadModule authz_core_module $mods/mod_authz_core.so
LoadModule dir_module $mods/mod_dir.so
LoadModule mime_module $mods/mod_mime.so
LoadModule proxy_module $mods/mod_proxy.so
LoadModule proxy_http_module $mods/mod_proxy_http.so
User www-data
Group www-data
TypesConfig /etc/mime.types
DocumentRoot "$work/html"
<Directory "$work/html">
  Require all granted
</Directory>
DirectoryIndex index.html
ErrorLog $work/logs/error.log
LogLevel info
LogFormat "%h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\"" combined
CustomLog $work/logs/access.log combined
ProxyPass /api/ http://127.0.0.1:$closed/
EOF
apache2 -f "$work/httpd.conf" -DFOREGROUND &
httpd=$!
trap 'kill $httpd 2>/dev/null || true' EXIT
wait_port "$port"
base="http://127.0.0.1:$port"
req() { curl -s -o /dev/null -A 'Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0' "$@" || true; }
req "$base/"
req -e "$base/" "$base/index.html"
req "$base/robots.txt"
req "$base/.env"
req "$base/private/x.txt"
req "$base/api/orders"
req "$base/api/orders/42"
req -X FOO "$base/"
req "$base/"
kill -WINCH "$httpd"   # graceful stop
wait "$httpd" 2>/dev/null || true
trap - EXIT
trim_log "$work/logs/access.log" "$REAL_DIR/apache/access.log"
trim_log "$work/logs/error.log" "$REAL_DIR/apache/error.log"
wc -l "$REAL_DIR"/apache/*.log
rm -rf "$work"
