//! One loaded plugin: compiled once, contract version checked before it runs, pre-instantiated
//! against the sandbox linker, and identified by its `info` and the sha256 of its bytes.

use super::PolicyEngine;
use super::bindings::{Instance, InstancePre};
use super::error::{LoadError, PluginError, PluginId};
use super::sandbox::HostState;
use super::text;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use wasmtime::Store;
use wasmtime::component::Component;

/// Contract versions this host loads, oldest first.
pub const SUPPORTED_CONTRACTS: &[&str] = &["0.1.0", "0.2.0", "0.3.0"];

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
    contract: String,
    pre: InstancePre,
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
        let compiled = match &engine.compile_cache {
            Some(cache) => cache.component(&engine.engine, &sha256, bytes),
            None => Component::new(&engine.engine, bytes),
        };
        let component = compiled.map_err(|e| LoadError::NotAComponent {
            source_name: source.to_owned(),
            reason: first_line(&e),
        })?;
        let ty = component.component_type();
        let exported: Vec<String> = ty.exports(&engine.engine).map(|(name, _)| name.to_owned()).collect();
        // The newest supported version the component exports.
        let contract = SUPPORTED_CONTRACTS
            .iter()
            .rev()
            .find(|version| {
                exported
                    .iter()
                    .any(|name| name.strip_prefix(RULES_INTERFACE) == Some(**version))
            })
            .map(|version| (*version).to_owned())
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
        let pre = InstancePre::new(&contract, pre).map_err(imports_err)?;
        let mut plugin = Plugin {
            id: Arc::new(PluginId {
                region: "?".into(),
                name: source.to_owned(),
                version: "?".into(),
                sha256: sha256.clone(),
            }),
            info: dwa_sdk::PluginInfo::new("?", source, "?"),
            sha256,
            size: bytes.len(),
            needs_wasi,
            contract: contract.clone(),
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
            sha256: plugin.sha256.clone(),
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

    /// Whether the component imports WASI (its context is built on the first WASI call).
    pub fn needs_wasi(&self) -> bool {
        self.needs_wasi
    }

    /// The contract version the host calls it through.
    pub fn contract(&self) -> &str {
        &self.contract
    }

    pub(super) fn instantiate(&self, store: &mut Store<HostState>) -> wasmtime::Result<Instance> {
        self.pre.instantiate(store)
    }

    /// `reason` may quote what the plugin returned: it is made safe and bounded.
    pub(super) fn invalid_output(&self, reason: String) -> PluginError {
        PluginError::InvalidOutput {
            plugin: self.shared_id(),
            reason: text::cleaned(&reason, text::MAX_MESSAGE_BYTES),
        }
    }

    pub(super) fn refused(&self, error: dwa_sdk::PolicyError) -> PluginError {
        PluginError::Refused {
            plugin: self.shared_id(),
            code: text::cleaned(&error.code, text::MAX_CODE_BYTES),
            message: text::cleaned(&error.message, text::MAX_MESSAGE_BYTES),
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
