//! `dwa plugin`: a regency's rule plugin in the regency's own repository — `new` scaffolds a
//! standalone project in Rust (a crate) or JavaScript (an npm package): the SDK vendored at this
//! host's contract version, a manifest with worked examples, a README; `build` compiles its
//! component, `test` runs its worked examples through the host's sandbox as `dwa check` does,
//! and its native tests; `sign` signs the manifest and plugin for a region that requires signed
//! rules. The same commands serve both languages; a project's language is read from its files.

mod build;
mod diff;
mod new;
mod sign;
mod test;
mod vendor;

use anyhow::{Context, bail};
use clap::Subcommand;
use dwa_sdk::manifest::Manifest;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Subcommand, Debug)]
pub(crate) enum PluginCommand {
    /// Scaffold a plugin project in DIR (new or empty), in Rust or (--lang js) JavaScript: the
    /// province baseline rules, the SDK vendored at this host's contract version, a manifest
    /// with worked examples, native tests, a README.
    New(new::NewArgs),
    /// Build the plugin's component and put it beside its manifest: a Rust crate for
    /// wasm32-wasip2 (release), a JavaScript project with npm run build (componentize-js; npm
    /// install first when its packages are missing).
    Build(build::BuildArgs),
    /// Run the worked examples through the host's sandbox (outcome, reasons, fuel, decide
    /// against evaluate, codes no example fails), then the project's own native tests (cargo
    /// test or npm test).
    Test(test::TestArgs),
    /// Sign the manifest and the plugin it names with an ed25519 private key (`dwa key
    /// generate`): writes `<manifest>.sig` beside the manifest, for regions that require signed
    /// rules.
    Sign(sign::SignArgs),
    /// Where two candidates of a region's rules decide differently: inputs explored along every
    /// gate's boundary (and, with --database, the quarter's stored applications) run through
    /// both in the host's sandbox; the classes whose outcome changes, with a count and an example.
    Diff(diff::DiffArgs),
}

/// Run `dwa plugin …`.
pub(crate) async fn run(command: PluginCommand) -> anyhow::Result<()> {
    match command {
        PluginCommand::New(args) => new::run(args),
        PluginCommand::Build(args) => build::run(args),
        PluginCommand::Test(args) => test::run(args).await,
        PluginCommand::Sign(args) => sign::run(args),
        PluginCommand::Diff(args) => diff::run(args).await,
    }
}

/// The language a plugin's rules are written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Lang {
    /// Rust: a crate built for wasm32-wasip2 with the vendored `dwa-sdk` (a `Cargo.toml`).
    Rust,
    /// JavaScript ES modules componentized with componentize-js and the vendored `@dwa/sdk` (a
    /// `package.json`).
    #[value(alias = "javascript")]
    Js,
}

/// A plugin project on disk: its folder, its language and the region manifest in it.
struct PluginCrate {
    dir: PathBuf,
    lang: Lang,
    manifest_path: PathBuf,
    manifest: Manifest,
}

impl PluginCrate {
    /// The project in `dir`: a `Cargo.toml` (Rust) or a `package.json` (JavaScript), and exactly
    /// one manifest named like `rules/`' ones, `<BPS code>-<name>.toml`.
    fn open(dir: &Path) -> anyhow::Result<PluginCrate> {
        // Absolute, so messages say where the crate is even when run in it as `.`.
        let dir = &std::path::absolute(dir).with_context(|| dir.display().to_string())?;
        let lang = if dir.join("Cargo.toml").is_file() {
            Lang::Rust
        } else if dir.join("package.json").is_file() {
            Lang::Js
        } else {
            bail!(
                "{} is not a plugin project (no Cargo.toml or package.json); create one with `dwa plugin new`",
                dir.display()
            );
        };
        let mut manifests = Vec::new();
        for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
            let path = entry?.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            if name.ends_with(".toml") && name.starts_with(|c: char| c.is_ascii_digit()) {
                manifests.push(path);
            }
        }
        manifests.sort();
        let manifest_path = match manifests.as_slice() {
            [one] => one.clone(),
            [] => bail!(
                "{} has no region manifest (a file named like 3273-kota-bandung.toml)",
                dir.display()
            ),
            several => bail!(
                "{} has {} region manifests ({}); keep one",
                dir.display(),
                several.len(),
                several
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let text =
            std::fs::read_to_string(&manifest_path).with_context(|| format!("reading {}", manifest_path.display()))?;
        let manifest = Manifest::parse(&text).with_context(|| manifest_path.display().to_string())?;
        Ok(PluginCrate {
            dir: dir.to_owned(),
            lang,
            manifest_path,
            manifest,
        })
    }

    /// Where the manifest expects the component: the file its `plugin` names, beside it.
    fn component_path(&self) -> PathBuf {
        self.dir.join(&self.manifest.plugin)
    }
}

/// `program` run in the plugin's folder, so a `rust-toolchain.toml` there chooses the toolchain.
fn in_crate(program: &str, dir: &Path) -> Command {
    let mut command = Command::new(program);
    command.current_dir(dir);
    command
}

/// Run `command` with its output shown as it comes; fail when it cannot start.
fn status_of(mut command: Command, what: &str) -> anyhow::Result<std::process::ExitStatus> {
    let toolchain = match what {
        "npm" | "node" => "Node.js 20.19+ with npm",
        _ => "the Rust toolchain",
    };
    command
        .status()
        .with_context(|| format!("cannot run {what} (is {toolchain} installed and on PATH?)"))
}
