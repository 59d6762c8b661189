//! The version history and audit trail of policy changes, and activating a stored version
//! (which is also how a rollback is done). Every version that goes live is stored with its
//! manifest and plugin bytes, and every change — accepted or rejected — is audited with who,
//! when and a summary of what changed.

use super::WorkflowError;
use dwa_policy::{PluginRef, PolicyEvent, PolicySet, RegionPolicy};
use dwa_sdk::Params;
use dwa_store::{AuditEntry, NewVersion, Store, now_rfc3339};
use std::path::Path;
use std::sync::Arc;

/// The actor of the versions a replica finds in its rules folder when it starts.
pub const STARTUP: &str = "startup";

/// The actor of activations that follow another replica's.
pub const REPLICA_SYNC: &str = "replica sync";

/// What changed between two versions of a region's rules, in one line.
pub fn diff_summary(previous: Option<&RegionPolicy>, next: &RegionPolicy) -> String {
    let Some(previous) = previous else {
        return format!(
            "{} {} (sha256 {}…)",
            next.reference.name,
            next.reference.version,
            &next.reference.sha256[..12]
        );
    };
    let mut changes = Vec::new();
    if previous.reference.sha256 != next.reference.sha256 {
        changes.push(format!(
            "plugin {} {}… → {} {}…",
            previous.reference.version,
            &previous.reference.sha256[..12],
            next.reference.version,
            &next.reference.sha256[..12]
        ));
    }
    changes.extend(params_diff(&previous.manifest.parameters, &next.manifest.parameters));
    if previous.manifest.examples.len() != next.manifest.examples.len() {
        changes.push(format!(
            "worked examples {} → {}",
            previous.manifest.examples.len(),
            next.manifest.examples.len()
        ));
    }
    if changes.is_empty() {
        changes.push("manifest edited (comments or layout)".into());
    }
    changes.join("; ")
}

/// What a candidate manifest changes against the region's active rules, in one line (before it
/// is loaded: the plugin is compared by file name, the parameters and examples by value).
pub fn manifest_diff(previous: &RegionPolicy, next: &dwa_sdk::manifest::Manifest) -> String {
    let mut changes = Vec::new();
    if previous.manifest.plugin != next.plugin {
        changes.push(format!("plugin {} → {}", previous.manifest.plugin, next.plugin));
    }
    changes.extend(params_diff(&previous.manifest.parameters, &next.parameters));
    if previous.manifest.examples.len() != next.examples.len() {
        changes.push(format!(
            "worked examples {} → {}",
            previous.manifest.examples.len(),
            next.examples.len()
        ));
    }
    if changes.is_empty() {
        changes.push("no change to the plugin, parameters or examples".into());
    }
    changes.join("; ")
}

fn params_diff(before: &Params, after: &Params) -> Vec<String> {
    let mut keys: Vec<&String> = before.0.keys().chain(after.0.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|key| match (before.get(key), after.get(key)) {
            (Some(a), Some(b)) if a == b => None,
            (Some(a), Some(b)) => Some(format!("{key}: {} → {}", show(a), show(b))),
            (None, Some(b)) => Some(format!("{key}: added {}", show(b))),
            (Some(a), None) => Some(format!("{key}: removed (was {})", show(a))),
            (None, None) => None,
        })
        .collect()
}

fn show(value: &dwa_sdk::ParamValue) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// Record every policy change of `policies` in the store until the set is dropped; after an
/// activation made here (not a start-up load, not another replica's), review the region's
/// grants under the new rules (`policy_change.rs`).
pub fn record_policy_changes(store: Store, policies: &Arc<PolicySet>) -> tokio::task::JoinHandle<()> {
    let (sender, mut events) = tokio::sync::mpsc::unbounded_channel();
    policies.subscribe(sender);
    // Weak: the task must not keep the set alive, or it would never see the channel close.
    let weak = Arc::downgrade(policies);
    tokio::spawn(async move {
        while let Some(event) = events.recv().await {
            let review = match &event {
                PolicyEvent::Activated { region, by, .. } if by != STARTUP && !by.starts_with(REPLICA_SYNC) => {
                    Some((region.manifest.region.clone(), by.clone()))
                }
                _ => None,
            };
            if let Err(e) = record(&store, event).await {
                tracing::error!(error = %e, "could not record a policy change");
            }
            if let (Some((region, by)), Some(policies)) = (review, weak.upgrade()) {
                let actor = format!("{by} (policy change)");
                match crate::policy_change::review_grants(&store, &policies, &region, dwa_domain::today(), &actor).await
                {
                    Ok(r) if !r.flagged.is_empty() || !r.cleared.is_empty() => tracing::info!(
                        region,
                        reviewed = r.reviewed,
                        flagged = r.flagged.len(),
                        cleared = r.cleared.len(),
                        "grants reviewed under the new rules"
                    ),
                    Ok(_) => {}
                    Err(e) => tracing::error!(region, error = %e, "could not review the grants under the new rules"),
                }
            }
        }
    })
}

