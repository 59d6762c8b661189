//! The set of active rules, one per region, swapped atomically so that calls in flight finish
//! on the version they started with. Every answer passes through the province's guardrails
//! (see `answers.rs`), and fails closed when they are unknown.
//!
//! A change is validated without holding any lock, so a slow candidate of one region never
//! delays another region's change; only the swap is serialised, and a change validated against
//! a set that has moved on since is validated again (`set/reload.rs`).

use super::gates::RegionGates;
use super::signing::{self, TrustSource};
use super::{PROVINCE, PluginCache, RegionPolicy, RulesError};
use arc_swap::ArcSwap;
use dwa_engine::PolicyEngine;
use dwa_sdk::manifest::Guardrails;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

mod reload;

pub(super) struct Active {
    pub(super) regions: BTreeMap<String, Arc<RegionPolicy>>,
    /// The province's guardrails; `None` while neither the province's rules nor its last good
    /// guardrails are known — then no regency answer is served (fail closed).
    pub(super) guardrails: Option<Guardrails>,
}

/// What is active for a region, and when and by whom it was activated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ActiveVersion {
    /// Plugin name.
    pub plugin_name: String,
    /// Plugin version.
    pub plugin_version: String,
    /// sha256 of the plugin.
    pub sha256: String,
    /// sha256 of the manifest.
    pub manifest_sha256: String,
    /// When (RFC 3339).
    pub activated_at: String,
    /// Who or what: `startup`, `file watcher`, …
    pub activated_by: String,
}

/// The last attempt to load a manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Attempt {
    /// When (RFC 3339).
    pub at: String,
    /// Who or what asked.
    pub by: String,
    /// Whether it went live.
    pub ok: bool,
    /// Why not.
    pub error: Option<String>,
}

/// One manifest's status: what serves, and how the last change went.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PolicyStatus {
    /// Manifest file name.
    pub manifest: String,
    /// Region code, once a manifest of it has parsed.
    pub region: Option<String>,
    /// The version serving, if any.
    pub active: Option<ActiveVersion>,
    /// The last load attempt.
    pub last_attempt: Option<Attempt>,
    /// Load attempts that went live (or changed nothing).
    pub attempts_ok: u64,
    /// Load attempts rejected.
    pub attempts_failed: u64,
}

/// A change of rules, for the version history and audit trail.
#[derive(Clone, Debug)]
pub enum PolicyEvent {
    /// A new version went live.
    Activated {
        /// What went live.
        region: Arc<RegionPolicy>,
        /// What it replaced, if anything.
        previous: Option<Arc<RegionPolicy>>,
        /// Who or what.
        by: String,
    },
    /// A change was rejected; the last good version keeps serving.
    Rejected {
        /// The manifest's file name.
        manifest: String,
        /// Its region, if known.
        region: Option<String>,
        /// Why.
        error: String,
        /// Who or what.
        by: String,
    },
}

/// The active rules of every region.
pub struct PolicySet {
    pub(super) engine: Arc<PolicyEngine>,
    pub(super) active: ArcSwap<Active>,
    cache: PluginCache,
    status: Mutex<BTreeMap<String, PolicyStatus>>,
    /// One swap at a time (validation happens outside it).
    changing: Mutex<()>,
    /// Where changes are reported (the version history), when someone listens.
    events: Mutex<Option<tokio::sync::mpsc::UnboundedSender<PolicyEvent>>>,
    /// The content (sha256 of the manifest and of its plugin) of each manifest's last load
    /// attempt, so the watcher never loads the same files twice.
    last_seen: Mutex<HashMap<String, String>>,
    /// Each region's bound on concurrent calls.
    pub(super) gates: RegionGates,
    /// Where each region's signature requirement and keys are read (none: nothing required).
    pub(super) trust: Option<Arc<dyn TrustSource>>,
}

/// A candidate that passed validation against one state of the set, ready to swap in.
struct Validated {
    region: Arc<RegionPolicy>,
    guardrails: Option<Guardrails>,
}

/// Whether a manifest file is the province's (named `32-…`): it loads before the others, as
/// its guardrails bind them.
pub fn is_province_manifest(path: &Path) -> bool {
    file_name(path).starts_with(&format!("{PROVINCE}-"))
}

/// A path's file name as text (empty when it has none).
pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

