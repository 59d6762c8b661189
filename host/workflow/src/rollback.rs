//! Which version "roll back" activates. The rule (one place, for the API, the web page and
//! `dwa policy activate --rollback`):
//!
//! The region's *live history* is replayed from its audit trail, oldest first: every time a
//! version went live (`activate` or `load`), a version not in the history is pushed on top,
//! and a version already in it cuts the history back to that version — returning to an earlier
//! version, by a rollback or by its id, undoes everything after it. A rollback activates the
//! version just below the one serving.
//!
//! So a rollback never toggles: with v1, v2, v3 activated in turn, rolling back serves v2, and
//! rolling back again serves v1 (never v3 again); with v1 alone there is nothing to roll back
//! to. Versions uploaded but never live are not rollback targets (activate them by id).

use super::WorkflowError;
use dwa_policy::PolicySet;
use dwa_store::Store;
use serde::Serialize;

/// The version a rollback activates, named as the page's button and the API's answer name it.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RollbackTarget {
    /// Its version id.
    pub version: String,
    /// Its plugin name.
    pub plugin_name: String,
    /// Its plugin version.
    pub plugin_version: String,
    /// When it last went live (RFC 3339, UTC).
    pub activated_at: String,
}

/// The version a rollback of `region` would activate now (the module's rule).
pub async fn rollback_target(
    store: &Store,
    policies: &PolicySet,
    region: &str,
) -> Result<RollbackTarget, WorkflowError> {
    let serving = policies.region(region)?.reference.clone();
    let versions = store.versions(region).await?;
    let serving_id = versions
        .iter()
        .find(|v| v.manifest_sha256 == serving.manifest_sha256 && v.plugin_sha256 == serving.sha256)
        .map(|v| v.id.clone());
    // Oldest first; the audit trail lists newest first.
    let mut went_live: Vec<(String, String)> = store
        .audit(region)
        .await?
        .into_iter()
        .rev()
        .filter(|a| a.action == "activate" || a.action == "load")
        .filter_map(|a| a.version_id.map(|v| (v, a.at)))
        .collect();
    // The version serving is the top even if its going live was not audited (an older store).
    if let Some(id) = &serving_id {
        went_live.push((id.clone(), String::new()));
    }
    let history = live_history(&went_live);
    let below = match history.len() {
        0 | 1 => None,
        n => Some(&history[n - 2]),
    };
    let (id, at) = below
        .ok_or_else(|| WorkflowError::Conflict(format!("region {region} has no earlier version to roll back to")))?;
    let summary = versions
        .iter()
        .find(|v| v.id == *id)
        .ok_or_else(|| WorkflowError::Conflict(format!("version {id} of region {region} is no longer stored")))?;
    Ok(RollbackTarget {
        version: id.clone(),
        plugin_name: summary.plugin_name.clone(),
        plugin_version: summary.plugin_version.clone(),
        activated_at: at.clone(),
    })
}

/// The live history from the versions that went live, oldest first (the module's rule): each
/// entry keeps the time it last went live. An entry with an empty time only confirms the top.
fn live_history(went_live: &[(String, String)]) -> Vec<(String, String)> {
    let mut history: Vec<(String, String)> = Vec::new();
    for (id, at) in went_live {
        match history.iter().position(|(v, _)| v == id) {
            Some(i) => {
                history.truncate(i + 1);
                if !at.is_empty() {
                    history[i].1 = at.clone();
                }
            }
            None => history.push((id.clone(), at.clone())),
        }
    }
    history
}

#[cfg(test)]
mod tests {
    use super::live_history;

    fn live(ids: &[&str]) -> Vec<String> {
        let went: Vec<(String, String)> = ids
            .iter()
            .enumerate()
            .map(|(i, v)| (v.to_string(), format!("t{i}")))
            .collect();
        live_history(&went).into_iter().map(|(v, _)| v).collect()
    }

    #[test]
    fn rolling_back_twice_goes_further_back_never_toggles() {
        assert_eq!(live(&["v1", "v2", "v3"]), ["v1", "v2", "v3"]);
        // Rolled back to v2: v3 is undone, the next rollback goes to v1.
        assert_eq!(live(&["v1", "v2", "v3", "v2"]), ["v1", "v2"]);
        assert_eq!(live(&["v1", "v2", "v3", "v2", "v1"]), ["v1"]);
        // Restarts load the serving version again: nothing changes.
        assert_eq!(live(&["v1", "v1", "v2", "v2"]), ["v1", "v2"]);
        // A new version after a rollback goes on top of where the rollback left the history.
        assert_eq!(live(&["v1", "v2", "v3", "v2", "v4"]), ["v1", "v2", "v4"]);
    }
}
