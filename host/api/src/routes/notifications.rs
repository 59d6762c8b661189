//! The caller's notifications: what changed for them (approved, rejected with the note,
//! granted with the days, waitlisted with the unit's figures, a team member's withdrawal), the
//! same list the pages' header counts.

use crate::{ApiError, AppState, Caller};
use axum::Json;
use axum::extract::State;
use dwa_workflow::{Notification, notifications};
use serde::Serialize;

/// The most notifications one answer holds (newest first).
const LIMIT: u32 = 200;

/// The caller's notifications.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct NotificationsView {
    /// How many are unread.
    pub unread: u64,
    /// The latest, newest first: `id`, `application_id`, `at`, `kind` (`approved`, `rejected`,
    /// `granted`, `waitlisted`, `team_withdrawn`, …), `detail`, `read`.
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Notification>,
}

fn own_nip(caller: &Caller) -> Result<&str, ApiError> {
    caller
        .nip
        .as_deref()
        .ok_or_else(|| ApiError::forbidden("notifications are a person's: this token names no NIP"))
}

/// The caller's notifications, newest first, with the unread count.
#[utoipa::path(
    get,
    path = "/api/notifications",
    tag = "notifications",
    security(("bearer" = [])),
    responses((status = 200, body = NotificationsView), (status = 403))
)]
pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<NotificationsView>, ApiError> {
    let nip = own_nip(&caller)?;
    Ok(Json(NotificationsView {
        unread: notifications::unread(&state.store, nip).await?,
        items: notifications::latest(&state.store, nip, LIMIT).await?,
    }))
}

/// How many notifications were marked read.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MarkedRead {
    /// Notifications that were unread.
    pub marked: u64,
}

/// Mark every notification of the caller read.
#[utoipa::path(
    post,
    path = "/api/notifications/read",
    tag = "notifications",
    security(("bearer" = [])),
    responses((status = 200, body = MarkedRead), (status = 403))
)]
pub async fn mark_read(State(state): State<AppState>, caller: Caller) -> Result<Json<MarkedRead>, ApiError> {
    let nip = own_nip(&caller)?;
    Ok(Json(MarkedRead {
        marked: notifications::mark_read(&state.store, nip).await?,
    }))
}
