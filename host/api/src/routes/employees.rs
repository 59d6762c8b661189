//! Employees: HR imports them from CSV; read one (scoped to themselves, their supervisor and
//! their region's HR).

use super::query_opt;
use crate::body::{Kind, check_content_type};
use crate::error::tidy;
use crate::{ApiError, AppState, Caller, Role};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use dwa_workflow::reads;
use dwa_workflow::{EmployeeRecord, RosterEntry};
use std::collections::HashMap;

/// One employee's stored profile.
#[utoipa::path(
    get,
    path = "/api/employees/{nip}",
    tag = "employees",
    params(("nip" = String, Path, description = "18-digit NIP")),
    security(("bearer" = [])),
    responses((status = 200, description = "the employee", body = Object), (status = 403), (status = 404))
)]
pub async fn get_employee(
    State(state): State<AppState>,
    caller: Caller,
    Path(nip): Path<String>,
) -> Result<Json<EmployeeRecord>, ApiError> {
    if let Err(e) = dwa_sdk::nip::parse_nip(&nip) {
        return Err(ApiError::invalid("nip", tidy(&e.to_string(), 200)));
    }
    let (employee, head) = reads::employee_and_head(&state.store, &nip).await?;
    caller.require_sees(&employee, head.as_deref())?;
    Ok(Json(employee))
}

/// Import employees from a CSV file with the national personnel system's column names (see
/// the README). Every row is validated; nothing is written unless the whole file is valid, or,
/// with `partial=true`, the valid rows are written and the rejects returned.
#[utoipa::path(
    post,
    path = "/api/employees/import",
    tag = "employees",
    params(
        ("partial" = Option<bool>, Query, description = "write the valid rows even when some are rejected"),
        ("region" = Option<String>, Query, description = "region to import into (provincial admin); HR imports into its own")
    ),
    request_body(content = String, content_type = "text/csv"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "written (with any rejects when partial)", body = Object),
        (status = 422, description = "rejected rows; nothing written", body = Object),
        (status = 403)
    )
)]
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    caller.require(&[Role::Hr, Role::ProvincialAdmin])?;
    check_content_type(&headers, Kind::Csv)?;
    let partial: bool = query_opt(&params, "partial")?.unwrap_or(false);
    let region = super::imports::target_region(&state, &caller, &params).await?;
    let outcome = dwa_workflow::import::import_employees(&state.store, &region, &body, partial).await?;
    super::imports::answer(outcome)
}

/// One employee's place in their unit's roster for a quarter: the weekdays they work anywhere.
#[utoipa::path(
    get,
    path = "/api/employees/{nip}/roster",
    tag = "allocation",
    params(("nip" = String, Path, description = "18-digit NIP"), ("quarter" = String, Query, description = "e.g. 2027-Q1")),
    security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 403), (status = 404, description = "no place in the roster"), (status = 422))
)]
pub async fn employee_roster(
    State(state): State<AppState>,
    caller: Caller,
    Path(nip): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<RosterEntry>, ApiError> {
    if let Err(e) = dwa_sdk::nip::parse_nip(&nip) {
        return Err(ApiError::invalid("nip", e.to_string()));
    }
    let quarter = super::query_quarter(&params, "quarter")?;
    let (employee, head) = reads::employee_and_head(&state.store, &nip).await?;
    caller.require_sees(&employee, head.as_deref())?;
    let entry = reads::roster_entry(&state.store, &nip, quarter).await?;
    entry
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("NIP {nip} has no place in the {quarter} roster")))
}
