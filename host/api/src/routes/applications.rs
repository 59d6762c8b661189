//! Applications: an employee submits (evaluated at once, answered with its reasons), reads and
//! withdraws their own; the approvers the plugin requires approve or reject.

use super::decisions::DecisionView;
use super::path_id;
use crate::body::JsonBody;
use crate::{ApiError, AppState, Caller, Role};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use dwa_sdk::{Application, Approval, Approver};
use dwa_workflow::{self as workflow, Draft, EmployeeRecord, StoredApplication, WorkflowError, reads, views};
use serde::{Deserialize, Serialize};

/// An application with its latest decision.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ApplicationView {
    /// Applicant's NIP.
    pub nip: String,
    /// `submitted` or `withdrawn`.
    pub status: String,
    /// Where it stands: `withdrawn`, `not_eligible`, `rejected`, `awaiting_supervisor`,
    /// `awaiting_head_of_agency`, `approved` (waiting for the unit's allocation), `granted`,
    /// `waitlisted` (the unit's quota is full; served when days free up) or `set_aside` (the
    /// rules failed for it; see `failure`).
    pub state: workflow::ApplicationState,
    /// Days anywhere a week granted, when granted.
    pub granted_remote_days: Option<u8>,
    /// The weekdays away, when granted.
    #[schema(value_type = Option<Vec<String>>)]
    pub granted_weekdays: Option<Vec<dwa_sdk::Weekday>>,
    /// Why the unit's allocation granted fewer days than the decision allowed (`QUOTA_FULL`,
    /// with the unit's headcount, minimum office presence and days available); empty otherwise.
    #[schema(value_type = Vec<Object>)]
    pub allocation_reasons: Vec<dwa_sdk::Reason>,
    /// Why the rules failed for it, naming the plugin and its version (`set_aside` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    /// A grant that rules activated since no longer allow: the rules (`plugin_name`,
    /// `plugin_version`), `allowed_days`, `granted_days`, `handling` (`keep` to the quarter's
    /// end, or `revise`d at once) and the `reasons`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub flag: Option<dwa_workflow::GrantFlag>,
    /// Approvers whose approval the decision requires and the application does not carry yet:
    /// an eligible application with any is not approved.
    #[schema(value_type = Vec<String>)]
    pub approvals_pending: Vec<dwa_sdk::Approver>,
    /// What happened to it after submission, oldest first (approved, rejected with the note,
    /// granted, waitlisted, withdrawn): `at`, `actor`, `event`, `detail`.
    #[schema(value_type = Vec<Object>)]
    pub history: Vec<workflow::ApplicationEvent>,
    /// The application: id, quarter, requested_remote_days, location_kind, work_plan, KPI, approvals.
    #[schema(value_type = Object)]
    pub application: Application,
    /// Its latest decision.
    pub decision: DecisionView,
}

fn record_metrics(state: &AppState, view: &DecisionView, took: std::time::Duration) {
    state
        .metrics
        .decision(&view.region, view.eligible, view.fuel_used, took);
}

fn record_failure(state: &AppState, region: &str, error: &WorkflowError) {
    match error {
        // The host's shortage is counted as the host's, never against the region's plugin.
        WorkflowError::Rules(e) if e.is_host_fault() => state.metrics.host_fault(region),
        WorkflowError::Rules(workflow::RulesError::Plugin(e)) => state.metrics.plugin_failure(region, e.kind()),
        _ => {}
    }
}

/// Submit an application for a quarter; it is evaluated at once.
#[utoipa::path(
    post,
    path = "/api/applications",
    tag = "applications",
    request_body = Draft,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "stored and evaluated", body = ApplicationView),
        (status = 400), (status = 401), (status = 403), (status = 404), (status = 409), (status = 422), (status = 502)
    )
)]
pub async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(draft): JsonBody<Draft>,
) -> Result<(StatusCode, Json<ApplicationView>), ApiError> {
    caller.require(&[Role::Employee])?;
    if let Err(e) = dwa_sdk::nip::parse_nip(&draft.nip) {
        return Err(ApiError::invalid("nip", e.to_string()));
    }
    if !caller.is(&draft.nip) {
        return Err(ApiError::forbidden("an employee may only apply for themselves"));
    }
    let started = std::time::Instant::now();
    let submitted = workflow::submit_application(&state.store, &state.policies, draft, state.today())
        .await
        .inspect_err(|e| record_failure(&state, &caller.region, e))?;
    let decision = DecisionView::fresh(submitted.decision_id, &submitted.decision);
    record_metrics(&state, &decision, started.elapsed());
    let verdict = dwa_sdk::Verdict::from(&submitted.decision.eligibility);
    let view = ApplicationView {
        nip: decision.nip.clone(),
        status: "submitted".into(),
        state: workflow::state_before_allocation(&verdict, &submitted.application.approvals)
            .unwrap_or(workflow::ApplicationState::Approved),
        granted_remote_days: None,
        granted_weekdays: None,
        allocation_reasons: Vec::new(),
        failure: None,
        flag: None,
        approvals_pending: views::pending_approvals(&verdict.approvals_required, &submitted.application),
        history: Vec::new(),
        application: submitted.application,
        decision,
    };
    Ok((StatusCode::CREATED, Json(view)))
}

