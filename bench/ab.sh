#!/usr/bin/env bash
# bench/ab.sh DIR_A DIR_B [ROUNDS [PHASE...]]: compares two builds of `mita` on SQLite, interleaved.
#
# DIR_A and DIR_B each hold a `mita` and a `mita-bench` (e.g. copies of target/release). Both
# servers start on the server core, each on its own fresh database seeded like bench/run.sh
# (16 users x 1000 transactions, clock 2026-11-15T12:00:00Z); then each round runs every PHASE
# (list, mixed, create, health; default: list mixed) for SECS (5) seconds with wrk, first against
# A, then against B. One line per measurement: round, phase, build, req/s, p99, server CPU per
# request. The VM's speed drifts by tens of percent within an hour, so compare the A and B lines
# of one round, never runs made at different times. ENV_A / ENV_B add environment variables to
# one server (e.g. ENV_B="MITA_DATABASE__SQLITE_READ_CONNECTIONS=1"). Needs taskset and wrk.
# docs/performance.md, "Why the 90/10 mix cost more than its parts".
set -euo pipefail
A="$1"; B="$2"; ROUNDS="${3:-3}"; shift $(( $# < 3 ? $# : 3 ))
PHASES=("$@"); [[ ${#PHASES[@]} -gt 0 ]] || PHASES=(list mixed)
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SECS="${SECS:-5}" CLOCK=2026-11-15T12:00:00Z SERVER_CPU="${BENCH_SERVER_CPU:-0}" CLIENT_CPU="${BENCH_CLIENT_CPU:-1}"
W="$(mktemp -d -p /var/tmp mita-ab.XXXX)"
declare -A PID BASE
cleanup() { kill "${PID[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$W"; }
trap cleanup EXIT
for s in a b; do
    bin="$A" extra="${ENV_A:-}"; [[ $s == b ]] && { bin="$B"; extra="${ENV_B:-}"; }
    mkdir -p "$W/$s"
    # shellcheck disable=SC2086 # ENV_A/ENV_B are lists of NAME=VALUE words
    env $extra DATABASE_URL="sqlite://$W/$s/db.sqlite?mode=rwc" MITA_RATE_LIMIT__ENABLED=false \
        MITA_LOG__LEVEL=warn MITA_CLOCK_START="$CLOCK" MITA_DATA_DIR="$W/$s" \
        JWT_SECRET="ab-0123456789abcdefghijklmnopqrstuvwxyz0123456789" \
        taskset -c "$SERVER_CPU" "$bin/mita" serve --bind 127.0.0.1:0 >"$W/$s/out" 2>"$W/$s/err" &
    PID[$s]=$!
    for _ in $(seq 1 100); do
        BASE[$s]="$(sed -n 's/^listening on \(http:[^ ]*\).*/\1/p' "$W/$s/out" | head -n1)"
        [[ -n "${BASE[$s]}" ]] && break; sleep 0.1
    done
    [[ -n "${BASE[$s]}" ]] || { cat "$W/$s/err" >&2; exit 1; }
    taskset -c "$CLIENT_CPU" "$bin/mita-bench" seed --url "${BASE[$s]}" --users 16 --transactions 1000 \
        --out-dir "$W/$s" --today "${CLOCK%%T*}" >"$W/$s/seed.out" 2>&1
done
BENCH_MONTH_START="$(date -u -d "${CLOCK:0:8}01" +%s)"; BENCH_NOW="$(date -u -d "$CLOCK" +%s)"
export BENCH_LUA_DIR="$ROOT/bench/lua" BENCH_MONTH_START BENCH_NOW
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
sleep 3
for r in $(seq 1 "$ROUNDS"); do
    for ph in "${PHASES[@]}"; do
        case $ph in
            list) lua=list.lua path="/api/transactions?limit=50" ;;
            mixed) lua=mixed.lua path=/api/transactions ;;
            create) lua=create.lua path=/api/transactions ;;
            health) lua=plain.lua path=/health ;;
            *) echo "unknown phase $ph (list, mixed, create, health)" >&2; exit 2 ;;
        esac
        for s in a b; do
            export BENCH_TOKENS="$W/$s/tokens.txt" BENCH_CELLS="$W/$s/cells.txt" BENCH_RUN_ID="ab-$s-$r-$RANDOM"
            c0="$(cpu_ticks "${PID[$s]}")"
            taskset -c "$CLIENT_CPU" wrk -t1 -c32 -d"${SECS}s" --latency -s "$ROOT/bench/lua/$lua" \
                "${BASE[$s]}$path" >"$W/$s/wrk" 2>&1
            c1="$(cpu_ticks "${PID[$s]}")"
            awk -v r="$r" -v ph="$ph" -v s="$s" -v a="$c0" -v b="$c1" -v hz="$(getconf CLK_TCK)" -v d="$SECS" '
                /Requests\/sec/ { rps = $2 } $1 == "99%" { p99 = $2 }
                END { printf "%s %-6s %s  %8.0f req/s  p99 %-9s %5.0f µs CPU/req\n", r, ph, s, rps, p99, (b - a) / hz * 1e6 / (rps * d) }' \
                "$W/$s/wrk"
            sleep 1
        done
    done
done
