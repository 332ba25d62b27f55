#!/usr/bin/env bash
# Fetch Elastic's minimal integration-test distribution of Elasticsearch from Maven Central (cached in ~/.m2),
# unpack it outside the repository and print its path on the last line of stdout. The engine test layer
# (test/engine/) starts it on 127.0.0.1. Used by .ci/run and by test/helpers/es-node.ts when nothing is unpacked.
#
# Version: ELASTIC_VERSION from .env.example; Maven Central does not carry every release of the integ-test-zip
# (9.5.1 is missing), so the nearest published 9.x at or below it is taken, and the script says which.
# Needs: mvn, unzip (or python3), a JDK 21+ (Elasticsearch 9 refuses older ones; the zip bundles none).
set -euo pipefail
cd "$(dirname "$0")/.."

want="${ELASTIC_VERSION:-$(sed -n 's/^ELASTIC_VERSION=//p' .env.example | tr -d '[:space:]')}"
if [ -z "$want" ]; then echo "elasticsearch.sh: no ELASTIC_VERSION in .env.example" >&2; exit 2; fi
command -v mvn >/dev/null || { echo "elasticsearch.sh: Maven (mvn) is not installed" >&2; exit 3; }

# Root's home is 0700, and Elasticsearch refuses to run as root: the unpacked copy must be readable by the
# unprivileged user the tests run it as, so root unpacks into /var/cache.
if [ "$(id -u)" = "0" ]; then cache="/var/cache/crumbtrail"; else cache="${XDG_CACHE_HOME:-$HOME/.cache}/crumbtrail"; fi
mkdir -p "$cache"
chmod 755 "$cache"

# Candidates: the wanted version, then lower patch releases, then the published x.y.0 of lower minors.
IFS=. read -r major minor patch <<<"$want"
candidates=()
for ((p = patch; p >= 0; p--)); do candidates+=("$major.$minor.$p"); done
for ((m = minor - 1; m >= 0; m--)); do candidates+=("$major.$m.0"); done

for v in "${candidates[@]}"; do
  home="$cache/elasticsearch-$v"
  if [ -x "$home/bin/elasticsearch" ]; then
    [ "$v" = "$want" ] || echo "elasticsearch.sh: $want is not on Maven Central; using $v (nearest published)" >&2
    echo "$home"
    exit 0
  fi
  tmp="$(mktemp -d)"
  if mvn -q -B -U dependency:copy "-Dartifact=org.elasticsearch.distribution.integ-test-zip:elasticsearch:$v:zip" \
    "-DoutputDirectory=$tmp" >"$tmp/mvn.log" 2>&1; then
    if command -v unzip >/dev/null; then unzip -q "$tmp/elasticsearch-$v.zip" -d "$cache"
    else python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$tmp/elasticsearch-$v.zip" "$cache"
    fi
    chmod -R a+rX "$home"
    chmod a+x "$home"/bin/* "$home"/modules/*/platform/*/bin/* 2>/dev/null || true
    rm -rf "$tmp"
    [ "$v" = "$want" ] || echo "elasticsearch.sh: $want is not on Maven Central; using $v (nearest published)" >&2
    echo "$home"
    exit 0
  fi
  rm -rf "$tmp"
done
echo "elasticsearch.sh: no integ-test-zip for ${candidates[*]} on Maven Central (network? mvn settings?)" >&2
exit 4
