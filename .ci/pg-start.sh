#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for CI / local test runs.
#
# Usage:
#   .ci/pg-start.sh [start]       create + start a fresh cluster
#   .ci/pg-start.sh stop [DIR]    stop it and delete DIR (default: $MITA_CI_PG_DIR)
#
# `start` prints exactly these lines on stdout (everything else goes to stderr):
#   export MITA_TEST_DATABASE_URL=postgres://postgres:postgres@127.0.0.1:PORT/postgres
#   export MITA_CI_PG_DIR=/tmp/mita-pg.XXXXXX      (data dir is $MITA_CI_PG_DIR/data)
#   export MITA_TEST_PG_CA=/tmp/mita-pg.XXXXXX/ca.crt   (the server's self-signed TLS certificate)
# so `eval "$(.ci/pg-start.sh)"` works in an interactive shell.
#
# Environment:
#   MITA_CI_PG_PORT       TCP port (default 55433); listens on 127.0.0.1 only
#   MITA_CI_PG_OWNER_PID  PID of the long-lived process that owns the cluster
#                         (.ci/run passes its $$). When `start` finds a mita
#                         cluster already on the port, it removes it if the
#                         recorded owner is dead or unset (stale, e.g. a CI run
#                         killed with SIGKILL) and fails if the owner is alive.
#
# Layout of $MITA_CI_PG_DIR: data/ (PGDATA), postgres.log, owner.pid, the unix
# socket, and a .mita-ci-pg marker so `stop` refuses to delete anything else.
set -euo pipefail

PORT="${MITA_CI_PG_PORT:-55433}"
MARKER=".mita-ci-pg"

log() { printf 'pg-start: %s\n' "$*" >&2; }
die() { printf 'pg-start: ERROR: %s\n' "$*" >&2; exit 1; }

find_pgbin() {
    local best="" v
    for d in /usr/lib/postgresql/*/bin; do
        [[ -x "$d/pg_ctl" && -x "$d/initdb" ]] || continue
        v="$(basename "$(dirname "$d")")"
        [[ "$v" =~ ^[0-9]+$ ]] || continue
        if [[ -z "$best" ]] || (( v > $(basename "$(dirname "$best")") )); then
            best="$d"
        fi
    done
    [[ -n "$best" ]] || die "no PostgreSQL server found under /usr/lib/postgresql/*/bin (apt-get install postgresql)"
    printf '%s\n' "$best"
}

