//! The status of every region's rules (the version serving, when and by whom it was activated,
//! the last change attempted with its error) and dry runs of candidate versions.

use crate::body::{JsonBody, Kind, check_content_type, parse_json};
use crate::{ApiError, AppState, Caller, Role};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use dwa_workflow::input::{MAX_MANIFEST_BYTES, TextRule, check_id, check_text};
use dwa_workflow::{AuditEntry, PolicyStatus, VersionSummary, reads};
use std::collections::HashMap;

/// Rules status per manifest (policy admins and HR see their region; the provincial admin all).
#[utoipa::path(
    get,
    path = "/api/policies",
    tag = "policies",
    security(("bearer" = [])),
    responses((status = 200, description = "one entry per manifest", body = Vec<Object>), (status = 403))
)]
pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<PolicyStatus>>, ApiError> {
    caller.require(&[Role::PolicyAdmin, Role::Hr, Role::ProvincialAdmin])?;
    let mut status = state.policies.status();
    status.retain(|s| caller.role == Role::ProvincialAdmin || s.region.as_deref() == Some(caller.region.as_str()));
    Ok(Json(status))
}

/// Dry-run a candidate manifest for a region (TOML in the body, using the region's current
/// plugin file): which of the quarter's stored applications would flip, per unit, with examples.
/// Nothing is activated.
#[utoipa::path(
    post,
    path = "/api/policies/{region}/dry-run",
    tag = "policies",
    params(("region" = String, Path, description = "region code"), ("quarter" = String, Query, description = "e.g. 2027-Q1")),
    request_body(content = String, content_type = "application/toml"),
    security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 403), (status = 404), (status = 422))
)]
pub async fn dry_run(
    State(state): State<AppState>,
    caller: Caller,
    Path(region): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<dwa_workflow::DryRun>, ApiError> {
    caller.require(&[Role::PolicyAdmin, Role::ProvincialAdmin])?;
    super::path_id("region", &region)?;
    caller.require_region(&region)?;
    check_content_type(&headers, Kind::Toml)?;
    let quarter = super::query_quarter(&params, "quarter")?;
    // An unknown region is named before the body is looked at.
    dwa_workflow::rules::require_rules(&state.policies, &region)?;
    let text = manifest_text("body", &body)?;
    let staged = crate::candidate::stage(&state, &region, text, "body", "region")?;
    let run = dwa_workflow::dry_run(
        &state.store,
        &state.policies,
        &staged.path,
        quarter,
        state.today(),
        &caller.actor(),
    )
    .await
    .map_err(|e| crate::candidate::error(e, "body", "plugin"))?;
    Ok(Json(run))
}

/// A region's stored versions, newest first.
#[utoipa::path(
    get,
    path = "/api/policies/{region}/versions",
    tag = "policies",
    params(("region" = String, Path, description = "region code")),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<Object>), (status = 403))
)]
pub async fn versions(
    State(state): State<AppState>,
    caller: Caller,
    Path(region): Path<String>,
) -> Result<Json<Vec<VersionSummary>>, ApiError> {
    caller.require(&[Role::PolicyAdmin, Role::ProvincialAdmin])?;
    caller.require_region(&region)?;
    Ok(Json(reads::versions(&state.store, &region).await?))
}

/// A region's audit trail of policy changes (who, when, what, diff summary), newest first.
#[utoipa::path(
    get,
    path = "/api/policies/{region}/audit",
    tag = "policies",
    params(("region" = String, Path, description = "region code")),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<Object>), (status = 403))
)]
pub async fn audit(
    State(state): State<AppState>,
    caller: Caller,
    Path(region): Path<String>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    caller.require(&[Role::PolicyAdmin, Role::ProvincialAdmin])?;
    caller.require_region(&region)?;
    Ok(Json(reads::audit(&state.store, &region).await?))
}

/// Which stored version to make active (for a rollback, default: the latest version other
/// than the one serving).
#[derive(Clone, Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivateBody {
    /// A version id from `GET /api/policies/{region}/versions`.
    pub version: Option<String>,
}

/// Activate a stored version, or roll back to the previous one: it is validated and swapped in
/// like any other change, and audited.
#[utoipa::path(
    post,
    path = "/api/policies/{region}/rollback",
    tag = "policies",
    params(("region" = String, Path, description = "region code")),
    request_body = ActivateBody,
    security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 403), (status = 404), (status = 422))
)]
pub async fn rollback(
    State(state): State<AppState>,
    caller: Caller,
    Path(region): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<RolledBack>, ApiError> {
    require_policy_author(&caller, &region)?;
    // An empty body (or none) means "the previous version".
    let body: ActivateBody = if body.is_empty() {
        ActivateBody { version: None }
    } else {
        check_content_type(&headers, Kind::Json)?;
        parse_json(&body)?
    };
    let (version, target) = match body.version {
        Some(id) => {
            check_id("version", &id)?;
            (id, None)
        }
        None => {
            let target = dwa_workflow::rollback_target(&state.store, &state.policies, &region).await?;
            (target.version.clone(), Some(target))
        }
    };
    let by = format!("{} (rollback to {version})", caller.actor());
    let activated = dwa_workflow::activate_version(&state.store, &state.policies, &region, &version, &by)
        .await
        .map_err(|e| crate::candidate::error(e, "version", "version"))?;
    Ok(Json(RolledBack {
        active: activated,
        rolled_back_to: target,
    }))
}

/// What a rollback did: the plugin now serving, and (when no version was named) the version
/// the rollback rule chose ([`dwa_workflow::rollback_target`]), with when it was last live.
#[derive(Clone, Debug, serde::Serialize)]
pub struct RolledBack {
    /// The plugin now serving (the fields of the answer before rollbacks were named).
    #[serde(flatten)]
    pub active: dwa_workflow::PluginRef,
    /// The version activated by the rollback rule.
    pub rolled_back_to: Option<dwa_workflow::RollbackTarget>,
}

/// A candidate version to store.
#[derive(Clone, Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UploadBody {
    /// The manifest (TOML text).
    pub manifest: String,
    /// The plugin component, base64; omit to keep the region's current plugin file.
    pub plugin_base64: Option<String>,
    /// The signature file's text (`<manifest>.sig`, from `dwa plugin sign`): required when the
    /// region requires signed rules.
    pub signature: Option<String>,
}

