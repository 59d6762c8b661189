//! One loaded plugin: compiled once, contract version checked before it runs, pre-instantiated
//! against the sandbox linker, and identified by its `info` and the sha256 of its bytes.

use super::PolicyEngine;
use super::bindings::{PluginBindings, PluginBindingsPre};
use super::error::{LoadError, PluginError, PluginId};
use super::sandbox::HostState;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use wasmtime::Store;
use wasmtime::component::Component;

/// Contract versions this host loads, oldest first.
pub const SUPPORTED_CONTRACTS: &[&str] = &["0.1.0"];

/// The interface every plugin exports, without its version.
const RULES_INTERFACE: &str = "dwa:policy/rules@";

/// A compiled, pre-instantiated plugin. Cheap to share (`Arc` it); each call instantiates it
/// afresh in its own store.
pub struct Plugin {
    id: Arc<PluginId>,
    info: dwa_sdk::PluginInfo,
    sha256: String,
    size: usize,
    needs_wasi: bool,
    pre: PluginBindingsPre<HostState>,
}

impl std::fmt::Debug for Plugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plugin")
            .field("id", &self.id)
            .field("sha256", &self.sha256)
            .finish_non_exhaustive()
    }
}

impl Plugin {
    pub(super) fn load(engine: &PolicyEngine, bytes: &[u8], source: &str) -> Result<Plugin, LoadError> {
        let sha256 = hex::encode(Sha256::digest(bytes));
        let component = Component::new(&engine.engine, bytes).map_err(|e| LoadError::NotAComponent {
            source_name: source.to_owned(),
            reason: first_line(&e),
        })?;
        let ty = component.component_type();
        let exported: Vec<String> = ty.exports(&engine.engine).map(|(name, _)| name.to_owned()).collect();
        let contract = exported
            .iter()
            .filter_map(|name| name.strip_prefix(RULES_INTERFACE))
            .find(|version| SUPPORTED_CONTRACTS.contains(version))
            .map(str::to_owned)
            .ok_or_else(|| LoadError::UnsupportedContract {
                source_name: source.to_owned(),
                found: if exported.is_empty() {
                    "nothing".to_owned()
                } else {
                    exported.join(", ")
                },
                supported: SUPPORTED_CONTRACTS.join(", "),
            })?;
        let needs_wasi = ty.imports(&engine.engine).any(|(name, _)| name.starts_with("wasi:"));
        let imports_err = |e: wasmtime::Error| LoadError::Imports {
            source_name: source.to_owned(),
            reason: first_line(&e),
        };
        let pre = engine.linker.instantiate_pre(&component).map_err(imports_err)?;
        let pre = PluginBindingsPre::new(pre).map_err(imports_err)?;
        let mut plugin = Plugin {
            id: Arc::new(PluginId {
                region: "?".into(),
                name: source.to_owned(),
                version: "?".into(),
            }),
            info: dwa_sdk::PluginInfo::new("?", source, "?"),
            sha256,
            size: bytes.len(),
            needs_wasi,
            pre,
        };
        let info = engine.info(&plugin).map_err(|e| LoadError::Info {
            source_name: source.to_owned(),
            error: Box::new(e),
        })?;
        if info.contract != contract {
            return Err(LoadError::ContractMismatch {
                source_name: source.to_owned(),
                claimed: info.contract,
                exported: contract,
            });
        }
        plugin.id = Arc::new(PluginId {
            region: info.region.clone(),
            name: info.name.clone(),
            version: info.version.clone(),
        });
        plugin.info = info;
        Ok(plugin)
    }

    /// Who the plugin says it is.
    pub fn id(&self) -> &PluginId {
        &self.id
    }

    /// The shared identity that errors carry.
    pub(super) fn shared_id(&self) -> Arc<PluginId> {
        self.id.clone()
    }

    /// The plugin's `info`.
    pub fn info(&self) -> &dwa_sdk::PluginInfo {
        &self.info
    }

    /// Hex sha256 of the component bytes.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// Size of the component in bytes.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Whether the component imports WASI (only then is a WASI context built for its calls).
    pub fn needs_wasi(&self) -> bool {
        self.needs_wasi
    }

    pub(super) fn instantiate(&self, store: &mut Store<HostState>) -> wasmtime::Result<PluginBindings> {
        self.pre.instantiate(store)
    }

    pub(super) fn invalid_output(&self, reason: String) -> PluginError {
        PluginError::InvalidOutput {
            plugin: self.shared_id(),
            reason,
        }
    }

    pub(super) fn refused(&self, error: dwa_sdk::PolicyError) -> PluginError {
        PluginError::Refused {
            plugin: self.shared_id(),
            code: error.code,
            message: error.message,
        }
    }
}

/// The first line of an error and its causes: compiler errors can list bytes over many lines.
fn first_line(error: &wasmtime::Error) -> String {
    error
        .chain()
        .map(|cause| cause.to_string().lines().next().unwrap_or_default().to_owned())
        .collect::<Vec<_>>()
        .join(": ")
}
