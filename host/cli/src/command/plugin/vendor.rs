//! The guest SDK as `dwa plugin new` vendors it: the sources this `dwa` was built with
//! (embedded by `host/cli/build.rs`), and a `Cargo.toml` that stands alone — the workspace's
//! inherited fields and dependencies written out — so the copy builds outside this repository,
//! with its dependencies from crates.io as usual.

use anyhow::{Context, anyhow, bail};
use toml::{Table, Value};

include!(concat!(env!("OUT_DIR"), "/sdk_files.rs"));

/// The workspace manifest the SDK inherits its package fields and dependencies from.
const WORKSPACE_MANIFEST: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.toml"));

/// Where the copy goes in a plugin crate.
pub(super) const VENDOR_DIR: &str = "vendor/dwa-sdk";

/// The contract the JavaScript SDK's build componentizes against, vendored beside it (`wit/`).
const CONTRACT_WIT: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../sdk/wit/v0.3.0/policy.wit"));

/// The JavaScript SDK's files to write under [`VENDOR_DIR`] of a JavaScript plugin: its modules,
/// its `package.json` and build script, and the contract's WIT as `wit/policy.wit`.
pub(super) fn sdk_js_files() -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = SDK_JS_FILES
        .iter()
        .map(|(path, bytes)| (path.to_string(), bytes.to_vec()))
        .collect();
    files.push(("wit/policy.wit".to_owned(), CONTRACT_WIT.to_vec()));
    files
}

/// The SDK's files to write under [`VENDOR_DIR`]: path and contents, `Cargo.toml` standalone.
pub(super) fn sdk_files() -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let mut files = Vec::with_capacity(SDK_FILES.len());
    for (path, bytes) in SDK_FILES {
        let bytes = match *path {
            "Cargo.toml" => standalone_manifest(std::str::from_utf8(bytes)?, WORKSPACE_MANIFEST)?.into_bytes(),
            _ => bytes.to_vec(),
        };
        files.push((path.to_string(), bytes));
    }
    Ok(files)
}

/// `member` (a workspace member's `Cargo.toml`) with every `workspace = true` replaced by what
/// `workspace` (the root `Cargo.toml`) says. Dev-dependencies are left out: the copy builds
/// plugins; the SDK's own tests stay with the host.
fn standalone_manifest(member: &str, workspace: &str) -> anyhow::Result<String> {
    let mut member: Table = toml::from_str(member).context("the SDK's Cargo.toml")?;
    let workspace: Table = toml::from_str(workspace).context("the workspace's Cargo.toml")?;
    let shared = |key: &str| -> Table {
        workspace
            .get("workspace")
            .and_then(|w| w.get(key))
            .and_then(Value::as_table)
            .cloned()
            .unwrap_or_default()
    };
    let (package, dependencies, lints) = (shared("package"), shared("dependencies"), shared("lints"));
    if let Some(Value::Table(fields)) = member.get_mut("package") {
        for (key, value) in fields.iter_mut() {
            if inherits(value) {
                *value = package
                    .get(key)
                    .cloned()
                    .ok_or_else(|| anyhow!("`package.{key}` inherits a field the workspace does not set"))?;
            }
        }
    }
    resolve_dependencies(&mut member, &dependencies)?;
    if let Some(Value::Table(targets)) = member.get_mut("target") {
        for (_, target) in targets.iter_mut() {
            if let Value::Table(target) = target {
                resolve_dependencies(target, &dependencies)?;
            }
        }
    }
    if member.get("lints").is_some_and(inherits) {
        member.insert("lints".into(), Value::Table(lints));
    }
    if let Some(path) = inherited_path(&member) {
        bail!("the SDK's Cargo.toml inherits `{path}` from the workspace in a way this copy cannot resolve");
    }
    // The sections in the order people write them (a `Table` would sort them by name).
    let mut text = String::new();
    let order = [
        "package",
        "lib",
        "features",
        "dependencies",
        "build-dependencies",
        "target",
        "lints",
    ];
    let rest: Vec<String> = member
        .keys()
        .filter(|k| !order.contains(&k.as_str()))
        .cloned()
        .collect();
    for key in order.iter().map(|k| k.to_string()).chain(rest) {
        if let Some(value) = member.remove(&key) {
            text.push_str(&toml::to_string(&Table::from_iter([(key, value)]))?);
            text.push('\n');
        }
    }
    Ok(format!(
        "# The DWA guest SDK (dwa-sdk), vendored by `dwa plugin new` from dwa {} (contract {}).\n\
         # Do not edit: a newer host's `dwa plugin new` brings a newer copy.\n\n{}\n",
        env!("CARGO_PKG_VERSION"),
        dwa_sdk::CONTRACT_VERSION,
        text.trim_end()
    ))
}

