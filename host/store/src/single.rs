//! A decision stored as a run of its own: an HTTP submission or approval, `dwa eval`. What is
//! stored is taken from the [`Decision`] without its input (the employee record, the region's
//! parameters), so a queued submission carries only what it writes.

use super::StoreError;
use super::decisions::{DecisionRow, NewRun, RunKind, decision_id, insert_rows_in, insert_run_in, insert_violations};
use dwa_domain::{Decision, PluginRef, Violation};
use dwa_sdk::{Date, Quarter, Verdict};

/// One full decision as a run of its own stores it: the run's fields and the verdict, taken
/// from a [`Decision`] without its input (the employee record, the parameters).
#[derive(Clone, Debug)]
pub struct SingleDecision {
    /// The plugin that decided.
    pub plugin: PluginRef,
    /// Quarter.
    pub quarter: Quarter,
    /// The evaluation date.
    pub evaluated_on: Date,
    /// The gate codes reported, comma-separated.
    pub reason_codes: String,
    /// What the plugin printed.
    pub guest_output: String,
    /// Fuel used.
    pub fuel_used: u64,
    /// The verdict on the application.
    pub row: DecisionRow,
    /// Guardrail corrections.
    pub violations: Vec<Violation>,
}

impl SingleDecision {
    /// What storing `d` writes.
    pub fn new(d: &Decision) -> SingleDecision {
        let codes: Vec<&str> = d.eligibility.reasons.iter().map(|r| r.code.as_str()).collect();
        SingleDecision {
            plugin: d.plugin.clone(),
            quarter: d.input.application.quarter,
            evaluated_on: d.input.today,
            reason_codes: codes.join(","),
            guest_output: d.output.text(),
            fuel_used: d.fuel_used,
            row: DecisionRow {
                application_id: d.input.application.id.clone(),
                nip: d.input.employee.nip.clone(),
                verdict: Verdict::from(&d.eligibility),
            },
            violations: d.violations.clone(),
        }
    }
}

/// Store one full decision as a run of its own (with its guardrail corrections) inside an open
/// transaction; returns the decision's id.
pub(crate) async fn insert_decision_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    kind: RunKind,
    d: &SingleDecision,
) -> Result<String, StoreError> {
    let run = NewRun {
        kind,
        region: &d.plugin.region,
        quarter: d.quarter,
        evaluated_on: d.evaluated_on,
        plugin: &d.plugin,
        reason_codes: d.reason_codes.clone(),
        guest_output: &d.guest_output,
        fuel_used: d.fuel_used,
        started_at: None,
    };
    let (run_id, started_at) = insert_run_in(tx, &run).await?;
    insert_rows_in(tx, run_id, std::slice::from_ref(&d.row)).await?;
    sqlx::query("UPDATE decision_runs SET decisions = 1, eligible = $1 WHERE id = $2")
        .bind(d.row.verdict.eligible as i64)
        .bind(run_id)
        .execute(&mut **tx)
        .await?;
    insert_violations(tx, &d.violations, &started_at).await?;
    Ok(decision_id(run_id, &d.row.application_id))
}
