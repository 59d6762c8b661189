//! The lifecycle of API tokens: each has a short id (the first 16 hex digits of its sha256),
//! an expiry and may be revoked; revocations are audited and, on PostgreSQL, announced on
//! [`TOKEN_CHANNEL`] so that every replica drops the token from its cache at once. Times are
//! Unix seconds, as in the web sessions (migration 0015 says why).

use super::{Backend, Store, StoreError, TokenGrant, new_id, now_rfc3339, token_hash};
use sqlx::Row;

/// The PostgreSQL channel on which revocations are announced (payload: the token's id).
pub const TOKEN_CHANNEL: &str = "dwa_tokens";

/// The lifetime of a token when none is chosen, and of tokens created before expiry existed
/// (counted from their creation): 90 days.
pub const DEFAULT_TOKEN_SECONDS: i64 = 90 * 86_400;

/// How many hex digits of the sha256 make a token's id.
const ID_DIGITS: usize = 16;

/// The id of a token: the first 16 hex digits of its sha256 (shown in lists; says nothing
/// usable about the token).
pub fn token_id(token: &str) -> String {
    token_hash(token)[..ID_DIGITS].to_owned()
}

/// Seconds since the Unix epoch.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Unix seconds as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn unix_rfc3339(secs: i64) -> String {
    dwa_domain::clock::rfc3339_of_unix(secs)
}

/// Unix seconds of a stored `created_at` (`YYYY-MM-DDTHH:MM:SS…Z`), if it reads as one.
fn rfc3339_unix(text: &str) -> Option<i64> {
    dwa_domain::clock::unix_of_rfc3339(text)
}

/// What a new token carries beyond its grant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewToken {
    /// When it expires (Unix seconds).
    pub expires_at: i64,
    /// What it is for, if said.
    pub label: Option<String>,
    /// Who made it, if known.
    pub created_by: Option<String>,
}

impl NewToken {
    /// A token of the default lifetime from now, without label or maker.
    pub fn default_lifetime() -> NewToken {
        NewToken {
            expires_at: unix_now() + DEFAULT_TOKEN_SECONDS,
            label: None,
            created_by: None,
        }
    }
}

/// Whether a stored token may be used now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenState {
    /// Neither expired nor revoked.
    Live,
    /// Past its expiry.
    Expired,
    /// Revoked (whether or not also expired).
    Revoked,
}

impl TokenState {
    /// `live`, `expired` or `revoked`.
    pub fn code(self) -> &'static str {
        match self {
            TokenState::Live => "live",
            TokenState::Expired => "expired",
            TokenState::Revoked => "revoked",
        }
    }
}

/// A stored token, as lists show it (never the token or its full hash).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredToken {
    /// Its id (16 hex digits).
    pub id: String,
    /// What it allows.
    pub grant: TokenGrant,
    /// What it is for.
    pub label: Option<String>,
    /// When it was made (RFC 3339).
    pub created_at: String,
    /// Who made it.
    pub created_by: Option<String>,
    /// When it expires (Unix seconds; for tokens made before expiry existed, created + 90 days).
    pub expires_at: i64,
    /// When it was revoked (Unix seconds).
    pub revoked_at: Option<i64>,
    /// By whom.
    pub revoked_by: Option<String>,
}

impl StoredToken {
    /// Whether it may be used at `now` (Unix seconds).
    pub fn state(&self, now: i64) -> TokenState {
        if self.revoked_at.is_some() {
            TokenState::Revoked
        } else if now >= self.expires_at {
            TokenState::Expired
        } else {
            TokenState::Live
        }
    }
}

/// Which tokens a list shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TokenFilter {
    /// Only this region's.
    pub region: Option<String>,
    /// Only this role's (code).
    pub role: Option<String>,
    /// Not this role's (code): regional HR does not see provincial-admin tokens.
    pub except_role: Option<String>,
    /// At most this many (oldest first).
    pub limit: Option<usize>,
}

const COLUMNS: &str = "id, role, region, nip, label, created_at, created_by, expires_at, revoked_at, revoked_by";

fn stored(row: &sqlx::any::AnyRow) -> Result<StoredToken, StoreError> {
    let created_at: String = row.try_get("created_at")?;
    let expires_at: Option<i64> = row.try_get("expires_at")?;
    // A token from before expiry existed: the default lifetime from its creation; a creation
    // time that does not read (a hand-edited row) makes it expired, failing closed.
    let expires_at =
        expires_at.unwrap_or_else(|| rfc3339_unix(&created_at).map_or(0, |created| created + DEFAULT_TOKEN_SECONDS));
    Ok(StoredToken {
        id: row.try_get("id")?,
        grant: TokenGrant {
            role: row.try_get("role")?,
            region: row.try_get("region")?,
            nip: row.try_get("nip")?,
        },
        label: row.try_get("label")?,
        created_at,
        created_by: row.try_get("created_by")?,
        expires_at,
        revoked_at: row.try_get("revoked_at")?,
        revoked_by: row.try_get("revoked_by")?,
    })
}

/// The statement that stores a new token (alone, in a batch or with `dwa init`).
pub(crate) fn insert_query<'q>(
    token: &str,
    grant: &'q TokenGrant,
    new: &'q NewToken,
    now: String,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    sqlx::query(
        "INSERT INTO api_tokens (token_sha256, id, role, region, nip, created_at, expires_at, label, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(token_hash(token))
    .bind(token_id(token))
    .bind(&grant.role)
    .bind(&grant.region)
    .bind(grant.nip.as_deref())
    .bind(now)
    .bind(new.expires_at)
    .bind(new.label.as_deref())
    .bind(new.created_by.as_deref())
}

