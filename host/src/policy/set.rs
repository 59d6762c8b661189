//! The set of active rules, one per region, swapped atomically so that calls in flight finish
//! on the version they started with. Every answer passes through the province's guardrails.

use super::{
    PROVINCE, PluginCache, PluginRef, RegionPolicy, RulesError, Violation, enforce_eligibility, enforce_grants,
    enforce_verdict, validate,
};
use crate::engine::{GuestOutput, PluginError, PolicyEngine};
use arc_swap::ArcSwap;
use dwa_sdk::manifest::Guardrails;
use dwa_sdk::{AllocationRequest, Application, Date, Eligibility, Employee, EvaluationInput, Grant, Verdict};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A decision with everything needed to store, explain and replay it.
#[derive(Clone, Debug)]
pub struct Decision {
    /// What the plugin saw.
    pub input: EvaluationInput,
    /// The outcome, after guardrails.
    pub eligibility: Eligibility,
    /// The plugin that decided.
    pub plugin: PluginRef,
    /// Fuel used.
    pub fuel_used: u64,
    /// Time taken.
    pub duration: Duration,
    /// What the plugin printed.
    pub output: GuestOutput,
    /// Guardrail corrections.
    pub violations: Vec<Violation>,
}

/// A unit's grants with their provenance.
#[derive(Clone, Debug)]
pub struct Allocation {
    /// The grants, after guardrails.
    pub grants: Vec<Grant>,
    /// The plugin that allocated.
    pub plugin: PluginRef,
    /// Fuel used.
    pub fuel_used: u64,
    /// Guardrail corrections.
    pub violations: Vec<Violation>,
}

