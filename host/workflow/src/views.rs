//! One application as every view reads it — the API's answer, the employee's page, the
//! supervisor's queue: the stored application, its latest decision and where it stands
//! ([`Standing`]); for a full view also that decision explained again, the approvals still
//! pending and the recorded history ([`ApplicationDetail`]). Assembled here once, so no view
//! can put it together differently from another.

use crate::{ApplicationStatus, Explanation, WorkflowError, application_status, explain_decision};
use dwa_policy::PolicySet;
use dwa_sdk::{Application, Approver};
use dwa_store::{ApplicationEvent, Store, StoredApplication, StoredDecision};
use std::sync::Arc;

/// An application, its latest decision, and where it stands.
#[derive(Clone, Debug)]
pub struct Standing {
    /// The application with its approvals.
    pub stored: StoredApplication,
    /// Its latest decision.
    pub latest: StoredDecision,
    /// Its state, with what was granted.
    pub status: ApplicationStatus,
}

/// Where application `id` stands (404 when unknown).
pub async fn standing(store: &Store, id: &str) -> Result<Standing, WorkflowError> {
    let stored = store.application(id).await?;
    let latest = store.latest_decision(id).await?;
    let status = application_status(store, &stored, &latest).await?;
    Ok(Standing { stored, latest, status })
}

/// Everything a full view shows of one application.
#[derive(Clone, Debug)]
pub struct ApplicationDetail {
    /// The application with its approvals.
    pub stored: StoredApplication,
    /// Its state, with what was granted.
    pub status: ApplicationStatus,
    /// Its latest decision, re-run on the stored data for its reasons.
    pub explained: Explanation,
    /// The approvals the decision requires that the application does not carry yet.
    pub approvals_pending: Vec<Approver>,
    /// What happened to it after submission, oldest first.
    pub history: Vec<ApplicationEvent>,
}

/// The full view of `stored` (read by the caller first, who decides whether it may be seen).
pub async fn detail(
    store: &Store,
    policies: &Arc<PolicySet>,
    stored: StoredApplication,
) -> Result<ApplicationDetail, WorkflowError> {
    let id = stored.application.id.clone();
    let latest = store.latest_decision(&id).await?;
    let status = application_status(store, &stored, &latest).await?;
    let explained = explain_decision(store, policies, latest).await?;
    let approvals_pending = pending_approvals(
        &explained.stored.decision.verdict.approvals_required,
        &stored.application,
    );
    let history = store.application_events(&id).await?;
    Ok(ApplicationDetail {
        stored,
        status,
        explained,
        approvals_pending,
        history,
    })
}

/// The approvers among `required` whose approval `application` does not carry yet: an eligible
/// application with any is not approved.
pub fn pending_approvals(required: &[Approver], application: &Application) -> Vec<Approver> {
    required
        .iter()
        .copied()
        .filter(|who| application.approval_by(*who) != Some(true))
        .collect()
}
