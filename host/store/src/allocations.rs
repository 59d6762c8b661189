//! Reading the weekday rosters that allocation runs (`runs.rs`) store.

use super::{Store, StoreError, parse_code};
use dwa_sdk::{PreviousOutcome, Quarter, Reason, Weekday};
use serde::Serialize;
use sqlx::Row;
use std::collections::HashMap;

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
    /// Why fewer days were granted than allowed (e.g. `QUOTA_FULL`), if so.
    pub reasons: Vec<Reason>,
}

impl Store {
    /// The roster of a unit for a quarter, ordered by NIP.
    pub async fn roster(&self, unit: &str, quarter: Quarter) -> Result<Vec<RosterEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT nip, application_id, remote_days, weekdays, reasons FROM roster WHERE unit = $1 AND quarter = $2 \
             ORDER BY nip",
        )
        .bind(unit)
        .bind(quarter.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(roster_entry_from_row).collect()
    }
}

/// A roster entry from a row of `roster`.
pub(crate) fn roster_entry_from_row(row: &sqlx::any::AnyRow) -> Result<RosterEntry, StoreError> {
    let days: String = row.try_get("weekdays")?;
    let reasons: String = row.try_get("reasons")?;
    Ok(RosterEntry {
        nip: row.try_get("nip")?,
        application_id: row.try_get("application_id")?,
        remote_days: row.try_get::<i64, _>("remote_days")? as u8,
        weekdays: days
            .split(',')
            .filter(|d| !d.is_empty())
            .map(|d| parse_code("roster.weekdays", d))
            .collect::<Result<_, _>>()?,
        reasons: if reasons.is_empty() {
            Vec::new()
        } else {
            serde_json::from_str(&reasons).map_err(|e| StoreError::Corrupt {
                what: "roster.reasons",
                detail: e.to_string(),
            })?
        },
    })
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
        let unit: Option<(String,)> = sqlx::query_as(
            // By the employee's unit (their roster rows are in it): the roster is keyed by unit.
            "SELECT r.unit FROM employees e CROSS JOIN roster r \
             WHERE e.nip = $1 AND r.unit = e.unit AND r.quarter = $2 AND r.nip = e.nip",
        )
        .bind(nip)
        .bind(quarter.to_string())
        .fetch_optional(&self.pool)
        .await?;
        let Some((unit,)) = unit else { return Ok(None) };
        Ok(self.roster(&unit, quarter).await?.into_iter().find(|e| e.nip == nip))
    }

    /// How the applications for `quarter` of everyone now in `units` ended in their unit's
    /// allocation, by NIP, for the quarterly rotation: granted some days, or a roster place of 0
    /// days (eligible and approved, but the unit was full). People without a roster row that
    /// quarter (who did not apply, or were not eligible or approved) are left out: no outcome.
    pub async fn allocation_outcomes(
        &self,
        units: &[String],
        quarter: Quarter,
    ) -> Result<HashMap<String, PreviousOutcome>, StoreError> {
        let mut outcomes = HashMap::new();
        // Bounded statements: a page can hold many units.
        for chunk in units.chunks(500) {
            let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!(
                "SELECT r.nip, r.remote_days FROM employees e CROSS JOIN roster r \
                 WHERE e.unit IN ({}) AND r.unit = e.unit AND r.quarter = $1 AND r.nip = e.nip",
                marks.join(", ")
            );
            let mut query = sqlx::query(&sql).bind(quarter.to_string());
            for unit in chunk {
                query = query.bind(unit);
            }
            for row in query.fetch_all(&self.pool).await? {
                let days = row.try_get::<i64, _>("remote_days")?;
                let outcome = if days > 0 {
                    PreviousOutcome::Granted(days.min(5) as u8)
                } else {
                    PreviousOutcome::UnitFull
                };
                outcomes.insert(row.try_get("nip")?, outcome);
            }
        }
        Ok(outcomes)
    }
}

impl Store {
    /// The quarter's roster places of everyone in `units`, by application id: what a re-run of
    /// the allocation keeps where it can (a stable re-allocation moves as few people as it can).
    pub async fn roster_places(
        &self,
        units: &[String],
        quarter: Quarter,
    ) -> Result<HashMap<String, RosterEntry>, StoreError> {
        let mut places = HashMap::new();
        for chunk in units.chunks(500) {
            let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!(
                "SELECT nip, application_id, remote_days, weekdays, reasons FROM roster \
                 WHERE quarter = $1 AND unit IN ({})",
                marks.join(", ")
            );
            let mut query = sqlx::query(&sql).bind(quarter.to_string());
            for unit in chunk {
                query = query.bind(unit);
            }
            for row in query.fetch_all(&self.pool).await? {
                let entry = roster_entry_from_row(&row)?;
                places.insert(entry.application_id.clone(), entry);
            }
        }
        Ok(places)
    }
}
