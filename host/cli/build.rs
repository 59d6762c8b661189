//! Embeds the guest SDK's sources (`sdk/`) into the `dwa` binary, so `dwa plugin new` can vendor
//! the SDK at this host's contract version into a regency's own repository, on a machine that
//! has only the Rust toolchain and `dwa`. Writes `$OUT_DIR/sdk_files.rs`: one
//! `(path under sdk/, bytes)` entry per file, in path order.

use std::path::{Path, PathBuf};

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let sdk = manifest_dir.join("../../sdk");
    // A directory: cargo reruns this script when anything below it changes.
    println!("cargo::rerun-if-changed={}", sdk.display());
    let mut files = Vec::new();
    collect(&sdk, &sdk, &mut files);
    files.sort();
    assert!(
        files.iter().any(|f| f == "Cargo.toml") && files.iter().any(|f| f == "src/lib.rs"),
        "{} does not look like the SDK crate",
        sdk.display()
    );
    let mut out = String::from("/// The SDK's files: path under `sdk/` and contents, in path order.\n");
    out.push_str("pub(super) const SDK_FILES: &[(&str, &[u8])] = &[\n");
    for file in &files {
        let full = sdk.join(file).canonicalize().expect("SDK file");
        out.push_str(&format!(
            "    ({file:?}, include_bytes!({:?})),\n",
            full.display().to_string()
        ));
    }
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo")).join("sdk_files.rs");
    std::fs::write(dest, out).expect("write sdk_files.rs");
}

/// Every file below `dir`, as a `/`-separated path relative to `root`; hidden entries and build
/// output are left out.
fn collect(root: &Path, dir: &Path, files: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("directory entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).expect("UTF-8 file name");
        if name.starts_with('.') || name == "target" {
            continue;
        }
        if path.is_dir() {
            collect(root, &path, files);
        } else {
            let relative = path.strip_prefix(root).expect("below the SDK");
            let parts: Vec<&str> = relative.iter().map(|p| p.to_str().expect("UTF-8 path")).collect();
            files.push(parts.join("/"));
        }
    }
}
