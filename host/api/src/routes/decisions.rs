//! Decisions: each with its reasons and the plugin (version, sha256) that made it, and a replay
//! that re-runs its exact input under the active rules.

use crate::{ApiError, AppState, Caller, Role};
use axum::Json;
use axum::extract::{Path, State};
use dwa_policy::Decision;
use dwa_sdk::baseline::pattern;
use dwa_sdk::{Approver, Reason};
use dwa_store::StoredDecision;
use serde::Serialize;

/// A decision as the API shows it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DecisionView {
    /// Decision id.
    pub id: String,
    /// Application id.
    pub application_id: String,
    /// Applicant's NIP.
    pub nip: String,
    /// Region code.
    pub region: String,
    /// Plugin name.
    pub plugin_name: String,
    /// Plugin version.
    pub plugin_version: String,
    /// sha256 of the plugin component.
    pub plugin_sha256: String,
    /// Eligible when every reason passed.
    pub eligible: bool,
    /// Largest days anywhere allowed.
    pub max_remote_days: u8,
    /// The same as a pattern, e.g. `2-3`.
    pub pattern: String,
    /// Approvals required before allocation.
    #[schema(value_type = Vec<String>)]
    pub approvals_required: Vec<Approver>,
    /// Quota priority.
    pub priority: i32,
    /// Every gate: code, passed, message {id, en}, remedy {id, en} for a failed gate.
    #[schema(value_type = Vec<Object>)]
    pub reasons: Vec<Reason>,
    /// Plugin fuel used.
    pub fuel_used: u64,
    /// The evaluation date.
    pub evaluated_on: String,
}

impl DecisionView {
    /// A decision just made.
    pub fn fresh(id: String, d: &Decision) -> DecisionView {
        DecisionView {
            id,
            application_id: d.input.application.id.clone(),
            nip: d.input.employee.nip.clone(),
            region: d.plugin.region.clone(),
            plugin_name: d.plugin.name.clone(),
            plugin_version: d.plugin.version.clone(),
            plugin_sha256: d.plugin.sha256.clone(),
            eligible: d.eligibility.eligible,
            max_remote_days: d.eligibility.max_remote_days,
            pattern: pattern(d.eligibility.max_remote_days),
            approvals_required: d.eligibility.approvals_required.clone(),
            priority: d.eligibility.priority,
            reasons: d.eligibility.reasons.clone(),
            fuel_used: d.fuel_used,
            evaluated_on: d.input.today.to_string(),
        }
    }

    /// A stored decision.
    pub fn stored(d: &StoredDecision) -> DecisionView {
        DecisionView {
            id: d.id.clone(),
            application_id: d.application_id.clone(),
            nip: d.input.employee.nip.clone(),
            region: d.region.clone(),
            plugin_name: d.plugin_name.clone(),
            plugin_version: d.plugin_version.clone(),
            plugin_sha256: d.plugin_sha256.clone(),
            eligible: d.outcome.eligible,
            max_remote_days: d.outcome.max_remote_days,
            pattern: pattern(d.outcome.max_remote_days),
            approvals_required: d.outcome.approvals_required.clone(),
            priority: d.outcome.priority,
            reasons: d.outcome.reasons.clone(),
            fuel_used: d.fuel_used,
            evaluated_on: d.input.today.to_string(),
        }
    }
}

/// Load a decision the caller may see.
async fn visible_decision(state: &AppState, caller: &Caller, id: &str) -> Result<StoredDecision, ApiError> {
    super::path_id("id", id)?;
    let decision = state.store.decision(id).await?;
    let employee = state.store.employee(&decision.input.employee.nip).await?;
    let head = state.store.agency_head(&employee.region, &employee.agency).await?;
    caller.require_sees(&employee, head.as_deref())?;
    Ok(decision)
}

/// One decision with its reasons.
#[utoipa::path(
    get,
    path = "/api/decisions/{id}",
    tag = "decisions",
    params(("id" = String, Path, description = "decision id")),
    security(("bearer" = [])),
    responses((status = 200, body = DecisionView), (status = 403), (status = 404))
)]
pub async fn get_decision(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<DecisionView>, ApiError> {
    Ok(Json(DecisionView::stored(
        &visible_decision(&state, &caller, &id).await?,
    )))
}

/// Re-run a decision's exact input under the region's active rules and say whether the outcome
/// is unchanged (and whether the plugin and parameters are the same ones).
#[utoipa::path(
    post,
    path = "/api/decisions/{id}/replay",
    tag = "decisions",
    params(("id" = String, Path, description = "decision id")),
    security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 403), (status = 404), (status = 502))
)]
pub async fn replay(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<dwa_workflow::Replay>, ApiError> {
    caller.require(&[Role::Hr, Role::PolicyAdmin, Role::ProvincialAdmin])?;
    let decision = visible_decision(&state, &caller, &id).await?;
    Ok(Json(dwa_workflow::replay(&state.policies, decision).await?))
}
