//! # dwa-domain — the plain data that crosses the host's layers
//!
//! The host is layered (DESIGN §3): request → workflow → policy/engine → store. What more than
//! one layer reads or writes lives here, as plain data with no wasmtime, no sqlx and no axum,
//! so the store keeps a decision without importing the policy layer and the policy layer reads
//! the clock without calling the store.

pub mod clock;
mod decision;
mod output;
pub mod text;

pub use clock::today;
pub use decision::{Allocation, Decision, PluginRef, Violation};
pub use output::GuestOutput;

/// The current UTC time as RFC 3339 with microseconds: it sorts as text, so "the latest
/// decision" and the audit order are well defined even within one second.
pub fn now_rfc3339() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs();
    let date = dwa_sdk::Date::from_days_since_epoch((secs / 86_400) as i64);
    let s = secs % 86_400;
    format!(
        "{date}T{:02}:{:02}:{:02}.{:06}Z",
        s / 3600,
        s / 60 % 60,
        s % 60,
        now.subsec_micros()
    )
}
