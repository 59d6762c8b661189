//! Quarterly allocation (HR runs it for a unit or a whole region), the weekday roster it makes,
//! and the end-of-quarter KPI review that the next quarter's evaluation sees.

use super::{path_id, query, query_quarter};
use crate::body::JsonBody;
use crate::{ApiError, AppState, Caller, Role};
use axum::Json;
use axum::extract::{Query, State};
use dwa_sdk::{Quarter, QuarterReview};
use dwa_workflow::{self as workflow, RosterEntry, UnitOutcome, reads};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Which units to allocate.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AllocateBody {
    /// Quarter, e.g. `2027-Q1`.
    #[schema(value_type = String, example = "2027-Q1")]
    pub quarter: Quarter,
    /// One unit code (or give `region`).
    pub unit: Option<String>,
    /// Every unit of a region.
    pub region: Option<String>,
    /// Only show what the run would do — each unit's outcome with the people it would move
    /// (`moved`) — and write nothing.
    #[serde(default)]
    pub preview: bool,
}

/// Evaluate and allocate a quarter for one unit or every unit of a region. Each unit's roster
/// is replaced in one transaction; concurrent runs for a unit take turns, and re-running is
/// idempotent and stable: everyone keeps their weekdays where the new allocation allows, and
/// each person it moves is listed (`moved`) and notified. With `preview: true` nothing is
/// written: the outcomes say who would move.
#[utoipa::path(
    post,
    path = "/api/allocations",
    tag = "allocation",
    request_body = AllocateBody,
    security(("bearer" = [])),
    responses((status = 200, description = "one outcome per unit", body = Vec<Object>), (status = 403), (status = 404), (status = 422), (status = 502))
)]
pub async fn allocate(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<AllocateBody>,
) -> Result<Json<Vec<UnitOutcome>>, ApiError> {
    caller.require(&[Role::Hr, Role::ProvincialAdmin])?;
    dwa_workflow::input::check_quarter("quarter", body.quarter)?;
    if let Some(unit) = &body.unit {
        path_id("unit", unit)?;
    }
    if let Some(region) = &body.region {
        path_id("region", region)?;
    }
    let units = match (&body.unit, &body.region) {
        (Some(unit), None) => {
            let unit = reads::unit(&state.store, unit).await?;
            caller.require_region(&unit.region)?;
            vec![unit.code]
        }
        (None, Some(region)) => {
            caller.require_region(region)?;
            workflow::rules::require_rules(&state.policies, region)?;
            reads::units(&state.store, region)
                .await?
                .into_iter()
                .map(|u| u.code)
                .collect()
        }
        _ => return Err(ApiError::invalid("unit", "give exactly one of `unit` and `region`")),
    };
    let today = state.today();
    let mut outcomes = Vec::with_capacity(units.len());
    for unit in units {
        if body.preview {
            outcomes.push(workflow::preview_unit(&state.store, &state.policies, &unit, body.quarter, today).await?);
            continue;
        }
        let lock = state.unit_lock(&unit);
        let _turn = lock.lock().await;
        let outcome = workflow::allocate_unit(&state.store, &state.policies, &unit, body.quarter, today).await?;
        state.metrics.decisions_bulk(
            &outcome.region,
            outcome.eligible as u64,
            (outcome.evaluated - outcome.eligible) as u64,
            outcome.fuel_used,
        );
        outcomes.push(outcome);
    }
    Ok(Json(outcomes))
}

/// A unit's roster for a quarter.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RosterView {
    /// Unit code.
    pub unit: String,
    /// Quarter.
    pub quarter: String,
    /// People in the unit.
    pub headcount: u32,
    /// People away Monday … Friday (over the entries shown).
    pub away_by_weekday: [u32; 5],
    /// Who is away on which weekdays (HR sees all; a supervisor their reports; an employee themselves).
    #[schema(value_type = Vec<Object>)]
    pub entries: Vec<RosterEntry>,
}

/// Who works anywhere on which weekday, for a unit and quarter.
#[utoipa::path(
    get,
    path = "/api/roster",
    tag = "allocation",
    params(("unit" = String, Query, description = "unit code"), ("quarter" = String, Query, description = "e.g. 2027-Q1")),
    security(("bearer" = [])),
    responses((status = 200, body = RosterView), (status = 403), (status = 404), (status = 422))
)]
pub async fn roster(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<RosterView>, ApiError> {
    let unit_code: String = query(&params, "unit")?;
    let quarter = query_quarter(&params, "quarter")?;
    let unit = reads::unit(&state.store, &unit_code).await?;
    caller.require_region(&unit.region)?;
    let mut entries = reads::roster(&state.store, &unit.code, quarter).await?;
    match caller.role {
        Role::Hr | Role::PolicyAdmin | Role::ProvincialAdmin => {}
        Role::Supervisor => {
            let staff = reads::unit_staff(&state.store, &unit.code).await?;
            let reports: Vec<&str> = staff
                .iter()
                .filter(|e| caller.is(&e.nip) || e.supervisor_nip.as_deref().is_some_and(|s| caller.is(s)))
                .map(|e| e.nip.as_str())
                .collect();
            entries.retain(|e| reports.contains(&e.nip.as_str()));
        }
        Role::Employee => entries.retain(|e| caller.is(&e.nip)),
    }
    let mut away_by_weekday = [0u32; 5];
    for entry in &entries {
        for day in &entry.weekdays {
            away_by_weekday[day.index()] += 1;
        }
    }
    let headcount = reads::unit_headcount(&state.store, &unit.code).await?;
    Ok(Json(RosterView {
        unit: unit.code,
        quarter: quarter.to_string(),
        headcount,
        away_by_weekday,
        entries,
    }))
}

/// An end-of-quarter review.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    /// The employee's NIP.
    pub nip: String,
    /// The reviewed quarter.
    #[schema(value_type = String, example = "2027-Q1")]
    pub quarter: Quarter,
    /// Whether the KPI target was reached.
    pub kpi_achieved: bool,
}

/// Record whether an employee reached their KPI target in a quarter; the next quarter's
/// evaluation sees it (a miss lowers or revokes the pattern, as the region's plugin decides).
#[utoipa::path(
    post,
    path = "/api/reviews",
    tag = "allocation",
    request_body = ReviewBody,
    security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 403), (status = 404), (status = 422))
)]
pub async fn review(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<ReviewBody>,
) -> Result<Json<QuarterReview>, ApiError> {
    caller.require(&[Role::Hr])?;
    if let Err(e) = dwa_sdk::nip::parse_nip(&body.nip) {
        return Err(ApiError::invalid("nip", e.to_string()));
    }
    dwa_workflow::input::check_quarter("quarter", body.quarter)?;
    let employee = reads::employee(&state.store, &body.nip).await?;
    caller.require_region(&employee.region)?;
    if body.quarter > state.today().quarter() {
        return Err(ApiError::invalid(
            "quarter",
            format!("{} has not started yet", body.quarter),
        ));
    }
    Ok(Json(
        workflow::record_review(&state.store, &body.nip, body.quarter, body.kpi_achieved).await?,
    ))
}
