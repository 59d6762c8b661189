//! Signed rules per region: the provincial admin registers the public keys a region's rules are
//! signed with (several during a key rotation), removes them, and requires signed rules; the
//! region's policy admin may read its settings.

use crate::body::JsonBody;
use crate::{ApiError, AppState, Caller, Role};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use dwa_workflow::{RegionKey, RegionSigning};
use serde::{Deserialize, Serialize};

/// A public key to register.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewKey {
    /// `dwa-ed25519 <64 hex digits>` (the `.pub` file `dwa key generate` writes).
    pub public_key: String,
}

/// Whether a region requires signed rules.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SigningBody {
    /// `true`: every later change of the region's rules must be signed with one of its keys.
    pub required: bool,
}

/// A registered key.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct KeyView {
    /// The key's id (what a signature names).
    pub key_id: String,
    /// `dwa-ed25519 <hex>`.
    pub public_key: String,
    /// When it was registered.
    pub added_at: String,
    /// By whom.
    pub added_by: String,
}

/// A region's signing settings.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SigningView {
    /// Region code.
    pub region: String,
    /// Whether signed rules are required.
    pub required: bool,
    /// The registered keys, oldest first.
    pub keys: Vec<KeyView>,
}

impl From<RegionKey> for KeyView {
    fn from(k: RegionKey) -> KeyView {
        KeyView {
            key_id: k.key_id,
            public_key: k.public_key,
            added_at: k.added_at,
            added_by: k.added_by,
        }
    }
}

fn view(region: String, signing: RegionSigning) -> SigningView {
    SigningView {
        region,
        required: signing.required,
        keys: signing.keys.into_iter().map(Into::into).collect(),
    }
}

fn by(caller: &Caller) -> String {
    caller.actor()
}

/// A region's signing settings (provincial admin; the region's policy admin).
#[utoipa::path(
    get,
    path = "/api/regions/{code}/signing",
    tag = "regions",
    params(("code" = String, Path, description = "region code")),
    security(("bearer" = [])),
    responses((status = 200, body = SigningView), (status = 403), (status = 404))
)]
pub async fn get_signing(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> Result<Json<SigningView>, ApiError> {
    caller.require(&[Role::PolicyAdmin, Role::ProvincialAdmin])?;
    super::path_id("code", &code)?;
    caller.require_region(&code)?;
    let signing = dwa_workflow::signing::region_signing(&state.store, &code).await?;
    Ok(Json(view(code, signing)))
}

/// Require signed rules for a region, or stop (provincial admin). Requiring needs a registered
/// key; what serves keeps serving, and every later change must be signed.
#[utoipa::path(
    put,
    path = "/api/regions/{code}/signing",
    tag = "regions",
    params(("code" = String, Path, description = "region code")),
    request_body = SigningBody,
    security(("bearer" = [])),
    responses((status = 200, body = SigningView), (status = 403), (status = 404), (status = 422))
)]
pub async fn put_signing(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    JsonBody(body): JsonBody<SigningBody>,
) -> Result<Json<SigningView>, ApiError> {
    caller.require(&[Role::ProvincialAdmin])?;
    super::path_id("code", &code)?;
    dwa_workflow::signing::require_signatures(&state.store, &code, body.required, &by(&caller)).await?;
    let signing = dwa_workflow::signing::region_signing(&state.store, &code).await?;
    Ok(Json(view(code, signing)))
}

/// Register a public key for a region (provincial admin): 201; 409 if it is registered.
#[utoipa::path(
    post,
    path = "/api/regions/{code}/keys",
    tag = "regions",
    params(("code" = String, Path, description = "region code")),
    request_body = NewKey,
    security(("bearer" = [])),
    responses((status = 201, body = KeyView), (status = 403), (status = 404), (status = 409), (status = 422))
)]
pub async fn add_key(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    JsonBody(body): JsonBody<NewKey>,
) -> Result<(StatusCode, Json<KeyView>), ApiError> {
    caller.require(&[Role::ProvincialAdmin])?;
    super::path_id("code", &code)?;
    let key = dwa_workflow::signing::add_region_key(&state.store, &code, &body.public_key, &by(&caller)).await?;
    tracing::info!(region = %code, key = %key.key_id, "signing key registered");
    Ok((StatusCode::CREATED, Json(key.into())))
}

/// Remove a region's key (provincial admin): 204; 409 for the only key of a region requiring
/// signatures.
#[utoipa::path(
    delete,
    path = "/api/regions/{code}/keys/{key_id}",
    tag = "regions",
    params(("code" = String, Path, description = "region code"), ("key_id" = String, Path, description = "key id")),
    security(("bearer" = [])),
    responses((status = 204), (status = 403), (status = 404), (status = 409))
)]
pub async fn remove_key(
    State(state): State<AppState>,
    caller: Caller,
    Path((code, key_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    caller.require(&[Role::ProvincialAdmin])?;
    super::path_id("code", &code)?;
    super::path_id("key_id", &key_id)?;
    dwa_workflow::signing::remove_region_key(&state.store, &code, &key_id, &by(&caller)).await?;
    Ok(StatusCode::NO_CONTENT)
}
