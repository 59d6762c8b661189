//! The one writer of allocation runs. A run covers one unit or one region: one transaction
//! that replaces the quarter's allocations and rosters of the units it covers and stores their
//! decisions, so a unit's decisions and roster appear together or not at all, a re-run is
//! idempotent, and a crash (even kill -9) leaves the old run or the new one, never a mix.
//! Allocating every region is one run per region, each its own failure domain.

use super::bulk::insert_rows;
use super::decisions::{DecisionRow, NewRun, RunKind, insert_rows_in, insert_run_in, insert_violations};
use super::{Backend, Store, StoreError, WriteTx, code, now_rfc3339};
use dwa_domain::{Allocation, PluginRef, Violation};
use dwa_sdk::{Date, Quarter};
use serde::Serialize;

/// What a run covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunScope {
    /// Every unit of the region.
    Region(String),
    /// One unit (of the run's region).
    Unit(String),
}

/// One unit's allocation to store: headcount and the region's plugin's grants.
#[derive(Clone, Debug)]
pub struct UnitAllocation {
    /// Unit code.
    pub unit: String,
    /// Everyone in the unit.
    pub headcount: u32,
    /// The grants with their plugin and guardrail corrections.
    pub allocation: Allocation,
}

/// A run's totals, recorded when it finishes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RunSummary {
    /// Units allocated.
    pub units: u64,
    /// Decisions stored.
    pub decisions: u64,
    /// Of which eligible.
    pub eligible: u64,
    /// People granted at least one day anywhere.
    pub granted: u64,
    /// Plugin fuel used.
    pub fuel_used: u64,
    /// The gate codes the plugin reported, comma-separated (see `decision_runs.reason_codes`).
    pub reason_codes: String,
}

/// A run in progress: an open transaction that has removed the quarter's old allocations of
/// the units it covers. Dropping it without [`RunWriter::finish`] rolls everything back, so
/// readers see the old rosters or the new ones, never a mix.
pub struct RunWriter {
    tx: WriteTx,
    run_id: i64,
    quarter: String,
    region: String,
    allocated_at: String,
}

impl Store {
    /// Start an allocation run of `scope` in `region` for `quarter`: one transaction that first
    /// removes the quarter's allocations and rosters of the units covered (on PostgreSQL after
    /// locking them, so a concurrent run of the same units waits, then replaces this one whole;
    /// SQLite has a single writer already), and records the run.
    pub async fn begin_run(
        &self,
        region: &str,
        scope: &RunScope,
        quarter: Quarter,
        evaluated_on: Date,
        plugin: &PluginRef,
    ) -> Result<RunWriter, StoreError> {
        let mut tx = self.begin_write().await?;
        let q = quarter.to_string();
        let (units, key) = match scope {
            RunScope::Region(region) => ("SELECT code FROM units WHERE region = $2", region),
            RunScope::Unit(unit) => ("SELECT code FROM units WHERE code = $2", unit),
        };
        if self.backend == Backend::Postgres {
            sqlx::query(&format!("{} ORDER BY code FOR UPDATE", units.replace("$2", "$1")))
                .bind(key)
                .fetch_all(&mut **tx)
                .await?;
        }
        for table in ["roster", "set_aside", "allocations"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE quarter = $1 AND unit IN ({units})"))
                .bind(&q)
                .bind(key)
                .execute(&mut **tx)
                .await?;
        }
        let run = NewRun {
            kind: RunKind::Allocation,
            region,
            quarter,
            evaluated_on,
            plugin,
            reason_codes: String::new(),
            guest_output: "",
            fuel_used: 0,
            started_at: None,
        };
        let (run_id, allocated_at) = insert_run_in(&mut tx, &run).await?;
        Ok(RunWriter {
            tx,
            run_id,
            quarter: q,
            region: region.to_owned(),
            allocated_at,
        })
    }
}

impl RunWriter {
    /// The run's id.
    pub fn run_id(&self) -> i64 {
        self.run_id
    }

