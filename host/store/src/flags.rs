//! Grants a policy version activated mid-quarter no longer allows: flagged with the rules that
//! flagged them and their reasons, until a later version allows them again or the quarter
//! ends. Written with the roster change it may bring (`revise`) and the notifications, in one
//! transaction.

use super::{Store, StoreError, now_rfc3339};
use dwa_sdk::{Quarter, Reason};
use serde::Serialize;
use sqlx::Row;

/// A flagged grant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GrantFlag {
    /// The application granted.
    pub application_id: String,
    /// The applicant.
    pub nip: String,
    /// The unit.
    pub unit: String,
    /// The quarter.
    pub quarter: String,
    /// The plugin (name) that flagged it.
    pub plugin_name: String,
    /// Its version.
    pub plugin_version: String,
    /// Days the new rules allow (0: not eligible any more).
    pub allowed_days: u8,
    /// Days granted when flagged.
    pub granted_days: u8,
    /// `keep` (to the quarter's end) or `revise` (cut to what the rules allow at once).
    pub handling: String,
    /// The failed gates and what would change them.
    pub reasons: Vec<Reason>,
    /// When (RFC 3339).
    pub flagged_at: String,
}

impl Store {
    /// The flag on an application's grant, if any.
    pub async fn grant_flag(&self, application_id: &str) -> Result<Option<GrantFlag>, StoreError> {
        let row = sqlx::query("SELECT * FROM grant_flags WHERE application_id = $1")
            .bind(application_id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(flag_from_row).transpose()
    }

    /// The flagged grants of a region for a quarter.
    pub async fn grant_flags(&self, region: &str, quarter: Quarter) -> Result<Vec<GrantFlag>, StoreError> {
        let rows = sqlx::query("SELECT * FROM grant_flags WHERE region = $1 AND quarter = $2 ORDER BY unit, nip")
            .bind(region)
            .bind(quarter.to_string())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(flag_from_row).collect()
    }

    /// The granted places (days > 0) of a region's units for a quarter: (unit, roster entry).
    pub async fn region_grants(
        &self,
        region: &str,
        quarter: Quarter,
    ) -> Result<Vec<(String, super::RosterEntry)>, StoreError> {
        let rows = sqlx::query(
            "SELECT r.unit, r.nip, r.application_id, r.remote_days, r.weekdays, r.reasons FROM roster r \
             JOIN units u ON u.code = r.unit WHERE u.region = $1 AND r.quarter = $2 AND r.remote_days > 0 \
             ORDER BY r.unit, r.nip",
        )
        .bind(region)
        .bind(quarter.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("unit")?, super::allocations::roster_entry_from_row(row)?)))
            .collect()
    }
}

impl super::QuarterChange {
    /// Flag a grant (replacing an earlier flag).
    pub async fn flag_grant(&mut self, flag: &GrantFlag, region: &str) -> Result<(), StoreError> {
        self.clear_flag(&flag.application_id).await?;
        sqlx::query(
            "INSERT INTO grant_flags (application_id, nip, unit, quarter, region, plugin_name, plugin_version, \
             allowed_days, granted_days, handling, reasons, flagged_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&flag.application_id)
        .bind(&flag.nip)
        .bind(&flag.unit)
        .bind(&flag.quarter)
        .bind(region)
        .bind(&flag.plugin_name)
        .bind(&flag.plugin_version)
        .bind(flag.allowed_days as i64)
        .bind(flag.granted_days as i64)
        .bind(&flag.handling)
        .bind(serde_json::to_string(&flag.reasons).expect("reasons serialise"))
        .bind(now_rfc3339())
        .execute(self.connection())
        .await?;
        Ok(())
    }

    /// Remove a flag (the rules allow the grant again); true when there was one.
    pub async fn clear_flag(&mut self, application_id: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM grant_flags WHERE application_id = $1")
            .bind(application_id)
            .execute(self.connection())
            .await?;
        Ok(done.rows_affected() > 0)
    }
}

fn flag_from_row(row: &sqlx::any::AnyRow) -> Result<GrantFlag, StoreError> {
    let reasons: String = row.try_get("reasons")?;
    Ok(GrantFlag {
        application_id: row.try_get("application_id")?,
        nip: row.try_get("nip")?,
        unit: row.try_get("unit")?,
        quarter: row.try_get("quarter")?,
        plugin_name: row.try_get("plugin_name")?,
        plugin_version: row.try_get("plugin_version")?,
        allowed_days: row.try_get::<i64, _>("allowed_days")?.clamp(0, 5) as u8,
        granted_days: row.try_get::<i64, _>("granted_days")?.clamp(0, 5) as u8,
        handling: row.try_get("handling")?,
        reasons: serde_json::from_str(&reasons).map_err(|e| StoreError::Corrupt {
            what: "grant_flags.reasons",
            detail: e.to_string(),
        })?,
        flagged_at: row.try_get("flagged_at")?,
    })
}
