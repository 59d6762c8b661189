//! Decisions, in the one shape every writer stores and every reader reads: a verdict
//! (eligibility, days, priority, approvals needed, failed gate codes) in a run that names the
//! plugin (region, name, version, sha256s), the quarter and the evaluation date. A single
//! decision (an HTTP submission or approval, `dwa eval`) is a run of one; an allocation run holds
//! a unit's, a region's or every region's decisions (see `runs.rs`).
//!
//! A decision's id is `dec-<run id>.<application id>`: an application is decided at most once
//! per run, and the id then needs no column or index of its own at millions of rows.

use super::{Store, StoreError, now_rfc3339, parse_code, parse_text};
use dwa_domain::{Decision, PluginRef, Violation};
use dwa_sdk::{Approver, Date, Quarter, Verdict};
use serde::Serialize;
use sqlx::Row;

/// What made a run of decisions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunKind {
    /// A quarterly allocation of a unit, a region or every region.
    Allocation,
    /// An application submitted (over HTTP or `dwa apply`).
    Submission,
    /// An approver's decision, re-evaluated.
    Approval,
    /// `dwa eval`, stored for the record.
    Eval,
    /// A decision of an earlier version of the host, converted.
    Migrated,
}

impl RunKind {
    /// The code stored in `decision_runs.kind`.
    pub fn code(self) -> &'static str {
        match self {
            RunKind::Allocation => "allocation",
            RunKind::Submission => "submission",
            RunKind::Approval => "approval",
            RunKind::Eval => "eval",
            RunKind::Migrated => "migrated",
        }
    }

    fn parse(code: &str) -> Result<RunKind, StoreError> {
        Ok(match code {
            "allocation" => RunKind::Allocation,
            "submission" => RunKind::Submission,
            "approval" => RunKind::Approval,
            "eval" => RunKind::Eval,
            "migrated" => RunKind::Migrated,
            other => {
                return Err(StoreError::Corrupt {
                    what: "decision_runs.kind",
                    detail: format!("`{other}`"),
                });
            }
        })
    }
}

/// One stored decision: the verdict on one application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DecisionRow {
    /// Application id.
    pub application_id: String,
    /// NIP of the applicant.
    pub nip: String,
    /// The verdict, after guardrails.
    pub verdict: Verdict,
}

/// A decision read back with its run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredDecision {
    /// `dec-<run id>.<application id>`.
    pub id: String,
    /// The run's id.
    pub run_id: i64,
    /// What made the run.
    pub kind: RunKind,
    /// Quarter.
    pub quarter: Quarter,
    /// The evaluation date.
    pub evaluated_on: Date,
    /// The plugin that decided (region, name, version, sha256s).
    pub plugin: PluginRef,
    /// When the run started (RFC 3339).
    pub decided_at: String,
    /// The verdict.
    pub decision: DecisionRow,
}

/// A decision's id from its run and application.
pub fn decision_id(run_id: i64, application_id: &str) -> String {
    format!("dec-{run_id}.{application_id}")
}

/// The run and application of a decision id, if it has that shape.
fn parse_decision_id(id: &str) -> Option<(i64, &str)> {
    let (run, application) = id.strip_prefix("dec-")?.split_once('.')?;
    Some((run.parse().ok()?, application))
}

