//! What HR must see so that nobody waits on an approver who does not exist: staff without a
//! supervisor on record (none, or a NIP that is not on the staff list), and the live
//! applications of a quarter submitted before a cut-off (the workflow keeps those still
//! awaiting an approval).

use super::{Store, StoreError};
use dwa_sdk::Quarter;
use serde::Serialize;
use sqlx::Row;

/// A person as HR's lists show them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StaffMember {
    /// NIP.
    pub nip: String,
    /// Name.
    pub name: String,
    /// Unit code.
    pub unit: String,
    /// The supervisor NIP on record, when it names nobody on the staff list.
    pub supervisor_nip: Option<String>,
}

/// A live application with its applicant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LiveApplication {
    /// The application.
    pub id: String,
    /// The applicant.
    pub nip: String,
    /// The applicant's name.
    pub name: String,
    /// The applicant's unit.
    pub unit: String,
    /// When it was submitted (RFC 3339).
    pub submitted_at: String,
}

impl Store {
    /// Staff of `region` without a supervisor on record, or whose supervisor NIP is not on the
    /// staff list, by unit then NIP; at most `limit`.
    pub async fn staff_without_supervisor(&self, region: &str, limit: u32) -> Result<Vec<StaffMember>, StoreError> {
        let rows = sqlx::query(
            "SELECT e.nip, e.name, e.unit, e.supervisor_nip FROM employees e WHERE e.region = $1 \
             AND (e.supervisor_nip IS NULL OR e.supervisor_nip = '' OR e.supervisor_nip = e.nip \
             OR NOT EXISTS (SELECT 1 FROM employees s WHERE s.nip = e.supervisor_nip)) \
             ORDER BY e.unit, e.nip LIMIT $2",
        )
        .bind(region)
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(StaffMember {
                    nip: row.try_get("nip")?,
                    name: row.try_get("name")?,
                    unit: row.try_get("unit")?,
                    supervisor_nip: row
                        .try_get::<Option<String>, _>("supervisor_nip")?
                        .filter(|s| !s.is_empty()),
                })
            })
            .collect()
    }

    /// Whether `nip` is on the staff list.
    pub async fn is_staff(&self, nip: &str) -> Result<bool, StoreError> {
        let found: Option<(String,)> = sqlx::query_as("SELECT nip FROM employees WHERE nip = $1")
            .bind(nip)
            .fetch_optional(&self.pool)
            .await?;
        Ok(found.is_some())
    }

    /// Live applications of `region` for `quarter` whose applicant has no supervisor on record
    /// (or one not on the staff list), oldest first; at most `limit`.
    pub async fn live_applications_without_supervisor(
        &self,
        region: &str,
        quarter: Quarter,
        limit: u32,
    ) -> Result<Vec<LiveApplication>, StoreError> {
        let rows = sqlx::query(
            "SELECT a.id, a.nip, e.name, e.unit, a.submitted_at FROM applications a JOIN employees e ON e.nip = a.nip \
             WHERE e.region = $1 AND a.quarter = $2 AND a.status = 'submitted' \
             AND (e.supervisor_nip IS NULL OR e.supervisor_nip = '' OR e.supervisor_nip = e.nip \
             OR NOT EXISTS (SELECT 1 FROM employees s WHERE s.nip = e.supervisor_nip)) \
             ORDER BY a.submitted_at, a.id LIMIT $3",
        )
        .bind(region)
        .bind(quarter.to_string())
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(live_from_row).collect()
    }

    /// Live applications of `region` for `quarter` submitted before `cutoff` (RFC 3339),
    /// oldest first; at most `limit`.
    pub async fn live_applications_before(
        &self,
        region: &str,
        quarter: Quarter,
        cutoff: &str,
        limit: u32,
    ) -> Result<Vec<LiveApplication>, StoreError> {
        let rows = sqlx::query(
            "SELECT a.id, a.nip, e.name, e.unit, a.submitted_at FROM applications a JOIN employees e ON e.nip = a.nip \
             WHERE e.region = $1 AND a.quarter = $2 AND a.status = 'submitted' AND a.submitted_at < $3 \
             ORDER BY a.submitted_at, a.id LIMIT $4",
        )
        .bind(region)
        .bind(quarter.to_string())
        .bind(cutoff)
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(live_from_row).collect()
    }
}

fn live_from_row(row: &sqlx::any::AnyRow) -> Result<LiveApplication, StoreError> {
    Ok(LiveApplication {
        id: row.try_get("id")?,
        nip: row.try_get("nip")?,
        name: row.try_get("name")?,
        unit: row.try_get("unit")?,
        submitted_at: row.try_get("submitted_at")?,
    })
}
