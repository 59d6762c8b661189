# Shared pieces of the HTTP benchmarks (scripts/load.sh, scripts/soak.sh). Source it from the
# workspace root: `. scripts/load/common.sh`.

# wrk, from the Debian package, when it is missing.
ensure_wrk() {
    if ! command -v wrk >/dev/null; then
        echo "installing wrk (Debian package)…"
        apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
    fi
}

# The plugins and the release host; sets `dwa` to the binary (DWA_BIN: use that one instead
# of building, e.g. target/debug/dwa for a quick try; its figures are not the release's).
build_release() {
    scripts/build-plugins.sh >/dev/null
    if [ -n "${DWA_BIN:-}" ]; then
        dwa=$DWA_BIN
        return
    fi
    cargo build --release --quiet -p dwa
    dwa=target/release/dwa
}

# employee_tokens URL OUT COUNT REGION…: one employee token per employee (at most COUNT per
# region) of each REGION, as `NIP<TAB>token` lines in OUT (what scripts/load/submit.lua reads).
employee_tokens() {
    local url=$1 out=$2 count=$3
    shift 3
    : >"$out"
    for region in "$@"; do
        "$dwa" token create --role employee --region "$region" --each-employee "$count" \
            --database "$url" >>"$out"
    done
}

# wait_ready PORT LOG: poll /readyz (100 tries, 100 ms apart); on failure print LOG and exit.
wait_ready() {
    local port=$1 log=$2
    for _ in $(seq 1 100); do
        curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    curl -fs "http://127.0.0.1:$port/readyz" >/dev/null || { cat "$log"; exit 1; }
}

# rss_kib PID [FIELD]: a memory figure of a process from /proc/PID/status, in KiB (default
# VmRSS; also RssAnon, RssFile, VmHWM).
rss_kib() {
    awk -v field="${2:-VmRSS}:" '$1 == field {print $2}' "/proc/$1/status"
}
