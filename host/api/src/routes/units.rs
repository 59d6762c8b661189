//! Organisational units: HR (or the provincial admin) imports a region's units from the unor
//! CSV export, and reads them with their hierarchy.

use super::query;
use crate::body::{Kind, check_content_type};
use crate::{ApiError, AppState, Caller, Role};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use dwa_workflow::UnitRecord;
use std::collections::HashMap;

/// Import organisational units from a CSV file shaped like the national personnel system's unor
/// export (`id`, `namaUnor`, `diatasanId`, `instansiId`, and optionally `eselonId`,
/// `namaJabatan`, `aktif`; see the README). Every row is validated — a parent must be in the
/// file or already stored for the region, and no unit may be its own ancestor; nothing is
/// written unless the whole file is valid.
#[utoipa::path(
    post,
    path = "/api/units/import",
    tag = "units",
    params(
        ("region" = Option<String>, Query, description = "region to import into (provincial admin); HR imports into its own")
    ),
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
    caller.require(&[Role::Hr, Role::ProvincialAdmin])?;
    check_content_type(&headers, Kind::Csv)?;
    let region = super::imports::target_region(&state, &caller, &params).await?;
    let outcome = dwa_workflow::import::import_units(&state.store, &region, &body).await?;
    super::imports::answer(outcome)
}

/// A region's units with their parent, echelon, head position and whether they are active.
#[utoipa::path(
    get,
    path = "/api/units",
    tag = "units",
    params(("region" = String, Query, description = "BPS code, e.g. 3216")),
    security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 403), (status = 404))
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Vec<UnitRecord>>, ApiError> {
    let region: String = query(&params, "region")?;
    super::path_id("region", &region)?;
    caller.require_region(&region)?;
    Ok(Json(dwa_workflow::onboarding::units(&state.store, &region).await?))
}
