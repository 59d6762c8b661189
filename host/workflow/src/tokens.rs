//! API tokens: authenticating a presented token through a short-lived cache, their lifetimes,
//! lists and revocation. A revocation takes effect at once in the revoking process (its cache
//! entry is dropped) and on every other replica on PostgreSQL (announced on the token channel;
//! each replica's listener drops the token from its cache, and forgets its whole cache when the
//! listener reconnects, since announcements may have been missed meanwhile).
//!
//! SQLite has no LISTEN: a server on SQLite reads a cheap revocation mark (the count and latest
//! time of audited revocations) every [`SQLITE_POLL`] and forgets its cache when it changes, so a
//! `dwa token revoke` from another process is refused within about half a second. What nothing
//! announces — a row deleted or edited by hand in the database — is seen within
//! [`TokenCache::TTL`]: a cached grant is trusted for 5 seconds, then looked up again. Expiry
//! needs no look-up: it is checked against the cached expiry on every hit.

use super::WorkflowError;
use dwa_store::{
    Backend, NewToken, StoreError, StoredToken, TokenFilter, TokenGrant, TokenListener, TokenState, token_hash,
    unix_now, unix_rfc3339,
};
use dwa_store::{DEFAULT_TOKEN_SECONDS, Store};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How often a server on SQLite looks for revocations made by other processes.
pub const SQLITE_POLL: Duration = Duration::from_millis(500);

/// The longest lifetime a token may be given: ten years.
pub const MAX_TOKEN_SECONDS: i64 = 3650 * 86_400;

/// Why a presented token was refused.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// No such token (never made, or deleted).
    #[error("unknown token")]
    Unknown,
    /// The token expired (at the RFC 3339 time given).
    #[error("the token expired at {0}")]
    Expired(String),
    /// The token was revoked.
    #[error("the token was revoked")]
    Revoked,
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

struct Cached {
    id: String,
    grant: TokenGrant,
    expires_at: i64,
    at: Instant,
}

/// Grants of recently presented live tokens, by the token's sha256, trusted for
/// [`TokenCache::TTL`]. Unknown, expired and revoked tokens are never cached, so a token made a
/// moment ago works at once. Bounded: when full it starts over.
#[derive(Default)]
pub struct TokenCache {
    entries: Mutex<HashMap<String, Cached>>,
}

impl TokenCache {
    /// How long a looked-up grant is trusted: the bound on how long a change the host is not
    /// told of (a hand edit, a revocation from another process on SQLite) goes unseen.
    pub const TTL: Duration = Duration::from_secs(5);
    const CAPACITY: usize = 200_000;

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Cached>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Forget the token with this id (it was revoked).
    pub fn forget(&self, id: &str) {
        self.lock().retain(|_, cached| cached.id != id);
    }

    /// Forget every token (announcements may have been missed).
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// How many tokens are cached.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no token is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The grant of a presented token: from the cache while it is fresh (its expiry checked on
/// every use), else from the database.
pub async fn authenticate(store: &Store, cache: &TokenCache, token: &str) -> Result<TokenGrant, TokenError> {
    authenticate_with_id(store, cache, token).await.map(|(_, grant)| grant)
}

/// [`authenticate`], with the token's id (16 hex digits; what logs and the audit may name,
/// never the token itself).
pub async fn authenticate_with_id(
    store: &Store,
    cache: &TokenCache,
    token: &str,
) -> Result<(String, TokenGrant), TokenError> {
    let hash = token_hash(token);
    let now = unix_now();
    {
        let mut entries = cache.lock();
        if let Some(cached) = entries.get(&hash).filter(|c| c.at.elapsed() < TokenCache::TTL) {
            if now < cached.expires_at {
                return Ok((cached.id.clone(), cached.grant.clone()));
            }
            let expired = cached.expires_at;
            entries.remove(&hash);
            return Err(TokenError::Expired(unix_rfc3339(expired)));
        }
    }
    let stored = store.token_record(token).await?.ok_or(TokenError::Unknown)?;
    match stored.state(now) {
        TokenState::Revoked => Err(TokenError::Revoked),
        TokenState::Expired => Err(TokenError::Expired(unix_rfc3339(stored.expires_at))),
        TokenState::Live => {
            let mut entries = cache.lock();
            if entries.len() >= TokenCache::CAPACITY {
                entries.clear();
            }
            entries.insert(
                hash,
                Cached {
                    id: stored.id.clone(),
                    grant: stored.grant.clone(),
                    expires_at: stored.expires_at,
                    at: Instant::now(),
                },
            );
            Ok((stored.id, stored.grant))
        }
    }
}

/// A token lifetime written `<N>s`, `<N>m`, `<N>h` or `<N>d` (e.g. `90d`), in seconds: at least
/// one second, at most [`MAX_TOKEN_SECONDS`]. `field` names the option or field in errors.
pub fn parse_lifetime(field: &str, text: &str) -> Result<i64, WorkflowError> {
    let invalid = |message: String| WorkflowError::Invalid {
        field: field.to_owned(),
        problem: message.into(),
    };
    let text = text.trim();
    let at = text.char_indices().last().map_or(0, |(at, _)| at);
    let (number, unit) = text.split_at(at);
    let scale = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => {
            return Err(invalid(format!(
                "`{text}` is not a lifetime: write a number and a unit, s, m, h or d (e.g. 90d)"
            )));
        }
    };
    let count: i64 = number
        .parse()
        .map_err(|_| invalid(format!("`{text}` is not a lifetime: `{number}` is not a whole number")))?;
    match count.checked_mul(scale) {
        Some(seconds) if (1..=MAX_TOKEN_SECONDS).contains(&seconds) => Ok(seconds),
        _ => Err(invalid(format!(
            "`{text}`: a token lives between 1 second and {} days",
            MAX_TOKEN_SECONDS / 86_400
        ))),
    }
}

