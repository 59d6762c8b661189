#!/usr/bin/env bash
# National scale in one command: 5,000,000 synthetic civil servants across the 28 regions of
# West Java (the province, BPS 32, its 18 regencies 3201-3218 and 9 cities 3271-3279), each with
# its own plugin instance, seeded into SQLite and then evaluated and allocated for a quarter.
# Prints the seed time, the allocation's per-region and total decisions/s, time and peak memory
# (VmHWM), /usr/bin/time's figures for both commands, and the database size.
#
#   scripts/national.sh                      # everything, 5,000,000 employees
#   DWA_EMPLOYEES=200000 scripts/national.sh # smaller
#   scripts/national.sh rules                # only (re)generate data/national/rules/
#   scripts/national.sh allocate             # only re-run the allocation on the seeded database
#   DWA_BIN=/tmp/dwa-before scripts/national.sh  # that binary instead of building (a before/after)
#
# The rules folder: the province's and Kabupaten Bekasi's manifests and plugins from rules/, and
# for the 26 other regions a copy of the province's manifest with the region's own code and name
# and `plugin = "jabar.wasm"` (a regency that adopts the province baseline unchanged; the
# province's guardrails stay in the province's manifest only).
set -euo pipefail
cd "$(dirname "$0")/.."

employees=${DWA_EMPLOYEES:-5000000}
quarter=${DWA_QUARTER:-2027-Q1}
dir=${DWA_NATIONAL_DIR:-data/national}
rules=$dir/rules
db=$dir/dwa.db
step=${1:-all}

regions=(
    "3201 Kabupaten Bogor" "3202 Kabupaten Sukabumi" "3203 Kabupaten Cianjur" "3204 Kabupaten Bandung"
    "3205 Kabupaten Garut" "3206 Kabupaten Tasikmalaya" "3207 Kabupaten Ciamis" "3208 Kabupaten Kuningan"
    "3209 Kabupaten Cirebon" "3210 Kabupaten Majalengka" "3211 Kabupaten Sumedang" "3212 Kabupaten Indramayu"
    "3213 Kabupaten Subang" "3214 Kabupaten Purwakarta" "3215 Kabupaten Karawang" "3217 Kabupaten Bandung Barat"
    "3218 Kabupaten Pangandaran" "3271 Kota Bogor" "3272 Kota Sukabumi" "3273 Kota Bandung" "3274 Kota Cirebon"
    "3275 Kota Bekasi" "3276 Kota Depok" "3277 Kota Cimahi" "3278 Kota Tasikmalaya" "3279 Kota Banjar"
)

generate_rules() {
    if [ ! -f rules/jabar.wasm ] || [ ! -f rules/kab_bekasi.wasm ]; then
        scripts/build-plugins.sh
    fi
    rm -rf "$rules"
    mkdir -p "$rules"
    cp rules/32-jabar.toml rules/3216-kab-bekasi.toml rules/jabar.wasm rules/kab_bekasi.wasm "$rules/"
    for entry in "${regions[@]}"; do
        code=${entry%% *}
        name=${entry#* }
        slug=$(echo "$name" | tr '[:upper:]' '[:lower:]' | sed -e 's/^kabupaten /kab-/' -e 's/ /-/g')
        # The province's manifest with this region's code and name; its header comment, its
        # guardrails (the province's alone) dropped; the worked examples' employee moved here.
        awk -v code="$code" -v name="$name" '
            NR == 1 { print "# " name " (BPS " code ") — adopts the province baseline (jabar.wasm) unchanged."; next }
            NR <= 3 && /^#/ { next }
            /^# Limits no plugin/ { next }
            /^\[guardrails\]/ { skip = 1; next }
            skip && /^$/ { skip = 0; next }
            skip { next }
            /^region = "32"$/ { print "region = \"" code "\""; next }
            /^name = "Provinsi Jawa Barat"$/ { print "name = \"" name "\""; next }
            { print }
        ' rules/32-jabar.toml > "$rules/$code-$slug.toml"
    done
    echo "rules for $(ls "$rules"/*.toml | wc -l) regions in $rules"
}

dwa=${DWA_BIN:-target/release/dwa}

build() {
    [ -n "${DWA_BIN:-}" ] || cargo build --release --quiet -p dwa
}

seed() {
    rm -f "$db" "$db-wal" "$db-shm"
    mkdir -p "$dir"
    echo "== seed: $employees employees, 28 regions, $quarter"
    env -u RUST_BACKTRACE /usr/bin/time -v "$dwa" seed --employees "$employees" --regions all \
        --quarter "$quarter" --database "sqlite://$db" --rules "$rules" 2> "$dir/seed.time"
    grep -E "Elapsed|Maximum resident" "$dir/seed.time"
}

allocate() {
    echo "== allocate --all: $quarter"
    # A non-zero exit (a region failed) still prints the figures.
    env -u RUST_BACKTRACE /usr/bin/time -v "$dwa" allocate --all --quarter "$quarter" \
        --database "sqlite://$db" --rules "$rules" 2> "$dir/allocate.time" || status=$?
    grep -vE "^\s" "$dir/allocate.time" | grep -v "Command being timed" || true
    grep -E "Elapsed|Maximum resident" "$dir/allocate.time"
    du -h "$db"* | sed 's/^/database: /'
    return "${status:-0}"
}

case "$step" in
    rules) generate_rules ;;
    seed) build && seed ;;
    allocate) build && allocate ;;
    all) generate_rules && build && seed && allocate ;;
    *) echo "usage: $0 [all|rules|seed|allocate]" >&2; exit 2 ;;
esac
