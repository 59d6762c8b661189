#!/usr/bin/env bash
# Run every test on a fresh machine with only the Rust toolchain: install the WebAssembly
# target, build the real plugins and the hostile fixtures, check formatting and lints, then run
# the whole workspace's tests (unit, native plugin, component, sandbox, HTTP API, SQLite and
# PostgreSQL, end-to-end) and print one closing line with the totals.
set -euo pipefail
cd "$(dirname "$0")/.."

rustup component add rustfmt clippy >/dev/null 2>&1 || true
# The browser tests (host/cli/tests/web.rs) drive Debian's headless Chromium over WebDriver.
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null
fi
# JavaScript plugins (host/cli/tests/plugins_js.rs): Node.js and npm from Debian when missing,
# then the JavaScript SDK's pinned packages (componentize-js, rolldown, smol-toml; sdk-js's
# lockfile) into sdk-js/node_modules, through a package cache under target/ that the test's
# scaffolded plugin installs from as well (so it needs no registry).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
fi
npm ci --prefix sdk-js --cache target/npm-cache --prefer-offline --no-audit --no-fund --loglevel=error
# The crate graph first: a back-edge between the host's layers fails CI before anything else.
scripts/check-layers.sh
scripts/build-plugins.sh
cargo fmt --all -- --check
cargo clippy --workspace --exclude dwa-bench-peers --all-targets --quiet -- -D warnings
# The SDK's documentation is what regency developers read: no broken links or warnings (its
# examples, the guide's included, run as doctests with the rest of the workspace's tests).
RUSTDOCFLAGS="-D warnings" cargo doc -p dwa-sdk --all-features --no-deps --quiet

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
cargo test --workspace --exclude dwa-bench-peers --no-fail-fast 2>&1 | tee "$log" || status=$?
passed=$(grep -Eo '[0-9]+ passed' "$log" | awk '{s += $1} END {print s + 0}')
failed=$(grep -Eo '[0-9]+ failed' "$log" | awk '{s += $1} END {print s + 0}')
echo
echo "total: $passed passed, $failed failed"
exit "$status"
