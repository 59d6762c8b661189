#!/usr/bin/env bash
# Build every rule plugin (and the hostile test fixtures) to wasm32-wasip2 components and copy
# the deployable ones into rules/ beside their manifests.
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target add wasm32-wasip2 >/dev/null 2>&1 || rustup target add wasm32-wasip2

cargo build --quiet --target wasm32-wasip2 --profile plugin \
    -p dwa-plugin-jabar -p dwa-plugin-kab-bekasi -p dwa-plugin-kota-bandung \
    -p dwa-fixture-hostile -p dwa-fixture-future-contract -p dwa-fixture-contract-v0-1-0 -p dwa-fixture-contract-v0-2-0

out=${CARGO_TARGET_DIR:-target}/wasm32-wasip2/plugin
cp "$out/dwa_plugin_jabar.wasm" rules/jabar.wasm
cp "$out/dwa_plugin_kab_bekasi.wasm" rules/kab_bekasi.wasm
# Kota Bandung's plugin is deployed by its tests (signed), not by default: beside its manifest.
cp "$out/dwa_plugin_kota_bandung.wasm" plugins/kota-bandung/kota_bandung.wasm
echo "plugins built: rules/jabar.wasm rules/kab_bekasi.wasm plugins/kota-bandung/kota_bandung.wasm"
echo "test fixtures built (not deployed): $out/dwa_fixture_hostile.wasm $out/dwa_fixture_future_contract.wasm $out/dwa_fixture_contract_v0_1_0.wasm $out/dwa_fixture_contract_v0_2_0.wasm"
