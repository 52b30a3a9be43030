#!/usr/bin/env bash
# bench/idle-memory.sh BIN (e.g. target/release/mita): the RSS of `mita serve` (SQLite) after
# start, right after a 1000-connection burst on /health (wrk), and after WAIT (40) idle seconds.
# docs/performance.md, "Idle memory after a burst".
set -euo pipefail
BIN="$1"; W="$(mktemp -d -p /var/tmp mita-idle-memory.XXXX)"
ulimit -n "$(ulimit -Hn)"
rss() { awk '/^(VmRSS|RssAnon|RssFile):/ {printf "%s %d MiB  ", $1, $2/1024}' /proc/$PID/status; echo; }
env DATABASE_URL="sqlite://$W/m.db?mode=rwc" MITA_RATE_LIMIT__ENABLED=false MITA_LOG__LEVEL=warn MITA_DATA_DIR="$W" \
  JWT_SECRET="idle-memory-0123456789abcdefghijklmnopqrstuvwxyz" "$BIN" serve --migrate --bind 127.0.0.1:0 >"$W/out" 2>"$W/err" &
PID=$!
for _ in $(seq 1 100); do BASE="$(sed -n 's/^listening on \(http:[^ ]*\).*/\1/p' "$W/out" | head -n1)"; [[ -n "$BASE" ]] && break; sleep 0.1; done
[[ -n "$BASE" ]] || { cat "$W/err"; exit 1; }
sleep 2; echo -n "start:      "; rss
wrk -t2 -c1000 -d5s "$BASE/health" >/dev/null; echo -n "after burst: "; rss
sleep ${WAIT:-40}; echo -n "idle ${WAIT:-40}s:   "; rss
kill $PID; wait $PID 2>/dev/null || true; rm -rf "$W"
