//! Changing one region's rules: a manifest (and the plugin beside it) read, validated under the
//! guardrails without holding a lock, then swapped in — or refused, with the last good version
//! still serving and the refusal kept in the status. The province's manifest also validates
//! every active region again under its new guardrails before it goes live.

use super::{
    Active, ActiveVersion, Attempt, PolicyEvent, PolicySet, Validated, content_hash, content_of, file_name,
    status_entry,
};
use crate::{PROVINCE, PluginRef, RegionPolicy, RulesError, signing, validate};
use std::path::Path;
use std::sync::Arc;

impl PolicySet {
    /// Load a manifest (and the plugin beside it), validate it under the guardrails and, if it
    /// passes, swap it in atomically; calls in flight finish on the version they started with.
    /// On failure the last good version keeps serving and the failure is kept in the status.
    /// A province manifest changes the guardrails too, and goes live only if every active
    /// region still validates under them. Returns the version serving afterwards.
    pub fn reload(&self, manifest_path: &Path, by: &str) -> Result<PluginRef, RulesError> {
        if let Some(content) = content_hash(manifest_path) {
            self.seen(manifest_path, content);
        }
        self.reload_recorded(manifest_path, by)
    }

    /// [`PolicySet::reload`] only if the manifest or its plugin differ from what the last
    /// attempt read (the file watcher's entry: touching or re-reading a file loads nothing).
    /// `None` when nothing changed.
    pub fn reload_if_changed(&self, manifest_path: &Path, by: &str) -> Option<Result<PluginRef, RulesError>> {
        let content = content_hash(manifest_path);
        if let Some(content) = content {
            let name = file_name(manifest_path);
            let mut seen = self.last_seen.lock().unwrap_or_else(|p| p.into_inner());
            if seen.get(&name) == Some(&content) {
                return None;
            }
            seen.insert(name, content);
        }
        Some(self.reload_recorded(manifest_path, by))
    }

    fn seen(&self, manifest_path: &Path, content: String) {
        self.last_seen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(file_name(manifest_path), content);
    }

