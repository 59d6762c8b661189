//! Decisions stored by versions before migration 0006 kept the full input and outcome per
//! decision (`legacy_decisions`, `legacy_decision_reasons`). When a store is opened, any such
//! rows are converted into the one decision shape — a run of one per decision, in the order
//! they were made — and removed, in one transaction. Done in Rust rather than in the migration
//! because the outcome is JSON, which SQLite and PostgreSQL read with different functions.

use super::decisions::{DecisionRow, NewRun, RunKind, insert_rows_in};
use super::{Store, StoreError};
use dwa_domain::PluginRef;
use dwa_sdk::{Eligibility, EvaluationInput, Verdict};
use sqlx::Row;

impl Store {
    /// Convert the decisions of earlier versions, if any; returns how many were converted.
    pub(crate) async fn convert_legacy_decisions(&self) -> Result<u64, StoreError> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM legacy_decisions")
            .fetch_one(&self.pool)
            .await?;
        if n == 0 {
            return Ok(0);
        }
        let corrupt = |e: serde_json::Error| StoreError::Corrupt {
            what: "legacy_decisions",
            detail: e.to_string(),
        };
        let mut tx = self.begin_write().await?;
        let rows = sqlx::query(
            "SELECT region, plugin_name, plugin_version, plugin_sha256, manifest_sha256, input_json, outcome_json, \
             fuel_used, guest_output, decided_at FROM legacy_decisions ORDER BY decided_at, id",
        )
        .fetch_all(&mut **tx)
        .await?;
        for row in &rows {
            let input: EvaluationInput =
                serde_json::from_str(&row.try_get::<String, _>("input_json")?).map_err(corrupt)?;
            let outcome: Eligibility =
                serde_json::from_str(&row.try_get::<String, _>("outcome_json")?).map_err(corrupt)?;
            let plugin = PluginRef {
                region: row.try_get("region")?,
                name: row.try_get("plugin_name")?,
                version: row.try_get("plugin_version")?,
                sha256: row.try_get("plugin_sha256")?,
                manifest_sha256: row.try_get("manifest_sha256")?,
            };
            let codes: Vec<&str> = outcome.reasons.iter().map(|r| r.code.as_str()).collect();
            let output: String = row.try_get("guest_output")?;
            let run = NewRun {
                kind: RunKind::Migrated,
                region: &plugin.region,
                quarter: input.application.quarter,
                evaluated_on: input.today,
                plugin: &plugin,
                reason_codes: codes.join(","),
                guest_output: &output,
                fuel_used: row.try_get::<i64, _>("fuel_used")?.max(0) as u64,
                // Kept, and the run id made from it: "latest decision" goes by run id.
                started_at: Some(row.try_get("decided_at")?),
            };
            let (run_id, _) = super::decisions::insert_run_in(&mut tx, &run).await?;
            sqlx::query("UPDATE decision_runs SET decisions = 1, eligible = $1 WHERE id = $2")
                .bind(outcome.eligible as i64)
                .bind(run_id)
                .execute(&mut **tx)
                .await?;
            let decision = DecisionRow {
                application_id: input.application.id.clone(),
                nip: input.employee.nip.clone(),
                verdict: Verdict::from(&outcome),
            };
            insert_rows_in(&mut tx, run_id, std::slice::from_ref(&decision)).await?;
        }
        sqlx::query("DELETE FROM legacy_decision_reasons")
            .execute(&mut **tx)
            .await?;
        sqlx::query("DELETE FROM legacy_decisions").execute(&mut **tx).await?;
        tx.commit().await?;
        Ok(rows.len() as u64)
    }
}