/// Upload a candidate version: validated (worked examples, guardrails) and stored, not
/// activated. Answers with its version id.
#[utoipa::path(
    post,
    path = "/api/policies/{region}/versions",
    tag = "policies",
    params(("region" = String, Path, description = "region code")),
    request_body = UploadBody,
    security(("bearer" = [])),
    responses((status = 201, body = Object), (status = 403), (status = 422))
)]
pub async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    Path(region): Path<String>,
    JsonBody(body): JsonBody<UploadBody>,
) -> Result<(axum::http::StatusCode, Json<serde_json::Value>), ApiError> {
    use base64::Engine as _;
    require_policy_author(&caller, &region)?;
    manifest_text("manifest", body.manifest.as_bytes())?;
    let plugin = body
        .plugin_base64
        .map(|b| base64::engine::general_purpose::STANDARD.decode(b.trim()))
        .transpose()
        .map_err(|_| ApiError::invalid("plugin_base64", "is not standard base64 (RFC 4648, with padding)"))?;
    let by = caller.actor();
    let plugin_field = if plugin.is_some() { "plugin_base64" } else { "plugin" };
    if let Some(signature) = &body.signature {
        check_text("signature", signature, TextRule::MANIFEST)?;
    }
    let version = dwa_workflow::upload_version(
        &state.store,
        &state.policies,
        &region,
        &body.manifest,
        plugin,
        body.signature,
        &by,
    )
    .await
    .map_err(|e| crate::candidate::error(e, "manifest", plugin_field))?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(serde_json::json!({ "version": version })),
    ))
}

/// Which version to activate, and from when.
#[derive(Clone, Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivateAtBody {
    /// A version id.
    pub version: String,
    /// First day it applies (e.g. the next quarter's start); omit, or today in West Java, to
    /// activate now. A day already past is refused (422, field `from`).
    #[schema(value_type = Option<String>, example = "2027-04-01")]
    pub from: Option<dwa_sdk::Date>,
}

/// Activate a stored version now, or schedule it from a date.
#[utoipa::path(
    post,
    path = "/api/policies/{region}/activate",
    tag = "policies",
    params(("region" = String, Path, description = "region code")),
    request_body = ActivateAtBody,
    security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 403), (status = 404), (status = 422))
)]
pub async fn activate(
    State(state): State<AppState>,
    caller: Caller,
    Path(region): Path<String>,
    JsonBody(body): JsonBody<ActivateAtBody>,
) -> Result<Json<serde_json::Value>, ApiError> {
    require_policy_author(&caller, &region)?;
    check_id("version", &body.version)?;
    let by = caller.actor();
    // One implementation for the API, the web page and the CLI: a past date is refused.
    let today = state.today();
    match dwa_workflow::schedule_activation(&state.store, &region, &body.version, body.from, today, &by).await? {
        dwa_workflow::Scheduled::Later { id, from } => Ok(Json(serde_json::json!({ "scheduled": id, "from": from }))),
        dwa_workflow::Scheduled::Now => {
            let active = dwa_workflow::activate_version(&state.store, &state.policies, &region, &body.version, &by)
                .await
                .map_err(|e| crate::candidate::error(e, "version", "version"))?;
            Ok(Json(serde_json::json!({ "active": active })))
        }
    }
}

/// A manifest's text: UTF-8, at most [`MAX_MANIFEST_BYTES`], no control or bidirectional
/// characters.
fn manifest_text<'a>(field: &str, bytes: &'a [u8]) -> Result<&'a str, ApiError> {
    if bytes.len() > MAX_MANIFEST_BYTES {
        return Err(ApiError::invalid(
            field,
            format!("the manifest is larger than {} KiB", MAX_MANIFEST_BYTES >> 10),
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| ApiError::invalid(field, "the manifest must be UTF-8 TOML"))?;
    check_text(field, text, TextRule::MANIFEST)?;
    Ok(text)
}

/// Changing rules: a region's policy admin for its own region, and the provincial admin for the
/// province's rules (which carry the guardrails).
fn require_policy_author(caller: &Caller, region: &str) -> Result<(), ApiError> {
    caller.require(&[Role::PolicyAdmin, Role::ProvincialAdmin])?;
    super::path_id("region", region)?;
    if caller.role == Role::ProvincialAdmin && region != dwa_workflow::PROVINCE {
        return Err(ApiError::forbidden(format!(
            "the provincial admin changes the province's rules and guardrails, not region {region}'s"
        )));
    }
    caller.require_region(region)
}
