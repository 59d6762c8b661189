//! One region's loaded rules: the manifest, the plugin built from the file beside it, and
//! the hashes that identify both in decisions and audits.

use super::RulesError;
use dwa_domain::PluginRef;
use dwa_engine::{Plugin, PolicyEngine};
use dwa_sdk::manifest::Manifest;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A region's manifest and plugin, ready to answer.
#[derive(Debug)]
pub struct RegionPolicy {
    /// Where the manifest was read from.
    pub manifest_path: PathBuf,
    /// The parsed manifest.
    pub manifest: Manifest,
    /// The loaded plugin.
    pub plugin: Arc<Plugin>,
    /// Identity for decisions.
    pub reference: PluginRef,
    /// The manifest as written (kept for the version history and diffs).
    pub manifest_text: String,
    /// The plugin's bytes (kept for the version history, so any version can be restored).
    pub plugin_bytes: Arc<Vec<u8>>,
    /// The signature file beside the manifest (`<manifest>.sig`), if there is one: checked
    /// when the region requires signatures, and kept with the version.
    pub signature: Option<String>,
}

impl RegionPolicy {
    /// Read a manifest and the plugin beside it, and load the plugin. Does not run the
    /// worked examples (see [`super::validate`]).
    pub fn load(engine: &PolicyEngine, manifest_path: &Path) -> Result<RegionPolicy, RulesError> {
        RegionPolicy::load_cached(engine, manifest_path, &PluginCache::default())
    }

    /// [`RegionPolicy::load`], reusing a plugin already compiled from the same bytes: a
    /// parameter edit then costs no compilation.
    pub fn load_cached(
        engine: &PolicyEngine,
        manifest_path: &Path,
        cache: &PluginCache,
    ) -> Result<RegionPolicy, RulesError> {
        let text = std::fs::read_to_string(manifest_path).map_err(|e| RulesError::Manifest {
            path: manifest_path.to_owned(),
            reason: e.to_string(),
        })?;
        let manifest = Manifest::parse(&text).map_err(|e| RulesError::Manifest {
            path: manifest_path.to_owned(),
            reason: e.to_string(),
        })?;
        let plugin_path = manifest_path.parent().unwrap_or(Path::new(".")).join(&manifest.plugin);
        let bytes = std::fs::read(&plugin_path).map_err(|e| RulesError::PluginFile {
            path: plugin_path.clone(),
            reason: e.to_string(),
        })?;
        let sha256 = hex::encode(Sha256::digest(&bytes));
        let plugin = match cache.get(&sha256) {
            Some(plugin) => plugin,
            None => {
                // Named by its file name: a message may reach an API answer, a page or the audit trail,
                // which never show where the rules folder is on the server.
                let plugin = Arc::new(engine.load(&bytes, &crate::set::file_name(&plugin_path))?);
                cache.put(plugin.clone());
                plugin
            }
        };
        if !super::plugin_serves(&plugin.info().region, &manifest.region) {
            return Err(RulesError::RegionMismatch {
                path: manifest_path.to_owned(),
                plugin: plugin.id().to_string(),
                manifest_region: manifest.region,
                plugin_region: plugin.info().region.clone(),
            });
        }
        let reference = PluginRef {
            region: manifest.region.clone(),
            name: plugin.info().name.clone(),
            version: plugin.info().version.clone(),
            sha256: plugin.sha256().to_owned(),
            manifest_sha256: hex::encode(Sha256::digest(text.as_bytes())),
        };
        Ok(RegionPolicy {
            signature: read_signature(manifest_path)?,
            manifest_path: manifest_path.to_owned(),
            manifest,
            plugin,
            reference,
            manifest_text: text,
            plugin_bytes: Arc::new(bytes),
        })
    }
}

/// The signature file beside a manifest, if any (bounded: a signature is a few hundred bytes).
fn read_signature(manifest_path: &Path) -> Result<Option<String>, RulesError> {
    let path = super::signing::signature_path(manifest_path);
    let unreadable = |reason: String| RulesError::Manifest {
        path: path.clone(),
        reason,
    };
    match std::fs::metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(unreadable(e.to_string())),
        Ok(meta) if meta.len() > 4096 => Err(unreadable("larger than 4 KiB: not a signature file".into())),
        Ok(_) => std::fs::read_to_string(&path)
            .map(Some)
            .map_err(|e| unreadable(e.to_string())),
    }
}

/// Compiled plugins by the sha256 of their bytes (kept small: the latest few).
#[derive(Default)]
pub struct PluginCache {
    plugins: std::sync::Mutex<Vec<Arc<Plugin>>>,
}

impl PluginCache {
    const CAPACITY: usize = 32;

    fn get(&self, sha256: &str) -> Option<Arc<Plugin>> {
        self.plugins
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .find(|p| p.sha256() == sha256)
            .cloned()
    }

    fn put(&self, plugin: Arc<Plugin>) {
        let mut plugins = self.plugins.lock().unwrap_or_else(|p| p.into_inner());
        if plugins.len() == Self::CAPACITY {
            plugins.remove(0);
        }
        plugins.push(plugin);
    }
}