    /// Store a batch of decisions and unit allocations (with rosters and guardrail corrections)
    /// in the run's transaction.
    pub async fn write(&mut self, decisions: &[DecisionRow], allocations: &[UnitAllocation]) -> Result<(), StoreError> {
        insert_rows_in(&mut self.tx, self.run_id, decisions).await?;
        let (quarter, region, at) = (&self.quarter, &self.region, &self.allocated_at);
        insert_rows(
            &mut self.tx,
            "allocations (unit, quarter, region, headcount, plugin_name, plugin_version, plugin_sha256, fuel_used, \
             allocated_at)",
            9,
            allocations,
            |q, u| {
                q.bind(&u.unit)
                    .bind(quarter)
                    .bind(region)
                    .bind(u.headcount as i64)
                    .bind(&u.allocation.plugin.name)
                    .bind(&u.allocation.plugin.version)
                    .bind(&u.allocation.plugin.sha256)
                    .bind(u.allocation.fuel_used as i64)
                    .bind(at);
            },
        )
        .await?;
        let roster: Vec<(&str, &dwa_sdk::Grant, String, String)> = allocations
            .iter()
            .flat_map(|u| {
                u.allocation.grants.iter().map(move |g| {
                    let days: Vec<String> = g.weekdays.iter().map(code).collect();
                    let reasons = if g.reasons.is_empty() {
                        String::new()
                    } else {
                        serde_json::to_string(&g.reasons).expect("reasons serialise")
                    };
                    (u.unit.as_str(), g, days.join(","), reasons)
                })
            })
            .collect();
        insert_rows(
            &mut self.tx,
            "roster (unit, quarter, nip, application_id, remote_days, weekdays, reasons)",
            7,
            &roster,
            |q, (unit, grant, days, reasons)| {
                q.bind(*unit)
                    .bind(quarter)
                    .bind(&grant.nip)
                    .bind(&grant.application_id)
                    .bind(grant.remote_days as i64)
                    .bind(days)
                    .bind(reasons);
            },
        )
        .await?;
        let violations: Vec<_> = allocations
            .iter()
            .flat_map(|u| u.allocation.violations.iter().cloned())
            .collect();
        if !violations.is_empty() {
            insert_violations(&mut self.tx, &violations, at).await?;
        }
        Ok(())
    }

    /// Record an application the rules failed for, with the failure (naming the plugin and
    /// its version).
    pub async fn write_set_aside(
        &mut self,
        unit: &str,
        application_id: &str,
        nip: &str,
        failure: &str,
    ) -> Result<(), StoreError> {
        let (quarter, at) = (&self.quarter, &self.allocated_at);
        super::quarter::insert_set_aside(&mut self.tx, unit, quarter, application_id, nip, failure, at).await
    }

    /// Record a change to an application's place made by this run in its history, and tell
    /// the applicant (`kind`, e.g. `moved`, with `detail`).
    pub async fn write_notice(
        &mut self,
        application_id: &str,
        nip: &str,
        kind: &str,
        detail: &serde_json::Value,
    ) -> Result<(), StoreError> {
        let event = super::ApplicationEvent {
            application_id: application_id.to_owned(),
            nip: nip.to_owned(),
            at: String::new(),
            actor: "system".into(),
            event: kind.to_owned(),
            detail: detail.clone(),
        };
        super::quarter::insert_event(&mut self.tx, &event, &self.allocated_at, 1).await?;
        super::quarter::insert_notification(
            &mut self.tx,
            nip,
            Some(application_id),
            kind,
            detail,
            &self.allocated_at,
        )
        .await
    }

    /// Store guardrail corrections made to decisions.
    pub async fn write_violations(&mut self, violations: &[Violation]) -> Result<(), StoreError> {
        insert_violations(&mut self.tx, violations, &self.allocated_at).await
    }

    /// Record the run's totals and commit it.
    pub async fn finish(mut self, summary: &RunSummary) -> Result<i64, StoreError> {
        sqlx::query(
            "UPDATE decision_runs SET finished_at = $1, units = $2, decisions = $3, eligible = $4, granted = $5, \
             fuel_used = $6, reason_codes = $7 WHERE id = $8",
        )
        .bind(now_rfc3339())
        .bind(summary.units as i64)
        .bind(summary.decisions as i64)
        .bind(summary.eligible as i64)
        .bind(summary.granted as i64)
        .bind(summary.fuel_used as i64)
        .bind(&summary.reason_codes)
        .bind(self.run_id)
        .execute(&mut **self.tx)
        .await?;
        self.tx.commit().await?;
        Ok(self.run_id)
    }
}
