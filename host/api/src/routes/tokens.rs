//! API tokens: the provincial admin lists and revokes every region's tokens; a region's HR
//! those of its region (but not provincial-admin tokens). A list never shows a token or its
//! hash, only its id; a revocation is audited and refused at once on every replica.

use crate::{ApiError, AppState, Caller, Role};
use axum::Json;
use axum::extract::{Path, Query, State};
use dwa_workflow::{StoredToken, TokenFilter, unix_now, unix_rfc3339};
use serde::Serialize;
use std::collections::HashMap;

/// Most tokens one list returns unless `limit` says otherwise.
const DEFAULT_LIMIT: usize = 1000;
/// Most tokens one list may return.
const MAX_LIMIT: usize = 10_000;

/// A token as lists show it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct TokenView {
    /// Its id (16 hex digits), what `DELETE /api/tokens/{id}` names.
    pub id: String,
    /// Role code.
    pub role: String,
    /// Region code.
    pub region: String,
    /// The person, for employee and supervisor tokens.
    pub nip: Option<String>,
    /// What it is for.
    pub label: Option<String>,
    /// When it was made (RFC 3339).
    pub created_at: String,
    /// Who made it.
    pub created_by: Option<String>,
    /// When it expires (RFC 3339).
    pub expires_at: String,
    /// When it was revoked (RFC 3339).
    pub revoked_at: Option<String>,
    /// By whom.
    pub revoked_by: Option<String>,
    /// `live`, `expired` or `revoked`.
    pub state: String,
}

impl From<StoredToken> for TokenView {
    fn from(t: StoredToken) -> TokenView {
        TokenView {
            state: t.state(unix_now()).code().into(),
            id: t.id,
            role: t.grant.role,
            region: t.grant.region,
            nip: t.grant.nip,
            label: t.label,
            created_at: t.created_at,
            created_by: t.created_by,
            expires_at: unix_rfc3339(t.expires_at),
            revoked_at: t.revoked_at.map(unix_rfc3339),
            revoked_by: t.revoked_by,
        }
    }
}

/// Refuse a caller who may not manage `token`: the provincial admin manages every token; a
/// region's HR its region's, except provincial-admin ones.
fn require_manages(caller: &Caller, token: &StoredToken) -> Result<(), ApiError> {
    caller.require_region(&token.grant.region)?;
    if caller.role != Role::ProvincialAdmin && token.grant.role == Role::ProvincialAdmin.code() {
        return Err(ApiError::forbidden(format!(
            "a {} token cannot manage provincial-admin tokens",
            caller.role.code()
        )));
    }
    Ok(())
}

/// List tokens, oldest first (provincial admin: every region's; HR: its region's, without
/// provincial-admin tokens).
#[utoipa::path(
    get,
    path = "/api/tokens",
    tag = "tokens",
    params(
        ("region" = Option<String>, Query, description = "only this region's tokens"),
        ("role" = Option<String>, Query, description = "only this role's tokens (e.g. `hr`)"),
        ("limit" = Option<usize>, Query, description = "at most this many (default 1000, at most 10000)")
    ),
    security(("bearer" = [])),
    responses((status = 200, body = [TokenView]), (status = 401), (status = 403), (status = 422))
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Vec<TokenView>>, ApiError> {
    caller.require(&[Role::Hr, Role::ProvincialAdmin])?;
    let region: Option<String> = super::query_opt(&params, "region")?;
    if let Some(region) = &region {
        super::path_id("region", region)?;
        caller.require_region(region)?;
    }
    let role = super::query_opt::<String>(&params, "role")?
        .map(|code| {
            Role::from_code(&code)
                .map(|r| r.code().to_owned())
                .ok_or_else(|| ApiError::invalid("role", format!("unknown role `{code}`")))
        })
        .transpose()?;
    let limit: usize = super::query_opt(&params, "limit")?.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::invalid("limit", format!("between 1 and {MAX_LIMIT}")));
    }
    let filter = if caller.role == Role::ProvincialAdmin {
        TokenFilter {
            region,
            role,
            except_role: None,
            limit: Some(limit),
        }
    } else {
        TokenFilter {
            region: Some(caller.region.clone()),
            role,
            except_role: Some(Role::ProvincialAdmin.code().into()),
            limit: Some(limit),
        }
    };
    let tokens = dwa_workflow::tokens::list_tokens(&state.store, &filter).await?;
    Ok(Json(tokens.into_iter().map(Into::into).collect()))
}

/// Revoke a token (provincial admin; HR for its region's tokens): it is refused at once on
/// every replica, and the revocation audited. 404 for an unknown id, 409 if already revoked.
#[utoipa::path(
    delete,
    path = "/api/tokens/{id}",
    tag = "tokens",
    params(("id" = String, Path, description = "token id (from the list)")),
    security(("bearer" = [])),
    responses(
        (status = 200, body = TokenView),
        (status = 401),
        (status = 403),
        (status = 404),
        (status = 409)
    )
)]
pub async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<TokenView>, ApiError> {
    caller.require(&[Role::Hr, Role::ProvincialAdmin])?;
    super::path_id("id", &id)?;
    let token = dwa_workflow::tokens::token(&state.store, &id).await?;
    require_manages(&caller, &token)?;
    let by = caller.actor();
    let revoked = dwa_workflow::tokens::revoke_token(&state.store, &state.token_cache, &id, &by).await?;
    Ok(Json(revoked.into()))
}
