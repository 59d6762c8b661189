//! What the web pages keep and read beyond the API's data: one-time sign-in codes, browser
//! sessions (both stored only as the sha256 of their secret), approvers' notes, and the lists a
//! page shows at once (a person's applications, a supervisor's reports and queue).

use super::{Store, StoreError, TokenGrant, token_hash};
use sqlx::Row;

/// A live browser session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebSession {
    /// Who signed in, with the same grant an API token carries.
    pub grant: TokenGrant,
    /// The session's CSRF token, which every form posts back.
    pub csrf: String,
    /// When it expires (Unix seconds).
    pub expires_at: i64,
    /// The id of the API token it was signed in with, if any: revoking the token ends it.
    pub token_id: Option<String>,
}

/// A direct report with their live application for a quarter, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TeamMember {
    /// NIP.
    pub nip: String,
    /// Name.
    pub name: String,
    /// Unit code.
    pub unit: String,
    /// Their live (not withdrawn) application for the quarter.
    pub application_id: Option<String>,
}

fn team_member(r: &sqlx::any::AnyRow) -> Result<TeamMember, StoreError> {
    Ok(TeamMember {
        nip: r.try_get("nip")?,
        name: r.try_get("name")?,
        unit: r.try_get("unit")?,
        application_id: r.try_get("application_id")?,
    })
}

fn grant_of(row: &sqlx::any::AnyRow) -> Result<TokenGrant, StoreError> {
    Ok(TokenGrant {
        role: row.try_get("role")?,
        region: row.try_get("region")?,
        nip: row.try_get("nip")?,
    })
}

impl Store {
    /// Store a one-time sign-in code's hash with its grant, valid until `expires_at`.
    pub async fn insert_signin_code(
        &self,
        code: &str,
        grant: &TokenGrant,
        now: i64,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO signin_codes (code_sha256, role, region, nip, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token_hash(code))
        .bind(&grant.role)
        .bind(&grant.region)
        .bind(grant.nip.as_deref())
        .bind(now)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Use a sign-in code: its grant if it exists, has not expired and was never used; it is
    /// marked used in the same statement, so two concurrent uses cannot both succeed.
    pub async fn redeem_signin_code(&self, code: &str, now: i64) -> Result<Option<TokenGrant>, StoreError> {
        let hash = token_hash(code);
        let mut tx = self.begin_write().await?;
        let used = sqlx::query(
            "UPDATE signin_codes SET used_at = $1 WHERE code_sha256 = $2 AND used_at IS NULL AND expires_at > $1",
        )
        .bind(now)
        .bind(&hash)
        .execute(&mut **tx)
        .await?;
        if used.rows_affected() != 1 {
            return Ok(None);
        }
        let row = sqlx::query("SELECT role, region, nip FROM signin_codes WHERE code_sha256 = $1")
            .bind(&hash)
            .fetch_one(&mut **tx)
            .await?;
        let grant = grant_of(&row)?;
        tx.commit().await?;
        Ok(Some(grant))
    }

    /// Open a session (its id's hash is stored) and drop sessions that have expired.
    pub async fn insert_session(&self, id: &str, session: &WebSession, now: i64) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM web_sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&mut **tx)
            .await?;
        sqlx::query(
            "INSERT INTO web_sessions (session_sha256, role, region, nip, csrf, created_at, expires_at, token_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(token_hash(id))
        .bind(&session.grant.role)
        .bind(&session.grant.region)
        .bind(session.grant.nip.as_deref())
        .bind(&session.csrf)
        .bind(now)
        .bind(session.expires_at)
        .bind(session.token_id.as_deref())
        .execute(&mut **tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The session with this id, unless it expired or was signed out.
    pub async fn session(&self, id: &str, now: i64) -> Result<Option<WebSession>, StoreError> {
        let row = sqlx::query(
            "SELECT role, region, nip, csrf, expires_at, token_id FROM web_sessions WHERE session_sha256 = $1 AND expires_at > $2",
        )
        .bind(token_hash(id))
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(WebSession {
                grant: grant_of(&r)?,
                csrf: r.try_get("csrf")?,
                expires_at: r.try_get("expires_at")?,
                token_id: r.try_get("token_id")?,
            })
        })
        .transpose()
    }

    /// End a session (sign out).
    pub async fn delete_session(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM web_sessions WHERE session_sha256 = $1")
            .bind(token_hash(id))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// A person's live (not withdrawn) application for a quarter, if any.
    pub async fn live_application_id(
        &self,
        nip: &str,
        quarter: dwa_sdk::Quarter,
    ) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT id FROM applications WHERE nip = $1 AND quarter = $2 AND status <> 'withdrawn' ORDER BY submitted_at DESC",
        )
        .bind(nip)
        .bind(quarter.to_string())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| r.0))
    }

    /// The direct reports of a supervisor, by name, each with their live application for `quarter`.
    pub async fn team(&self, supervisor_nip: &str, quarter: dwa_sdk::Quarter) -> Result<Vec<TeamMember>, StoreError> {
        let rows = sqlx::query(
            "SELECT e.nip, e.name, e.unit, a.id AS application_id FROM employees e \
             LEFT JOIN applications a ON a.nip = e.nip AND a.quarter = $2 AND a.status <> 'withdrawn' \
             WHERE e.supervisor_nip = $1 ORDER BY e.name, e.nip",
        )
        .bind(supervisor_nip)
        .bind(quarter.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(team_member).collect()
    }

    /// Everyone of an agency with a live application for `quarter`, by name: the queue its head
    /// gives the head-of-agency approval from.
    pub async fn agency_applicants(
        &self,
        region: &str,
        agency: &str,
        quarter: dwa_sdk::Quarter,
    ) -> Result<Vec<TeamMember>, StoreError> {
        let rows = sqlx::query(
            "SELECT e.nip, e.name, e.unit, a.id AS application_id FROM employees e \
             JOIN applications a ON a.nip = e.nip AND a.quarter = $3 AND a.status <> 'withdrawn' \
             WHERE e.region = $1 AND e.agency = $2 ORDER BY e.name, e.nip",
        )
        .bind(region)
        .bind(agency)
        .bind(quarter.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(team_member).collect()
    }

    /// The approvers' notes on an application: `(approver, note)`.
    pub async fn approval_notes(&self, application_id: &str) -> Result<Vec<(String, String)>, StoreError> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT approver, note FROM approval_notes WHERE application_id = $1 ORDER BY approver")
                .bind(application_id)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows)
    }
}