struct Active {
    regions: BTreeMap<String, Arc<RegionPolicy>>,
    guardrails: Guardrails,
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
    engine: Arc<PolicyEngine>,
    active: ArcSwap<Active>,
    cache: PluginCache,
    status: Mutex<BTreeMap<String, PolicyStatus>>,
    /// One change at a time: a reload reads, validates and swaps without racing another.
    changing: Mutex<()>,
    /// Where changes are reported (the version history), when someone listens.
    events: Mutex<Option<tokio::sync::mpsc::UnboundedSender<PolicyEvent>>>,
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
        let set = PolicySet {
            engine,
            active: ArcSwap::from_pointee(Active {
                regions: BTreeMap::new(),
                guardrails: Guardrails::default(),
            }),
            cache: PluginCache::default(),
            status: Mutex::default(),
            changing: Mutex::default(),
            events: Mutex::default(),
        };
        let mut manifests = manifests_in(dir)?;
        // The province first: its guardrails bind every other region.
        let mut province_first = Vec::new();
        manifests.retain(|p| {
            let province = file_name(p).starts_with(&format!("{PROVINCE}-"));
            if province {
                province_first.push(p.clone());
            }
            !province
        });
        province_first.extend(manifests);
        let errors = province_first
            .iter()
            .filter_map(|path| set.reload(path, "startup").err())
            .collect();
        Ok((set, errors))
    }

    /// Load a manifest (and the plugin beside it), validate it under the guardrails and, if it
    /// passes, swap it in atomically; calls in flight finish on the version they started with.
    /// On failure the last good version keeps serving and the failure is kept in the status.
    /// A province manifest changes the guardrails too, and goes live only if every active
    /// region still validates under them. Returns the version serving afterwards.
    pub fn reload(&self, manifest_path: &Path, by: &str) -> Result<PluginRef, RulesError> {
        let _one_at_a_time = self.changing.lock().unwrap_or_else(|p| p.into_inner());
        self.reload_locked(manifest_path, by)
    }

    /// Write files into a rules folder and load the manifest among them, as one change: a file
    /// watcher sees the new files only after this change is recorded as `by`'s.
    pub fn write_and_reload(
        &self,
        dir: &Path,
        files: &[(&str, &[u8])],
        manifest: &str,
        by: &str,
    ) -> Result<PluginRef, RulesError> {
        let _one_at_a_time = self.changing.lock().unwrap_or_else(|p| p.into_inner());
        for (name, bytes) in files {
            let target = dir.join(name);
            let staging = dir.join(format!(".{name}.staging"));
            std::fs::write(&staging, bytes)
                .and_then(|()| std::fs::rename(&staging, &target))
                .map_err(|e| RulesError::Manifest {
                    path: target.clone(),
                    reason: format!("cannot write: {e}"),
                })?;
        }
        self.reload_locked(&dir.join(manifest), by)
    }

    fn reload_locked(&self, manifest_path: &Path, by: &str) -> Result<PluginRef, RulesError> {
        let name = file_name(manifest_path);
        let result = self.try_reload(manifest_path, by);
        let now = crate::store::now_rfc3339();
        let mut status = self.status.lock().unwrap_or_else(|p| p.into_inner());
        let entry = status.entry(name.clone()).or_insert_with(|| PolicyStatus {
            manifest: name,
            region: None,
            active: None,
            last_attempt: None,
            attempts_ok: 0,
            attempts_failed: 0,
        });
        match &result {
            Ok((reference, changed)) => {
                entry.region = Some(reference.region.clone());
                if *changed || entry.active.is_none() {
                    entry.active = Some(ActiveVersion {
                        plugin_name: reference.name.clone(),
                        plugin_version: reference.version.clone(),
                        sha256: reference.sha256.clone(),
                        manifest_sha256: reference.manifest_sha256.clone(),
                        activated_at: now.clone(),
                        activated_by: by.to_owned(),
                    });
                }
                entry.last_attempt = Some(Attempt {
                    at: now,
                    by: by.to_owned(),
                    ok: true,
                    error: None,
                });
                entry.attempts_ok += 1;
                tracing::info!(manifest = %manifest_path.display(), version = %reference.version, sha256 = %reference.sha256, changed, "rules active");
            }
            Err(e) => {
                entry.last_attempt = Some(Attempt {
                    at: now,
                    by: by.to_owned(),
                    ok: false,
                    error: Some(e.to_string()),
                });
                entry.attempts_failed += 1;
                self.emit(PolicyEvent::Rejected {
                    manifest: entry.manifest.clone(),
                    region: entry.region.clone(),
                    error: e.to_string(),
                    by: by.to_owned(),
                });
                tracing::warn!(manifest = %manifest_path.display(), error = %e, "rules rejected; the last good version keeps serving");
            }
        }
        result.map(|(reference, _)| reference)
    }

    /// The reload itself; `true` when something new went live.
    fn try_reload(&self, manifest_path: &Path, by: &str) -> Result<(PluginRef, bool), RulesError> {
        let region = RegionPolicy::load_cached(&self.engine, manifest_path, &self.cache)?;
        let current = self.active.load_full();
        if let Some(serving) = current.regions.get(&region.manifest.region) {
            if serving.reference == region.reference && serving.manifest_path == region.manifest_path {
                return Ok((region.reference, false));
            }
            if serving.manifest_path != region.manifest_path {
                return Err(RulesError::Manifest {
                    path: manifest_path.to_owned(),
                    reason: format!(
                        "region {} is already served by {}",
                        region.manifest.region,
                        serving.manifest_path.display()
                    ),
                });
            }
        }
        let guardrails = if region.manifest.region == PROVINCE {
            region.manifest.guardrails.clone().unwrap_or_default()
        } else {
            current.guardrails.clone()
        };
        let report = validate(&self.engine, &region, &guardrails);
        if !report.passed() {
            return Err(RulesError::Validation {
                path: manifest_path.to_owned(),
                plugin: report.plugin.clone(),
                failures: report.failures(),
            });
        }
        if guardrails != current.guardrails {
            // New guardrails must hold for every other active region's worked examples.
            let broken: Vec<String> = current
                .regions
                .values()
                .filter(|r| r.manifest.region != region.manifest.region)
                .flat_map(|r| {
                    validate(&self.engine, r, &guardrails)
                        .failures()
                        .into_iter()
                        .map(|f| format!("region {}: {f}", r.manifest.region))
                        .collect::<Vec<_>>()
                })
                .collect();
            if !broken.is_empty() {
                return Err(RulesError::Validation {
                    path: manifest_path.to_owned(),
                    plugin: format!("{} (new guardrails)", report.plugin),
                    failures: broken,
                });
            }
        }
        let reference = region.reference.clone();
        let code = region.manifest.region.clone();
        let region = Arc::new(region);
        let previous = current.regions.get(&code).cloned();
        self.emit(PolicyEvent::Activated {
            region: region.clone(),
            previous,
            by: by.to_owned(),
        });
        self.active.rcu(|active| {
            let mut regions = active.regions.clone();
            regions.insert(code.clone(), region.clone());
            Arc::new(Active {
                regions,
                guardrails: guardrails.clone(),
            })
        });
        tracing::debug!(by, region = %code, "swapped");
        Ok((reference, true))
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
        *self.events.lock().unwrap_or_else(|p| p.into_inner()) = Some(sender);
    }

    fn emit(&self, event: PolicyEvent) {
        if let Some(sender) = self.events.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            let _ = sender.send(event);
        }
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

    /// The province's guardrails.
    pub fn guardrails(&self) -> Guardrails {
        self.active.load().guardrails.clone()
    }

    /// Evaluate one application under its region's active rules.
    pub fn evaluate(
        &self,
        employee: &Employee,
        application: &Application,
        today: Date,
    ) -> Result<Decision, RulesError> {
        let active = self.active.load();
        let region = active
            .regions
            .get(&employee.region)
            .ok_or_else(|| RulesError::UnknownRegion(employee.region.clone()))?;
        let input = EvaluationInput {
            employee: employee.clone(),
            application: application.clone(),
            params: region.manifest.parameters.clone(),
            today,
        };
        let call = self.engine.evaluate(&region.plugin, &input)?;
        let mut eligibility = call.value;
        let violations = enforce_eligibility(&active.guardrails, &region.reference, &mut eligibility);
        Ok(Decision {
            input,
            eligibility,
            plugin: region.reference.clone(),
            fuel_used: call.fuel_used,
            duration: call.duration,
            output: call.output,
            violations,
        })
    }

    /// Evaluate many applications of one region in one plugin call. Per-item failures (a
    /// plugin refusing one input) come back per item; a trap fails the whole batch.
    #[allow(clippy::type_complexity)]
    pub fn evaluate_batch(
        &self,
        region_code: &str,
        items: &[(Employee, Application)],
        today: Date,
    ) -> Result<Vec<Result<Decision, PluginError>>, RulesError> {
        let active = self.active.load();
        let region = active
            .regions
            .get(region_code)
            .ok_or_else(|| RulesError::UnknownRegion(region_code.to_owned()))?;
        let params = &region.manifest.parameters;
        let refs: Vec<_> = items.iter().map(|(e, a)| (e, a)).collect();
        let call = self.engine.evaluate_batch(&region.plugin, &refs, params, today)?;
        // Fuel and time are shared by the batch; each decision records its share.
        let share = items.len().max(1) as u64;
        Ok(call
            .value
            .into_iter()
            .zip(items)
            .map(|(result, (employee, application))| {
                let mut eligibility = result?;
                let violations = enforce_eligibility(&active.guardrails, &region.reference, &mut eligibility);
                Ok(Decision {
                    input: EvaluationInput {
                        employee: employee.clone(),
                        application: application.clone(),
                        params: params.clone(),
                        today,
                    },
                    eligibility,
                    plugin: region.reference.clone(),
                    fuel_used: call.fuel_used / share,
                    duration: call.duration / share as u32,
                    output: GuestOutput::default(),
                    violations,
                })
            })
            .collect())
    }

    /// Decide many applications of one region in one plugin call: the outcomes of
    /// [`PolicySet::evaluate_batch`] without their messages, after the guardrails, with the
    /// plugin that decided. Per-item refusals come back per item; a trap fails the whole batch.
    #[allow(clippy::type_complexity)]
    pub fn decide_batch(
        &self,
        region_code: &str,
        items: &[(Employee, Application)],
        today: Date,
    ) -> Result<(PluginRef, Vec<Result<(Verdict, Vec<Violation>), PluginError>>), RulesError> {
        let active = self.active.load();
        let region = active
            .regions
            .get(region_code)
            .ok_or_else(|| RulesError::UnknownRegion(region_code.to_owned()))?;
        let refs: Vec<_> = items.iter().map(|(e, a)| (e, a)).collect();
        let call = self
            .engine
            .decide_batch(&region.plugin, &refs, &region.manifest.parameters, today)?;
        let verdicts = call
            .value
            .into_iter()
            .map(|result| {
                let mut verdict = result?;
                let violations = enforce_verdict(&active.guardrails, &region.reference, &mut verdict);
                Ok((verdict, violations))
            })
            .collect();
        Ok((region.reference.clone(), verdicts))
    }

    /// Allocate one unit's quota under its region's active rules.
    pub fn allocate(
        &self,
        region_code: &str,
        request: &AllocationRequest,
        today: Date,
    ) -> Result<Allocation, RulesError> {
        let active = self.active.load();
        let region = active
            .regions
            .get(region_code)
            .ok_or_else(|| RulesError::UnknownRegion(region_code.to_owned()))?;
        let call = self
            .engine
            .allocate(&region.plugin, request, &region.manifest.parameters, today)?;
        let mut grants = call.value;
        let violations = enforce_grants(&active.guardrails, &region.reference, request.headcount, &mut grants);
        Ok(Allocation {
            grants,
            plugin: region.reference.clone(),
            fuel_used: call.fuel_used,
            violations,
        })
    }
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