impl PolicySet {
    /// Load, validate and activate every manifest (`*.toml`) in `dir`, the province's first
    /// (its guardrails bind the others). A region whose rules fail is left out and its error
    /// returned beside the set; the other regions still load.
    pub fn load_dir(engine: Arc<PolicyEngine>, dir: &Path) -> Result<(PolicySet, Vec<RulesError>), RulesError> {
        PolicySet::load_dir_trusting(engine, dir, None)
    }

    /// [`PolicySet::load_dir`], checking every change — these first loads included — against
    /// the signature requirement and keys `trust` gives for its region (see [`crate::signing`]).
    pub fn load_dir_trusting(
        engine: Arc<PolicyEngine>,
        dir: &Path,
        trust: Option<Arc<dyn TrustSource>>,
    ) -> Result<(PolicySet, Vec<RulesError>), RulesError> {
        let set = PolicySet {
            trust,
            gates: RegionGates::new(engine.limits().max_concurrent_per_region),
            engine,
            active: ArcSwap::from_pointee(Active {
                regions: BTreeMap::new(),
                guardrails: None,
            }),
            cache: PluginCache::default(),
            status: Mutex::default(),
            changing: Mutex::default(),
            events: Mutex::default(),
            last_seen: Mutex::default(),
        };
        // The province first: its guardrails bind every other region.
        let (mut province_first, others): (Vec<_>, Vec<_>) =
            manifests_in(dir)?.into_iter().partition(|p| is_province_manifest(p));
        province_first.extend(others);
        let errors: Vec<RulesError> = province_first
            .iter()
            .filter_map(|path| set.reload(path, "startup").err())
            .collect();
        if set.active.load().guardrails.is_none() {
            tracing::error!(
                "the province's rules (region {PROVINCE}) are not active: no regency answer is served until the \
                 province's guardrails are known (fail closed)"
            );
        }
        Ok((set, errors))
    }

    /// Keep serving under `guardrails` (the province's last good ones, e.g. from the version
    /// history) while no province rules are active; `source` says where they come from.
    pub fn keep_guardrails(&self, guardrails: Guardrails, source: &str) {
        let _one_at_a_time = self.changing.lock().unwrap_or_else(|p| p.into_inner());
        let current = self.active.load_full();
        if current.guardrails.is_some() {
            return;
        }
        tracing::warn!(source, ?guardrails, "serving under the province's last good guardrails");
        self.active.store(Arc::new(Active {
            regions: current.regions.clone(),
            guardrails: Some(guardrails),
        }));
    }

    /// Whether the province's guardrails are known (from its active rules or kept ones).
    pub fn has_guardrails(&self) -> bool {
        self.active.load().guardrails.is_some()
    }

    /// Report every later change to `sender` (the version history and audit trail), starting
    /// with an activation event for each region active now.
    pub fn subscribe(&self, sender: tokio::sync::mpsc::UnboundedSender<PolicyEvent>) {
        let _one_at_a_time = self.changing.lock().unwrap_or_else(|p| p.into_inner());
        for region in self.active.load().regions.values() {
            let _ = sender.send(PolicyEvent::Activated {
                region: region.clone(),
                previous: None,
                by: "startup".into(),
            });
        }
        // Refusals before anyone listened (at start-up) are audited too.
        for status in self.status.lock().unwrap_or_else(|p| p.into_inner()).values() {
            if let Some(Attempt {
                ok: false,
                error: Some(error),
                by,
                ..
            }) = &status.last_attempt
            {
                let _ = sender.send(PolicyEvent::Rejected {
                    manifest: status.manifest.clone(),
                    region: status.region.clone(),
                    error: error.clone(),
                    by: by.clone(),
                });
            }
        }
        *self.events.lock().unwrap_or_else(|p| p.into_inner()) = Some(sender);
    }