    /// Write files into a rules folder and load the manifest among them, as one change: a file
    /// watcher sees the new files only after this change is recorded as `by`'s. The manifest's
    /// signature file (`<manifest>.sig`) is written when among `files`, else removed.
    pub fn write_and_reload(
        &self,
        dir: &Path,
        files: &[(&str, &[u8])],
        manifest: &str,
        by: &str,
    ) -> Result<PluginRef, RulesError> {
        // What is about to be written counts as seen, so the watcher leaves this change to `by`.
        let bytes_of = |name: &str| files.iter().find(|(n, _)| *n == name).map(|(_, b)| *b);
        if let Some(text) = bytes_of(manifest) {
            let plugin = std::str::from_utf8(text)
                .ok()
                .and_then(|t| dwa_sdk::manifest::Manifest::parse(t).ok())
                .map(|m| m.plugin);
            let plugin_bytes = match plugin.as_deref().and_then(bytes_of) {
                Some(bytes) => Some(bytes.to_vec()),
                None => plugin.and_then(|p| std::fs::read(dir.join(p)).ok()),
            };
            let signature = bytes_of(&format!("{manifest}{}", signing::SIGNATURE_SUFFIX));
            self.seen(
                &dir.join(manifest),
                content_of(text, plugin_bytes.as_deref(), signature),
            );
        }
        // The files given are the whole change: a signature file they do not include belongs
        // to other content, and would be checked against this one.
        let signature_file = format!("{manifest}{}", signing::SIGNATURE_SUFFIX);
        if bytes_of(&signature_file).is_none() {
            match std::fs::remove_file(dir.join(&signature_file)) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(RulesError::Manifest {
                        path: dir.join(&signature_file),
                        reason: format!("cannot remove the stale signature: {e}"),
                    });
                }
                _ => {}
            }
        }
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
        self.reload_recorded(&dir.join(manifest), by)
    }

    /// Reload and record the attempt in the status.
    fn reload_recorded(&self, manifest_path: &Path, by: &str) -> Result<PluginRef, RulesError> {
        let name = file_name(manifest_path);
        let result = self.try_reload(manifest_path, by);
        let now = dwa_domain::now_rfc3339();
        let mut status = self.status.lock().unwrap_or_else(|p| p.into_inner());
        let entry = status_entry(&mut status, name);
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
                // A refused first load still names its region (for the region's audit trail),
                // when the manifest says it.
                if entry.region.is_none() {
                    entry.region = std::fs::read_to_string(manifest_path)
                        .ok()
                        .and_then(|t| dwa_sdk::manifest::Manifest::parse(&t).ok())
                        .map(|m| m.region);
                }
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

    /// The reload itself; `true` when something new went live. Validation runs unlocked
    /// against a snapshot of the set; the swap happens only if the set is still that snapshot,
    /// else the candidate is validated again against the new one (the last time under the lock).
    fn try_reload(&self, manifest_path: &Path, by: &str) -> Result<(PluginRef, bool), RulesError> {
        let region = Arc::new(RegionPolicy::load_cached(&self.engine, manifest_path, &self.cache)?);
        // Before anything of the candidate runs: a region requiring signatures takes nothing else.
        self.check_signature(&region)?;
        const OPTIMISTIC_ATTEMPTS: usize = 3;
        for _ in 0..OPTIMISTIC_ATTEMPTS {
            let snapshot = self.active.load_full();
            let Some(validated) = self.validate_against(&region, &snapshot)? else {
                return Ok((region.reference.clone(), false));
            };
            let _one_at_a_time = self.changing.lock().unwrap_or_else(|p| p.into_inner());
            if Arc::ptr_eq(&snapshot, &self.active.load_full()) {
                return Ok((self.swap(validated, snapshot, by), true));
            }
        }
        let _one_at_a_time = self.changing.lock().unwrap_or_else(|p| p.into_inner());
        let snapshot = self.active.load_full();
        match self.validate_against(&region, &snapshot)? {
            Some(validated) => Ok((self.swap(validated, snapshot, by), true)),
            None => Ok((region.reference.clone(), false)),
        }
    }

    /// Validate `region` as a change of `current`: `None` when it is what serves already.
    fn validate_against(&self, region: &Arc<RegionPolicy>, current: &Active) -> Result<Option<Validated>, RulesError> {
        let manifest_path = &region.manifest_path;
        if let Some(serving) = current.regions.get(&region.manifest.region) {
            if serving.reference == region.reference && serving.manifest_path == region.manifest_path {
                return Ok(None);
            }
            if serving.manifest_path != region.manifest_path {
                return Err(RulesError::Manifest {
                    path: manifest_path.to_owned(),
                    reason: format!(
                        "region {} is already served by {}",
                        region.manifest.region,
                        file_name(&serving.manifest_path)
                    ),
                });
            }
        }
        let guardrails = if region.manifest.region == PROVINCE {
            Some(region.manifest.guardrails.clone().unwrap_or_default())
        } else {
            current.guardrails.clone()
        };
        // Without the province's guardrails a regency is checked without caps; its answers are
        // not served until the guardrails are known (see `answers.rs`).
        let checked_under = guardrails.clone().unwrap_or_default();
        let report = validate(&self.engine, region, &checked_under);
        if !report.passed() {
            return Err(RulesError::Validation {
                path: manifest_path.to_owned(),
                plugin: report.named(),
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
                    validate(&self.engine, r, &checked_under)
                        .failures()
                        .into_iter()
                        .map(|f| format!("region {}: {f}", r.manifest.region))
                        .collect::<Vec<_>>()
                })
                .collect();
            if !broken.is_empty() {
                return Err(RulesError::Validation {
                    path: manifest_path.to_owned(),
                    plugin: format!("{} (new guardrails)", report.named()),
                    failures: broken,
                });
            }
        }
        Ok(Some(Validated {
            region: region.clone(),
            guardrails,
        }))
    }

    /// Swap a validated candidate in (the caller holds `changing` and has checked that the set
    /// is still `current`).
    fn swap(&self, validated: Validated, current: Arc<Active>, by: &str) -> PluginRef {
        let Validated { region, guardrails } = validated;
        let code = region.manifest.region.clone();
        let previous = current.regions.get(&code).cloned();
        self.emit(PolicyEvent::Activated {
            region: region.clone(),
            previous,
            by: by.to_owned(),
        });
        let mut regions = current.regions.clone();
        regions.insert(code.clone(), region.clone());
        self.active.store(Arc::new(Active { regions, guardrails }));
        tracing::debug!(by, region = %code, "swapped");
        region.reference.clone()
    }
}
