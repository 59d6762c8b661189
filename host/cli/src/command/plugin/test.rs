//! `dwa plugin test [DIR]`: the crate's component and manifest through the host's own
//! validation (what `dwa check` and the loader run: the real sandbox, contract, `info`, worked
//! examples, guardrails, `decide` against `evaluate`), printed per example in detail, with the
//! reason codes no example fails; then the crate's native `cargo test`, if it has tests.

use super::{PluginCrate, in_crate, status_of};
use crate::command::check::{self, WithoutProvince};
use anyhow::bail;
use clap::Args;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

// The arguments; the command's help text is the doc comment of its variant in `PluginCommand`.
#[derive(Args, Debug)]
pub(crate) struct TestArgs {
    /// The plugin crate's folder.
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// Only the sandbox: do not run the crate's `cargo test`.
    #[arg(long)]
    no_cargo_test: bool,
}

/// Run `dwa plugin test`.
pub(crate) async fn run(args: TestArgs) -> anyhow::Result<()> {
    let krate = PluginCrate::open(&args.dir)?;
    let component = krate.component_path();
    if !component.is_file() {
        bail!(
            "{} is missing: build it first with `dwa plugin build {}`",
            component.display(),
            krate.dir.display()
        );
    }
    if let Some(newer) = newer_source(&krate.dir, &component) {
        eprintln!(
            "warning: {} changed after {} was built: run `dwa plugin build` to test the latest code",
            newer.display(),
            component.display()
        );
    }
    println!("worked examples through the host's sandbox:");
    let report = check::validate_manifest(&krate.manifest_path, WithoutProvince::BuiltIn).await?;
    check::print_report(&krate.manifest_path, &report, true);
    match report.codes_no_example_fails().as_slice() {
        [] => println!("every reason code the plugin reports is failed by at least one worked example"),
        codes => println!(
            "reason codes no worked example fails: {} (add an example that fails each, so a change to it shows)",
            codes.join(", ")
        ),
    }
    let native = match args.no_cargo_test {
        true => None,
        false => native_tests(&krate.dir)?,
    };
    let examples = check::conclude(&report, true);
    match (examples, native) {
        (Err(e), Some(false)) => bail!("{e}, and the crate's native tests failed (cargo test)"),
        (Err(e), _) => Err(e),
        (Ok(()), Some(false)) => bail!("the crate's native tests failed (cargo test)"),
        (Ok(()), _) => Ok(()),
    }
}

/// Run `cargo test` when the crate has tests of its own; `None` when it has none.
fn native_tests(dir: &Path) -> anyhow::Result<Option<bool>> {
    let has_tests = [dir.join("src"), dir.join("tests")]
        .iter()
        .flat_map(|d| rust_files(d))
        .any(|f| std::fs::read_to_string(f).is_ok_and(|text| text.contains("#[test]")));
    if !has_tests {
        println!("native tests: the crate has none (no #[test] in src/ or tests/), so cargo test was not run");
        return Ok(None);
    }
    println!(
        "native tests: the crate has tests; running cargo test in {}",
        dir.display()
    );
    let mut cargo = in_crate("cargo", dir);
    cargo.arg("test");
    Ok(Some(status_of(cargo, "cargo")?.success()))
}

/// A source file (or `Cargo.toml`) modified after `component`, if any.
fn newer_source(dir: &Path, component: &Path) -> Option<PathBuf> {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let built = modified(component)?;
    let mut sources = rust_files(&dir.join("src"));
    sources.push(dir.join("Cargo.toml"));
    sources
        .into_iter()
        .filter(|p| modified(p).is_some_and(|t: SystemTime| t > built))
        .min()
}

/// Every `.rs` file below `dir` (none when it does not exist).
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|x| x == "rs") {
            files.push(path);
        }
    }
    files
}
