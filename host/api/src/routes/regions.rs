//! Regions: the provincial admin adds a regency or city (BPS code and name); every caller may
//! list them (codes and names are public). A region's HR records who heads each agency.

use crate::body::JsonBody;
use crate::{ApiError, AppState, Caller, Role};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use dwa_workflow::RegionRow;
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

/// Who heads an agency.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAgencyHead {
    /// The head's NIP: an employee of the region working in the agency.
    #[schema(example = "197805142003121001")]
    pub nip: String,
}

/// An agency's head as recorded.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AgencyHeadView {
    /// Region code.
    pub region: String,
    /// Agency (OPD) code.
    pub agency: String,
    /// The head's NIP.
    pub nip: String,
}

/// Record who heads an agency (OPD) of a region (its HR, or the provincial admin): the person
/// who gives the head-of-agency approval. The unit file names the head's position, not the
/// person. Replaces an earlier head.
#[utoipa::path(
    put,
    path = "/api/regions/{code}/agencies/{agency}/head",
    tag = "regions",
    params(
        ("code" = String, Path, description = "region code"),
        ("agency" = String, Path, description = "agency code, as the unit file's instansiId")
    ),
    request_body = NewAgencyHead,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "recorded", body = AgencyHeadView),
        (status = 403, description = "not HR of the region nor the provincial admin"),
        (status = 404, description = "no such region"),
        (status = 422, description = "not an employee of the region working in the agency")
    )
)]
pub async fn set_agency_head(
    State(state): State<AppState>,
    caller: Caller,
    Path((code, agency)): Path<(String, String)>,
    JsonBody(body): JsonBody<NewAgencyHead>,
) -> Result<Json<AgencyHeadView>, ApiError> {
    caller.require(&[Role::Hr, Role::ProvincialAdmin])?;
    caller.require_region(&code)?;
    dwa_workflow::onboarding::set_agency_head(&state.store, &code, &agency, &body.nip).await?;
    tracing::info!(region = %code, agency = %agency, "agency head recorded");
    Ok(Json(AgencyHeadView {
        region: code,
        agency,
        nip: body.nip,
    }))
}
