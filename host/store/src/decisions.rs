//! Decisions: each with the plugin (region, version, sha256) that made it, the input it saw,
//! the outcome and reasons, fuel and time — enough to explain and replay it later.

use super::{Store, StoreError, new_id, now_rfc3339};
use dwa_domain::{Decision, Violation};
use dwa_sdk::{Eligibility, EvaluationInput};
use serde::Serialize;
use sqlx::Row;

/// A decision read back from the database.
#[derive(Clone, Debug, Serialize)]
pub struct StoredDecision {
    /// Decision id.
    pub id: String,
    /// Application id.
    pub application_id: String,
    /// Region code.
    pub region: String,
    /// Plugin name.
    pub plugin_name: String,
    /// Plugin version.
    pub plugin_version: String,
    /// Plugin sha256.
    pub plugin_sha256: String,
    /// What the plugin saw.
    pub input: EvaluationInput,
    /// The outcome with its reasons.
    pub outcome: Eligibility,
    /// Fuel used.
    pub fuel_used: u64,
    /// When.
    pub decided_at: String,
}

impl Store {
    /// Store decisions with their reasons and guardrail violations in one transaction; returns
    /// their ids in order.
    pub async fn insert_decisions(&self, decisions: &[Decision]) -> Result<Vec<String>, StoreError> {
        let mut tx = self.begin_write().await?;
        let mut ids = Vec::with_capacity(decisions.len());
        for d in decisions {
            ids.push(insert_decision_in(&mut tx, d).await?);
        }
        tx.commit().await?;
        Ok(ids)
    }

    /// A stored decision.
    pub async fn decision(&self, id: &str) -> Result<StoredDecision, StoreError> {
        let row = sqlx::query(&format!("SELECT {DECISION_COLUMNS} FROM decisions WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("decision `{id}`")))?;
        decision_from_row(&row)
    }

    /// The latest decision on an application.
    pub async fn latest_decision(&self, application_id: &str) -> Result<StoredDecision, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {DECISION_COLUMNS} FROM decisions WHERE application_id = $1 ORDER BY decided_at DESC, id DESC LIMIT 1"
        ))
        .bind(application_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("decision on application `{application_id}`")))?;
        decision_from_row(&row)
    }
}

const DECISION_COLUMNS: &str = "id, application_id, region, plugin_name, plugin_version, plugin_sha256, input_json, \
     outcome_json, fuel_used, decided_at";

fn decision_from_row(row: &sqlx::any::AnyRow) -> Result<StoredDecision, StoreError> {
    let corrupt = |e: serde_json::Error| StoreError::Corrupt {
        what: "decisions",
        detail: e.to_string(),
    };
    Ok(StoredDecision {
        id: row.try_get("id")?,
        application_id: row.try_get("application_id")?,
        region: row.try_get("region")?,
        plugin_name: row.try_get("plugin_name")?,
        plugin_version: row.try_get("plugin_version")?,
        plugin_sha256: row.try_get("plugin_sha256")?,
        input: serde_json::from_str(&row.try_get::<String, _>("input_json")?).map_err(corrupt)?,
        outcome: serde_json::from_str(&row.try_get::<String, _>("outcome_json")?).map_err(corrupt)?,
        fuel_used: row.try_get::<i64, _>("fuel_used")? as u64,
        decided_at: row.try_get("decided_at")?,
    })
}

/// Record guardrail violations inside an open transaction.
pub(super) async fn insert_violations(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    violations: &[Violation],
    now: &str,
) -> Result<(), StoreError> {
    for v in violations {
        sqlx::query(
            "INSERT INTO guardrail_violations (id, region, plugin_name, plugin_version, plugin_sha256, rule, detail, occurred_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(new_id("gv"))
        .bind(&v.plugin.region)
        .bind(&v.plugin.name)
        .bind(&v.plugin.version)
        .bind(&v.plugin.sha256)
        .bind(&v.rule)
        .bind(&v.detail)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Store one decision with its reasons and violations inside an open transaction; returns its id.
pub(crate) async fn insert_decision_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    d: &Decision,
) -> Result<String, StoreError> {
    let now = now_rfc3339();
    let id = new_id("dec");
    let input = serde_json::to_string(&d.input).expect("inputs serialise");
    let outcome = serde_json::to_string(&d.eligibility).expect("outcomes serialise");
    sqlx::query(
        "INSERT INTO decisions (id, application_id, nip, region, quarter, evaluated_on, plugin_name, plugin_version, \
             plugin_sha256, manifest_sha256, input_json, eligible, max_remote_days, priority, outcome_json, fuel_used, \
             duration_us, guest_output, decided_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
    )
    .bind(&id)
    .bind(&d.input.application.id)
    .bind(&d.input.employee.nip)
    .bind(&d.plugin.region)
    .bind(d.input.application.quarter.to_string())
    .bind(d.input.today.to_string())
    .bind(&d.plugin.name)
    .bind(&d.plugin.version)
    .bind(&d.plugin.sha256)
    .bind(&d.plugin.manifest_sha256)
    .bind(input)
    .bind(d.eligibility.eligible as i64)
    .bind(d.eligibility.max_remote_days as i64)
    .bind(d.eligibility.priority as i64)
    .bind(outcome)
    .bind(d.fuel_used as i64)
    .bind(d.duration.as_micros() as i64)
    .bind(d.output.text())
    .bind(&now)
    .execute(&mut **tx)
    .await?;
    // One statement for all the reasons: a round trip per reason was most of a submission's
    // database time.
    if !d.eligibility.reasons.is_empty() {
        let rows: Vec<String> = (0..d.eligibility.reasons.len())
            .map(|i| format!("(${}, ${}, ${})", 3 * i + 1, 3 * i + 2, 3 * i + 3))
            .collect();
        let sql = format!(
            "INSERT INTO decision_reasons (decision_id, code, passed) VALUES {} ON CONFLICT DO NOTHING",
            rows.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for reason in &d.eligibility.reasons {
            query = query.bind(&id).bind(&reason.code).bind(reason.passed as i64);
        }
        query.execute(&mut **tx).await?;
    }
    insert_violations(tx, &d.violations, &now).await?;
    Ok(id)
}