# Run a command as the cluster owner. Root -> user postgres (the server refuses
# to run as root); anyone else -> themselves.
as_pg() {
    if [[ "$(id -u)" -eq 0 ]]; then
        # cd / so pg_ctl does not complain about an unreadable cwd.
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

port_in_use() {
    # Bash's /dev/tcp: succeeds iff something accepts connections on the port.
    (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null
}

# Resolve a user-supplied dir (base dir or its data/ subdir) to the base dir.
resolve_base() {
    local d="${1%/}"
    [[ -n "$d" ]] || die "stop: no directory given and MITA_CI_PG_DIR is unset"
    [[ "$(basename "$d")" == data && -f "$(dirname "$d")/$MARKER" ]] && d="$(dirname "$d")"
    [[ -d "$d" ]] || die "stop: $d does not exist"
    [[ -f "$d/$MARKER" ]] || die "stop: $d is not a mita CI cluster dir (no $MARKER); refusing to touch it"
    printf '%s\n' "$d"
}

stop_cluster() {
    local base pgbin
    base="$(resolve_base "${1:-${MITA_CI_PG_DIR:-}}")"
    pgbin="$(find_pgbin)"
    if [[ -f "$base/data/postmaster.pid" ]]; then
        log "stopping cluster in $base/data"
        if ! as_pg "$pgbin/pg_ctl" stop -D "$base/data" -m fast -t 30 >&2; then
            log "fast shutdown failed; trying immediate"
            as_pg "$pgbin/pg_ctl" stop -D "$base/data" -m immediate -t 30 >&2 || true
        fi
    fi
    rm -rf -- "$base"
    log "removed $base"
}

# If a previous mita cluster holds our port and its owner process is gone
# (e.g. a CI run killed with SIGKILL), clean it up. Returns 0 if one was removed.
reap_stale() {
    local pidfile base owner pgport
    for pidfile in /tmp/mita-pg.*/data/postmaster.pid; do
        [[ -f "$pidfile" ]] || continue
        base="$(dirname "$(dirname "$pidfile")")"
        [[ -f "$base/$MARKER" ]] || continue
        pgport="$(sed -n 4p "$pidfile" 2>/dev/null || true)"
        [[ "$pgport" == "$PORT" ]] || continue
        owner="$(cat "$base/owner.pid" 2>/dev/null || true)"
        if [[ -n "$owner" ]] && kill -0 "$owner" 2>/dev/null; then
            die "port $PORT is used by mita CI cluster $base owned by live PID $owner" \
                "(another CI run?). Set MITA_CI_PG_PORT to another port, or stop it: $0 stop $base"
        fi
        log "found stale mita cluster $base on port $PORT (owner ${owner:-unset} ${owner:+is gone}); removing it"
        stop_cluster "$base"
        return 0
    done
    return 1
}

start_cluster() {
    local pgbin base data sock_dir owner deadline
    pgbin="$(find_pgbin)"
    [[ "$PORT" =~ ^[0-9]+$ ]] || die "MITA_CI_PG_PORT must be a number, got '$PORT'"
    if [[ "$(id -u)" -eq 0 ]]; then
        getent passwd postgres >/dev/null || die "running as root but user 'postgres' does not exist"
        command -v runuser >/dev/null || die "runuser not found (util-linux)"
    fi

    if port_in_use; then
        reap_stale || true
        sleep 0.5
        port_in_use && die "something is already listening on 127.0.0.1:$PORT" \
            "(not a stale mita CI cluster). Free the port or set MITA_CI_PG_PORT."
    fi

    log "using $pgbin ($("$pgbin/postgres" --version))"
    base="$(mktemp -d /tmp/mita-pg.XXXXXX)"
    data="$base/data"
    sock_dir="$base"
    owner="${MITA_CI_PG_OWNER_PID:-}"  # not $PPID: under $(...) that is a short-lived subshell
    : >"$base/$MARKER"
    printf '%s\n' "$owner" >"$base/owner.pid"
    chmod 0755 "$base"
    if [[ "$(id -u)" -eq 0 ]]; then
        chown -R postgres: "$base"
    fi

    # Anything failing from here on should not leave the temp dir behind.
    trap 'log "startup failed; cleaning up $base"; [[ -f "$base/postgres.log" ]] && tail -n 40 "$base/postgres.log" >&2; stop_cluster "$base" || rm -rf -- "$base"' ERR

    local locale=C
    if locale -a 2>/dev/null | grep -qix 'c\.utf-\?8'; then locale=C.UTF-8; fi

    log "initdb in $data (locale $locale)"
    as_pg "$pgbin/initdb" -D "$data" -A trust -U postgres -E UTF8 --locale="$locale" \
        --no-sync --no-instructions >"$base/initdb.log" 2>&1 \
        || { cat "$base/initdb.log" >&2; false; }

    # A throwaway CA and a server certificate it signs for 127.0.0.1/localhost, so the suite
    # can test TLS: sslmode=require, and verify-full against $base/ca.crt.
    log "TLS certificate (throwaway CA)"
    {
        openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=mita CI CA" \
            -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" \
            -keyout "$base/ca.key" -out "$base/ca.crt" &&
        openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
            -keyout "$data/server.key" -out "$base/server.csr" &&
        printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$base/server.ext" &&
        openssl x509 -req -in "$base/server.csr" -CA "$base/ca.crt" -CAkey "$base/ca.key" \
            -CAcreateserial -days 2 -extfile "$base/server.ext" -out "$data/server.crt"
    } >"$base/openssl.log" 2>&1 || { cat "$base/openssl.log" >&2; false; }
    rm -f "$base/ca.key" "$base/server.csr"
    chmod 0600 "$data/server.key"
    chmod 0644 "$base/ca.crt"
    if [[ "$(id -u)" -eq 0 ]]; then
        chown postgres: "$data/server.key" "$data/server.crt" "$base/ca.crt"
    fi

    cat >>"$data/postgresql.conf" <<EOF

# --- mita CI throwaway cluster (.ci/pg-start.sh) ---
ssl = on
ssl_cert_file = 'server.crt'
ssl_key_file = 'server.key'
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$sock_dir'
max_connections = 300
shared_buffers = 128MB
fsync = off
synchronous_commit = off
full_page_writes = off
logging_collector = off
EOF

    log "starting on 127.0.0.1:$PORT"
    as_pg "$pgbin/pg_ctl" start -D "$data" -l "$base/postgres.log" -W >&2

    deadline=$((SECONDS + 30))
    until "$pgbin/pg_isready" -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres; do
        if (( SECONDS >= deadline )); then
            log "server did not become ready within 30 s"
            false
        fi
        if ! as_pg "$pgbin/pg_ctl" status -D "$data" >/dev/null 2>&1 && (( SECONDS > deadline - 25 )); then
            log "server process exited during startup"
            false
        fi
        sleep 0.5
    done
    trap - ERR

    log "ready: data dir $data, log $base/postgres.log"
    log "stop with: $0 stop $base"
    printf 'export MITA_TEST_DATABASE_URL=postgres://postgres:postgres@127.0.0.1:%s/postgres\n' "$PORT"
    printf 'export MITA_CI_PG_DIR=%s\n' "$base"
    printf 'export MITA_TEST_PG_CA=%s\n' "$base/ca.crt"
}

case "${1:-start}" in
    start) start_cluster ;;
    stop) stop_cluster "${2:-}" ;;
    -h | --help | help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//' ;;
    *) die "unknown command '$1' (expected: start | stop [DIR])" ;;
esac
