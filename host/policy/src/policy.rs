//! The active rules per region: each region's manifest in `rules/` with its plugin, loaded,
//! validated (contract, `info`, worked examples, guardrails) and held in a set that is swapped
//! atomically. Every plugin output passes through the province's guardrails here.

mod answers;
mod gates;
mod guardrails;
mod region;
mod set;
pub mod signing;
mod validate;
pub mod watch;

pub use dwa_domain::{Allocation, Decision, PluginRef, Violation};
pub use guardrails::{enforce_eligibility, enforce_grants, enforce_verdict};
pub use region::{PluginCache, RegionPolicy};
pub use set::{
    ActiveVersion, Attempt, PolicyEvent, PolicySet, PolicyStatus, file_name, is_province_manifest, manifests_in,
};
pub use validate::{ALLOCATION_EXAMPLE, ExampleOutcome, ValidationReport, validate};

use dwa_engine::{HostFault, LoadError, PluginError};
use std::path::PathBuf;

/// Region code of the province, whose manifest carries the guardrails.
pub const PROVINCE: &str = "32";

/// Whether a plugin whose `info` names `plugin_region` may serve `manifest_region`: its own
/// region, or — for the province's plugin — any regency or city of the province (BPS codes
/// `32xx`) that adopts the baseline unchanged under its own manifest and parameters.
pub fn plugin_serves(plugin_region: &str, manifest_region: &str) -> bool {
    plugin_region == manifest_region
        || (plugin_region == PROVINCE
            && manifest_region.len() == 4
            && manifest_region.starts_with(PROVINCE)
            && manifest_region.bytes().all(|b| b.is_ascii_digit()))
}

/// A rules file as messages name it: its file name, relative to the rules folder (which is
/// flat). Messages reach API answers, pages and the audit trail, and none of them may show
/// where the rules live on the server.
fn shown(path: &std::path::Path) -> String {
    match path.file_name() {
        Some(name) => name.to_string_lossy().into_owned(),
        None => path.to_string_lossy().into_owned(),
    }
}

/// Why a region's rules could not be loaded or used.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    /// No active rules for the region.
    #[error("no active rules for region `{0}` (known regions are those with a manifest in rules/)")]
    UnknownRegion(String),
    /// The manifest file is unreadable or invalid.
    #[error("{}: {reason}", shown(.path))]
    Manifest {
        /// The manifest.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The plugin file beside the manifest is unreadable.
    #[error("{}: cannot read the plugin: {reason} (build it with scripts/build-plugins.sh)", shown(.path))]
    PluginFile {
        /// The plugin file.
        path: PathBuf,
        /// The I/O error.
        reason: String,
    },
    /// The plugin could not be loaded.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The plugin's `info` does not match its manifest.
    #[error(
        "{}: plugin {plugin} says it is for region {plugin_region}, the manifest says {manifest_region} \
         (a plugin serves its own region; the province's may also serve a regency or city of the province)",
        shown(.path)
    )]
    RegionMismatch {
        /// The manifest.
        path: PathBuf,
        /// The plugin (name and version).
        plugin: String,
        /// Region in the manifest.
        manifest_region: String,
        /// Region in `info`.
        plugin_region: String,
    },
    /// The region requires signed rules and the candidate's signature is missing or wrong.
    #[error("{}: refused: {error}", shown(.path))]
    Signature {
        /// The manifest.
        path: PathBuf,
        /// What is wrong with the signature.
        error: signing::SigningError,
    },
    /// Worked examples failed or guardrails were broken.
    #[error("{}: plugin {plugin} failed validation:\n  {}", shown(.path), failures.join("\n  "))]
    Validation {
        /// The manifest.
        path: PathBuf,
        /// The plugin.
        plugin: String,
        /// One line per failure.
        failures: Vec<String>,
    },
    /// A call into the plugin failed.
    #[error(transparent)]
    Plugin(#[from] PluginError),
    /// The host could not run the call (a busy region, a full pool): its fault, not the
    /// plugin's; retry shortly.
    #[error("{0}")]
    Host(HostFault),
    /// The province's guardrails are not known (its rules were rejected and none were kept),
    /// so a regency's answers are not served uncapped.
    #[error(
        "region {0}'s rules are not served: the province's guardrails are unknown (its rules are not active); \
         fix or restore the province's rules"
    )]
    NoGuardrails(String),
    /// Plugin calls outlived their deadline (stuck outside the guest) and were abandoned.
    #[error("region {region}'s plugin calls were abandoned after {} s: they outlived their deadline", after.as_secs())]
    Abandoned {
        /// The region.
        region: String,
        /// How long the host waited.
        after: std::time::Duration,
    },
}

impl RulesError {
    /// Whether the host, not the region's rules, is to blame (the client may retry).
    pub fn is_host_fault(&self) -> bool {
        match self {
            RulesError::Host(_) | RulesError::NoGuardrails(_) => true,
            RulesError::Plugin(e) => e.is_host_fault(),
            RulesError::Load(LoadError::Info { error, .. }) => error.is_host_fault(),
            _ => false,
        }
    }
}