    fn emit(&self, event: PolicyEvent) {
        if let Some(sender) = self.events.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            let _ = sender.send(event);
        }
    }

    /// Check a candidate's signature against what its region requires (see
    /// [`crate::signing::verify`]): the id of the key that signed it, or `None` when the region
    /// does not require signatures or the set reads no trust.
    pub fn check_signature(&self, region: &RegionPolicy) -> Result<Option<String>, RulesError> {
        let Some(source) = &self.trust else {
            return Ok(None);
        };
        let code = &region.manifest.region;
        let refused = |error| RulesError::Signature {
            path: region.manifest_path.clone(),
            error,
        };
        let trust = source.trust(code).map_err(refused)?;
        signing::verify(
            code,
            &trust,
            region.signature.as_deref(),
            &file_name(&signing::signature_path(&region.manifest_path)),
            region.manifest_text.as_bytes(),
            &region.reference.sha256,
        )
        .map_err(refused)
    }

    /// Record in a manifest's status a change refused outside a reload (an upload): its last
    /// attempt shows the error; what serves is unchanged. The caller audits it.
    pub fn record_refusal(&self, manifest: &str, region: &str, error: &str, by: &str) {
        let mut status = self.status.lock().unwrap_or_else(|p| p.into_inner());
        let entry = status_entry(&mut status, manifest.to_owned());
        entry.region.get_or_insert_with(|| region.to_owned());
        entry.last_attempt = Some(Attempt {
            at: dwa_domain::now_rfc3339(),
            by: by.to_owned(),
            ok: false,
            error: Some(error.to_owned()),
        });
        entry.attempts_failed += 1;
    }

    /// Every manifest's status, by file name.
    pub fn status(&self) -> Vec<PolicyStatus> {
        self.status
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .cloned()
            .collect()
    }

    /// The engine behind the set.
    pub fn engine(&self) -> &Arc<PolicyEngine> {
        &self.engine
    }

    /// Plugin instances the engine's pool holds now, and its size: for the readiness report,
    /// so the API reads the pool through the policy layer, never the engine.
    pub fn instance_pool(&self) -> (u64, u32) {
        (self.engine.instances_in_use(), self.engine.limits().pool_instances)
    }

    /// The active rules of `region`.
    pub fn region(&self, region: &str) -> Result<Arc<RegionPolicy>, RulesError> {
        self.active
            .load()
            .regions
            .get(region)
            .cloned()
            .ok_or_else(|| RulesError::UnknownRegion(region.to_owned()))
    }

    /// Codes of the regions with active rules.
    pub fn regions(&self) -> Vec<String> {
        self.active.load().regions.keys().cloned().collect()
    }

    /// The province's guardrails (none known: no caps — but then no regency answer is served).
    pub fn guardrails(&self) -> Guardrails {
        self.active.load().guardrails.clone().unwrap_or_default()
    }
}

/// A manifest's status entry, created empty the first time.
fn status_entry(status: &mut BTreeMap<String, PolicyStatus>, name: String) -> &mut PolicyStatus {
    status.entry(name.clone()).or_insert_with(|| PolicyStatus {
        manifest: name,
        region: None,
        active: None,
        last_attempt: None,
        attempts_ok: 0,
        attempts_failed: 0,
    })
}

/// What identifies a manifest's content: the sha256 of its bytes, then that of its plugin's,
/// then that of its signature file's (a signature added later is a change to load).
fn content_of(manifest: &[u8], plugin: Option<&[u8]>, signature: Option<&[u8]>) -> String {
    let mut content = hex::encode(Sha256::digest(manifest));
    if let Some(plugin) = plugin {
        content.push_str(&hex::encode(Sha256::digest(plugin)));
    }
    if let Some(signature) = signature {
        content.push_str("+sig");
        content.push_str(&hex::encode(Sha256::digest(signature)));
    }
    content
}

/// [`content_of`] the files on disk; `None` when the manifest cannot be read.
fn content_hash(manifest_path: &Path) -> Option<String> {
    let text = std::fs::read(manifest_path).ok()?;
    let plugin = std::str::from_utf8(&text)
        .ok()
        .and_then(|t| dwa_sdk::manifest::Manifest::parse(t).ok())
        .and_then(|m| std::fs::read(manifest_path.parent()?.join(m.plugin)).ok());
    let signature = std::fs::read(signing::signature_path(manifest_path)).ok();
    Some(content_of(&text, plugin.as_deref(), signature.as_deref()))
}

/// The manifests (`*.toml`) in a rules folder, by name.
pub fn manifests_in(dir: &Path) -> Result<Vec<PathBuf>, RulesError> {
    let mut manifests: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| RulesError::Manifest {
            path: dir.to_owned(),
            reason: format!("cannot read the rules folder: {e}"),
        })?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    manifests.sort();
    Ok(manifests)
}
