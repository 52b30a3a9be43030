#!/usr/bin/env bash
# mita load benchmark: one command, one table, one JSON file. See docs/performance.md.
#
# Usage (from anywhere in the repository):
#   bench/run.sh                                   SQLite on a fresh file in a temp directory
#   BENCH_DATABASE_URL=postgres://u:p@host/bench bench/run.sh
#                                                  SQLite, then that PostgreSQL database (use a
#                                                  throwaway one: it is migrated and filled)
# Environment (defaults in brackets):
#   BENCH_SECONDS [10]        length of each wrk/oha measurement and of each ceiling
#   BENCH_CONNECTIONS [32]    open connections of wrk/oha
#   BENCH_USERS [16]          seeded users, each onboarded (a month of plan) ...
#   BENCH_TRANSACTIONS [1000] ... with this many transactions in the plan's days before the clock
#   BENCH_CLOCK_START [2026-11-15T12:00:00Z]  the server's clock starts here (MITA_CLOCK_START),
#                             so the workload is the same whatever the date of the run
#   BENCH_P5_CONNECTIONS [1000]  open connections of P5 (P4's mix); on PostgreSQL also P5b, the
#                             same connections split over two instances on one database
#   BENCH_IDLE_WAIT [40]      seconds of idle after the load before the idle RSS is read
#   BENCH_SKIP_OHA [0]        1 = take latencies from wrk (installing oha takes minutes)
#   BENCH_SERVER_CPU [0]      core for the server (and the ceilings); BENCH_CLIENT_CPU [1] for
#                             the load generators
#   BENCH_BIN_DIR             use the `mita` and `mita-bench` binaries in this directory instead
#                             of building (e.g. a copy, while others rebuild the target directory)
#   BENCH_TMPDIR [/var/tmp]   where the fresh SQLite file goes (on disk: fsync must be real)
#   MITA_DATABASE__SYNCHRONOUS [full]  SQLite durability, used by the server and the ceiling alike
#
# Needs cargo, taskset and wrk (installed with apt-get when missing); oha is installed with
# `cargo install --locked oha` when missing. Prints a Markdown table and writes
# bench/results/<timestamp>.json, bench/results/latest.json and the raw files under
# bench/results/<timestamp>/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECS="${BENCH_SECONDS:-10}"
CONN="${BENCH_CONNECTIONS:-32}"
USERS="${BENCH_USERS:-16}"
TXNS="${BENCH_TRANSACTIONS:-1000}"
CLOCK_START="${BENCH_CLOCK_START:-2026-11-15T12:00:00Z}"
SERVER_CPU="${BENCH_SERVER_CPU:-0}"
CLIENT_CPU="${BENCH_CLIENT_CPU:-1}"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RESULTS="$ROOT/bench/results"
RAW="$RESULTS/$STAMP"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="${BENCH_BIN_DIR:-$TARGET/release}"
MITA="$BIN/mita"
BENCH="$BIN/mita-bench"
# On disk, not in a tmpfs /tmp: the SQLite figures include fsync.
WORK="$(mktemp -d -p "${BENCH_TMPDIR:-/var/tmp}" mita-bench.XXXXXX)"
P5_CONN="${BENCH_P5_CONNECTIONS:-1000}"
SERVER_PID=""
SERVER2_PID=""
BASE=""

log() { printf '\033[1mbench:\033[0m %s\n' "$*" >&2; }
die() { printf 'bench: ERROR: %s\n' "$*" >&2; exit 1; }

