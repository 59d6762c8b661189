//! The host's crates are its layers (DESIGN §3), and this test keeps them so: it reads the crate
//! graph from `cargo metadata` and fails, naming the crate and the dependency, when a host crate
//! has a direct dependency (normal, build or dev) that its layer may not use. A back-edge between
//! host crates that closes a cycle does not even resolve; this catches the rest (the store
//! taking wasmtime, the engine taking sqlx, the API taking the engine, …).
//!
//! ```text
//! dwa (binary), dwa-api → dwa-workflow → dwa-policy → dwa-engine
//!                                      ↘ dwa-store
//! every host crate → dwa-domain (plain shared types)
//! ```
//!
//! The API reaches the store and the rules only through the workflow (the one door of issue
//! 19): `dwa-api` may not depend on `dwa-store` or `dwa-policy`; the types it names from them
//! are re-exported by `dwa-workflow`.
//!
//! `scripts/check-layers.sh` runs it on its own; `scripts/test.sh` (and so `.ci/run`) runs that
//! first.

use std::collections::BTreeMap;
use std::process::Command;

/// Each host crate and the direct dependencies it may not have.
const FORBIDDEN: &[(&str, &[&str])] = &[
    (
        "dwa-domain",
        &[
            "wasmtime",
            "wasmtime-wasi",
            "sqlx",
            "axum",
            "tower-http",
            "utoipa-axum",
            "dwa-engine",
            "dwa-policy",
            "dwa-store",
            "dwa-workflow",
            "dwa-api",
            "dwa",
        ],
    ),
    (
        "dwa-engine",
        &[
            "sqlx",
            "axum",
            "tower-http",
            "utoipa-axum",
            "notify",
            "dwa-policy",
            "dwa-store",
            "dwa-workflow",
            "dwa-api",
            "dwa",
        ],
    ),
    (
        "dwa-policy",
        &[
            "sqlx",
            "axum",
            "tower-http",
            "utoipa-axum",
            "dwa-store",
            "dwa-workflow",
            "dwa-api",
            "dwa",
        ],
    ),
    (
        "dwa-store",
        &[
            "wasmtime",
            "wasmtime-wasi",
            "axum",
            "tower-http",
            "utoipa-axum",
            "dwa-engine",
            "dwa-policy",
            "dwa-workflow",
            "dwa-api",
            "dwa",
        ],
    ),
    // The workflow reaches the database only through the store (no sqlx of its own).
    (
        "dwa-workflow",
        &["sqlx", "axum", "tower-http", "utoipa-axum", "dwa-api", "dwa"],
    ),
    // The API calls only the workflow: no store, no rules of its own (types it names come
    // re-exported by dwa-workflow).
    (
        "dwa-api",
        &[
            "wasmtime",
            "wasmtime-wasi",
            "sqlx",
            "dwa-engine",
            "dwa-store",
            "dwa-policy",
            "dwa",
        ],
    ),
];

/// Each workspace package's direct dependencies, with their kind.
fn workspace_dependencies() -> BTreeMap<String, Vec<(String, String)>> {
    let output = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).expect("cargo metadata prints JSON");
    let mut packages = BTreeMap::new();
    for package in metadata["packages"].as_array().expect("a package list") {
        let deps = package["dependencies"]
            .as_array()
            .expect("a dependency list")
            .iter()
            .map(|d| {
                let name = d["name"].as_str().unwrap_or_default().to_owned();
                let kind = d["kind"].as_str().unwrap_or("normal").to_owned();
                (name, kind)
            })
            .collect();
        packages.insert(package["name"].as_str().unwrap_or_default().to_owned(), deps);
    }
    packages
}

/// The edges against the layering, one line each.
fn back_edges(packages: &BTreeMap<String, Vec<(String, String)>>) -> Vec<String> {
    let mut problems = Vec::new();
    for (crate_name, banned) in FORBIDDEN {
        let Some(deps) = packages.get(*crate_name) else {
            problems.push(format!("{crate_name}: not in the workspace, yet the layering names it"));
            continue;
        };
        for (dep, kind) in deps {
            if banned.contains(&dep.as_str()) {
                problems.push(format!(
                    "{crate_name} depends on {dep} ({kind}): against the layering in DESIGN §3"
                ));
            }
        }
    }
    problems
}

#[test]
fn the_crate_graph_has_no_edge_against_the_layering() {
    let problems = back_edges(&workspace_dependencies());
    assert!(
        problems.is_empty(),
        "the crate graph has edges against the layering:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn a_back_edge_is_reported() {
    // The check itself: a store that took wasmtime and an API that took the engine are caught.
    let mut packages = workspace_dependencies();
    let normal = |name: &str| (name.to_owned(), "normal".to_owned());
    packages
        .get_mut("dwa-store")
        .expect("dwa-store")
        .push(normal("wasmtime"));
    let api = packages.get_mut("dwa-api").expect("dwa-api");
    api.push(normal("dwa-engine"));
    // The one door: the API reading the store or holding the rules itself is caught too, even
    // as a dev-dependency.
    api.push(normal("dwa-store"));
    api.push(("dwa-policy".to_owned(), "dev".to_owned()));
    let problems = back_edges(&packages);
    for expected in [
        "dwa-store depends on wasmtime (normal): against the layering in DESIGN §3",
        "dwa-api depends on dwa-engine (normal): against the layering in DESIGN §3",
        "dwa-api depends on dwa-store (normal): against the layering in DESIGN §3",
        "dwa-api depends on dwa-policy (dev): against the layering in DESIGN §3",
    ] {
        assert!(
            problems.iter().any(|p| p == expected),
            "{expected:?} not in {problems:?}"
        );
    }
}
