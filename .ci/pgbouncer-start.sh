#!/usr/bin/env bash
# A PgBouncer in transaction mode in front of the throwaway PostgreSQL cluster of
# .ci/pg-start.sh, so CI can run the PostgreSQL suite through a real pooler.
#
# Usage:
#   .ci/pgbouncer-start.sh start PG_DIR PG_PORT   start it (files under PG_DIR/pgbouncer)
#   .ci/pgbouncer-start.sh stop PG_DIR            stop it (pg-start.sh stop removes the files)
#
# `start` prints one line on stdout (everything else goes to stderr):
#   export MITA_TEST_DATABASE_URL=postgres://postgres:postgres@127.0.0.1:PORT/postgres
#
# mita needs PgBouncer >= 1.21 in transaction mode (max_prepared_statements: sqlx prepares named
# statements). Debian 12 ships 1.18, so unless a `pgbouncer` >= 1.21 is on PATH this builds
# Debian 13's source package (fetched with apt from deb.debian.org, checked against its signed
# index) once into $MITA_CI_PGBOUNCER_CACHE (default /var/tmp/mita-pgbouncer). Build needs:
# gcc, make, pkg-config, libevent-dev, libssl-dev (.ci/run installs them).
#
# Environment:
#   MITA_CI_PGBOUNCER_PORT   TCP port (default 55434); listens on 127.0.0.1 only
#
# The pooler speaks TLS to clients (the cluster's certificate, so verify-full against
# MITA_TEST_PG_CA works) and to PostgreSQL; clients may also connect without it.
set -euo pipefail

PORT="${MITA_CI_PGBOUNCER_PORT:-55434}"
CACHE="${MITA_CI_PGBOUNCER_CACHE:-/var/tmp/mita-pgbouncer}"
SOURCE_SUITE=trixie
MIN_MINOR=21 # 1.21: prepared statements in transaction mode

log() { printf 'pgbouncer-start: %s\n' "$*" >&2; }
die() { printf 'pgbouncer-start: ERROR: %s\n' "$*" >&2; exit 1; }

as_pg() {
    if [[ "$(id -u)" -eq 0 ]]; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

# True when the pgbouncer at $1 is 1.21 or newer.
recent_enough() {
    local v
    v="$("$1" --version 2>/dev/null | sed -n 's/^PgBouncer \([0-9]*\)\.\([0-9]*\).*/\1 \2/p' | head -n1)"
    [[ -n "$v" ]] || return 1
    read -r major minor <<<"$v"
    ((major > 1 || (major == 1 && minor >= MIN_MINOR)))
}

# Prints the path of a usable pgbouncer binary, building one if needed.
find_or_build() {
    local onpath built work apt_opts
    onpath="$(command -v pgbouncer || true)"
    if [[ -n "$onpath" ]] && recent_enough "$onpath"; then
        printf '%s\n' "$onpath"
        return
    fi
    built="$CACHE/bin/pgbouncer"
    if [[ -x "$built" ]] && recent_enough "$built"; then
        printf '%s\n' "$built"
        return
    fi
    log "no PgBouncer >= 1.$MIN_MINOR here; building Debian $SOURCE_SUITE's source package into $CACHE"
    work="$(mktemp -d /tmp/mita-pgbouncer-src.XXXXXX)"
    mkdir -p "$work/lists/partial" "$work/cache/archives/partial"
    printf 'deb-src http://deb.debian.org/debian %s main\n' "$SOURCE_SUITE" >"$work/sources.list"
    apt_opts=(-q -o "Dir::Etc::sourcelist=$work/sources.list" -o Dir::Etc::sourceparts=/dev/null
        -o "Dir::State::lists=$work/lists" -o "Dir::Cache=$work/cache"
        -o APT::Sandbox::User=root)
    apt-get "${apt_opts[@]}" update >&2
    (cd "$work" && apt-get "${apt_opts[@]}" source --download-only "pgbouncer/$SOURCE_SUITE" >&2)
    mkdir "$work/src"
    tar -xzf "$work"/pgbouncer_*.orig.tar.gz -C "$work/src" --strip-components=1
    (
        cd "$work/src"
        ./configure --prefix="$CACHE" --without-cares --without-pam --without-ldap \
            --without-systemd >"$work/configure.log" 2>&1 || { tail -n 30 "$work/configure.log" >&2; exit 1; }
        make -j"$(nproc)" >"$work/make.log" 2>&1 || { tail -n 30 "$work/make.log" >&2; exit 1; }
        make install >"$work/install.log" 2>&1 || { tail -n 30 "$work/install.log" >&2; exit 1; }
    )
    rm -rf -- "$work"
    recent_enough "$built" || die "the build did not give a PgBouncer >= 1.$MIN_MINOR"
    printf '%s\n' "$built"
}

start() {
    local pg_dir="${1:?PG_DIR}" pg_port="${2:?PG_PORT}" bin dir deadline
    [[ -f "$pg_dir/.mita-ci-pg" ]] || die "$pg_dir is not a cluster of .ci/pg-start.sh"
    bin="$(find_or_build)"
    log "using $bin ($("$bin" --version | head -n1))"
    dir="$pg_dir/pgbouncer"
    mkdir -p "$dir"
    # A plain password in the auth file lets PgBouncer answer SCRAM itself and log in to
    # PostgreSQL (which trusts loopback in this cluster) as the same user.
    printf '"postgres" "postgres"\n' >"$dir/userlist.txt"
    cat >"$dir/pgbouncer.ini" <<EOF
[databases]
; every database name is passed through (each test creates its own database)
* = host=127.0.0.1 port=$pg_port

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PORT
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $dir/userlist.txt
pool_mode = transaction
max_prepared_statements = 200
max_client_conn = 4000
default_pool_size = 20
; sqlx sends it at startup; PgBouncer does not track it
ignore_startup_parameters = extra_float_digits
client_tls_sslmode = allow
client_tls_key_file = $pg_dir/data/server.key
client_tls_cert_file = $pg_dir/data/server.crt
server_tls_sslmode = require
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
EOF
    if [[ "$(id -u)" -eq 0 ]]; then
        chown -R postgres: "$dir"
    fi
    (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && die "something already listens on 127.0.0.1:$PORT"
    log "starting on 127.0.0.1:$PORT (transaction mode, PostgreSQL on $pg_port)"
    as_pg "$bin" -d "$dir/pgbouncer.ini" >&2 || { tail -n 20 "$dir/pgbouncer.log" >&2; die "did not start"; }
    deadline=$((SECONDS + 15))
    until (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; do
        ((SECONDS < deadline)) || { tail -n 20 "$dir/pgbouncer.log" >&2; die "not listening after 15 s"; }
        sleep 0.2
    done
    printf 'export MITA_TEST_DATABASE_URL=postgres://postgres:postgres@127.0.0.1:%s/postgres\n' "$PORT"
}

stop() {
    local pg_dir="${1:?PG_DIR}" pidfile pid
    pidfile="$pg_dir/pgbouncer/pgbouncer.pid"
    [[ -f "$pidfile" ]] || return 0
    pid="$(cat "$pidfile")"
    log "stopping PgBouncer (pid $pid)"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
}

case "${1:-}" in
start) shift; start "$@" ;;
stop) shift; stop "$@" ;;
*) die "usage: $0 start PG_DIR PG_PORT | stop PG_DIR" ;;
esac