/// What the store keeps of a region's rules: the store knows no policy types.
fn new_version(region: &RegionPolicy) -> NewVersion<'_> {
    NewVersion {
        reference: &region.reference,
        manifest_path: &region.manifest_path,
        manifest_text: &region.manifest_text,
        plugin_file: &region.manifest.plugin,
        plugin_bytes: region.plugin_bytes.as_slice(),
        signature: region.signature.as_deref(),
    }
}

async fn record(store: &Store, event: PolicyEvent) -> Result<(), dwa_store::StoreError> {
    match event {
        PolicyEvent::Activated { region, previous, by } => {
            let version = store.record_version(&new_version(&region)).await?;
            // Tell the other replicas, unless this activation was itself one of theirs.
            // What a replica found in its folder at startup is a load, not a decision: it is
            // neither announced nor taken as the region's active version by other replicas.
            let startup = by == STARTUP;
            if store.backend() == dwa_store::Backend::Postgres && !startup && !by.starts_with(REPLICA_SYNC) {
                store.notify_policy_change(&version).await?;
            }
            let file = dwa_policy::file_name(&region.manifest_path);
            store
                .record_audit(&AuditEntry {
                    region: Some(region.manifest.region.clone()),
                    manifest_file: file,
                    action: if startup { "load" } else { "activate" }.into(),
                    version_id: Some(version),
                    actor: by,
                    detail: diff_summary(previous.as_deref(), &region),
                    at: now_rfc3339(),
                })
                .await
        }
        PolicyEvent::Rejected {
            manifest,
            region,
            error,
            by,
        } => {
            store
                .record_audit(&AuditEntry {
                    region,
                    manifest_file: manifest,
                    action: "reject".into(),
                    version_id: None,
                    actor: by,
                    detail: error,
                    at: now_rfc3339(),
                })
                .await
        }
    }
}

/// Make a stored version of a region's rules the active one (a rollback when it is older):
/// its manifest and plugin are written into the rules folder the region is served from, then
/// loaded, validated and swapped in like any other change. Returns the version serving.
pub async fn activate_version(
    store: &Store,
    policies: &Arc<PolicySet>,
    region: &str,
    version_id: &str,
    by: &str,
) -> Result<PluginRef, WorkflowError> {
    let version = store.version(version_id).await?;
    if version.summary.region != region {
        return Err(WorkflowError::Invalid {
            field: "version".into(),
            problem: crate::Problem::VersionOfOtherRegion {
                version: version_id.to_owned(),
                region: version.summary.region.clone(),
            },
        });
    }
    let serving = policies.region(region)?;
    let dir = serving.manifest_path.parent().unwrap_or(Path::new(".")).to_owned();
    let (policies, by) = (policies.clone(), by.to_owned());
    dwa_engine::run_blocking(move || {
        // The plugin first: a manifest naming a plugin that is not there yet would be rejected.
        // Its signature (if it was signed) goes beside it; a region requiring signatures checks
        // it on load like any other change's.
        let signature_file = format!("{}{}", version.manifest_file, dwa_policy::signing::SIGNATURE_SUFFIX);
        let mut files: Vec<(&str, &[u8])> = vec![(&version.plugin_file, &version.plugin_bytes)];
        if let Some(signature) = &version.signature {
            files.push((&signature_file, signature.as_bytes()));
        }
        files.push((&version.manifest_file, version.manifest_text.as_bytes()));
        policies.write_and_reload(&dir, &files, &version.manifest_file, &by)
    })
    .await
    .map_err(dwa_policy::RulesError::Host)?
    .map_err(Into::into)
}

