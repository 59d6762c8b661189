//! Bearer-token authentication and region-scoped roles. A token is 32 random bytes shown once
//! (`dwa token create`) and stored as its sha256. Every check that a caller may see or change
//! something is here, so the handlers read as plain workflow.

use super::{ApiError, AppState};
use crate::store::{EmployeeRecord, TokenGrant};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::{Deserialize, Serialize};

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

    fn from_code(code: &str) -> Option<Role> {
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
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Caller, ApiError> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .ok_or_else(|| ApiError::unauthenticated("missing `Authorization: Bearer <token>` header"))?;
        let token = header
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= 256)
            .ok_or_else(|| ApiError::unauthenticated("the Authorization header must be `Bearer <token>`"))?;
        let grant = match state.token_cache.get(token) {
            Some(grant) => grant,
            None => {
                let grant: TokenGrant = state
                    .store
                    .token_grant(token)
                    .await?
                    .ok_or_else(|| ApiError::unauthenticated("unknown token"))?;
                state.token_cache.put(token, &grant);
                grant
            }
        };
        let role =
            Role::from_code(&grant.role).ok_or_else(|| ApiError::unauthenticated("token with an unknown role"))?;
        Ok(Caller {
            role,
            region: grant.region,
            nip: grant.nip,
        })
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
