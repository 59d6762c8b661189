//! API access data: bearer tokens (only their sha256 is stored) and agency heads.

use super::tokens::{NewToken, TokenState, insert_query, unix_now};
use super::{Store, StoreError, now_rfc3339};
use sha2::{Digest, Sha256};
use sqlx::Row;

/// A stored token's grant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenGrant {
    /// Role code, e.g. `hr`.
    pub role: String,
    /// Region code the role is scoped to.
    pub region: String,
    /// NIP for employee and supervisor tokens.
    pub nip: Option<String>,
}

/// sha256 of a token, as stored.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl Store {
    /// Store a new token's hash with its grant, expiring after the default lifetime
    /// ([`super::DEFAULT_TOKEN_SECONDS`]).
    pub async fn insert_token(&self, token: &str, grant: &TokenGrant) -> Result<(), StoreError> {
        self.insert_token_with(token, grant, &NewToken::default_lifetime())
            .await?;
        Ok(())
    }

    /// Store many tokens in one transaction (provisioning a whole region at once), each
    /// expiring as `new` says.
    pub async fn insert_tokens(&self, tokens: &[(String, TokenGrant)], new: &NewToken) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let now = now_rfc3339();
        for (token, grant) in tokens {
            insert_query(token, grant, new, now.clone()).execute(&mut **tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Up to `limit` NIPs of a region's employees, in NIP order.
    pub async fn region_nips(&self, region: &str, limit: usize) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query("SELECT nip FROM employees WHERE region = $1 ORDER BY nip LIMIT $2")
            .bind(region)
            .bind(limit.min(i64::MAX as usize) as i64)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok(r.try_get("nip")?)).collect()
    }

    /// The grant of a presented token, if it exists and is live (neither expired nor revoked).
    pub async fn token_grant(&self, token: &str) -> Result<Option<TokenGrant>, StoreError> {
        Ok(self
            .token_record(token)
            .await?
            .filter(|t| t.state(unix_now()) == TokenState::Live)
            .map(|t| t.grant))
    }

    /// Whether a region exists.
    pub async fn region_exists(&self, code: &str) -> Result<bool, StoreError> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM regions WHERE code = $1")
            .bind(code)
            .fetch_one(&self.pool)
            .await?;
        Ok(n > 0)
    }

    /// Set the head of an agency.
    pub async fn set_agency_head(&self, region: &str, agency: &str, nip: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO agency_heads (region, agency, nip) VALUES ($1, $2, $3) \
             ON CONFLICT (region, agency) DO UPDATE SET nip = excluded.nip",
        )
        .bind(region)
        .bind(agency)
        .bind(nip)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The heads of a region's agencies, by agency.
    pub async fn agency_heads(&self, region: &str) -> Result<std::collections::HashMap<String, String>, StoreError> {
        let rows: Vec<(String, String)> = sqlx::query_as("SELECT agency, nip FROM agency_heads WHERE region = $1")
            .bind(region)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().collect())
    }

    /// The head of an agency, if set.
    pub async fn agency_head(&self, region: &str, agency: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT nip FROM agency_heads WHERE region = $1 AND agency = $2")
            .bind(region)
            .bind(agency)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get("nip")).transpose()?)
    }
}

impl Store {
    /// A sample person for demo tokens: the first employee (by NIP) of `region` with a live
    /// application and a supervisor, and that supervisor.
    pub async fn sample_applicant(&self, region: &str) -> Result<Option<(String, String)>, StoreError> {
        let row = sqlx::query(
            "SELECT e.nip, e.supervisor_nip FROM employees e JOIN applications a ON a.nip = e.nip \
             WHERE e.region = $1 AND e.supervisor_nip IS NOT NULL AND a.status = 'submitted' ORDER BY e.nip LIMIT 1",
        )
        .bind(region)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((r.try_get("nip")?, r.try_get("supervisor_nip")?)))
            .transpose()
    }
}
