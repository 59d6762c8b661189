//! `dwa plugin build [DIR]`: compile the project's component, put it where the manifest names
//! it, and print its path and sha256. A Rust crate builds with cargo (installing the
//! `wasm32-wasip2` target first if it is missing; cargo's messages, compile errors with their
//! file and line included, go to stderr as cargo prints them). A JavaScript project builds with
//! `npm run build` (componentize-js), after an `npm install` on its first build that says what
//! it installs.

use super::{Lang, PluginCrate, in_crate, status_of};
use anyhow::{Context, bail};
use clap::Args;
use sha2::{Digest, Sha256};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::Stdio;

/// The target every plugin is built for.
const TARGET: &str = "wasm32-wasip2";

// The arguments; the command's help text is the doc comment of its variant in `PluginCommand`.
#[derive(Args, Debug)]
pub(crate) struct BuildArgs {
    /// The plugin crate's folder.
    #[arg(default_value = ".")]
    dir: PathBuf,
}

/// Run `dwa plugin build`.
pub(crate) fn run(args: BuildArgs) -> anyhow::Result<()> {
    let krate = PluginCrate::open(&args.dir)?;
    let component = krate.component_path();
    match krate.lang {
        Lang::Rust => {
            ensure_target(&krate.dir)?;
            let built = compile(&krate.dir)?;
            std::fs::copy(&built, &component)
                .with_context(|| format!("copying {} to {}", built.display(), component.display()))?;
        }
        Lang::Js => build_js(&krate.dir, &component)?,
    }
    let bytes = std::fs::read(&component).with_context(|| format!("reading {}", component.display()))?;
    println!(
        "component: {} ({} KiB, named by {})",
        component.display(),
        bytes.len().div_ceil(1024),
        krate.manifest_path.display()
    );
    println!("sha256:    {}", hex::encode(Sha256::digest(&bytes)));
    Ok(())
}

/// A JavaScript project: `npm install` when its packages are not installed yet (saying which,
/// as its package.json pins them), then `npm run build`, which writes `component`.
fn build_js(dir: &Path, component: &Path) -> anyhow::Result<()> {
    if !dir.join("node_modules").is_dir() {
        println!(
            "the project's npm packages are not installed: installing them with npm install ({})",
            pinned_packages(dir)?
        );
        let mut npm = in_crate("npm", dir);
        npm.args(["install", "--no-audit", "--no-fund"]);
        if !status_of(npm, "npm")?.success() {
            bail!("npm install failed (npm's messages above say why); nothing was built");
        }
    }
    println!(
        "building {}: npm run build (componentize-js against the contract's WIT)",
        dir.display()
    );
    let started = std::time::SystemTime::now();
    let mut npm = in_crate("npm", dir);
    npm.args(["run", "--silent", "build"]);
    if !status_of(npm, "npm")?.success() {
        bail!("the plugin did not build (the messages above say where)");
    }
    let written = std::fs::metadata(component).and_then(|m| m.modified()).ok();
    if written.is_none_or(|t| t < started) {
        bail!(
            "npm run build did not write {} (the file the manifest names)",
            component.display()
        );
    }
    Ok(())
}

/// The packages `package.json` asks for, `name version` each, for the install's message.
fn pinned_packages(dir: &Path) -> anyhow::Result<String> {
    let path = dir.join("package.json");
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let package: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?;
    let mut pinned = Vec::new();
    for section in ["dependencies", "devDependencies"] {
        for (name, version) in package[section].as_object().into_iter().flatten() {
            pinned.push(format!("{name} {}", version.as_str().unwrap_or("?")));
        }
    }
    Ok(pinned.join(", "))
}

/// Install the target when the toolchain the crate uses does not have it, saying so.
fn ensure_target(dir: &Path) -> anyhow::Result<()> {
    let sysroot = in_crate("rustc", dir)
        .args(["--print", "sysroot"])
        .output()
        .context("cannot run rustc (is the Rust toolchain installed and on PATH?)")?;
    let sysroot = PathBuf::from(String::from_utf8_lossy(&sysroot.stdout).trim());
    if sysroot.join("lib/rustlib").join(TARGET).is_dir() {
        return Ok(());
    }
    println!("the {TARGET} target is not installed: installing it (rustup target add {TARGET})");
    let mut rustup = in_crate("rustup", dir);
    rustup.args(["target", "add", TARGET]);
    if !status_of(rustup, "rustup")?.success() {
        bail!("could not install the {TARGET} target; run `rustup target add {TARGET}` and try again");
    }
    Ok(())
}

/// `cargo build --release --target wasm32-wasip2`; returns the component cargo built. Cargo
/// renders its diagnostics on stderr as usual; its JSON messages on stdout name the artifact
/// (wherever `CARGO_TARGET_DIR` or a cargo config puts it).
fn compile(dir: &Path) -> anyhow::Result<PathBuf> {
    println!("building {}: cargo build --release --target {TARGET}", dir.display());
    let mut cargo = in_crate("cargo", dir)
        .args([
            "build",
            "--release",
            "--target",
            TARGET,
            "--message-format=json-render-diagnostics",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .context("cannot run cargo (is the Rust toolchain installed and on PATH?)")?;
    let mut components = Vec::new();
    for line in std::io::BufReader::new(cargo.stdout.take().expect("piped")).lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(&line?) else {
            continue;
        };
        let is_cdylib = message["target"]["kind"]
            .as_array()
            .is_some_and(|kinds| kinds.iter().any(|k| k == "cdylib"));
        if message["reason"] == "compiler-artifact" && is_cdylib {
            let wasm = message["filenames"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|f| f.as_str());
            components.extend(wasm.filter(|f| f.ends_with(".wasm")).map(PathBuf::from));
        }
    }
    if !cargo.wait()?.success() {
        bail!("the plugin did not build (cargo's messages above say where)");
    }
    match components.as_slice() {
        [one] => Ok(one.clone()),
        [] => bail!("cargo built no component: Cargo.toml needs `[lib] crate-type = [\"cdylib\", \"rlib\"]`"),
        several => bail!("cargo built {} components; a plugin crate builds one", several.len()),
    }
}
