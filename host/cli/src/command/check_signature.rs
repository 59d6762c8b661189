//! The signature step of `dwa check`: the manifest and its plugin checked against what the
//! region requires in the database (`--database`), or against one public key (`--key`), with
//! the same check the host puts every change through (`dwa_policy::signing::verify`).

use anyhow::{Context, bail};
use dwa_policy::signing::{PublicKey, RegionTrust, signature_path, verify};
use dwa_sdk::manifest::Manifest;
use sha2::{Digest, Sha256};
use std::path::Path;

/// Check the signature of `manifest`; a refusal is an error naming what is wrong. Returns what
/// was found, for a line on stderr.
pub(crate) async fn check(manifest: &Path, database: Option<&str>, key: Option<&Path>) -> anyhow::Result<String> {
    let text = std::fs::read(manifest).with_context(|| format!("cannot read {}", manifest.display()))?;
    let parsed = std::str::from_utf8(&text).ok().and_then(|t| Manifest::parse(t).ok());
    // An unreadable manifest or plugin is for the validation to report, in its own words.
    let Some(parsed) = parsed else {
        return Ok("signature not checked (the manifest does not parse)".into());
    };
    let Ok(plugin) = std::fs::read(manifest.parent().unwrap_or(Path::new(".")).join(&parsed.plugin)) else {
        return Ok("signature not checked (no plugin file)".into());
    };
    let (trust, source) = match (key, database) {
        (Some(key), _) => {
            let text = std::fs::read_to_string(key).with_context(|| format!("cannot read {}", key.display()))?;
            let key = PublicKey::parse(&text).with_context(|| key.display().to_string())?;
            (
                RegionTrust {
                    required: true,
                    keys: vec![key],
                },
                "--key",
            )
        }
        (None, Some(url)) => {
            let store = dwa_store::Store::connect(url).await?;
            let signing = store.region_signing(&parsed.region).await?;
            let keys = signing
                .keys
                .iter()
                .map(|k| PublicKey::parse(&k.public_key))
                .collect::<Result<_, _>>()?;
            (
                RegionTrust {
                    required: signing.required,
                    keys,
                },
                "the database",
            )
        }
        (None, None) => return Ok("signature not checked (give --database or --key)".into()),
    };
    let sig_path = signature_path(manifest);
    let signature = match std::fs::read_to_string(&sig_path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => bail!("cannot read {}: {e}", sig_path.display()),
    };
    let file = sig_path.file_name().unwrap_or_default().to_string_lossy().into_owned();
    let plugin_sha256 = hex::encode(Sha256::digest(&plugin));
    match verify(
        &parsed.region,
        &trust,
        signature.as_deref(),
        &file,
        &text,
        &plugin_sha256,
    ) {
        Ok(Some(key)) => Ok(format!(
            "signed with key {key}, registered for region {} ({source})",
            parsed.region
        )),
        Ok(None) => Ok(format!(
            "region {} does not require signed rules ({source}); signature not checked",
            parsed.region
        )),
        Err(e) => bail!("{}: refused: {e}", manifest.display()),
    }
}
