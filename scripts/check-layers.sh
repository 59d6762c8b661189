#!/usr/bin/env bash
# The host's crates are its layers (DESIGN §3): fail when the crate graph (`cargo metadata`) has a
# direct dependency against the layering — the table and the check are host/cli/tests/layers.rs.
# scripts/test.sh, and so .ci/run, runs this before everything else.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --quiet -p dwa --test layers
