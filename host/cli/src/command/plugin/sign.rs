//! `dwa plugin sign [DIR | MANIFEST] --key FILE`: sign a manifest and the plugin it names with
//! an ed25519 private key (see `dwa_policy::signing` for the exact message), writing
//! `<manifest>.sig` beside the manifest. Deploy the three files together, the plugin and the
//! signature before the manifest.

use super::PluginCrate;
use anyhow::{Context, bail};
use clap::Args;
use dwa_policy::signing::{SecretKey, signature_path};
use dwa_sdk::manifest::Manifest;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

// The arguments; the command's help text is the doc comment of its variant in `PluginCommand`.
#[derive(Args, Debug)]
pub(crate) struct SignArgs {
    /// A plugin crate's folder (its manifest is signed) or a manifest file.
    #[arg(default_value = ".")]
    target: PathBuf,
    /// The private key file (`dwa key generate`).
    #[arg(long, env = "DWA_SIGNING_KEY")]
    key: PathBuf,
}

/// Run `dwa plugin sign`.
pub(crate) fn run(args: SignArgs) -> anyhow::Result<()> {
    let manifest_path = manifest_of(&args.target)?;
    let key_text = std::fs::read_to_string(&args.key).with_context(|| format!("cannot read {}", args.key.display()))?;
    let key = SecretKey::parse(&key_text).with_context(|| args.key.display().to_string())?;
    let manifest = std::fs::read(&manifest_path).with_context(|| format!("cannot read {}", manifest_path.display()))?;
    let parsed = std::str::from_utf8(&manifest)
        .map_err(|_| anyhow::anyhow!("{}: not UTF-8", manifest_path.display()))
        .and_then(|text| Manifest::parse(text).with_context(|| manifest_path.display().to_string()))?;
    let plugin_path = manifest_path.parent().unwrap_or(Path::new(".")).join(&parsed.plugin);
    let plugin = std::fs::read(&plugin_path).with_context(|| {
        format!(
            "cannot read the plugin {} the manifest names (build it first: dwa plugin build)",
            plugin_path.display()
        )
    })?;
    let signature = key.sign(&manifest, &plugin);
    let out = signature_path(&manifest_path);
    std::fs::write(&out, signature).with_context(|| format!("cannot write {}", out.display()))?;
    println!(
        "{}: region {} signed with key {} (manifest sha256 {}…, plugin sha256 {}…)",
        out.display(),
        parsed.region,
        key.public().id(),
        &hex::encode(Sha256::digest(&manifest))[..12],
        &hex::encode(Sha256::digest(&plugin))[..12]
    );
    Ok(())
}

/// The manifest to sign: the file given, or the plugin crate's manifest in the folder given.
fn manifest_of(target: &Path) -> anyhow::Result<PathBuf> {
    if target.is_dir() {
        return Ok(PluginCrate::open(target)?.manifest_path);
    }
    if target.extension().is_some_and(|x| x == "toml") && target.is_file() {
        return Ok(target.to_owned());
    }
    bail!(
        "{}: give a plugin crate's folder or a manifest (.toml) file",
        target.display()
    )
}
