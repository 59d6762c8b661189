//! Embeds the guest SDKs' sources into the `dwa` binary, so `dwa plugin new` can vendor the SDK
//! at this host's contract version into a regency's own repository, on a machine that has only
//! the language's toolchain and `dwa`: the Rust SDK (`sdk/`) and the JavaScript SDK (`sdk-js/`,
//! without its `node_modules` and its own tests). Writes `$OUT_DIR/sdk_files.rs`: one
//! `(path, bytes)` entry per file of each, in path order.

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
    embed(&mut out, "SDK_FILES", &sdk, &files);

    // The JavaScript SDK: each file named for cargo (a directory would make cargo scan its
    // node_modules, thousands of files, on every build), and `src/` for files added there.
    let sdk_js = manifest_dir.join("../../sdk-js");
    println!("cargo::rerun-if-changed={}", sdk_js.join("src").display());
    let mut js_files = Vec::new();
    collect(&sdk_js, &sdk_js, &mut js_files);
    js_files.retain(|f| !f.starts_with("test/") && f != "package-lock.json");
    js_files.sort();
    assert!(
        js_files.iter().any(|f| f == "package.json") && js_files.iter().any(|f| f == "index.js"),
        "{} does not look like the JavaScript SDK",
        sdk_js.display()
    );
    for file in &js_files {
        println!("cargo::rerun-if-changed={}", sdk_js.join(file).display());
    }
    out.push_str("/// The JavaScript SDK's files: path under `sdk-js/` and contents, in path order.\n");
    embed(&mut out, "SDK_JS_FILES", &sdk_js, &js_files);
    let dest = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo")).join("sdk_files.rs");
    std::fs::write(dest, out).expect("write sdk_files.rs");
}

/// `const NAME: &[(&str, &[u8])]`: each file below `root` with its bytes, included at compile time.
fn embed(out: &mut String, name: &str, root: &Path, files: &[String]) {
    out.push_str(&format!("pub(super) const {name}: &[(&str, &[u8])] = &[\n"));
    for file in files {
        let full = root.join(file).canonicalize().expect("SDK file");
        out.push_str(&format!(
            "    ({file:?}, include_bytes!({:?})),\n",
            full.display().to_string()
        ));
    }
    out.push_str("];\n");
}

/// Every file below `dir`, as a `/`-separated path relative to `root`; hidden entries and build
/// output are left out.
fn collect(root: &Path, dir: &Path, files: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("directory entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).expect("UTF-8 file name");
        if name.starts_with('.') || name == "target" || name == "node_modules" || name == "build" {
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
