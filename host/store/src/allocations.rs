//! A unit's quarterly allocation run — its decisions, its allocation and its weekday roster —
//! stored as a whole in one transaction, so a re-run is idempotent, readers never see half a
//! roster, and a crash (even kill -9) leaves either the whole run or none of it: never
//! decisions without their roster, nor a roster without its decisions.

use super::decisions::{insert_decision_in, insert_violations};
use super::{Store, StoreError, code, now_rfc3339, parse_code};
use dwa_domain::{Allocation, Decision};
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
    /// Store one run of `unit` for `quarter` in one transaction: the `decisions` it made (with
    /// their reasons and guardrail corrections), then the unit's allocation and roster, which
    /// replace the quarter's previous ones. Returns the decisions' ids in order.
    ///
    /// The allocation's time is taken after the decisions' times, so a unit's stored allocation
    /// is never older than the decisions of the run that made it.
    pub async fn store_unit_allocation(
        &self,
        decisions: &[Decision],
        unit: &str,
        region: &str,
        quarter: Quarter,
        headcount: u32,
        allocation: &Allocation,
    ) -> Result<Vec<String>, StoreError> {
        let mut tx = self.begin_write().await?;
        let q = quarter.to_string();
        if self.backend == super::Backend::Postgres {
            // Serialise concurrent runs for the same unit: the second waits, then replaces the
            // first's roster whole. (SQLite already has a single writer.)
            sqlx::query("SELECT code FROM units WHERE code = $1 FOR UPDATE")
                .bind(unit)
                .fetch_optional(&mut **tx)
                .await?;
        }
        let mut ids = Vec::with_capacity(decisions.len());
        for d in decisions {
            ids.push(insert_decision_in(&mut tx, d).await?);
        }
        let now = now_rfc3339();
        sqlx::query("DELETE FROM roster WHERE unit = $1 AND quarter = $2")
            .bind(unit)
            .bind(&q)
            .execute(&mut **tx)
            .await?;
        sqlx::query("DELETE FROM allocations WHERE unit = $1 AND quarter = $2")
            .bind(unit)
            .bind(&q)
            .execute(&mut **tx)
            .await?;
        sqlx::query(
            "INSERT INTO allocations (unit, quarter, region, headcount, plugin_name, plugin_version, plugin_sha256, fuel_used, allocated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(unit)
        .bind(&q)
        .bind(region)
        .bind(headcount as i64)
        .bind(&allocation.plugin.name)
        .bind(&allocation.plugin.version)
        .bind(&allocation.plugin.sha256)
        .bind(allocation.fuel_used as i64)
        .bind(&now)
        .execute(&mut **tx)
        .await?;
        for grant in &allocation.grants {
            let days: Vec<String> = grant.weekdays.iter().map(code).collect();
            sqlx::query(
                "INSERT INTO roster (unit, quarter, nip, application_id, remote_days, weekdays) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(unit)
            .bind(&q)
            .bind(&grant.nip)
            .bind(&grant.application_id)
            .bind(grant.remote_days as i64)
            .bind(days.join(","))
            .execute(&mut **tx)
            .await?;
        }
        insert_violations(&mut tx, &allocation.violations, &now).await?;
        tx.commit().await?;
        Ok(ids)
    }

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
