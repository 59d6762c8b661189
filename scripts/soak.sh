#!/usr/bin/env bash
# Soak: `dwa serve` (release build, SQLite, loopback only) under application submissions at 64
# connections for a bounded time, while the rules folder it watches keeps changing:
#
#   - every 2 s a parameter of Kabupaten Bekasi's manifest is rewritten (a unit cost of the
#     savings estimate, alternating between two values): each change must go live;
#   - every 10 s a hostile candidate is dropped in: the hostile test plugin
#     (tests/fixtures/hostile) as Kota Bandung's (3273) plugin, with the province's worked examples and a
#     misbehaving `mode` (panic, garbage, print-panic, huge-text, loop, stack, alloc, in turn):
#     each must be rejected while everything else goes on serving.
#
# Prints: request errors (socket errors: connect, read, write, timeout; goal 0), answers other
# than 201, reloads (from /metrics: went live, rejected), p50/p99 latency, and the server's
# resident memory (VmRSS, with its anonymous and file-backed parts) at the start and the end,
# sampled every 10 s in between. Exits 1 when a request failed or the server died. A benchmark:
# not part of scripts/test.sh.
#
#   scripts/soak.sh                          # 3 minutes
#   SOAK_SECONDS=60 scripts/soak.sh
#   SOAK_RULES=0 scripts/soak.sh             # control: the same load, the rules left alone
#   EMPLOYEES=100000 CONNECTIONS=64 PORT=18090 scripts/soak.sh
set -euo pipefail
cd "$(dirname "$0")/.."

SOAK_SECONDS=${SOAK_SECONDS:-180}
EMPLOYEES=${EMPLOYEES:-100000}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
PORT=${PORT:-18090}
QUARTER=2027-Q2     # the seed fills 2027-Q1; submissions go to Q2, then the next quarters
PARAMETER_EVERY=2
HOSTILE_EVERY=10
# SOAK_RULES=0: the same load with the rules folder left alone (a control run for the memory).
SOAK_RULES=${SOAK_RULES:-1}
MODES=(panic garbage print-panic huge-text loop stack alloc)
base="http://127.0.0.1:$PORT"

. scripts/load/common.sh
ensure_wrk
build_release
unset RUST_BACKTRACE
hostile_wasm=target/wasm32-wasip2/plugin/dwa_fixture_hostile.wasm
[ -f "$hostile_wasm" ] || { echo "missing $hostile_wasm (scripts/build-plugins.sh builds it)" >&2; exit 1; }

