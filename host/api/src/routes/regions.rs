//! Regions: the provincial admin adds a regency or city (BPS code and name); every caller may
//! list them (codes and names are public).

use crate::body::JsonBody;
use crate::{ApiError, AppState, Caller, Role};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use dwa_store::RegionRow;
use serde::{Deserialize, Serialize};

/// A region to add.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRegion {
    /// BPS code: a regency 3201–3269 or a city 3271–3299.
    #[schema(example = "3216")]
    pub code: String,
    /// Name, `Kabupaten …` for a regency or `Kota …` for a city.
    #[schema(example = "Kabupaten Bekasi")]
    pub name: String,
}

/// A stored region.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RegionView {
    /// BPS code.
    pub code: String,
    /// Name.
    pub name: String,
}

impl From<RegionRow> for RegionView {
    fn from(r: RegionRow) -> RegionView {
        RegionView {
            code: r.code,
            name: r.name,
        }
    }
}

/// Add a regency or city of West Java (provincial admin). After it, HR tokens can be created
/// for it and its units and staff imported.
#[utoipa::path(
    post,
    path = "/api/regions",
    tag = "regions",
    request_body = NewRegion,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "added", body = RegionView),
        (status = 403, description = "not the provincial admin"),
        (status = 409, description = "the region exists (or the database is not initialised)"),
        (status = 422, description = "an invalid code or name")
    )
)]
pub async fn add(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<NewRegion>,
) -> Result<(StatusCode, Json<RegionView>), ApiError> {
    caller.require(&[Role::ProvincialAdmin])?;
    let region = dwa_workflow::onboarding::add_region(&state.store, &body.code, &body.name).await?;
    tracing::info!(region = %region.code, name = %region.name, "region added");
    Ok((StatusCode::CREATED, Json(region.into())))
}

/// Every region, by code.
#[utoipa::path(
    get,
    path = "/api/regions",
    tag = "regions",
    security(("bearer" = [])),
    responses((status = 200, body = [RegionView]))
)]
pub async fn list(State(state): State<AppState>, _caller: Caller) -> Result<Json<Vec<RegionView>>, ApiError> {
    let regions = dwa_workflow::onboarding::regions(&state.store).await?;
    Ok(Json(regions.into_iter().map(Into::into).collect()))
}
