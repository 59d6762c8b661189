//! Reports for HR, policy admins and the province: participation, the reasons behind
//! decisions, and estimated savings — as JSON or CSV.

use super::query_opt;
use crate::{ApiError, AppState, Caller, Role};
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use dwa_sdk::Quarter;
use dwa_workflow::report::{self, ReportError};
use serde::Serialize;
use std::collections::HashMap;

impl From<ReportError> for ApiError {
    fn from(e: ReportError) -> ApiError {
        match e {
            ReportError::Store(e) => e.into(),
            other => ApiError::conflict(other.to_string()),
        }
    }
}

/// Which region a report covers: HR and policy admins their own; the provincial admin the one
/// asked for, or all.
fn scope(caller: &Caller, params: &HashMap<String, String>) -> Result<(Option<String>, Quarter, bool), ApiError> {
    caller.require(&[Role::Hr, Role::PolicyAdmin, Role::ProvincialAdmin])?;
    let quarter = super::query_quarter(params, "quarter")?;
    let csv = match query_opt::<String>(params, "format")?.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(other) => return Err(ApiError::invalid("format", format!("`{other}` is not json or csv"))),
    };
    let asked: Option<String> = query_opt(params, "region")?;
    let region = match (caller.role, asked) {
        (Role::ProvincialAdmin, asked) => asked,
        (_, Some(region)) => {
            caller.require_region(&region)?;
            Some(region)
        }
        (_, None) => Some(caller.region.clone()),
    };
    Ok((region, quarter, csv))
}

fn respond<T: Serialize>(json: &T, csv: Option<String>) -> Response {
    match csv {
        Some(text) => ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], text).into_response(),
        None => axum::Json(json).into_response(),
    }
}

/// Participation per unit and region: headcount, applications, eligible, granted, days away.
#[utoipa::path(
    get,
    path = "/api/reports/participation",
    tag = "reports",
    params(
        ("quarter" = String, Query, description = "e.g. 2027-Q1"),
        ("region" = Option<String>, Query, description = "region code (default: the caller's; all for the provincial admin)"),
        ("format" = Option<String>, Query, description = "json (default) or csv")
    ),
    security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 403), (status = 422))
)]
pub async fn participation(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let (region, quarter, csv) = scope(&caller, &params)?;
    let report = report::participation(&state.store, region.as_deref(), quarter).await?;
    let text = csv.then(|| {
        let rows: Vec<_> = report.units.iter().chain(&report.regions).cloned().collect();
        report::to_csv(&rows)
    });
    Ok(respond(&report, text))
}

/// Passed and failed counts per reason code over the latest decision of each application.
#[utoipa::path(
    get,
    path = "/api/reports/reasons",
    tag = "reports",
    params(
        ("quarter" = String, Query, description = "e.g. 2027-Q1"),
        ("region" = Option<String>, Query, description = "region code (default: the caller's; all for the provincial admin)"),
        ("format" = Option<String>, Query, description = "json (default) or csv")
    ),
    security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 403), (status = 422))
)]
pub async fn reasons(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let (region, quarter, csv) = scope(&caller, &params)?;
    let report = report::reasons(&state.store, region.as_deref(), quarter).await?;
    let text = csv.then(|| report::to_csv(&report.rows));
    Ok(respond(&report, text))
}

/// Estimated savings: days away × weeks × the region's unit costs (transport, meals,
/// electricity and water) from its manifest.
#[utoipa::path(
    get,
    path = "/api/reports/savings",
    tag = "reports",
    params(
        ("quarter" = String, Query, description = "e.g. 2027-Q1"),
        ("region" = Option<String>, Query, description = "region code (default: the caller's; all for the provincial admin)"),
        ("format" = Option<String>, Query, description = "json (default) or csv")
    ),
    security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 403), (status = 409), (status = 422))
)]
pub async fn savings(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let (region, quarter, csv) = scope(&caller, &params)?;
    let costs = dwa_workflow::rules::region_costs(&state.policies);
    let report = report::savings(&state.store, region.as_deref(), quarter, &costs).await?;
    let text = csv.then(|| {
        let rows: Vec<_> = report.units.iter().chain(&report.regions).cloned().collect();
        report::to_csv(&rows)
    });
    Ok(respond(&report, text))
}
