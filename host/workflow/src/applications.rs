//! An application's life: submitted (and evaluated at once), approved or rejected by the
//! approvers the plugin requires (each approval re-evaluates it), withdrawn, and reviewed at the
//! end of the quarter. Every evaluation is stored as a decision; replay re-runs one on the stored data.

use super::WorkflowError;
use dwa_policy::{Decision, PluginRef, PolicySet};
use dwa_sdk::{Application, Date, Eligibility, Employee, LocationKind, Quarter, QuarterReview, Verdict};
use dwa_store::{Store, StoredDecision, new_id};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// What an employee submits.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Draft {
    /// The applicant's NIP.
    pub nip: String,
    /// Quarter applied for, e.g. `2027-Q1`.
    #[schema(value_type = String, example = "2027-Q1")]
    pub quarter: Quarter,
    /// Days anywhere per week requested (pattern `N-(5-N)`).
    pub requested_remote_days: u8,
    /// Where the days away are spent.
    #[schema(value_type = String, example = "registered_home")]
    pub location_kind: LocationKind,
    /// The work plan.
    pub work_plan: String,
    /// KPI baseline.
    pub kpi_baseline: f64,
    /// KPI target; must exceed the baseline to be eligible.
    pub kpi_target: f64,
}

/// A submitted application with its first decision.
#[derive(Clone, Debug)]
pub struct Submitted {
    /// The stored application.
    pub application: Application,
    /// The decision's id.
    pub decision_id: String,
    /// The decision.
    pub decision: Decision,
}

/// Evaluate off the async runtime, under the region's bound on concurrent calls.
pub(crate) async fn evaluate(
    policies: &Arc<PolicySet>,
    employee: Employee,
    application: Application,
    today: Date,
) -> Result<Decision, WorkflowError> {
    let region = employee.region.clone();
    Ok(policies
        .call(&region, move |set| set.evaluate(&employee, &application, today))
        .await?)
}

fn invalid(field: &str, problem: impl Into<super::Problem>) -> WorkflowError {
    WorkflowError::Invalid {
        field: field.into(),
        problem: problem.into(),
    }
}

/// Check a draft against the form's rules and the region's ceiling on days anywhere.
fn validate_draft(draft: &Draft, region_cap: Option<u8>) -> Result<(), WorkflowError> {
    if let Err(e) = dwa_sdk::nip::parse_nip(&draft.nip) {
        return Err(invalid("nip", e.to_string()));
    }
    if !(1..=5).contains(&draft.requested_remote_days) {
        return Err(invalid("requested_remote_days", super::Problem::DaysOutOfRange));
    }
    if let Some(cap) = region_cap.filter(|cap| draft.requested_remote_days > *cap) {
        return Err(invalid(
            "requested_remote_days",
            super::Problem::DaysAboveCap {
                days: draft.requested_remote_days,
                cap,
            },
        ));
    }
    super::input::check_quarter("quarter", draft.quarter)?;
    super::input::check_text("work_plan", draft.work_plan.trim(), super::input::TextRule::WORK_PLAN)?;
    for (field, value) in [("kpi_baseline", draft.kpi_baseline), ("kpi_target", draft.kpi_target)] {
        if !value.is_finite() || !(0.0..=1e9).contains(&value) {
            return Err(invalid(field, super::Problem::NumberOutOfRange));
        }
    }
    Ok(())
}

/// Check a draft against the form's rules, the region's ceiling and the calendar.
pub(crate) fn validate_for_region(
    policies: &PolicySet,
    region: &str,
    draft: &Draft,
    today: Date,
) -> Result<(), WorkflowError> {
    validate_draft(draft, super::what_if::region_cap(policies, region)?)?;
    if draft.quarter < today.quarter() {
        return Err(invalid("quarter", super::Problem::QuarterEnded(draft.quarter)));
    }
    Ok(())
}

/// Submit an application: validate, evaluate at once, and store the application with its
/// decision in one transaction. Nothing is stored when anything fails.
pub async fn submit_application(
    store: &Store,
    policies: &Arc<PolicySet>,
    draft: Draft,
    today: Date,
) -> Result<Submitted, WorkflowError> {
    // The employee with last quarter's review in one query: a submission reads once.
    let (record, review) = store
        .employee_with_review(&draft.nip, Some(draft.quarter.previous()))
        .await?;
    validate_for_region(policies, &record.region, &draft, today)?;
    // Only a submission is refused; a what-if with the same figures is answered by the rules'
    // own gate, so the employee sees why.
    super::guards::check_kpi_target(draft.kpi_baseline, draft.kpi_target)?;
    let application = Application {
        id: new_id("app"),
        quarter: draft.quarter,
        requested_remote_days: draft.requested_remote_days,
        location_kind: draft.location_kind,
        work_plan: draft.work_plan.trim().to_owned(),
        kpi_baseline: draft.kpi_baseline,
        kpi_target: draft.kpi_target,
        approvals: Vec::new(),
    };
    let decision = evaluate(policies, record.as_of(today, review), application.clone(), today).await?;
    let decision_id = store.submit_application(&draft.nip, &application, &decision).await?;
    Ok(Submitted {
        application,
        decision_id,
        decision,
    })
}

/// Record the end-of-quarter review of one employee: the days granted come from the roster.
pub async fn record_review(
    store: &Store,
    nip: &str,
    quarter: Quarter,
    kpi_achieved: bool,
) -> Result<QuarterReview, WorkflowError> {
    store.employee(nip).await?;
    let granted = store.roster_entry(nip, quarter).await?.map_or(0, |e| e.remote_days);
    let review = QuarterReview {
        quarter,
        granted_remote_days: granted,
        kpi_achieved,
    };
    store.record_review(nip, &review).await?;
    Ok(review)
}

/// A stored decision re-run under the region's active rules.
#[derive(Clone, Debug, Serialize)]
pub struct Replay {
    /// The stored decision's id.
    pub decision_id: String,
    /// True when eligibility, days, approvals, priority and failed gates are all the same.
    pub unchanged: bool,
    /// True when the active plugin is the one that made the decision (same sha256).
    pub same_plugin: bool,
    /// True when the active parameters (the manifest) are those the decision was made with.
    pub same_parameters: bool,
    /// The verdict then.
    pub original: Verdict,
    /// The outcome now, with its reasons.
    pub replayed: Eligibility,
    /// The plugin that replayed it.
    pub plugin: PluginRef,
}

/// Re-run a stored decision on the stored data (employee, review, application, as of its
/// evaluation date) under the active rules.
pub async fn replay(store: &Store, policies: &Arc<PolicySet>, stored: StoredDecision) -> Result<Replay, WorkflowError> {
    let explained = crate::explain_decision(store, policies, stored).await?;
    let (stored, rerun) = (explained.stored, explained.rerun);
    Ok(Replay {
        decision_id: stored.id,
        unchanged: explained.reproduced,
        same_plugin: rerun.plugin.sha256 == stored.plugin.sha256,
        same_parameters: rerun.plugin.manifest_sha256 == stored.plugin.manifest_sha256,
        original: stored.decision.verdict,
        replayed: rerun.eligibility,
        plugin: rerun.plugin,
    })
}
