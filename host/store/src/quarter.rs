//! One change to a quarter after its allocation run — an approval that completes an
//! application, a withdrawal, days offered to the waitlist — in one transaction: the
//! application, its approvals and decision, the unit's roster, the application's history and
//! the notifications of everyone it touches are written together or not at all (a kill -9 in
//! the middle leaves the quarter as it was). On PostgreSQL the unit's row is locked first, the
//! same lock an allocation run of the unit takes, so two changes to one unit (or a change and a
//! run) take turns; SQLite has a single writer already.
//!
//! Also the reads of what these changes leave: set-aside applications, an application's
//! history, and a person's notifications.

use super::allocations::RosterEntry;
use super::applications::record_approval_in;
use super::single::{SingleDecision, insert_decision_in};
use super::{Backend, RunKind, Store, StoreError, WriteTx, code, new_id, now_rfc3339};
use dwa_sdk::{Approval, Quarter, Reason, Weekday};
use serde::Serialize;
use sqlx::Row;

/// One person's place in a unit's roster, as a change writes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Placement {
    /// NIP.
    pub nip: String,
    /// The application placed.
    pub application_id: String,
    /// Days anywhere granted per week (0: waitlisted).
    pub remote_days: u8,
    /// The weekdays away.
    pub weekdays: Vec<Weekday>,
    /// Why fewer days than allowed (e.g. `QUOTA_FULL` with the unit's figures), if so.
    pub reasons: Vec<Reason>,
}

/// A transition of an application, kept as its history.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ApplicationEvent {
    /// The application.
    pub application_id: String,
    /// The applicant's NIP.
    pub nip: String,
    /// When (RFC 3339; set when written).
    pub at: String,
    /// Who: a token id with its role and NIP, or `system` for a change the host made.
    pub actor: String,
    /// What: `approved`, `rejected`, `granted`, `waitlisted`, `withdrawn`, `moved`,
    /// `set_aside`, `flagged`.
    pub event: String,
    /// The particulars (days, weekdays, note, failure, …) as JSON.
    pub detail: serde_json::Value,
}

/// Something that changed for a person.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Notification {
    /// Its id.
    pub id: String,
    /// Whom it is for.
    pub nip: String,
    /// The application it is about, if any.
    pub application_id: Option<String>,
    /// When (RFC 3339).
    pub at: String,
    /// What kind: the event's code (`granted`, `waitlisted`, `rejected`, …).
    pub kind: String,
    /// The particulars as JSON.
    pub detail: serde_json::Value,
    /// Whether the person has seen it.
    pub read: bool,
}

/// An application the rules failed for during its unit's allocation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SetAside {
    /// The application.
    pub application_id: String,
    /// The applicant's NIP.
    pub nip: String,
    /// Why, naming the plugin and its version.
    pub failure: String,
    /// When (RFC 3339).
    pub at: String,
}

/// A change to one unit's quarter in progress: an open transaction holding the unit's lock.
/// Dropping it without [`QuarterChange::commit`] rolls everything back.
pub struct QuarterChange {
    tx: WriteTx,
    unit: String,
    quarter: String,
    allocated: bool,
    at: String,
    /// Events written so far: their order within the change's one instant.
    events: i64,
}

