//! A person's notifications — what changed for them (approved, rejected with the note, granted
//! with the days, waitlisted with the unit's figures, a team member's withdrawal) — as the API's
//! list, the pages' header count and the notifications page read them. The workflow writes them
//! in the same transaction as the change they announce; here they are only read and marked read.

use crate::WorkflowError;
use dwa_store::{Notification, Store};

/// How many of `nip`'s notifications are unread.
pub async fn unread(store: &Store, nip: &str) -> Result<u64, WorkflowError> {
    Ok(store.unread_notifications(nip).await?)
}

/// `nip`'s latest notifications, newest first, at most `limit`.
pub async fn latest(store: &Store, nip: &str, limit: u32) -> Result<Vec<Notification>, WorkflowError> {
    Ok(store.notifications(nip, limit).await?)
}

/// Mark every notification of `nip` read; how many were unread.
pub async fn mark_read(store: &Store, nip: &str) -> Result<u64, WorkflowError> {
    Ok(store.mark_notifications_read(nip).await?)
}

/// Open `nip`'s notifications as a page does: the latest (with whether each was unread until
/// now), then all of them marked read, since the person has now seen them.
pub async fn open(store: &Store, nip: &str, limit: u32) -> Result<Vec<Notification>, WorkflowError> {
    let notices = latest(store, nip, limit).await?;
    mark_read(store, nip).await?;
    Ok(notices)
}