/// The first key left that still says `workspace = true`, dotted.
fn inherited_path(table: &Table) -> Option<String> {
    table.iter().find_map(|(key, value)| match value {
        Value::Table(_) if inherits(value) => Some(key.clone()),
        Value::Table(t) => inherited_path(t).map(|inner| format!("{key}.{inner}")),
        _ => None,
    })
}

/// Whether a field or dependency says `{ workspace = true, … }`.
fn inherits(value: &Value) -> bool {
    value.get("workspace").and_then(Value::as_bool) == Some(true)
}

/// Resolve the inherited entries of `table`'s dependency tables; drop its dev-dependencies.
fn resolve_dependencies(table: &mut Table, workspace: &Table) -> anyhow::Result<()> {
    table.remove("dev-dependencies");
    for kind in ["dependencies", "build-dependencies"] {
        let Some(Value::Table(deps)) = table.get_mut(kind) else {
            continue;
        };
        for (name, dep) in deps.iter_mut() {
            if !inherits(dep) {
                continue;
            }
            let mut resolved = match workspace.get(name) {
                Some(Value::String(version)) => {
                    Table::from_iter([("version".to_owned(), Value::String(version.clone()))])
                }
                Some(Value::Table(t)) => t.clone(),
                _ => bail!("dependency `{name}` inherits from the workspace, which does not declare it"),
            };
            if resolved.contains_key("path") {
                bail!("dependency `{name}` is a path in the workspace: it cannot be vendored");
            }
            for (key, value) in dep.as_table().into_iter().flatten() {
                match (key.as_str(), value) {
                    ("workspace", _) => {}
                    // Features add to the workspace's.
                    ("features", Value::Array(more)) => {
                        let features = resolved.entry("features").or_insert_with(|| Value::Array(Vec::new()));
                        if let Value::Array(features) = features {
                            for feature in more {
                                if !features.contains(feature) {
                                    features.push(feature.clone());
                                }
                            }
                        }
                    }
                    (key, value) => {
                        resolved.insert(key.to_owned(), value.clone());
                    }
                }
            }
            *dep = Value::Table(resolved);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vendored_manifest_stands_alone() {
        let files = sdk_files().unwrap();
        let (_, manifest) = files.iter().find(|(p, _)| p == "Cargo.toml").unwrap();
        let manifest: Table = toml::from_str(std::str::from_utf8(manifest).unwrap()).unwrap();
        assert_eq!(manifest["package"]["name"].as_str(), Some("dwa-sdk"));
        assert!(manifest["package"]["version"].is_str());
        assert!(manifest.get("dev-dependencies").is_none());
        assert!(
            manifest["dependencies"]["serde"]["features"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f.as_str() == Some("derive"))
        );
        let toml = &manifest["dependencies"]["toml"];
        assert_eq!(toml["optional"].as_bool(), Some(true), "{toml:?}");
        let guest = &manifest["target"]["cfg(target_arch = \"wasm32\")"]["dependencies"]["wit-bindgen"];
        assert!(guest["version"].is_str(), "{guest:?}");
        assert!(files.iter().any(|(p, _)| p == "src/lib.rs"));
        assert!(files.iter().any(|(p, _)| p.starts_with("wit/") && p.ends_with(".wit")));
    }

    #[test]
    fn features_add_to_the_workspace_ones() {
        let member = "[package]\nname = \"x\"\nversion.workspace = true\n\
                      [dependencies]\nserde = { workspace = true, features = [\"rc\", \"derive\"] }\n\
                      [dev-dependencies]\nanyhow.workspace = true\n";
        let workspace = "[workspace.package]\nversion = \"1.2.3\"\n\
                         [workspace.dependencies]\nserde = { version = \"1\", features = [\"derive\"] }\n";
        let text = standalone_manifest(member, workspace).unwrap();
        let resolved: Table = toml::from_str(&text).unwrap();
        assert_eq!(resolved["package"]["version"].as_str(), Some("1.2.3"));
        let features: Vec<&str> = resolved["dependencies"]["serde"]["features"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(features, ["derive", "rc"]);
        assert!(standalone_manifest("[dependencies]\nnope.workspace = true\n", workspace).is_err());
    }
}
