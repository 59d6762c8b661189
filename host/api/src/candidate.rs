//! A candidate manifest sent to be tried (the API's and the web page's dry run): parsed,
//! checked to be the caller's region, and staged in a temporary folder beside the plugin file
//! the region's rules folder holds under its name, so the workflow loads it like any other.

use crate::{ApiError, AppState};
use dwa_workflow::WorkflowError;
use std::path::PathBuf;

/// A staged candidate; the folder is removed when this is dropped.
pub(crate) struct StagedCandidate {
    _dir: tempfile::TempDir,
    /// The staged manifest.
    pub path: PathBuf,
}

/// Stage `text` for `region`. A manifest that does not parse is refused naming `text_field`, one
/// for another region naming `region_field`, and a plugin the rules folder lacks naming `plugin`.
pub(crate) fn stage(
    state: &AppState,
    region: &str,
    text: &str,
    text_field: &str,
    region_field: &str,
) -> Result<StagedCandidate, ApiError> {
    let rules_dir = dwa_workflow::rules::rules_folder(&state.policies, region)?;
    let manifest =
        dwa_sdk::manifest::Manifest::parse(text).map_err(|e| ApiError::invalid(text_field, e.to_string()))?;
    if manifest.region != region {
        return Err(ApiError::invalid(
            region_field,
            format!("the manifest is for region {}, not {region}", manifest.region),
        ));
    }
    let unstaged = |e: std::io::Error| ApiError::internal(&format!("cannot stage the candidate: {e}"));
    let dir = tempfile::tempdir().map_err(unstaged)?;
    let path = dir.path().join("candidate.toml");
    std::fs::write(&path, text).map_err(unstaged)?;
    std::fs::copy(rules_dir.join(&manifest.plugin), dir.path().join(&manifest.plugin)).map_err(|_| {
        ApiError::invalid(
            "plugin",
            format!("no plugin file `{}` in the rules folder", manifest.plugin),
        )
    })?;
    Ok(StagedCandidate { _dir: dir, path })
}

/// A workflow error about a candidate, its rules' faults naming the manifest's and the plugin's
/// fields.
pub(crate) fn error(e: WorkflowError, manifest_field: &str, plugin_field: &str) -> ApiError {
    match e {
        WorkflowError::Rules(e) => ApiError::candidate(e, manifest_field, plugin_field),
        other => other.into(),
    }
}
