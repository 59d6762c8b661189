//! Bearer-token authentication and region-scoped roles. A token is 32 random bytes shown once
//! (`dwa token create`) and stored as its sha256. Every check that a caller may see or change
//! something is here, so the handlers read as plain workflow. A failed authentication is logged
//! (client address, route, reason; never the token) and throttled per address
//! ([`super::throttle`]).

use super::throttle::AuthThrottle;
use super::{ApiError, AppState};
use axum::extract::{ConnectInfo, FromRequestParts, MatchedPath};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use dwa_store::{EmployeeRecord, TokenGrant};
use serde::{Deserialize, Serialize};
use sha2::Digest;
use std::net::SocketAddr;

/// What a token allows, always within its region.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// A civil servant: their own applications, decisions and roster.
    Employee,
    /// A supervisor: approvals and rosters of their direct reports (and agency heads' approvals).
    Supervisor,
    /// Regional HR (BKD/BKPSDM): import, allocation, reviews, reports of the region.
    Hr,
    /// Regional policy admin: decisions, replays and reports of the region.
    PolicyAdmin,
    /// Provincial admin: reads every region.
    ProvincialAdmin,
}

impl Role {
    /// The code stored with the token.
    pub fn code(self) -> &'static str {
        match self {
            Role::Employee => "employee",
            Role::Supervisor => "supervisor",
            Role::Hr => "hr",
            Role::PolicyAdmin => "policy-admin",
            Role::ProvincialAdmin => "provincial-admin",
        }
    }

    /// The role of a stored code.
    pub fn from_code(code: &str) -> Option<Role> {
        [
            Role::Employee,
            Role::Supervisor,
            Role::Hr,
            Role::PolicyAdmin,
            Role::ProvincialAdmin,
        ]
        .into_iter()
        .find(|r| r.code() == code)
    }

    /// Whether tokens of this role name a person.
    pub fn needs_nip(self) -> bool {
        matches!(self, Role::Employee | Role::Supervisor)
    }
}

/// The authenticated caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// Role.
    pub role: Role,
    /// Region the role is scoped to.
    pub region: String,
    /// The caller's NIP (employees and supervisors).
    pub nip: Option<String>,
}

/// A fresh random token (`dwa_` + 64 hex digits).
pub fn new_token() -> String {
    format!("dwa_{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple())
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Caller, Response> {
        let header = parts.headers.get(axum::http::header::AUTHORIZATION).ok_or_else(|| {
            ApiError::unauthenticated("missing `Authorization: Bearer <token>` header").into_response()
        })?;
        let attempt = Attempt::new(parts, state).map_err(too_many_failures)?;
        let Some(token) = bearer(header) else {
            return Err(attempt.failed(Failure::Malformed));
        };
        let grant = match state.token_cache.get(token) {
            Some(grant) => grant,
            None => {
                let grant: TokenGrant = match state.store.token_grant(token).await {
                    Ok(Some(grant)) => grant,
                    Ok(None) => return Err(attempt.failed(Failure::UnknownToken)),
                    Err(e) => return Err(ApiError::from(e).into_response()),
                };
                state.token_cache.put(token, &grant);
                grant
            }
        };
        let role = Role::from_code(&grant.role)
            .ok_or_else(|| ApiError::unauthenticated("token with an unknown role").into_response())?;
        Ok(Caller {
            role,
            region: grant.region,
            nip: grant.nip,
        })
    }
}

/// The token of `Authorization: Bearer <token>`, when the header has that form.
fn bearer(header: &HeaderValue) -> Option<&str> {
    header
        .to_str()
        .ok()
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.len() <= 256)
}

/// Why presented credentials were refused.
#[derive(Clone, Copy)]
enum Failure {
    /// Not `Bearer <token>` (or a token over 256 bytes).
    Malformed,
    /// A well-formed token that is not known.
    UnknownToken,
}

/// One request's attempt to authenticate: refused at once (429) while its address is
/// throttled; a failure is logged (address, route, reason — never the token) and counted.
struct Attempt {
    peer: Option<SocketAddr>,
    key: std::net::IpAddr,
    route: String,
    throttle: std::sync::Arc<AuthThrottle>,
}

impl Attempt {
    /// The attempt, or the seconds until the address may try again.
    fn new(parts: &Parts, state: &AppState) -> Result<Attempt, u64> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
        let key = AuthThrottle::key(peer);
        if let Some(seconds) = state.auth_throttle.blocked(key) {
            tracing::debug!(client = %client(peer), "authentication throttled");
            return Err(seconds);
        }
        let route = parts.extensions.get::<MatchedPath>().map_or_else(
            || parts.uri.path().chars().take(200).collect(),
            |p| p.as_str().to_owned(),
        );
        Ok(Attempt {
            peer,
            key,
            route,
            throttle: state.auth_throttle.clone(),
        })
    }

    fn failed(self, failure: Failure) -> Response {
        let failures = self.throttle.failed(self.key);
        let reason = match failure {
            Failure::Malformed => "malformed Authorization header",
            Failure::UnknownToken => "unknown token",
        };
        tracing::warn!(client = %client(self.peer), route = %self.route, reason, failures, "authentication failed");
        ApiError::unauthenticated(match failure {
            Failure::Malformed => "the Authorization header must be `Bearer <token>`",
            Failure::UnknownToken => "unknown token",
        })
        .into_response()
    }
}