cleanup() {
    local pid
    for pid in "$SERVER_PID" "$SERVER2_PID"; do
        if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        fi
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

ensure_tools() {
    PATH="$PATH:${CARGO_HOME:-$HOME/.cargo}/bin" # where `cargo install` puts oha
    command -v taskset >/dev/null || die "taskset is missing (util-linux)"
    if ! command -v wrk >/dev/null; then
        log "installing wrk with apt-get"
        local sudo=""; [[ "$(id -u)" -eq 0 ]] || sudo="sudo"
        $sudo apt-get install -y wrk >/dev/null || { $sudo apt-get update >/dev/null && $sudo apt-get install -y wrk >/dev/null; }
    fi
    if [[ "${BENCH_SKIP_OHA:-0}" != 1 ]] && ! command -v oha >/dev/null; then
        log "installing oha with 'cargo install --locked oha' (takes a few minutes; BENCH_SKIP_OHA=1 skips it)"
        cargo install --locked oha
    fi
    USE_OHA=0
    [[ "${BENCH_SKIP_OHA:-0}" != 1 ]] && command -v oha >/dev/null && USE_OHA=1
    return 0
}

build() {
    if [[ -n "${BENCH_BIN_DIR:-}" ]]; then
        log "using the binaries in $BENCH_BIN_DIR (not building)"
    else
        log "building the release binaries (cargo build --release -p mita-cli -p mita-bench)"
        (cd "$ROOT" && cargo build --release --quiet -p mita-cli -p mita-bench)
    fi
    [[ -x "$MITA" && -x "$BENCH" ]] || die "binaries not found in $BIN"
}

# start_server DATABASE_URL DIR [extra serve args]: the server on its own core, rate limits off.
start_server() {
    local url="$1" dir="$2"; shift 2
    env DATABASE_URL="$url" MITA_RATE_LIMIT__ENABLED=false MITA_LOG__LEVEL=warn \
        MITA_CLOCK_START="$CLOCK_START" \
        MITA_DATA_DIR="$WORK" JWT_SECRET="bench-$STAMP-0123456789abcdefghijklmnopqrstuvwxyz" \
        taskset -c "$SERVER_CPU" "$MITA" serve --bind 127.0.0.1:0 "$@" \
        >"$dir/server.out" 2>"$dir/server.err" &
    SERVER_PID=$!
    for _ in $(seq 1 300); do
        BASE="$(sed -n 's/^listening on \(http:[^ ]*\).*/\1/p' "$dir/server.out" | head -n1)"
        [[ -n "$BASE" ]] && { log "server $SERVER_PID on $BASE (core $SERVER_CPU)"; return 0; }
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    cat "$dir/server.err" >&2
    die "the server did not start"
}

stop_server() {
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}

# watch_rss PID FILE: keeps the peak VmRSS (kB) of PID in FILE until killed.
watch_rss() {
    local pid="$1" file="$2" peak=0 key val rest
    while kill -0 "$pid" 2>/dev/null; do
        while read -r key val rest; do
            if [[ "$key" == VmRSS: ]] && (( val > peak )); then peak="$val"; echo "$peak" >"$file"; fi
        done <"/proc/$pid/status" || true
        sleep 0.1
    done
}

# rss_now PID FILE: the current VmRSS (kB) of PID in FILE.
rss_now() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" >"$2"; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# phase ID DIR COMMAND...: runs COMMAND while recording the server's peak RSS, its CPU time
# (seconds, and percent of one core) and the load generator's CPU use (percent of one core).
phase() {
    local id="$1" dir="$2"; shift 2
    log "$id: $*"
    watch_rss "$SERVER_PID" "$dir/$id.rss" &
    local watcher=$! t0 c0 t1 c1 TIMEFORMAT='%P'
    t0="$(date +%s.%N)"; c0="$(cpu_ticks "$SERVER_PID")"
    { time "$@" >"$dir/$id.out" 2>"$dir/$id.err"; } 2>"$dir/$id.client-cpu" || {
        cat "$dir/$id.err" >&2; die "$id failed"; }
    t1="$(date +%s.%N)"; c1="$(cpu_ticks "$SERVER_PID")"
    kill "$watcher" 2>/dev/null || true; wait "$watcher" 2>/dev/null || true
    awk -v a="$c0" -v b="$c1" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f\n", (b - a) / hz }' \
        >"$dir/$id.server-cpu-s"
    awk -v c="$(cat "$dir/$id.server-cpu-s")" -v s="$t0" -v e="$t1" \
        'BEGIN { printf "%.1f\n", c / (e - s) * 100 }' >"$dir/$id.server-cpu"
    sleep 2 # let the server settle (WAL checkpoints, idle connections)
}

wrk_phase() { # ID DIR LUA PATH [CONNECTIONS [more wrk arguments]]
    local id="$1" dir="$2" lua="$3" path="$4" conn="${5:-$CONN}"
    shift $(( $# < 5 ? $# : 5 ))
    BENCH_WRK_OUT="$dir/$id.wrk.json" phase "$id" "$dir" \
        wrk -t1 -c"$conn" -d"${SECS}s" --latency "$@" -s "$ROOT/bench/lua/$lua" "$BASE$path"
}

# two_instances ID DIR DATABASE_URL: P5 over two instances on one database. A second server
# starts on the same core (and database) as the first; two wrk processes, one per instance,
# each hold half of the P5 connections at once, as a load balancer would spread them. Per
# instance: ID-1/ID-2 .wrk.json and .rss; together: ID.server-cpu-s and ID.server-cpu.
two_instances() {
    local id="$1" dir="$2" url="$3" half=$(( P5_CONN / 2 ))
    local first_pid="$SERVER_PID" first_base="$BASE" second_base t0 c0 t1 c1 w1 w2 g1 g2 ok=1
    mkdir -p "$dir/second"
    start_server "$url" "$dir/second"
    SERVER2_PID="$SERVER_PID"; second_base="$BASE"
    SERVER_PID="$first_pid"; BASE="$first_base"
    log "$id: P4's mix, $half + $half connections on $first_base and $second_base"
    watch_rss "$SERVER_PID" "$dir/$id-1.rss" & w1=$!
    watch_rss "$SERVER2_PID" "$dir/$id-2.rss" & w2=$!
    t0="$(date +%s.%N)"; c0=$(( $(cpu_ticks "$SERVER_PID") + $(cpu_ticks "$SERVER2_PID") ))
    BENCH_WRK_OUT="$dir/$id-1.wrk.json" wrk -t1 -c"$half" -d"${SECS}s" --latency --timeout 10s \
        -s "$ROOT/bench/lua/mixed.lua" "$first_base/api/transactions" >"$dir/$id-1.out" 2>&1 & g1=$!
    BENCH_WRK_OUT="$dir/$id-2.wrk.json" wrk -t1 -c"$half" -d"${SECS}s" --latency --timeout 10s \
        -s "$ROOT/bench/lua/mixed.lua" "$second_base/api/transactions" >"$dir/$id-2.out" 2>&1 & g2=$!
    wait "$g1" || ok=0; wait "$g2" || ok=0
    t1="$(date +%s.%N)"; c1=$(( $(cpu_ticks "$SERVER_PID") + $(cpu_ticks "$SERVER2_PID") ))
    kill "$w1" "$w2" 2>/dev/null || true; wait "$w1" "$w2" 2>/dev/null || true
    [[ "$ok" == 1 ]] || { cat "$dir/$id-1.out" "$dir/$id-2.out" >&2; die "$id failed"; }
    awk -v a="$c0" -v b="$c1" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f\n", (b - a) / hz }' \
        >"$dir/$id.server-cpu-s"
    awk -v c="$(cat "$dir/$id.server-cpu-s")" -v s="$t0" -v e="$t1" \
        'BEGIN { printf "%.1f\n", c / (e - s) * 100 }' >"$dir/$id.server-cpu"
    kill "$SERVER2_PID" 2>/dev/null || true; wait "$SERVER2_PID" 2>/dev/null || true
    SERVER2_PID=""
    sleep 2
}

oha_phase() { # ID DIR PATH [TOKEN]: latency histogram of the same request
    [[ "$USE_OHA" == 1 ]] || return 0
    local auth=(); [[ -n "${4:-}" ]] && auth=(-H "Authorization: Bearer $4")
    phase "$1.oha" "$2" oha -z "${SECS}s" -c "$CONN" -w --no-tui --output-format json "${auth[@]}" "$BASE$3"
    mv "$2/$1.oha.out" "$2/$1.oha.json"
}

ceiling() { # NAME DIR SUBCOMMAND ARGS...: a raw ceiling on the server's core (or CEILING_CPUS)
    local name="$1" dir="$2"; shift 2
    log "$name ceiling: $*"
    taskset -c "${CEILING_CPUS:-$SERVER_CPU}" "$BENCH" "$@" --out "$dir/$name.json" 2>"$dir/$name.err" \
        || { cat "$dir/$name.err" >&2; die "$name ceiling failed"; }
    log "$(tail -n1 "$dir/$name.err")"
    sleep 2
}

write_meta() { # DIR BACKEND LOAD_BEFORE
    local cpu mem commit
    cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
    mem="$(awk '/^MemTotal:/ {printf "%.1f", $2 / 1048576}' /proc/meminfo)"
    commit="$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)"
    [[ -n "$(cd "$ROOT" && git status --porcelain 2>/dev/null | head -n1)" ]] && commit="$commit+dirty"
    cat >"$1/meta.json" <<EOF
{"backend": "$2", "date": "$(date -u +%FT%TZ)", "commit": "$commit", "cpu": "$cpu",
 "cores": $(nproc --all), "mem_gib": $mem, "kernel": "$(uname -r)",
 "loadavg_before": "$3", "loadavg_after": "$(cut -d' ' -f1-3 /proc/loadavg)",
 "server_cpu": $SERVER_CPU, "client_cpu": $CLIENT_CPU, "seconds": $SECS, "connections": $CONN,
 "users": $USERS, "transactions_per_user": $TXNS, "oha": $USE_OHA,
 "wrk": "$(wrk -v 2>&1 | head -n1 | cut -d' ' -f1-2)", "synchronous": "${MITA_DATABASE__SYNCHRONOUS:-full}",
 "clock_start": "$CLOCK_START"}
EOF
}

# budget_counts DIR LABEL: the server's accruals and redistributions so far (one line in
# DIR/budget-counts.txt): between two lines, redistributions / accruals is the share of spends
# that overspent their (day, category) and were covered from later days.
budget_counts() {
    local counts
    counts="$(curl -s "$BASE/metrics" | awk '
        /^mita_budget_calculations_total\{kind="accrual"\}/ {a=$2}
        /^mita_budget_calculations_total\{kind="redistribution"\}/ {r=$2}
        END {printf "accrual=%d redistribution=%d", a, r}')"
    echo "$2 $counts" >>"$1/budget-counts.txt"
}

# run_backend NAME DATABASE_URL [serve args]: the whole scenario list against one database.
run_backend() {
    local name="$1" url="$2" dir="$RAW/$1" load token; shift 2
    mkdir -p "$dir"
    load="$(cut -d' ' -f1-3 /proc/loadavg)"
    log "== $name (load average $load) =="
    start_server "$url" "$dir" "$@"
    sleep 2; rss_now "$SERVER_PID" "$dir/idle-start.rss"
    phase seed "$dir" "$BENCH" seed --url "$BASE" --users "$USERS" --transactions "$TXNS" --out-dir "$dir" \
        --today "$(date -u -d "$CLOCK_START" +%F)"
    token="$(head -n1 "$dir/tokens.txt")"
    export BENCH_LUA_DIR="$ROOT/bench/lua" BENCH_TOKENS="$dir/tokens.txt" BENCH_RUN_ID="$STAMP-$name"
    BENCH_MONTH_START="$(date -u -d "$(date -u -d "$CLOCK_START" +%Y-%m-01)" +%s)"
    BENCH_NOW="$(date -u -d "$CLOCK_START" +%s)"; BENCH_CELLS="$dir/cells.txt"
    export BENCH_MONTH_START BENCH_NOW BENCH_CELLS
    wrk_phase P0 "$dir" plain.lua /health;        oha_phase P0 "$dir" /health
    wrk_phase P0b "$dir" plain.lua /;             oha_phase P0b "$dir" /
    wrk_phase P1 "$dir" list.lua "/api/transactions?limit=50"
    oha_phase P1 "$dir" "/api/transactions?limit=50" "$token"
    # Each ceiling runs right before the scenario it is compared with (server idle, same core),
    # so both see the same machine: fsync latency in particular varies with other disk traffic.
    ceiling insert "$dir" insert-ceiling --database-url "$url" --seconds "$SECS"
    budget_counts "$dir" seed
    wrk_phase P2 "$dir" create.lua /api/transactions
    budget_counts "$dir" P2
    wrk_phase P4 "$dir" mixed.lua /api/transactions
    budget_counts "$dir" P4
    # P5: P4's mix over 1000 connections held open at once (the checklist's 1000 concurrent
    # users). wrk's 2 s default timeout would count the queue's tail as errors: a load balancer
    # waits longer, so 10 s.
    wrk_phase P5 "$dir" mixed.lua /api/transactions "$P5_CONN" --timeout 10s
    if [[ "$name" == postgres ]]; then two_instances P5b "$dir" "$url"; fi
    ceiling argon2 "$dir" argon2-ceiling --threads 2 --seconds "$SECS"
    ceiling argon2-1t "$dir" argon2-ceiling --threads 1 --seconds "$SECS"
    CEILING_CPUS="$SERVER_CPU,$CLIENT_CPU" ceiling argon2-2c "$dir" argon2-ceiling --threads 2 --seconds "$SECS"
    phase P3 "$dir" "$BENCH" login-burst --url "$BASE" --users-file "$dir/users.json" \
        --concurrency 200 --rounds 3 --out "$dir/P3.json"
    # 1000 at once: more than the wait budget (auth.hash_wait_budget_ms, 3 s) holds; the rest
    # must be refused at once with a Retry-After.
    phase P3b "$dir" "$BENCH" login-burst --url "$BASE" --users-file "$dir/users.json" \
        --concurrency 1000 --rounds 1 --out "$dir/P3b.json"
    # Idle after the load: hashing memory is released after auth.hash_idle_release_secs (30)
    # of no hashing, caches after their idle period; wait past both, then read the RSS.
    log "waiting ${BENCH_IDLE_WAIT:-40}s of idle before reading the idle RSS"
    sleep "${BENCH_IDLE_WAIT:-40}"; rss_now "$SERVER_PID" "$dir/idle-after.rss"
    stop_server
    write_meta "$dir" "$name" "$load"
}

main() {
    [[ "$(nproc --all)" -ge 2 ]] || die "needs at least 2 cores (server and load generator apart)"
    ensure_tools
    build
    # Everything below runs on the client core unless pinned elsewhere explicitly.
    taskset -cp "$CLIENT_CPU" $$ >/dev/null
    # P5's 1000 connections need as many descriptors in wrk (the server raises its own limit).
    if [[ "$(ulimit -Hn)" == unlimited ]]; then ulimit -n 65536; else ulimit -n "$(ulimit -Hn)"; fi
    (( $(ulimit -n) > P5_CONN + 64 )) || die "open-files limit $(ulimit -n) is too low for $P5_CONN connections"
    mkdir -p "$RAW"
    local dirs=(--dir "$RAW/sqlite")
    run_backend sqlite "sqlite://$WORK/bench.db?mode=rwc"
    if [[ -n "${BENCH_DATABASE_URL:-}" ]]; then
        run_backend postgres "$BENCH_DATABASE_URL" --migrate
        dirs+=(--dir "$RAW/postgres")
    fi
    "$BENCH" report "${dirs[@]}" --out "$RESULTS/$STAMP.json" | tee "$RESULTS/$STAMP.md"
    cp "$RESULTS/$STAMP.json" "$RESULTS/latest.json"
    log "wrote $RESULTS/$STAMP.json (and latest.json); raw files in $RAW"
}

main "$@"