impl Store {
    /// Begin a change to `unit`'s `quarter`: lock the unit (PostgreSQL) and read whether its
    /// allocation has run.
    pub async fn begin_quarter_change(&self, unit: &str, quarter: Quarter) -> Result<QuarterChange, StoreError> {
        let mut tx = self.begin_write().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT code FROM units WHERE code = $1 FOR UPDATE")
                .bind(unit)
                .fetch_all(&mut **tx)
                .await?;
        }
        let q = quarter.to_string();
        let allocated = sqlx::query("SELECT unit FROM allocations WHERE unit = $1 AND quarter = $2")
            .bind(unit)
            .bind(&q)
            .fetch_optional(&mut **tx)
            .await?
            .is_some();
        Ok(QuarterChange {
            tx,
            unit: unit.to_owned(),
            quarter: q,
            allocated,
            at: now_rfc3339(),
            events: 0,
        })
    }

    /// The applications of `unit` set aside in its allocation for `quarter`.
    pub async fn unit_set_aside(&self, unit: &str, quarter: Quarter) -> Result<Vec<SetAside>, StoreError> {
        let rows = sqlx::query(
            "SELECT application_id, nip, failure, set_aside_at FROM set_aside WHERE unit = $1 AND quarter = $2 \
             ORDER BY nip",
        )
        .bind(unit)
        .bind(quarter.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(set_aside_from_row).collect()
    }

    /// Why an application was set aside in its unit's allocation, if it was.
    pub async fn set_aside_of(&self, application_id: &str) -> Result<Option<SetAside>, StoreError> {
        let row =
            sqlx::query("SELECT application_id, nip, failure, set_aside_at FROM set_aside WHERE application_id = $1")
                .bind(application_id)
                .fetch_optional(&self.pool)
                .await?;
        row.as_ref().map(set_aside_from_row).transpose()
    }

    /// An application's history, oldest first.
    pub async fn application_events(&self, application_id: &str) -> Result<Vec<ApplicationEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT application_id, nip, at, actor, event, detail FROM application_events \
             WHERE application_id = $1 ORDER BY at, seq",
        )
        .bind(application_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ApplicationEvent {
                    application_id: row.try_get("application_id")?,
                    nip: row.try_get("nip")?,
                    at: row.try_get("at")?,
                    actor: row.try_get("actor")?,
                    event: row.try_get("event")?,
                    detail: parse_detail("application_events.detail", &row.try_get::<String, _>("detail")?)?,
                })
            })
            .collect()
    }

    /// A person's latest notifications, newest first, at most `limit`.
    pub async fn notifications(&self, nip: &str, limit: u32) -> Result<Vec<Notification>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, nip, application_id, at, kind, detail, read_at FROM notifications WHERE nip = $1 \
             ORDER BY at DESC, id DESC LIMIT $2",
        )
        .bind(nip)
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Notification {
                    id: row.try_get("id")?,
                    nip: row.try_get("nip")?,
                    application_id: row.try_get("application_id")?,
                    at: row.try_get("at")?,
                    kind: row.try_get("kind")?,
                    detail: parse_detail("notifications.detail", &row.try_get::<String, _>("detail")?)?,
                    read: row.try_get::<Option<String>, _>("read_at")?.is_some(),
                })
            })
            .collect()
    }

    /// How many of a person's notifications are unread.
    pub async fn unread_notifications(&self, nip: &str) -> Result<u64, StoreError> {
        let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM notifications WHERE nip = $1 AND read_at IS NULL")
            .bind(nip)
            .fetch_one(&self.pool)
            .await?;
        Ok(count as u64)
    }

    /// Mark all of a person's notifications read; returns how many were unread.
    pub async fn mark_notifications_read(&self, nip: &str) -> Result<u64, StoreError> {
        let done = sqlx::query("UPDATE notifications SET read_at = $1 WHERE nip = $2 AND read_at IS NULL")
            .bind(now_rfc3339())
            .bind(nip)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}

impl QuarterChange {
    /// Whether the unit's allocation for the quarter has run (a roster exists to change).
    pub fn allocated(&self) -> bool {
        self.allocated
    }

