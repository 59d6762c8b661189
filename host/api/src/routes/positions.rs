//! The position catalogue: which positions (jabatan) qualify for the dynamic working
//! arrangement in a region, as data — read by the region's staff, imported by CSV and edited
//! one entry at a time by regional HR, the region's policy admin or the provincial admin, each
//! change recorded with who and when.

use super::{path_id, query_opt};
use crate::body::{JsonBody, Kind, check_content_type};
use crate::{ApiError, AppState, Caller, Role};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use dwa_workflow::positions::PositionEdit;
use dwa_workflow::{PositionChange, PositionEntry};
use std::collections::HashMap;

/// Who may change the catalogue.
const EDITORS: &[Role] = &[Role::Hr, Role::PolicyAdmin, Role::ProvincialAdmin];

/// The region a request is about: the `region` query parameter, or the caller's own.
fn region_of(caller: &Caller, params: &HashMap<String, String>) -> Result<String, ApiError> {
    let region = query_opt::<String>(params, "region")?.unwrap_or_else(|| caller.region.clone());
    path_id("region", &region)?;
    caller.require_region(&region)?;
    Ok(region)
}

/// Who made a change, as the catalogue records it.
fn author(caller: &Caller) -> String {
    caller.actor()
}

/// A region's catalogue of positions, by code, with each entry's status, note, and who changed
/// it last and when.
#[utoipa::path(
    get,
    path = "/api/positions",
    tag = "positions",
    params(("region" = Option<String>, Query, description = "BPS code; default: the caller's region")),
    security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 403), (status = 404))
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Vec<PositionEntry>>, ApiError> {
    let region = region_of(&caller, &params)?;
    Ok(Json(dwa_workflow::positions::catalogue(&state.store, &region).await?))
}

/// Every change to a region's catalogue (or, with `code`, to one position), oldest first.
#[utoipa::path(
    get,
    path = "/api/positions/changes",
    tag = "positions",
    params(
        ("region" = Option<String>, Query, description = "BPS code; default: the caller's region"),
        ("code" = Option<String>, Query, description = "one position's code")
    ),
    security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 403), (status = 404))
)]
pub async fn changes(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Vec<PositionChange>>, ApiError> {
    caller.require(EDITORS)?;
    let region = region_of(&caller, &params)?;
    let code = query_opt::<String>(&params, "code")?;
    Ok(Json(
        dwa_workflow::positions::changes(&state.store, &region, code.as_deref()).await?,
    ))
}

/// Import catalogue entries from CSV (`kodeJabatan`, `namaJabatan`, `status`, optional
/// `catatan`; see the README). Entries already stored are updated, the others kept; nothing is
/// written unless the whole file is valid.
#[utoipa::path(
    post,
    path = "/api/positions/import",
    tag = "positions",
    params(("region" = Option<String>, Query, description = "region to import into (provincial admin); others import into their own")),
    request_body(content = String, content_type = "text/csv"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "written", body = Object),
        (status = 422, description = "rejected rows; nothing written", body = Object),
        (status = 403),
        (status = 404, description = "no such region")
    )
)]
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    caller.require(EDITORS)?;
    check_content_type(&headers, Kind::Csv)?;
    let region = super::imports::target_region(&state, &caller, &params).await?;
    let outcome = dwa_workflow::import::import_positions(&state.store, &region, &body, &author(&caller)).await?;
    super::imports::answer(outcome)
}

/// Set one position's status (and optionally its name and note); a position not yet in the
/// catalogue is added when the body names it.
#[utoipa::path(
    put,
    path = "/api/positions/{code}",
    tag = "positions",
    params(
        ("code" = String, Path, description = "the position's code"),
        ("region" = Option<String>, Query, description = "BPS code; default: the caller's region")
    ),
    request_body(content = Object, description = "{\"status\": \"eligible\" | \"excluded\" | \"under_review\", \"name\"?, \"note\"?}"),
    security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 403), (status = 404), (status = 422))
)]
pub async fn edit(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    JsonBody(body): JsonBody<PositionEdit>,
) -> Result<Json<PositionEntry>, ApiError> {
    caller.require(EDITORS)?;
    let region = region_of(&caller, &params)?;
    Ok(Json(
        dwa_workflow::positions::edit_position(&state.store, &region, &code, &body, &author(&caller)).await?,
    ))
}