impl Store {
    /// Store a new token's hash with its grant, expiry, label and maker; returns its id.
    pub async fn insert_token_with(
        &self,
        token: &str,
        grant: &TokenGrant,
        new: &NewToken,
    ) -> Result<String, StoreError> {
        insert_query(token, grant, new, now_rfc3339())
            .execute(&self.pool)
            .await?;
        Ok(token_id(token))
    }

    /// The stored token a presented one is, whatever its state; `None` if unknown.
    pub async fn token_record(&self, token: &str) -> Result<Option<StoredToken>, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM api_tokens WHERE token_sha256 = $1"))
            .bind(token_hash(token))
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(stored).transpose()
    }

    /// The token with this id; [`StoreError::NotFound`] if there is none.
    pub async fn token_by_id(&self, id: &str) -> Result<StoredToken, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM api_tokens WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("token {id}")))?;
        stored(&row)
    }

    /// The tokens the filter selects, oldest first.
    pub async fn tokens(&self, filter: &TokenFilter) -> Result<Vec<StoredToken>, StoreError> {
        let mut sql = format!("SELECT {COLUMNS} FROM api_tokens WHERE 1 = 1");
        let mut binds = Vec::new();
        for (column, op, value) in [
            ("region", "=", &filter.region),
            ("role", "=", &filter.role),
            ("role", "<>", &filter.except_role),
        ] {
            if let Some(value) = value {
                binds.push(value.clone());
                sql.push_str(&format!(" AND {column} {op} ${}", binds.len()));
            }
        }
        sql.push_str(" ORDER BY created_at, id");
        if let Some(limit) = filter.limit {
            sql.push_str(&format!(" LIMIT {}", limit.min(i64::MAX as usize)));
        }
        let mut query = sqlx::query(&sql);
        for value in binds {
            query = query.bind(value);
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(stored).collect()
    }

    /// Revoke a token at `now` (Unix seconds): it is marked revoked, the revocation audited,
    /// browser sessions signed in with it ended and, on PostgreSQL, the revocation announced on
    /// [`TOKEN_CHANNEL`] (delivered when the transaction commits). [`StoreError::NotFound`] for
    /// an unknown id, [`StoreError::Conflict`] for a token already revoked.
    pub async fn revoke_token(&self, id: &str, by: &str, now: i64) -> Result<StoredToken, StoreError> {
        let mut tx = self.begin_write().await?;
        let changed =
            sqlx::query("UPDATE api_tokens SET revoked_at = $1, revoked_by = $2 WHERE id = $3 AND revoked_at IS NULL")
                .bind(now)
                .bind(by)
                .bind(id)
                .execute(&mut **tx)
                .await?;
        if changed.rows_affected() != 1 {
            drop(tx);
            let token = self.token_by_id(id).await?;
            return Err(StoreError::Conflict(format!(
                "token {id} was already revoked{}",
                token.revoked_by.map(|by| format!(" by {by}")).unwrap_or_default()
            )));
        }
        sqlx::query(
            "INSERT INTO token_audit (id, token_id, action, actor, detail, at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(new_id("tok"))
        .bind(id)
        .bind("revoke")
        .bind(by)
        .bind("")
        .bind(now_rfc3339())
        .execute(&mut **tx)
        .await?;
        sqlx::query("DELETE FROM web_sessions WHERE token_id = $1")
            .bind(id)
            .execute(&mut **tx)
            .await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(TOKEN_CHANNEL)
                .bind(id)
                .execute(&mut **tx)
                .await?;
        }
        tx.commit().await?;
        self.token_by_id(id).await
    }

    /// A mark that changes whenever a token is revoked through the host (the count and latest
    /// time of audited revocations): cheap to read, for processes that cannot LISTEN (SQLite).
    pub async fn revocation_mark(&self) -> Result<(i64, String), StoreError> {
        let (count, last): (i64, Option<String>) = sqlx::query_as("SELECT COUNT(*), MAX(at) FROM token_audit")
            .fetch_one(&self.pool)
            .await?;
        Ok((count, last.unwrap_or_default()))
    }

    /// The audited actions on a token, oldest first: `(action, actor, at)`.
    pub async fn token_audit(&self, id: &str) -> Result<Vec<(String, String, String)>, StoreError> {
        let rows: Vec<(String, String, String)> =
            sqlx::query_as("SELECT action, actor, at FROM token_audit WHERE token_id = $1 ORDER BY at, id")
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows)
    }
}

/// The revocations other processes announce on [`TOKEN_CHANNEL`] (PostgreSQL LISTEN).
pub struct TokenListener(sqlx::postgres::PgListener);

impl TokenListener {
    /// Listen on [`TOKEN_CHANNEL`] of the PostgreSQL database at `database_url`.
    pub async fn connect(database_url: &str) -> Result<TokenListener, StoreError> {
        let mut listener = sqlx::postgres::PgListener::connect(database_url).await?;
        listener.listen(TOKEN_CHANNEL).await?;
        Ok(TokenListener(listener))
    }

    /// The next revoked token's id; `Ok(None)` when the connection was lost (announcements
    /// may have been missed meanwhile: the caller reconnects and forgets what it cached).
    pub async fn recv(&mut self) -> Result<Option<String>, StoreError> {
        Ok(self.0.try_recv().await?.map(|n| n.payload().to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_back() {
        let secs = 1_796_000_123;
        assert_eq!(rfc3339_unix(&unix_rfc3339(secs)), Some(secs));
        assert_eq!(rfc3339_unix("1970-01-02T00:00:01Z"), Some(86_401));
        assert_eq!(
            rfc3339_unix("2026-12-07T01:02:03.000004Z"),
            rfc3339_unix("2026-12-07T00:00:00Z").map(|midnight| midnight + 3723)
        );
        assert_eq!(rfc3339_unix("garbage"), None);
    }
}
