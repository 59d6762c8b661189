#!/usr/bin/env bash
# Set up and run the whole system on its embedded default, on a fresh machine with only the Rust
# toolchain: build the plugins and the host, validate every region's rules, create and seed the
# SQLite database, evaluate and allocate a quarter (printing the summary), create one demo token
# per role, and serve the API until Ctrl-C.
#
#   DWA_EMPLOYEES=5000 DWA_QUARTER=2027-Q2 DWA_BIND=127.0.0.1:8080 scripts/start.sh
set -euo pipefail
cd "$(dirname "$0")/.."

employees=${DWA_EMPLOYEES:-2000}
quarter=${DWA_QUARTER:-2027-Q1}
bind=${DWA_BIND:-127.0.0.1:8080}
export DWA_DATABASE=${DWA_DATABASE:-sqlite://data/dwa.db}
export DWA_RULES=${DWA_RULES:-rules}

# The web pages are tested in (and their screenshots taken by) Debian's headless Chromium.
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null || \
        echo "note: could not install chromium (only the browser tests need it)" >&2
fi
scripts/build-plugins.sh
cargo build --release --quiet -p dwa
dwa=${CARGO_TARGET_DIR:-target}/release/dwa

if [ "$DWA_DATABASE" = "sqlite://data/dwa.db" ]; then
    # The embedded demo database is recreated on every start so the run is reproducible.
    rm -f data/dwa.db data/dwa.db-wal data/dwa.db-shm
fi
for manifest in "$DWA_RULES"/*.toml; do
    "$dwa" check "$manifest"
done
"$dwa" seed --employees "$employees" --quarter "$quarter"
"$dwa" allocate --all --quarter "$quarter"

# Demo tokens, one per role of Kabupaten Bekasi (plus the province's admin), for trying the API.
# The file holds live credentials: readable by this user only.
mkdir -p data
rm -f data/tokens.txt
(umask 077 && : > data/tokens.txt)
{
    echo "# Demo API tokens for $DWA_DATABASE: role, token (send as 'Authorization: Bearer <token>')"
    echo "employee $("$dwa" token create --role employee --region 3216 --sample)"
    echo "supervisor $("$dwa" token create --role supervisor --region 3216 --sample)"
    echo "hr $("$dwa" token create --role hr --region 3216)"
    echo "policy-admin $("$dwa" token create --role policy-admin --region 3216)"
    echo "provincial-admin $("$dwa" token create --role provincial-admin --region 32)"
} > data/tokens.txt
echo "demo tokens written to data/tokens.txt; for example:"
echo "  curl -H \"Authorization: Bearer \$(awk '/^hr /{print \$2}' data/tokens.txt)\" 'http://$bind/api/reports/participation?quarter=$quarter'"

# One-time sign-in links for the web pages, one per demo role (each works once, for 24 hours).
web="http://$bind"
echo
echo "web pages: $web/  (Bahasa Indonesia; English at the top right)"
echo "sign-in links, one per demo role (each works once, within 24 hours):"
echo "  employee          $("$dwa" token create --link --base-url "$web" --role employee --region 3216 --sample 2>/dev/null)"
echo "  supervisor        $("$dwa" token create --link --base-url "$web" --role supervisor --region 3216 --sample 2>/dev/null)"
echo "  hr                $("$dwa" token create --link --base-url "$web" --role hr --region 3216)"
echo "  policy-admin      $("$dwa" token create --link --base-url "$web" --role policy-admin --region 3216)"
echo "  provincial-admin  $("$dwa" token create --link --base-url "$web" --role provincial-admin --region 32)"
exec "$dwa" serve --bind "$bind"
