//! `dwa plugin test [DIR]`: the crate's component and manifest through the host's own
//! validation (what `dwa check` and the loader run: the real sandbox, contract, `info`, worked
//! examples, guardrails, `decide` against `evaluate`), printed per example in detail, with the
//! reason codes no example fails; then the project's native tests, if it has any: `cargo test`
//! for a Rust crate, `npm test` for a JavaScript project.

use super::{Lang, PluginCrate, in_crate, status_of};
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
    /// Only the sandbox: do not run the project's native tests (`cargo test` or `npm test`).
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
    if let Some(newer) = newer_source(&krate.dir, krate.lang, &component) {
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
    let native = match (args.no_cargo_test, krate.lang) {
        (true, _) => None,
        (false, Lang::Rust) => native_tests(&krate.dir)?,
        (false, Lang::Js) => native_tests_js(&krate.dir)?,
    };
    let runner = match krate.lang {
        Lang::Rust => "cargo test",
        Lang::Js => "npm test",
    };
    let examples = check::conclude(&report, true);
    match (examples, native) {
        (Err(e), Some(false)) => bail!("{e}, and the project's native tests failed ({runner})"),
        (Err(e), _) => Err(e),
        (Ok(()), Some(false)) => bail!("the project's native tests failed ({runner})"),
        (Ok(()), _) => Ok(()),
    }
}

/// Run `npm test` when the project has test files (`test/*.test.js`); `None` when it has none.
fn native_tests_js(dir: &Path) -> anyhow::Result<Option<bool>> {
    let has_tests = source_files(&dir.join("test"), "js").iter().any(|f| {
        f.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.ends_with(".test.js"))
    });
    if !has_tests {
        println!("native tests: the project has none (no test/*.test.js), so npm test was not run");
        return Ok(None);
    }
    println!(
        "native tests: the project has tests; running npm test in {}",
        dir.display()
    );
    let mut npm = in_crate("npm", dir);
    npm.arg("test");
    Ok(Some(status_of(npm, "npm")?.success()))
}

/// Run `cargo test` when the crate has tests of its own; `None` when it has none.
fn native_tests(dir: &Path) -> anyhow::Result<Option<bool>> {
    let has_tests = [dir.join("src"), dir.join("tests")]
        .iter()
        .flat_map(|d| source_files(d, "rs"))
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

/// A source file (or `Cargo.toml`, `package.json`) modified after `component`, if any.
fn newer_source(dir: &Path, lang: Lang, component: &Path) -> Option<PathBuf> {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let built = modified(component)?;
    let mut sources = match lang {
        Lang::Rust => source_files(&dir.join("src"), "rs"),
        Lang::Js => source_files(&dir.join("src"), "js"),
    };
    sources.push(dir.join(match lang {
        Lang::Rust => "Cargo.toml",
        Lang::Js => "package.json",
    }));
    sources
        .into_iter()
        .filter(|p| modified(p).is_some_and(|t: SystemTime| t > built))
        .min()
}

/// Every file below `dir` with the extension `ext` (none when `dir` does not exist).
fn source_files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(source_files(&path, ext));
        } else if path.extension().is_some_and(|x| x == ext) {
            files.push(path);
        }
    }
    files
}