fn client(peer: Option<SocketAddr>) -> String {
    peer.map_or_else(|| "unknown".to_owned(), |p| p.ip().to_string())
}

/// 429 with `Retry-After`, in the error shape.
fn too_many_failures(seconds: u64) -> Response {
    let mut response = ApiError {
        status: StatusCode::TOO_MANY_REQUESTS,
        code: "too_many_requests",
        field: None,
        message: format!("too many failed authentications from this address; retry in {seconds} s"),
    }
    .into_response();
    response.headers_mut().insert(
        axum::http::header::RETRY_AFTER,
        HeaderValue::from_str(&seconds.to_string()).unwrap_or(HeaderValue::from_static("60")),
    );
    response
}

/// Access to `/metrics`: open unless the state has a metrics token
/// ([`AppState::with_metrics_token`]); then `Authorization: Bearer <that token>` is required,
/// with the same logging and throttling of failures as API tokens.
pub struct MetricsAccess;

impl FromRequestParts<AppState> for MetricsAccess {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<MetricsAccess, Response> {
        let Some(expected) = &state.metrics_token else {
            return Ok(MetricsAccess);
        };
        let header = parts.headers.get(axum::http::header::AUTHORIZATION).ok_or_else(|| {
            ApiError::unauthenticated("/metrics requires `Authorization: Bearer <metrics token>`").into_response()
        })?;
        let attempt = Attempt::new(parts, state).map_err(too_many_failures)?;
        // Compare digests, so the time taken says nothing about how much of the token matched.
        let digest = |t: &str| sha2::Sha256::digest(t.as_bytes());
        match bearer(header) {
            Some(token) if digest(token) == digest(expected) => Ok(MetricsAccess),
            Some(_) => Err(attempt.failed(Failure::UnknownToken)),
            None => Err(attempt.failed(Failure::Malformed)),
        }
    }
}

impl Caller {
    /// Refuse unless the caller has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            let allowed: Vec<&str> = roles.iter().map(|r| r.code()).collect();
            Err(ApiError::forbidden(format!(
                "role {} may not do this (allowed: {})",
                self.role.code(),
                allowed.join(", ")
            )))
        }
    }

    /// Whether the caller may read the region's shared data (rosters, decisions, reports).
    pub fn reads_region(&self, region: &str) -> bool {
        self.role == Role::ProvincialAdmin || self.region == region
    }

    /// Refuse unless the caller's region is `region` (the provincial admin's is every region).
    pub fn require_region(&self, region: &str) -> Result<(), ApiError> {
        if self.reads_region(region) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "a {} token of region {} cannot act on region {region}",
                self.role.code(),
                self.region
            )))
        }
    }

    /// Whether the caller is this person.
    pub fn is(&self, nip: &str) -> bool {
        self.nip.as_deref() == Some(nip)
    }

    /// May the caller see this employee's data (profile, applications, decisions, roster)?
    /// Themselves; their supervisor; HR, policy admins of the region; the provincial admin.
    pub fn sees_employee(&self, employee: &EmployeeRecord, agency_head: Option<&str>) -> bool {
        match self.role {
            Role::Employee => self.is(&employee.nip),
            Role::Supervisor => {
                self.region == employee.region
                    && (self.is(&employee.nip)
                        || employee.supervisor_nip.as_deref().is_some_and(|s| self.is(s))
                        || agency_head.is_some_and(|h| self.is(h)))
            }
            Role::Hr | Role::PolicyAdmin => self.region == employee.region,
            Role::ProvincialAdmin => true,
        }
    }

    /// Refuse unless [`Caller::sees_employee`].
    pub fn require_sees(&self, employee: &EmployeeRecord, agency_head: Option<&str>) -> Result<(), ApiError> {
        if self.sees_employee(employee, agency_head) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "a {} token cannot see employee {}",
                self.role.code(),
                employee.nip
            )))
        }
    }
}

/// Grants of recently presented tokens, kept for [`TokenCache::TTL`]: a token is looked up in
/// the database once a minute instead of on every request. Unknown tokens are never cached, so
/// a token created a moment ago works at once; a grant changed or removed in the database is
/// seen within the TTL. Bounded: when full it starts over.
#[derive(Default)]
pub struct TokenCache {
    grants: std::sync::Mutex<std::collections::HashMap<String, (TokenGrant, std::time::Instant)>>,
}

impl TokenCache {
    /// How long a looked-up grant is trusted.
    pub const TTL: std::time::Duration = std::time::Duration::from_secs(60);
    const CAPACITY: usize = 200_000;

    fn get(&self, token: &str) -> Option<TokenGrant> {
        let grants = self.grants.lock().unwrap_or_else(|p| p.into_inner());
        grants
            .get(token)
            .filter(|(_, at)| at.elapsed() < Self::TTL)
            .map(|(grant, _)| grant.clone())
    }

    fn put(&self, token: &str, grant: &TokenGrant) {
        let mut grants = self.grants.lock().unwrap_or_else(|p| p.into_inner());
        if grants.len() >= Self::CAPACITY {
            grants.clear();
        }
        grants.insert(token.to_owned(), (grant.clone(), std::time::Instant::now()));
    }
}