/// Load an application the caller may see, with its applicant's record.
async fn visible(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<(StoredApplication, EmployeeRecord, Option<String>), ApiError> {
    path_id("id", id)?;
    let stored = reads::application(&state.store, id).await?;
    let (employee, head) = reads::employee_and_head(&state.store, &stored.nip).await?;
    caller.require_sees(&employee, head.as_deref())?;
    Ok((stored, employee, head))
}

/// One application with its latest decision.
#[utoipa::path(
    get,
    path = "/api/applications/{id}",
    tag = "applications",
    params(("id" = String, Path, description = "application id")),
    security(("bearer" = [])),
    responses((status = 200, body = ApplicationView), (status = 403), (status = 404))
)]
pub async fn get_application(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ApplicationView>, ApiError> {
    let (stored, _, _) = visible(&state, &caller, &id).await?;
    let detail = views::detail(&state.store, &state.policies, stored).await?;
    let (stored, progress) = (detail.stored, detail.status);
    Ok(Json(ApplicationView {
        nip: stored.nip,
        status: stored.status,
        state: progress.state,
        granted_remote_days: progress.remote_days,
        granted_weekdays: progress.weekdays,
        allocation_reasons: progress.allocation_reasons,
        failure: progress.failure,
        flag: progress.flag,
        approvals_pending: detail.approvals_pending,
        history: detail.history,
        application: stored.application,
        decision: DecisionView::stored(&detail.explained),
    }))
}

/// Withdraw one's own live application.
#[utoipa::path(
    post,
    path = "/api/applications/{id}/withdraw",
    tag = "applications",
    params(("id" = String, Path, description = "application id")),
    security(("bearer" = [])),
    responses((status = 204), (status = 403), (status = 404), (status = 409))
)]
pub async fn withdraw(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require(&[Role::Employee])?;
    let (stored, _, _) = visible(&state, &caller, &id).await?;
    if !caller.is(&stored.nip) {
        return Err(ApiError::forbidden("only the applicant may withdraw an application"));
    }
    workflow::withdraw(&state.store, &state.policies, &id, state.today(), &caller.actor()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An approver's decision.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalBody {
    /// `supervisor` or `head_of_agency`.
    #[schema(value_type = String, example = "supervisor")]
    pub approver: Approver,
    /// Approve (true) or reject (false).
    pub approved: bool,
    /// Why: required (not blank) for a rejection, optional for an approval.
    #[serde(default)]
    pub note: Option<String>,
}

/// Approve or reject as the applicant's supervisor or head of agency — or, when nobody is on
/// record for that role, as the region's HR; the application is re-evaluated with the approval,
/// and an application this completes in an allocated unit is served into the unit's remaining
/// capacity at once.
#[utoipa::path(
    post,
    path = "/api/applications/{id}/approvals",
    tag = "applications",
    params(("id" = String, Path, description = "application id")),
    request_body = ApprovalBody,
    security(("bearer" = [])),
    responses((status = 200, body = DecisionView), (status = 403), (status = 404), (status = 409), (status = 422))
)]
pub async fn approve(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ApprovalBody>,
) -> Result<Json<DecisionView>, ApiError> {
    caller.require(&[Role::Supervisor, Role::Hr])?;
    let (stored, employee, _) = visible(&state, &caller, &id).await?;
    // The supervisor or head on record; without one, the region's HR (workflow::approvers).
    let approvers = workflow::approvers::approvers_of(&state.store, &employee).await?;
    let decider = workflow::approvers::Decider {
        nip: caller.nip.as_deref(),
        region_hr: caller.role == Role::Hr && caller.region == employee.region,
    };
    if !workflow::approvers::may_decide(&approvers, &employee, body.approver, decider) || caller.is(&stored.nip) {
        return Err(ApiError::forbidden(format!(
            "{} may not decide as the {} of this applicant (the one on record decides; without one, the \
             region's HR)",
            caller
                .nip
                .as_deref()
                .map_or_else(|| caller.role.code().to_owned(), |n| format!("NIP {n}")),
            workflow::code(&body.approver)
        )));
    }
    let approval = Approval {
        approver: body.approver,
        by_nip: caller.nip.clone().unwrap_or_else(|| format!("HR {}", employee.region)),
        approved: body.approved,
    };
    let started = std::time::Instant::now();
    let (decision_id, decision, _placed) = workflow::decide_approval(
        &state.store,
        &state.policies,
        &id,
        approval,
        body.note.as_deref(),
        state.today(),
        &caller.actor(),
    )
    .await
    .inspect_err(|e| record_failure(&state, &employee.region, e))?;
    let view = DecisionView::fresh(decision_id, &decision);
    record_metrics(&state, &view, started.elapsed());
    Ok(Json(view))
}