/// Approver codes, comma-separated, as stored.
pub(crate) fn approver_codes(approvers: &[Approver]) -> String {
    approvers
        .iter()
        .map(|a| match a {
            // Spelled out rather than serialised: this runs once per stored decision.
            Approver::Supervisor => "supervisor",
            Approver::HeadOfAgency => "head_of_agency",
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// A new run id: microseconds since the epoch times 1,000 plus a random part, so ids are
/// ordered by time ("latest decision" goes by them) and two runs started in the same
/// microsecond on PostgreSQL replicas almost never collide (a collision is retried). Within
/// this process ids only grow, even for runs started in the same microsecond.
pub(crate) fn new_run_id() -> i64 {
    static LAST: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);
    let micros = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64);
    let candidate = micros * 1000 + (uuid::Uuid::new_v4().as_u128() % 1000) as i64;
    let previous = LAST
        .fetch_update(
            std::sync::atomic::Ordering::Relaxed,
            std::sync::atomic::Ordering::Relaxed,
            |last| Some(last.max(candidate - 1) + 1),
        )
        .unwrap_or(candidate - 1);
    previous.max(candidate - 1) + 1
}

/// The run id a decision made at `rfc3339` (as [`now_rfc3339`] writes it) would have had, with
/// `n` as its random part; `None` if the time is not in that form.
pub(crate) fn run_id_at(rfc3339: &str, n: u64) -> Option<i64> {
    let date: Date = rfc3339.get(..10)?.parse().ok()?;
    let clock = rfc3339.get(11..19)?;
    let mut parts = clock.split(':').map(|p| p.parse::<i64>().ok());
    let (h, m, s) = (parts.next()??, parts.next()??, parts.next()??);
    let micros: i64 = rfc3339.get(20..26).and_then(|f| f.parse().ok()).unwrap_or(0);
    let secs = date.days_since_epoch() * 86_400 + h * 3600 + m * 60 + s;
    Some((secs * 1_000_000 + micros) * 1000 + (n % 1000) as i64)
}

/// What a run records about itself when it starts.
pub(crate) struct NewRun<'a> {
    pub kind: RunKind,
    pub region: &'a str,
    pub quarter: Quarter,
    pub evaluated_on: Date,
    pub plugin: &'a PluginRef,
    pub reason_codes: String,
    pub guest_output: &'a str,
    pub fuel_used: u64,
    /// When the run started, for a run recorded after the fact (converted); `None` for now.
    pub started_at: Option<String>,
}

/// Record a run inside an open transaction; returns its id and start time.
pub(crate) async fn insert_run_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    run: &NewRun<'_>,
) -> Result<(i64, String), StoreError> {
    let started_at = run.started_at.clone().unwrap_or_else(now_rfc3339);
    for attempt in 0..8u64 {
        let run_id = match &run.started_at {
            Some(at) => run_id_at(at, attempt).ok_or_else(|| StoreError::Corrupt {
                what: "decision time",
                detail: format!("`{at}`"),
            })?,
            None => new_run_id(),
        };
        let inserted = sqlx::query(
            "INSERT INTO decision_runs (id, region, quarter, evaluated_on, plugin_name, plugin_version, plugin_sha256, \
             manifest_sha256, started_at, finished_at, units, decisions, eligible, granted, fuel_used, kind, \
             reason_codes, guest_output) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, 0, 0, 0, 0, $10, $11, $12, $13) ON CONFLICT (id) DO NOTHING",
        )
        .bind(run_id)
        .bind(run.region)
        .bind(run.quarter.to_string())
        .bind(run.evaluated_on.to_string())
        .bind(&run.plugin.name)
        .bind(&run.plugin.version)
        .bind(&run.plugin.sha256)
        .bind(&run.plugin.manifest_sha256)
        .bind(&started_at)
        .bind(run.fuel_used as i64)
        .bind(run.kind.code())
        .bind(&run.reason_codes)
        .bind(run.guest_output)
        .execute(&mut **tx)
        .await?;
        if inserted.rows_affected() == 1 {
            return Ok((run_id, started_at));
        }
    }
    Err(StoreError::Conflict(
        "eight run ids in a row were taken; run again".into(),
    ))
}

/// Store decision rows of run `run_id` inside an open transaction, with multi-row inserts.
pub(crate) async fn insert_rows_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    run_id: i64,
    rows: &[DecisionRow],
) -> Result<(), StoreError> {
    let lists: Vec<(String, String)> = rows
        .iter()
        .map(|d| {
            (
                approver_codes(&d.verdict.approvals_required),
                d.verdict.failed.join(","),
            )
        })
        .collect();
    let indexed: Vec<usize> = (0..rows.len()).collect();
    super::bulk::insert_rows(
        tx,
        "decisions (run_id, application_id, nip, eligible, max_remote_days, priority, approvals_required, failed)",
        8,
        &indexed,
        |q, &i| {
            let d = &rows[i];
            q.bind(run_id)
                .bind(&d.application_id)
                .bind(&d.nip)
                .bind(d.verdict.eligible as i64)
                .bind(d.verdict.max_remote_days as i64)
                .bind(d.verdict.priority as i64)
                .bind(&lists[i].0)
                .bind(&lists[i].1);
        },
    )
    .await
}

impl Store {
    /// Store full decisions (`dwa eval`), each as a run of its own, in one transaction; returns
    /// their ids in order.
    pub async fn insert_decisions(&self, kind: RunKind, decisions: &[Decision]) -> Result<Vec<String>, StoreError> {
        let mut tx = self.begin_write().await?;
        let mut ids = Vec::with_capacity(decisions.len());
        for d in decisions {
            ids.push(super::single::insert_decision_in(&mut tx, kind, &super::SingleDecision::new(d)).await?);
        }
        tx.commit().await?;
        Ok(ids)
    }

