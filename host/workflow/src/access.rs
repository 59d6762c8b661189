//! Signing in to the web pages: one-time sign-in codes, what a presented code or API token
//! grants, and browser sessions. The secrets themselves (codes, session ids, CSRF tokens) are
//! made by the caller; the store keeps only their sha256. API tokens presented on each request
//! are in [`crate::tokens`].

use crate::WorkflowError;
use dwa_store::{Store, TokenGrant, WebSession};

/// What a successful sign-in grants.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignIn {
    /// The role, region and person signed in.
    pub grant: TokenGrant,
    /// The id of the API token signed in with, if it was one: revoking the token ends the
    /// session too.
    pub token_id: Option<String>,
}

/// Keep a new one-time sign-in `code` for `grant`, valid from `now` until `expires_at` (Unix
/// seconds).
pub async fn keep_signin_code(
    store: &Store,
    code: &str,
    grant: &TokenGrant,
    now: i64,
    expires_at: i64,
) -> Result<(), WorkflowError> {
    Ok(store.insert_signin_code(code, grant, now, expires_at).await?)
}

/// What `presented` signs in as: an API token (`dwa_…`) while it is live, or a one-time
/// sign-in code, used up by this. `None` when it is neither.
pub async fn sign_in(store: &Store, presented: &str, now: i64) -> Result<Option<SignIn>, WorkflowError> {
    if presented.starts_with("dwa_") {
        let grant = store.token_grant(presented).await?;
        Ok(grant.map(|grant| SignIn {
            grant,
            token_id: Some(dwa_store::token_id(presented)),
        }))
    } else {
        let grant = store.redeem_signin_code(presented, now).await?;
        Ok(grant.map(|grant| SignIn { grant, token_id: None }))
    }
}

/// Open a browser session under `id` (kept as its sha256).
pub async fn open_session(store: &Store, id: &str, session: &WebSession, now: i64) -> Result<(), WorkflowError> {
    Ok(store.insert_session(id, session, now).await?)
}

/// The session with this id, unless it expired or was ended.
pub async fn session(store: &Store, id: &str, now: i64) -> Result<Option<WebSession>, WorkflowError> {
    Ok(store.session(id, now).await?)
}

/// End a session (sign out).
pub async fn end_session(store: &Store, id: &str) -> Result<(), WorkflowError> {
    Ok(store.delete_session(id).await?)
}
