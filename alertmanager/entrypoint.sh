#!/bin/sh
# Alertmanager has no environment expansion (and amtool 0.25 has no `url_file`), so the compose stack renders
# alertmanager.yml here: each line marked `# ALERT_WEBHOOK_CRITICAL_URL` / `# ALERT_WEBHOOK_WARNING_URL`
# gets that variable's URL when it is set, otherwise keeps its default (the analyzer's /api/alerts).
# Usage: entrypoint.sh [alertmanager flags…]     entrypoint.sh --render-only (print the rendered file path)
#        entrypoint.sh --check-only (render and validate with amtool, then exit)
# Env: AM_CONFIG_SRC (default /etc/alertmanager/alertmanager.yml), AM_CONFIG_OUT (default /alertmanager/alertmanager.rendered.yml)
set -eu

src="${AM_CONFIG_SRC:-/etc/alertmanager/alertmanager.yml}"
out="${AM_CONFIG_OUT:-/alertmanager/alertmanager.rendered.yml}"

fail() {
  echo "alertmanager entrypoint: $*" >&2
  exit 1
}

# render VAR: replace the URL on the line marked `# VAR` with the value of $VAR, if non-empty.
render() {
  name="$1"
  eval "url=\${$name:-}"
  [ -n "$url" ] || return 0
  case "$url" in
    http://* | https://*) ;;
    *) fail "$name must start with http:// or https:// (got a value that does not); fix it in .env" ;;
  esac
  case "$url" in
    *"'"* | *'|'* | *'\'* | *' '*) fail "$name contains a quote, '|', backslash or space; URL-encode it in .env" ;;
  esac
  grep -q "# $name\$" "$out" || fail "no line marked '# $name' in $src"
  # Escape sed's replacement specials (& and the | delimiter was rejected above).
  esc=$(printf '%s' "$url" | sed 's/&/\\&/g')
  sed -i "s|url: .* # $name\$|url: '$esc' # $name|" "$out"
}

[ -r "$src" ] || fail "cannot read $src"
cp "$src" "$out"
render ALERT_WEBHOOK_CRITICAL_URL
render ALERT_WEBHOOK_WARNING_URL

if [ "${1:-}" = "--render-only" ]; then
  echo "$out"
  exit 0
fi
# Refuse to start on a config the render broke, with amtool's own message: amtool prints "FAILED: <reason>"
# on stdout, so keep its output and show it on failure instead of discarding it.
if command -v amtool >/dev/null 2>&1; then
  if ! check=$(amtool check-config "$out" 2>&1); then
    printf '%s\n' "$check" >&2
    fail "rendered $out is invalid: $(printf '%s' "$check" | grep -o 'FAILED: .*' | head -n 1)"
  fi
fi
if [ "${1:-}" = "--check-only" ]; then
  echo "alertmanager entrypoint: $out is valid"
  exit 0
fi
exec /bin/alertmanager --config.file="$out" --storage.path=/alertmanager "$@"
