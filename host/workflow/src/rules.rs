//! What the API and the pages read of a region's active rules: whether it has any, their
//! status, the manifest's text and folder, the office minimum a supervisor's team week is drawn
//! against, a candidate's parameter diff, and the unit costs of the savings report. The rules
//! themselves stay in the policy layer; this is its view for the callers above the workflow.

use crate::WorkflowError;
use crate::report::UnitCosts;
use dwa_policy::{PolicySet, PolicyStatus};
use dwa_sdk::manifest::Manifest;
use std::collections::HashMap;
use std::path::PathBuf;

/// Refuse a region without active rules (an unknown region is named, 404 to the API).
pub fn require_rules(policies: &PolicySet, region: &str) -> Result<(), WorkflowError> {
    policies.region(region)?;
    Ok(())
}

/// The status of the manifest serving `region` (version, last attempt and its error), if any.
pub fn region_status(policies: &PolicySet, region: &str) -> Option<PolicyStatus> {
    policies
        .status()
        .into_iter()
        .find(|s| s.region.as_deref() == Some(region))
}

/// The name of `region` as its serving manifest gives it (`Kabupaten Bekasi`), if it has one.
pub fn region_name(policies: &PolicySet, region: &str) -> Option<String> {
    policies
        .region(region)
        .ok()
        .map(|r| r.manifest.name.trim().to_owned())
        .filter(|name| !name.is_empty())
}

/// The text of the manifest serving `region`; empty when it has none.
pub fn manifest_text(policies: &PolicySet, region: &str) -> String {
    policies
        .region(region)
        .map(|r| r.manifest_text.clone())
        .unwrap_or_default()
}

/// The folder holding the manifest serving `region` — where its plugin file is, and so where a
/// candidate manifest naming that plugin is tried beside a copy of it.
pub fn rules_folder(policies: &PolicySet, region: &str) -> Result<PathBuf, WorkflowError> {
    let active = policies.region(region)?;
    Ok(active
        .manifest_path
        .parent()
        .unwrap_or(std::path::Path::new("."))
        .to_path_buf())
}

/// The share of a team that must be in the office each weekday, as the supervisor's team week
/// marks it: the floor the allocation keeps ([`crate::quarter::office_floor`]: the region's
/// `min_office_share`, the standard allocator's 0.5 when unset, never below the province's
/// guardrail), so the team week and the allocation agree.
pub fn team_week_minimum(policies: &PolicySet, region: &str) -> f64 {
    crate::quarter::office_floor(policies, region)
}

/// A candidate manifest's changes against the rules serving `region`, in one line
/// ([`crate::manifest_diff`]).
pub fn candidate_diff(policies: &PolicySet, region: &str, candidate: &Manifest) -> Result<String, WorkflowError> {
    let active = policies.region(region)?;
    Ok(crate::manifest_diff(&active, candidate))
}

/// The unit costs of every region whose manifest sets all three; the savings report refuses
/// any other region by name ([`crate::report::ReportError::NoUnitCosts`]) rather than estimate
/// with made-up costs.
pub fn region_costs(policies: &PolicySet) -> HashMap<String, UnitCosts> {
    let mut costs = HashMap::new();
    for code in policies.regions() {
        if let Ok(region) = policies.region(&code)
            && let Ok(unit_costs) = UnitCosts::from_params(&region.manifest.parameters)
        {
            costs.insert(code, unit_costs);
        }
    }
    costs
}
