#!/usr/bin/env bash
# A throwaway PostgreSQL server for the store tests.
#
#   scripts/postgres.sh start DIR [PORT]   create DIR, initdb into it, start the server on
#                                          127.0.0.1:PORT (default: a free port); prints the URL
#   scripts/postgres.sh stop DIR           stop the server and remove DIR
#   scripts/postgres.sh install            install Debian's postgresql when it is missing
#
# Uses Debian's postgresql package and installs it (apt-get) when it is missing, so a clean
# machine needs nothing else. initdb refuses to run as root: as root the server runs as the
# 'postgres' user that the package creates (or a dedicated 'reeducate-pg' user). Trust
# authentication on loopback only; fsync off: the data is thrown away.
set -euo pipefail

die() { echo "postgres.sh: $*" >&2; exit 1; }

find_bindir() {
    if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
        dirname "$(command -v pg_ctl)"
        return
    fi
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

ensure_installed() {
    local bindir
    bindir=$(find_bindir || true)
    if [ -z "$bindir" ]; then
        [ "$(id -u)" -eq 0 ] || die "PostgreSQL is not installed and installing it needs root"
        command -v apt-get >/dev/null 2>&1 || die "PostgreSQL is not installed and apt-get is missing"
        echo "postgres.sh: installing Debian's postgresql package" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2
        apt-get install -y -qq postgresql >&2
        bindir=$(find_bindir || true)
        [ -n "$bindir" ] || die "postgresql installed but initdb/pg_ctl not found"
    fi
    echo "$bindir"
}

server_user() {
    if [ "$(id -u)" -ne 0 ]; then
        id -un
    elif id postgres >/dev/null 2>&1; then
        echo postgres
    else
        id reeducate-pg >/dev/null 2>&1 || useradd --system --no-create-home reeducate-pg
        echo reeducate-pg
    fi
}

as_user() {
    local user=$1; shift
    if [ "$(id -un)" = "$user" ]; then
        "$@"
    elif command -v runuser >/dev/null 2>&1; then
        runuser -u "$user" -- "$@"
    else
        su -s /bin/sh "$user" -c "$(printf '%q ' "$@")"
    fi
}

free_port() {
    local py
    for py in python3 python; do
        if command -v "$py" >/dev/null 2>&1; then
            "$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
            return
        fi
    done
    echo $((20000 + RANDOM % 20000))
}

start() {
    local dir=$1 port=${2:-}
    [ -n "$dir" ] || die "usage: postgres.sh start DIR [PORT]"
    local bindir user
    bindir=$(ensure_installed)
    user=$(server_user)
    mkdir -p "$dir"
    [ -z "$(ls -A "$dir")" ] || die "$dir must be empty"
    chmod 0700 "$dir"
    [ "$(id -u)" -ne 0 ] || chown "$user" "$dir"
    [ -n "$port" ] || port=$(free_port)
    as_user "$user" "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 \
        --no-locale --no-sync >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    as_user "$user" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/data/server.log" -w -t 30 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off \
            -c synchronous_commit=off -c full_page_writes=off" start >/dev/null \
        || { cat "$dir/data/server.log" >&2 || true; die "pg_ctl start failed"; }
    echo "$port" >"$dir/port"
    echo "postgresql://postgres@127.0.0.1:$port/postgres"
}

stop() {
    local dir=$1
    [ -n "$dir" ] || die "usage: postgres.sh stop DIR"
    [ -d "$dir/data" ] || { rm -rf "$dir"; return; }
    local bindir user
    bindir=$(find_bindir) || die "pg_ctl not found"
    user=$(stat -c %U "$dir/data")
    as_user "$user" "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}

case "${1:-}" in
    start) start "${2:-}" "${3:-}" ;;
    stop) stop "${2:-}" ;;
    install) ensure_installed >/dev/null ;;
    *) die "usage: postgres.sh start DIR [PORT] | stop DIR | install" ;;
esac
