//! Decisions: each with the plugin (version, sha256) that made it and its reasons, and a replay
//! under the active rules. A stored decision's verdict is what was decided; its reasons come
//! from re-running it on the stored data (`dwa_workflow::explain_decision`), and the view says
//! whether that re-run reproduced the verdict.

use crate::{ApiError, AppState, Caller, Role};
use axum::Json;
use axum::extract::{Path, State};
use dwa_sdk::baseline::pattern;
use dwa_sdk::{Approver, Reason};
use dwa_workflow::{Decision, Explanation, StoredDecision, reads};
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
    /// Every gate: code, passed, message {id, en}, remedy {id, en} for a failed gate. For a
    /// stored decision, from re-running it on the stored data (see `reproduced`).
    #[schema(value_type = Vec<Object>)]
    pub reasons: Vec<Reason>,
    /// Codes of the failed gates, as decided.
    pub failed: Vec<String>,
    /// Plugin fuel the evaluation used (for a stored decision: its re-run).
    pub fuel_used: u64,
    /// The evaluation date.
    pub evaluated_on: String,
    /// True when the reasons come from an evaluation that gave exactly this verdict: always for
    /// a fresh decision; for a stored one, when re-running it on the stored data gave the
    /// stored verdict (false when the data or the rules changed since).
    pub reproduced: bool,
    /// True when the rules serving now are the ones that decided (same plugin and manifest).
    pub same_rules: bool,
    /// Why the unit's allocation granted fewer days than this decision allowed (`QUOTA_FULL`,
    /// with the unit's headcount, minimum office presence and days available); empty otherwise.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>)]
    pub allocation_reasons: Vec<Reason>,
    /// For a stored decision the rules serving now fail on (a trap, a deadline): why, naming
    /// the plugin and version; the verdict is the stored one and `reasons` is empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unexplained: Option<String>,
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
            failed: d.eligibility.failed_codes().into_iter().map(str::to_owned).collect(),
            fuel_used: d.fuel_used,
            evaluated_on: d.input.today.to_string(),
            reproduced: true,
            same_rules: true,
            allocation_reasons: Vec::new(),
            unexplained: None,
        }
    }

    /// A stored decision with its explanation.
    pub fn stored(e: &Explanation) -> DecisionView {
        let (d, v) = (&e.stored, &e.stored.decision.verdict);
        DecisionView {
            id: d.id.clone(),
            application_id: d.decision.application_id.clone(),
            nip: d.decision.nip.clone(),
            region: d.plugin.region.clone(),
            plugin_name: d.plugin.name.clone(),
            plugin_version: d.plugin.version.clone(),
            plugin_sha256: d.plugin.sha256.clone(),
            eligible: v.eligible,
            max_remote_days: v.max_remote_days,
            pattern: pattern(v.max_remote_days),
            approvals_required: v.approvals_required.clone(),
            priority: v.priority,
            reasons: e.rerun.eligibility.reasons.clone(),
            failed: v.failed.clone(),
            fuel_used: e.rerun.fuel_used,
            evaluated_on: d.evaluated_on.to_string(),
            reproduced: e.reproduced,
            same_rules: e.same_rules,
            allocation_reasons: e.allocation_reasons.clone(),
            unexplained: e.unexplained.clone(),
        }
    }
}

/// Load a decision the caller may see.
async fn visible_decision(state: &AppState, caller: &Caller, id: &str) -> Result<StoredDecision, ApiError> {
    super::path_id("id", id)?;
    let decision = reads::decision(&state.store, id).await?;
    let (employee, head) = reads::employee_and_head(&state.store, &decision.decision.nip).await?;
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
    let stored = visible_decision(&state, &caller, &id).await?;
    let explained = dwa_workflow::explain_decision(&state.store, &state.policies, stored).await?;
    Ok(Json(DecisionView::stored(&explained)))
}

/// Re-run a decision on the stored data under the region's active rules and say whether the
/// outcome is unchanged (and whether the plugin and parameters are the same ones).
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
    Ok(Json(
        dwa_workflow::replay(&state.store, &state.policies, decision).await?,
    ))
}
