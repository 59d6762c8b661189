//! What if: an employee's draft evaluated by the region's plugin exactly as a submission would
//! be — the same checks, the same employee record and last quarter's review — but nothing is
//! stored. The web pages answer "may I work from anywhere next quarter?" with it before anyone
//! applies, and re-evaluate as the person changes the days, the KPI target or the location.

use super::WorkflowError;
use super::applications::{Draft, evaluate, validate_for_region};
use dwa_policy::{Decision, PolicySet};
use dwa_sdk::{Application, Date};
use dwa_store::Store;
use std::sync::Arc;

/// Evaluate `draft` as of `today` without storing anything.
pub async fn what_if(
    store: &Store,
    policies: &Arc<PolicySet>,
    draft: Draft,
    today: Date,
) -> Result<Decision, WorkflowError> {
    let record = store.employee(&draft.nip).await?;
    validate_for_region(policies, &record.region, &draft, today)?;
    let review = store.review(&draft.nip, draft.quarter.previous()).await?;
    let application = Application {
        id: "what-if".into(),
        quarter: draft.quarter,
        requested_remote_days: draft.requested_remote_days,
        location_kind: draft.location_kind,
        work_plan: draft.work_plan.trim().to_owned(),
        kpi_baseline: draft.kpi_baseline,
        kpi_target: draft.kpi_target,
        approvals: Vec::new(),
    };
    evaluate(policies, record.as_of(today, review), application, today).await
}

/// The largest number of days anywhere a week the region allows (its parameter, capped by the
/// province's guardrail), if it sets one.
pub fn region_cap(policies: &PolicySet, region: &str) -> Result<Option<u8>, WorkflowError> {
    let rules = policies.region(region)?;
    let cap = match rules.manifest.parameters.get("max_remote_days") {
        Some(dwa_sdk::ParamValue::Integer(cap)) => Some((*cap).clamp(0, 5) as u8),
        _ => None,
    };
    Ok(cap.min(policies.guardrails().max_remote_days).or(cap))
}