    /// A stored decision by its id.
    pub async fn decision(&self, id: &str) -> Result<StoredDecision, StoreError> {
        let not_found = || StoreError::NotFound(format!("decision `{id}`"));
        let (run_id, application_id) = parse_decision_id(id).ok_or_else(not_found)?;
        let row = sqlx::query(&format!(
            "{SELECT_DECISION} WHERE d.application_id = $1 AND d.run_id = $2"
        ))
        .bind(application_id)
        .bind(run_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(not_found)?;
        decision_from_row(&row)
    }

    /// The latest decision on an application, whichever run made it.
    pub async fn latest_decision(&self, application_id: &str) -> Result<StoredDecision, StoreError> {
        let row = sqlx::query(&format!(
            "{SELECT_DECISION} WHERE d.application_id = $1 ORDER BY d.run_id DESC LIMIT 1"
        ))
        .bind(application_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("decision on application `{application_id}`")))?;
        decision_from_row(&row)
    }
}

const SELECT_DECISION: &str = "SELECT d.run_id, d.application_id, d.nip, d.eligible, d.max_remote_days, d.priority, \
     d.approvals_required, d.failed, r.kind, r.region, r.quarter, r.evaluated_on, r.plugin_name, r.plugin_version, \
     r.plugin_sha256, r.manifest_sha256, r.started_at FROM decisions d JOIN decision_runs r ON r.id = d.run_id";

fn decision_from_row(row: &sqlx::any::AnyRow) -> Result<StoredDecision, StoreError> {
    let run_id: i64 = row.try_get("run_id")?;
    let application_id: String = row.try_get("application_id")?;
    let region: String = row.try_get("region")?;
    Ok(StoredDecision {
        id: decision_id(run_id, &application_id),
        run_id,
        kind: RunKind::parse(&row.try_get::<String, _>("kind")?)?,
        quarter: parse_text("decision_runs.quarter", &row.try_get::<String, _>("quarter")?)?,
        evaluated_on: parse_text("decision_runs.evaluated_on", &row.try_get::<String, _>("evaluated_on")?)?,
        plugin: PluginRef {
            region,
            name: row.try_get("plugin_name")?,
            version: row.try_get("plugin_version")?,
            sha256: row.try_get("plugin_sha256")?,
            manifest_sha256: row.try_get("manifest_sha256")?,
        },
        decided_at: row.try_get("started_at")?,
        decision: DecisionRow {
            application_id,
            nip: row.try_get("nip")?,
            verdict: Verdict {
                eligible: row.try_get::<i64, _>("eligible")? != 0,
                max_remote_days: row.try_get::<i64, _>("max_remote_days")? as u8,
                priority: row.try_get::<i64, _>("priority")? as i32,
                approvals_required: row
                    .try_get::<String, _>("approvals_required")?
                    .split(',')
                    .filter(|c| !c.is_empty())
                    .map(|c| parse_code("decisions.approvals_required", c))
                    .collect::<Result<_, _>>()?,
                failed: row
                    .try_get::<String, _>("failed")?
                    .split(',')
                    .filter(|c| !c.is_empty())
                    .map(str::to_owned)
                    .collect(),
            },
        },
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
        .bind(super::new_id("gv"))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decision_ids_round_trip() {
        let id = decision_id(1_764_000_000_000_000_123, "app-4f1c");
        assert_eq!(parse_decision_id(&id), Some((1_764_000_000_000_000_123, "app-4f1c")));
        assert_eq!(parse_decision_id("dec-4f1c"), None);
        assert_eq!(parse_decision_id("dec-x.app"), None);
        assert_eq!(parse_decision_id("run-1.app"), None);
    }

    #[test]
    fn run_ids_grow_and_follow_the_clock() {
        let ids: Vec<i64> = (0..1000).map(|_| new_run_id()).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        let now = run_id_at(&now_rfc3339(), 0).unwrap();
        assert!((now - ids[999]).abs() < 60_000_000_000, "{now} vs {}", ids[999]);
        assert_eq!(
            run_id_at("2027-01-04T00:00:01.000002Z", 7),
            Some(1_799_020_801_000_002 * 1000 + 7)
        );
        assert_eq!(run_id_at("yesterday", 0), None);
    }
}
