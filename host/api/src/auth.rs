//! Bearer-token authentication and region-scoped roles. A token is 32 random bytes shown once
//! (`dwa token create`) and stored as its sha256. Every check that a caller may see or change
//! something is here, so the handlers read as plain workflow. A failed authentication is logged
//! (client address, route, reason; never the token) and throttled per client address
//! ([`super::throttle`]; behind a trusted proxy, the client it forwards for: [`super::client`]).
//! A throttled client's valid token also gets 429, so guessing learns nothing; another client's
//! valid token is never refused.

use super::throttle::AuthThrottle;
use super::{ApiError, AppState};
use axum::extract::{FromRequestParts, MatchedPath};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use dwa_workflow::EmployeeRecord;
use dwa_workflow::tokens::TokenError;
use serde::{Deserialize, Serialize};
use sha2::Digest;

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
    /// The id of the API token presented (or the one a browser session was signed in with):
    /// the audit trail names it, so an action is traced to a token that can be listed and
    /// revoked, not only to a role.
    pub token_id: Option<String>,
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
        // Expired and revoked tokens count as failed authentications like unknown ones.
        let (token_id, grant) =
            match dwa_workflow::tokens::authenticate_with_id(&state.store, &state.token_cache, token).await {
                Ok(found) => found,
                Err(TokenError::Unknown) => return Err(attempt.failed(Failure::UnknownToken)),
                Err(TokenError::Expired(_)) => return Err(attempt.failed(Failure::Expired)),
                Err(TokenError::Revoked) => return Err(attempt.failed(Failure::Revoked)),
                Err(TokenError::Store(e)) => return Err(ApiError::from(e).into_response()),
            };
        let role = Role::from_code(&grant.role)
            .ok_or_else(|| ApiError::unauthenticated("token with an unknown role").into_response())?;
        // For the request's log lines and access line: the role and the token's id, never the token.
        super::access_log::note_caller(&parts.extensions, role.code(), Some(&token_id));
        Ok(Caller {
            role,
            region: grant.region,
            nip: grant.nip,
            token_id: Some(token_id),
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
    /// A known token past its expiry.
    Expired,
    /// A known token that was revoked.
    Revoked,
}

/// One request's attempt to authenticate: refused at once (429) while its address is
/// throttled; a failure is logged (address, route, reason — never the token) and counted.
struct Attempt {
    client: super::Client,
    key: std::net::IpAddr,
    route: String,
    throttle: std::sync::Arc<AuthThrottle>,
}

impl Attempt {
    /// The attempt, or the seconds until the address may try again.
    fn new(parts: &Parts, state: &AppState) -> Result<Attempt, u64> {
        let client = super::client::of_parts(parts, state);
        let key = AuthThrottle::key_of(client.ip);
        if let Some(seconds) = state.auth_throttle.blocked(key) {
            tracing::debug!(%client, "authentication throttled");
            return Err(seconds);
        }
        let route = parts.extensions.get::<MatchedPath>().map_or_else(
            || parts.uri.path().chars().take(200).collect(),
            |p| p.as_str().to_owned(),
        );
        Ok(Attempt {
            client,
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
            Failure::Expired => "expired token",
            Failure::Revoked => "revoked token",
        };
        tracing::warn!(client = %self.client, route = %self.route, reason, failures, "authentication failed");
        ApiError::unauthenticated(match failure {
            Failure::Malformed => "the Authorization header must be `Bearer <token>`",
            Failure::UnknownToken => "unknown token",
            Failure::Expired => "the token expired; ask for a new one",
            Failure::Revoked => "the token was revoked",
        })
        .into_response()
    }
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
    /// Who did something, as the audit trail records it: the role and its region, the person's
    /// NIP where the role names one, and the token's id — `policy-admin of region 3216 (token
    /// 0123456789abcdef)`.
    pub fn actor(&self) -> String {
        let mut actor = format!("{} of region {}", self.role.code(), self.region);
        if let Some(nip) = &self.nip {
            actor.push_str(&format!(" (NIP {nip})"));
        }
        match &self.token_id {
            Some(id) => actor.push_str(&format!(" (token {id})")),
            None => actor.push_str(" (session without a token)"),
        }
        actor
    }

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