    /// The unit's roster as this transaction sees it.
    pub async fn roster(&mut self) -> Result<Vec<RosterEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT nip, application_id, remote_days, weekdays, reasons FROM roster WHERE unit = $1 AND quarter = $2 \
             ORDER BY nip",
        )
        .bind(&self.unit)
        .bind(&self.quarter)
        .fetch_all(&mut **self.tx)
        .await?;
        rows.iter().map(super::allocations::roster_entry_from_row).collect()
    }

    /// The ids of the unit's live (not withdrawn) applications for the quarter, as this
    /// transaction sees them: a plan made before it began may name one withdrawn since.
    pub async fn live_applications(&mut self) -> Result<std::collections::HashSet<String>, StoreError> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT a.id FROM applications a JOIN employees e ON e.nip = a.nip \
             WHERE e.unit = $1 AND a.quarter = $2 AND a.status = 'submitted'",
        )
        .bind(&self.unit)
        .bind(&self.quarter)
        .fetch_all(&mut **self.tx)
        .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// An application's status (`submitted` or `withdrawn`) as this transaction sees it.
    pub async fn application_status(&mut self, application_id: &str) -> Result<String, StoreError> {
        let row: Option<(String,)> = sqlx::query_as("SELECT status FROM applications WHERE id = $1")
            .bind(application_id)
            .fetch_optional(&mut **self.tx)
            .await?;
        row.map(|(s,)| s)
            .ok_or_else(|| StoreError::NotFound(format!("application `{application_id}`")))
    }

    /// Record an approver's decision, its note and the decision re-evaluated with it; returns
    /// the decision's id.
    pub async fn record_approval(
        &mut self,
        application_id: &str,
        approval: &Approval,
        note: Option<&str>,
        decision: &dwa_domain::Decision,
    ) -> Result<String, StoreError> {
        record_approval_in(&mut self.tx, application_id, approval).await?;
        if let Some(note) = note {
            sqlx::query(
                "INSERT INTO approval_notes (application_id, approver, note, written_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (application_id, approver) DO UPDATE SET note = excluded.note, \
                 written_at = excluded.written_at",
            )
            .bind(application_id)
            .bind(code(&approval.approver))
            .bind(note)
            .bind(&self.at)
            .execute(&mut **self.tx)
            .await?;
        }
        insert_decision_in(&mut self.tx, RunKind::Approval, &SingleDecision::new(decision)).await
    }

    /// Withdraw a live application and free its place in the roster; false when it was not live.
    pub async fn withdraw(&mut self, application_id: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE applications SET status = 'withdrawn' WHERE id = $1 AND status = 'submitted'")
            .bind(application_id)
            .execute(&mut **self.tx)
            .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        for table in ["roster", "set_aside"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE application_id = $1"))
                .bind(application_id)
                .execute(&mut **self.tx)
                .await?;
        }
        Ok(true)
    }

    /// Put a person in the unit's roster (replacing their place, if any). Only after the
    /// unit's allocation has run: a roster belongs to an allocation.
    pub async fn place(&mut self, placement: &Placement) -> Result<(), StoreError> {
        if !self.allocated {
            return Err(StoreError::Conflict(format!(
                "unit {} has no allocation for {} to place {} in",
                self.unit, self.quarter, placement.nip
            )));
        }
        sqlx::query("DELETE FROM roster WHERE unit = $1 AND quarter = $2 AND nip = $3")
            .bind(&self.unit)
            .bind(&self.quarter)
            .bind(&placement.nip)
            .execute(&mut **self.tx)
            .await?;
        sqlx::query("DELETE FROM set_aside WHERE application_id = $1")
            .bind(&placement.application_id)
            .execute(&mut **self.tx)
            .await?;
        let days: Vec<String> = placement.weekdays.iter().map(code).collect();
        let reasons = if placement.reasons.is_empty() {
            String::new()
        } else {
            serde_json::to_string(&placement.reasons).expect("reasons serialise")
        };
        sqlx::query(
            "INSERT INTO roster (unit, quarter, nip, application_id, remote_days, weekdays, reasons) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&self.unit)
        .bind(&self.quarter)
        .bind(&placement.nip)
        .bind(&placement.application_id)
        .bind(placement.remote_days as i64)
        .bind(days.join(","))
        .bind(reasons)
        .execute(&mut **self.tx)
        .await?;
        Ok(())
    }

    /// Record that the rules failed for an application (replacing an earlier record).
    pub async fn set_aside(&mut self, application_id: &str, nip: &str, failure: &str) -> Result<(), StoreError> {
        insert_set_aside(
            &mut self.tx,
            &self.unit,
            &self.quarter,
            application_id,
            nip,
            failure,
            &self.at,
        )
        .await
    }

    /// Record a transition in the application's history.
    pub async fn event(&mut self, event: &ApplicationEvent) -> Result<(), StoreError> {
        self.events += 1;
        insert_event(&mut self.tx, event, &self.at, self.events).await
    }

    /// Tell a person what changed for them.
    pub async fn notify(
        &mut self,
        nip: &str,
        application_id: Option<&str>,
        kind: &str,
        detail: &serde_json::Value,
    ) -> Result<(), StoreError> {
        insert_notification(&mut self.tx, nip, application_id, kind, detail, &self.at).await
    }

    /// The change's connection, for the other modules' statements in its transaction.
    pub(crate) fn connection(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }

    /// Remove a person's place in the roster (a grant revised to no days).
    pub async fn remove_place(&mut self, application_id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM roster WHERE application_id = $1")
            .bind(application_id)
            .execute(&mut **self.tx)
            .await?;
        Ok(())
    }

    /// Commit the change.
    pub async fn commit(self) -> Result<(), StoreError> {
        self.tx.commit().await?;
        Ok(())
    }
}

/// Record a set-aside application inside an open transaction (replacing an earlier record).
pub(crate) async fn insert_set_aside(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    unit: &str,
    quarter: &str,
    application_id: &str,
    nip: &str,
    failure: &str,
    at: &str,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM set_aside WHERE application_id = $1")
        .bind(application_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO set_aside (unit, quarter, application_id, nip, failure, set_aside_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(unit)
    .bind(quarter)
    .bind(application_id)
    .bind(nip)
    .bind(failure)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Record a transition inside an open transaction.
pub(crate) async fn insert_event(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    event: &ApplicationEvent,
    at: &str,
    seq: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO application_events (id, application_id, nip, at, seq, actor, event, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new_id("evt"))
    .bind(&event.application_id)
    .bind(&event.nip)
    .bind(at)
    .bind(seq)
    .bind(&event.actor)
    .bind(&event.event)
    .bind(event.detail.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Record a notification inside an open transaction.
pub(crate) async fn insert_notification(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    nip: &str,
    application_id: Option<&str>,
    kind: &str,
    detail: &serde_json::Value,
    at: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO notifications (id, nip, application_id, at, kind, detail) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(new_id("ntf"))
    .bind(nip)
    .bind(application_id)
    .bind(at)
    .bind(kind)
    .bind(detail.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn set_aside_from_row(row: &sqlx::any::AnyRow) -> Result<SetAside, StoreError> {
    Ok(SetAside {
        application_id: row.try_get("application_id")?,
        nip: row.try_get("nip")?,
        failure: row.try_get("failure")?,
        at: row.try_get("set_aside_at")?,
    })
}

fn parse_detail(what: &'static str, text: &str) -> Result<serde_json::Value, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt {
        what,
        detail: e.to_string(),
    })
}
