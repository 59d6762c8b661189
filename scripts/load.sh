#!/usr/bin/env bash
# HTTP load test: start `dwa serve` (release build) on seeded data and drive application
# submissions — each one authenticated, evaluated by the region's plugin and stored with its
# decision — with wrk at 64 concurrent connections, first on SQLite, then on PostgreSQL.
# Prints requests/s, p50, p90, p99 and every non-201 answer. Loopback only; each run is bounded
# by DURATION.
#
#   scripts/load.sh                      # both backends
#   BACKENDS=sqlite scripts/load.sh      # one
#   EMPLOYEES=100000 DURATION=20s CONNECTIONS=64 scripts/load.sh
set -euo pipefail
cd "$(dirname "$0")/.."

EMPLOYEES=${EMPLOYEES:-100000}
DURATION=${DURATION:-15s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
BACKENDS=${BACKENDS:-sqlite postgres}
POSTGRES=${POSTGRES:-postgres://postgres@127.0.0.1:5432/test}
QUARTER=2027-Q2     # the seed fills 2027-Q1; everyone may still apply for Q2
PORT=${PORT:-18080}

. scripts/load/common.sh
ensure_wrk
build_release
unset RUST_BACKTRACE   # a backtrace per error would be measured, not the host
work=$(mktemp -d)
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT

run() {
    local backend=$1 url=$2
    echo "== $backend: seeding $EMPLOYEES employees"
    "$dwa" seed --employees "$EMPLOYEES" --quarter 2027-Q1 --database "$url" >/dev/null
    employee_tokens "$url" "$work/tokens.tsv" "$EMPLOYEES" 32 3216
    echo "   $(wc -l <"$work/tokens.tsv") employee tokens"
    "$dwa" serve --bind "127.0.0.1:$PORT" --database "$url" --rules rules --today 2027-03-15 \
        >"$work/serve-$backend.log" 2>&1 &
    server=$!
    wait_ready "$PORT" "$work/serve-$backend.log"
    local rss
    rss=$(rss_kib "$server")
    echo "   idle server resident memory: $((rss / 1024)) MiB"
    WRK_THREADS=$THREADS wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency \
        -s scripts/load/submit.lua "http://127.0.0.1:$PORT" -- "$work/tokens.tsv" "$QUARTER" \
        | tee "$work/wrk-$backend.txt" | grep -E "Requests/sec|Latency|RESULT"
    kill "$server"
    wait "$server" 2>/dev/null || true
    server=""
    sed 's/^RESULT/'"$backend"'/' <(grep RESULT "$work/wrk-$backend.txt") >>"$work/summary.txt"
}

for backend in $BACKENDS; do
    case $backend in
        sqlite) run sqlite "sqlite://$work/load.db" ;;
        postgres)
            schema="dwa_load_$$"
            psql "$POSTGRES" -qc "DROP SCHEMA IF EXISTS $schema CASCADE; CREATE SCHEMA $schema" >/dev/null 2>&1
            run postgres "$POSTGRES?options=-c%20search_path%3D$schema"
            psql "$POSTGRES" -qc "DROP SCHEMA $schema CASCADE" >/dev/null 2>&1
            ;;
        *) echo "unknown backend $backend" >&2; exit 2 ;;
    esac
done
echo
echo "== summary ($CONNECTIONS connections, $DURATION each)"
cat "$work/summary.txt"