/// A new token's expiry, label and maker: `lifetime` seconds from now (default 90 days).
pub fn terms(lifetime: Option<i64>, label: Option<String>, created_by: Option<String>) -> NewToken {
    NewToken {
        expires_at: unix_now() + lifetime.unwrap_or(DEFAULT_TOKEN_SECONDS),
        label,
        created_by,
    }
}

/// The tokens a filter selects, oldest first.
pub async fn list_tokens(store: &Store, filter: &TokenFilter) -> Result<Vec<StoredToken>, WorkflowError> {
    if let Some(region) = &filter.region {
        crate::input::check_id("region", region)?;
    }
    Ok(store.tokens(filter).await?)
}

/// The token with this id (404 when unknown).
pub async fn token(store: &Store, id: &str) -> Result<StoredToken, WorkflowError> {
    crate::input::check_id("id", id)?;
    Ok(store.token_by_id(id).await?)
}

/// Revoke a token: audited, refused at once here (`cache`), and on PostgreSQL announced to every
/// other replica. 404 for an unknown id, 409 for a token already revoked.
pub async fn revoke_token(store: &Store, cache: &TokenCache, id: &str, by: &str) -> Result<StoredToken, WorkflowError> {
    crate::input::check_id("id", id)?;
    let revoked = store.revoke_token(id, by, unix_now()).await?;
    cache.forget(id);
    tracing::info!(token = %id, by, "token revoked");
    Ok(revoked)
}

/// Follow the revocations other processes make, dropping each token from `cache`: on
/// PostgreSQL by their announcements (when the channel is lost, the cache is cleared and the
/// listener reconnected, and the cache cleared again once it listens, so a revocation missed
/// meanwhile is never hidden); on SQLite by reading the revocation mark every [`SQLITE_POLL`].
pub async fn follow_token_revocations(
    store: &Store,
    cache: Arc<TokenCache>,
    database_url: &str,
) -> Result<tokio::task::JoinHandle<()>, StoreError> {
    if store.backend() != Backend::Postgres {
        return poll_revocations(store.clone(), cache).await;
    }
    let mut listener = TokenListener::connect(database_url).await?;
    let url = database_url.to_owned();
    Ok(tokio::spawn(async move {
        loop {
            match listener.recv().await {
                Ok(Some(id)) => cache.forget(&id),
                Ok(None) => {
                    tracing::warn!("token channel lost; forgetting cached tokens and reconnecting");
                    cache.clear();
                    listener = reconnect(&url).await;
                    cache.clear();
                }
                Err(e) => {
                    tracing::warn!(error = %e, "token channel failed; forgetting cached tokens and reconnecting");
                    cache.clear();
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    listener = reconnect(&url).await;
                    cache.clear();
                }
            }
        }
    }))
}

/// Forget the cache whenever the revocation mark changes (SQLite).
async fn poll_revocations(store: Store, cache: Arc<TokenCache>) -> Result<tokio::task::JoinHandle<()>, StoreError> {
    let mut seen = store.revocation_mark().await?;
    Ok(tokio::spawn(async move {
        let mut tick = tokio::time::interval(SQLITE_POLL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match store.revocation_mark().await {
                Ok(mark) if mark != seen => {
                    cache.clear();
                    seen = mark;
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "cannot read token revocations"),
            }
        }
    }))
}

/// A listener on the token channel, retried until the database answers.
async fn reconnect(url: &str) -> TokenListener {
    let mut wait = Duration::from_millis(100);
    loop {
        match TokenListener::connect(url).await {
            Ok(listener) => return listener,
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen on the token channel yet");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(5));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes() {
        assert_eq!(parse_lifetime("expires-in", "90d").unwrap(), 90 * 86_400);
        assert_eq!(parse_lifetime("expires-in", "8h").unwrap(), 8 * 3600);
        assert_eq!(parse_lifetime("expires-in", "1s").unwrap(), 1);
        for bad in [
            "",
            "d",
            "90",
            "0d",
            "-1d",
            "3651d",
            "1.5d",
            "9999999999999999999d",
            "90 days",
        ] {
            let e = parse_lifetime("expires-in", bad).unwrap_err().to_string();
            assert!(e.starts_with("expires-in: "), "{bad}: {e}");
        }
    }
}
