//! Reading the weekday rosters that allocation runs (`runs.rs`) store.

use super::{Store, StoreError, parse_code};
use dwa_sdk::{Quarter, Weekday};
use serde::Serialize;
use sqlx::Row;

/// One person's place in a unit's roster.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RosterEntry {
    /// NIP.
    pub nip: String,
    /// Application id.
    pub application_id: String,
    /// Days anywhere granted per week.
    pub remote_days: u8,
    /// The weekdays away.
    pub weekdays: Vec<Weekday>,
}

impl Store {
    /// The roster of a unit for a quarter, ordered by NIP.
    pub async fn roster(&self, unit: &str, quarter: Quarter) -> Result<Vec<RosterEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT nip, application_id, remote_days, weekdays FROM roster WHERE unit = $1 AND quarter = $2 ORDER BY nip",
        )
        .bind(unit)
        .bind(quarter.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let days: String = row.try_get("weekdays")?;
                Ok(RosterEntry {
                    nip: row.try_get("nip")?,
                    application_id: row.try_get("application_id")?,
                    remote_days: row.try_get::<i64, _>("remote_days")? as u8,
                    weekdays: days
                        .split(',')
                        .filter(|d| !d.is_empty())
                        .map(|d| parse_code("roster.weekdays", d))
                        .collect::<Result<_, _>>()?,
                })
            })
            .collect()
    }
}

impl Store {
    /// Whether `unit`'s allocation for `quarter` has run (and stored its roster).
    pub async fn unit_allocated(&self, unit: &str, quarter: Quarter) -> Result<bool, StoreError> {
        let found: Option<(String,)> = sqlx::query_as("SELECT unit FROM allocations WHERE unit = $1 AND quarter = $2")
            .bind(unit)
            .bind(quarter.to_string())
            .fetch_optional(&self.pool)
            .await?;
        Ok(found.is_some())
    }

    /// One employee's roster entry for a quarter, if they were granted a place.
    pub async fn roster_entry(&self, nip: &str, quarter: Quarter) -> Result<Option<RosterEntry>, StoreError> {
        let unit: Option<(String,)> = sqlx::query_as("SELECT unit FROM roster WHERE nip = $1 AND quarter = $2")
            .bind(nip)
            .bind(quarter.to_string())
            .fetch_optional(&self.pool)
            .await?;
        let Some((unit,)) = unit else { return Ok(None) };
        Ok(self.roster(&unit, quarter).await?.into_iter().find(|e| e.nip == nip))
    }
}