/// Store a candidate version (manifest text, and the plugin's bytes or else the region's
/// current plugin file, with its signature file's text if signed) after it passes validation —
/// its signature first, when the region requires one — without activating it. Returns its id.
/// A refused signature is audited and shown in the manifest's status.
pub async fn upload_version(
    store: &Store,
    policies: &Arc<PolicySet>,
    region: &str,
    manifest_text: &str,
    plugin: Option<Vec<u8>>,
    signature: Option<String>,
    by: &str,
) -> Result<String, WorkflowError> {
    let invalid = |message: String| WorkflowError::Invalid {
        field: "manifest".into(),
        problem: message.into(),
    };
    let manifest = dwa_sdk::manifest::Manifest::parse(manifest_text).map_err(|e| invalid(e.to_string()))?;
    if manifest.region != region {
        return Err(invalid(format!(
            "the manifest is for region {}, not {region}",
            manifest.region
        )));
    }
    let serving = policies.region(region)?;
    let rules_dir = serving.manifest_path.parent().unwrap_or(Path::new(".")).to_owned();
    let manifest_file = dwa_policy::file_name(&serving.manifest_path);
    let plugin = match plugin {
        Some(bytes) => bytes,
        None => std::fs::read(rules_dir.join(&manifest.plugin)).map_err(|e| WorkflowError::Invalid {
            field: "plugin".into(),
            problem: format!(
                "no plugin given and none named `{}` in the rules folder: {e}",
                manifest.plugin
            )
            .into(),
        })?,
    };
    let (set, guardrails) = (policies.clone(), policies.guardrails());
    let (text, plugin_file) = (manifest_text.to_owned(), manifest.plugin.clone());
    let staged_name = manifest_file.clone();
    let candidate = dwa_engine::run_blocking(move || -> Result<RegionPolicy, dwa_policy::RulesError> {
        let engine = set.engine();
        let staging = tempfile::tempdir().map_err(|e| dwa_policy::RulesError::Manifest {
            path: "candidate".into(),
            reason: format!("cannot stage the candidate: {e}"),
        })?;
        let path = staging.path().join(&staged_name);
        let io = |e: std::io::Error| dwa_policy::RulesError::Manifest {
            path: path.clone(),
            reason: e.to_string(),
        };
        std::fs::write(staging.path().join(&plugin_file), &plugin).map_err(io)?;
        std::fs::write(&path, &text).map_err(io)?;
        if let Some(signature) = &signature {
            std::fs::write(dwa_policy::signing::signature_path(&path), signature).map_err(io)?;
        }
        let mut region = RegionPolicy::load(engine, &path)?;
        // Named as the file it would become, not the staging folder.
        let real_path = rules_dir.join(&staged_name);
        set.check_signature(&region).map_err(|e| match e {
            dwa_policy::RulesError::Signature { error, .. } => dwa_policy::RulesError::Signature {
                path: real_path.clone(),
                error,
            },
            other => other,
        })?;
        let report = dwa_policy::validate(engine, &region, &guardrails);
        if !report.passed() {
            return Err(dwa_policy::RulesError::Validation {
                path,
                plugin: report.named(),
                failures: report.failures(),
            });
        }
        // Stored under the region's real manifest path, where it will be written when activated.
        region.manifest_path = real_path;
        Ok(region)
    })
    .await
    .map_err(dwa_policy::RulesError::Host)?;
    let candidate = match candidate {
        Err(e @ dwa_policy::RulesError::Signature { .. }) => {
            // Refused for its signature: audited and shown in the status; nothing is stored.
            let error = e.to_string();
            policies.record_refusal(&manifest_file, region, &error, by);
            store
                .record_audit(&AuditEntry {
                    region: Some(region.to_owned()),
                    manifest_file,
                    action: "reject".into(),
                    version_id: None,
                    actor: format!("{by} (upload)"),
                    detail: error,
                    at: now_rfc3339(),
                })
                .await?;
            return Err(e.into());
        }
        other => other?,
    };
    let version = store.record_version(&new_version(&candidate)).await?;
    store
        .record_audit(&AuditEntry {
            region: Some(region.to_owned()),
            manifest_file: dwa_policy::file_name(&candidate.manifest_path),
            action: "upload".into(),
            version_id: Some(version.clone()),
            actor: by.to_owned(),
            detail: diff_summary(Some(&serving), &candidate),
            at: now_rfc3339(),
        })
        .await?;
    Ok(version)
}

/// Activate every scheduled version whose date has come (oldest first); returns what was done.
pub async fn run_due_activations(
    store: &Store,
    policies: &Arc<PolicySet>,
    today: dwa_sdk::Date,
) -> Result<Vec<(String, Result<PluginRef, String>)>, WorkflowError> {
    let mut done = Vec::new();
    for due in store.due_activations(today).await? {
        let by = format!("{} (scheduled from {})", due.created_by, due.effective_from);
        let result = activate_version(store, policies, &due.region, &due.version_id, &by)
            .await
            .map_err(|e| e.to_string());
        store.finish_scheduled(&due.id).await?;
        done.push((due.version_id, result));
    }
    Ok(done)
}

/// While the province's rules are not active (rejected at start-up), keep serving under the
/// guardrails of the province version that last went live, from the version history — never
/// uncapped. Returns the version whose guardrails are kept, if there is one; without one,
/// regency answers stay refused.
pub async fn keep_last_good_guardrails(store: &Store, policies: &PolicySet) -> Result<Option<String>, WorkflowError> {
    if policies.has_guardrails() {
        return Ok(None);
    }
    let Some(version_id) = store.last_live_version(dwa_policy::PROVINCE).await? else {
        return Ok(None);
    };
    let version = store.version(&version_id).await?;
    match dwa_sdk::manifest::Manifest::parse(&version.manifest_text) {
        Ok(manifest) => {
            let source = format!(
                "province version {version_id} ({} {})",
                version.summary.plugin_name, version.summary.plugin_version
            );
            policies.keep_guardrails(manifest.guardrails.unwrap_or_default(), &source);
            Ok(Some(source))
        }
        Err(e) => {
            tracing::error!(version = %version_id, error = %e, "the stored province manifest does not parse");
            Ok(None)
        }
    }
}