work=$(mktemp -d)
server=""
mutator=""
cleanup() {
    [ -n "$mutator" ] && kill "$mutator" 2>/dev/null
    [ -n "$server" ] && kill "$server" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

# The server watches a copy of the rules folder, so the deployed one is never touched.
rules=$work/rules
mkdir -p "$rules"
cp rules/*.toml rules/*.wasm "$rules/"
url="sqlite://$work/soak.db"

echo "== seeding $EMPLOYEES employees"
"$dwa" seed --employees "$EMPLOYEES" --quarter 2027-Q1 --database "$url" --rules "$rules" >/dev/null
employee_tokens "$url" "$work/tokens.tsv" "$EMPLOYEES" 32 3216
admin=$("$dwa" token create --role provincial-admin --region 32 --database "$url" --rules "$rules")
echo "   $(wc -l <"$work/tokens.tsv") employee tokens"

"$dwa" serve --bind "127.0.0.1:$PORT" --database "$url" --rules "$rules" --today 2027-03-15 \
    >"$work/serve.log" 2>&1 &
server=$!
wait_ready "$PORT" "$work/serve.log"

# Reloads so far, from /metrics: `MANIFEST OK REJECTED` lines, then `total OK REJECTED`.
reloads() {
    curl -fs -H "Authorization: Bearer $admin" "$base/metrics" | awk '
        /^dwa_policy_reloads_total/ {
            match($0, /manifest="[^"]*"/); m = substr($0, RSTART + 10, RLENGTH - 11)
            if ($0 ~ /result="ok"/) { ok[m] += $NF; total_ok += $NF } else { bad[m] += $NF; total_bad += $NF }
            seen[m] = 1
        }
        END { for (m in seen) printf "%s %d %d\n", m, ok[m], bad[m]; printf "total %d %d\n", total_ok, total_bad }' | sort
}

# The audit trail's entries so far: `REGION ACTION COUNT` lines (python3; none without it).
audit() {
    command -v python3 >/dev/null || return 0
    for region in 32 3216 3273; do
        curl -fs -H "Authorization: Bearer $admin" "$base/api/policies/$region/audit" | python3 -c '
import collections, json, sys
for action, n in sorted(collections.Counter(e["action"] for e in json.load(sys.stdin)).items()):
    print(sys.argv[1], action, n)' "$region" || true
    done
}

# Write a file as the watcher must see it: whole or not at all.
write_atomically() {
    cat >"$1.tmp" && mv -f "$1.tmp" "$1"
}

# The province's manifest as Kota Bandung's (3273, the hostile plugin's region), naming the hostile plugin in MODE (its guardrails are
# the province's alone and are dropped).
hostile_manifest() {
    awk -v mode="$1" '
        /^\[guardrails\]/ { skip = 1; next }
        skip && /^\[/ { skip = 0 }
        skip { next }
        /^region = "32"$/ { print "region = \"3273\""; next }
        /^name = "Provinsi Jawa Barat"$/ { print "name = \"Hostile candidate (" mode ")\""; next }
        /^plugin = / { print "plugin = \"hostile.wasm\""; next }
        /^\[parameters\]$/ { print; print "mode = \"" mode "\""; next }
        { print }
    ' rules/32-jabar.toml
}

# Changes the rules every PARAMETER_EVERY s until the deadline; samples the server's memory.
mutate() {
    local deadline=$1 tick=0 manifest=$rules/3216-kab-bekasi.toml
    local parameter_changes=0 hostile_drops=0
    while [ "$(date +%s)" -lt "$deadline" ]; do
        sleep "$PARAMETER_EVERY"
        tick=$((tick + 1))
        if [ "$SOAK_RULES" = 1 ]; then
            sed -E "s/^transport_cost_per_day = .*/transport_cost_per_day = $((35000 + tick % 2))/" \
                rules/3216-kab-bekasi.toml | write_atomically "$manifest"
            parameter_changes=$((parameter_changes + 1))
        fi
        if [ $((tick * PARAMETER_EVERY % HOSTILE_EVERY)) -eq 0 ]; then
            local mode=${MODES[$((hostile_drops % ${#MODES[@]}))]}
            if [ "$SOAK_RULES" = 1 ]; then
                [ -f "$rules/hostile.wasm" ] || write_atomically "$rules/hostile.wasm" <"$hostile_wasm"
                hostile_manifest "$mode" | write_atomically "$rules/3273-hostile.toml"
                hostile_drops=$((hostile_drops + 1))
            fi
            echo "$(date +%s) $(rss_kib "$server") $(rss_kib "$server" RssAnon) $mode" >>"$work/memory.txt"
        fi
    done
    echo "$parameter_changes $hostile_drops" >"$work/mutations.txt"
}

reloads >"$work/reloads-start.txt"
audit >"$work/audit-start.txt"
rss_start=$(rss_kib "$server")
anon_start=$(rss_kib "$server" RssAnon)
file_start=$(rss_kib "$server" RssFile)
echo "$(date +%s) $rss_start $anon_start start" >"$work/memory.txt"
echo "== soak: ${SOAK_SECONDS} s, $CONNECTIONS connections; a parameter change every ${PARAMETER_EVERY} s, a hostile candidate every ${HOSTILE_EVERY} s"
mutate $(($(date +%s) + SOAK_SECONDS)) &
mutator=$!
SUBMIT_ROLL_QUARTER=1 WRK_THREADS=$THREADS wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SOAK_SECONDS}s" --timeout 10s \
    --latency -s scripts/load/submit.lua "$base" -- "$work/tokens.tsv" "$QUARTER" >"$work/wrk.txt"
wait "$mutator" || true
mutator=""
# The last change is picked up within the watcher's debounce (2 s): give it 3 s.
sleep 3
alive=yes
kill -0 "$server" 2>/dev/null || alive=no
rss_end=$(rss_kib "$server" || echo 0)
anon_end=$(rss_kib "$server" RssAnon || echo 0)
file_end=$(rss_kib "$server" RssFile || echo 0)
reloads >"$work/reloads-end.txt" || true
audit >"$work/audit-end.txt" || true
read -r parameter_changes hostile_drops <"$work/mutations.txt"

result=$(grep '^RESULT' "$work/wrk.txt")
field() { sed -E "s/.* $1=([^ ]*).*/\1/" <<<"$result"; }
echo
echo "== soak summary ($SOAK_SECONDS s, $CONNECTIONS connections, SQLite, $EMPLOYEES employees)"
echo "requests:        $(field requests) ($(field rps)/s), created (201): $(field created)"
echo "request errors:  $(field socket_errors) (connect/read/write/timeout; goal 0)"
echo "non-2xx answers: $(field non_201) (statuses: $(field statuses))"
echo "latency:         p50 $(field p50_ms) ms, p90 $(field p90_ms) ms, p99 $(field p99_ms) ms, max $(field max_ms) ms"
echo "rules changes:   $parameter_changes parameter rewrites, $hostile_drops hostile candidates ($(IFS=,; echo "${MODES[*]}"))"
echo "reload attempts (dwa_policy_reloads_total during the run; \"ok\" also counts re-reads that changed nothing):"
awk 'NR == FNR { ok[$1] = $2; bad[$1] = $3; next }
     { printf "   %-22s %6d ok %6d rejected\n", $1, $2 - ok[$1], $3 - bad[$1] }' \
    "$work/reloads-start.txt" "$work/reloads-end.txt"
if [ -s "$work/audit-end.txt" ]; then
    echo "audit trail during the run (GET /api/policies/REGION/audit, entries by action):"
    awk 'NR == FNR { n[$1 " " $2] = $3; next } { printf "   region %-5s %-12s %5d\n", $1, $2, $3 - n[$1 " " $2] }' \
        "$work/audit-start.txt" "$work/audit-end.txt"
fi
echo "server memory:   VmRSS $((rss_start / 1024)) MiB at start, $((rss_end / 1024)) MiB at end" \
    "(anonymous $((anon_start / 1024)) -> $((anon_end / 1024)) MiB, file-backed $((file_start / 1024)) -> $((file_end / 1024)) MiB)"
if [ -s "$work/memory.txt" ]; then
    echo "memory samples:  VmRSS $(awk '{printf "%s%d", sep, $2 / 1024; sep = " "}' "$work/memory.txt") MiB;" \
        "anonymous $(awk '{printf "%s%d", sep, $3 / 1024; sep = " "}' "$work/memory.txt") MiB (every ${HOSTILE_EVERY} s)"
fi
echo "server alive:    $alive"
if [ "$alive" = yes ] && command -v python3 >/dev/null; then
    curl -fs -H "Authorization: Bearer $admin" "$base/api/policies" | python3 -c '
import json, sys
for s in json.load(sys.stdin):
    a, live = s.get("last_attempt") or {}, s.get("active") or {}
    print("   %-22s serving %s; last change %s%s" % (s["manifest"],
          "%s %s (sha256 %s…)" % (live["plugin_name"], live["plugin_version"], live["sha256"][:12]) if live else "nothing",
          "went live" if a.get("ok") else "rejected", "" if a.get("ok") else ": " + (a.get("error") or "")[:160]))'
fi
[ "$alive" = yes ] && [ "$(field socket_errors)" = 0 ]
