//! The national allocation's reads and writes. Reads: a region's units page by page, each page
//! one query that returns per unit every employee with ratings, penalties, last quarter's review
//! and live application (with approvals) as one JSON document built by the database — one row
//! per unit instead of a dozen per employee, which is what makes millions of employees cheap to
//! read. Writes: per region one transaction that replaces the quarter's allocations and rosters
//! and stores a compact record per decision, with multi-row inserts.

use super::bulk::insert_rows;
use super::decisions::insert_violations;
use super::{Backend, Store, StoreError, code, now_rfc3339};
use crate::policy::{Allocation, PluginRef};
use dwa_sdk::{
    Application, Approval, Approver, Date, Employee, EmploymentType, Expectation, LocationKind, Penalty,
    PenaltyLevel, PositionKind, Potential, Quarter, QuarterReview, SkpAssessment, TaskCategory,
};
use serde::{Deserialize, Serialize};
use sqlx::Row;

/// One unit as read for the national allocation: its code and, unless it has no employees, its
/// staff as the JSON document [`UnitStaff::parse`] reads (parsed later, off the reading task).
#[derive(Clone, Debug)]
pub struct UnitStaff {
    /// Unit code.
    pub code: String,
    /// The staff document, `None` for a unit without employees.
    pub staff_json: Option<String>,
}

/// One employee of a unit as the rules see them on the evaluation date, with their live
/// application for the quarter, if any.
#[derive(Clone, Debug)]
pub struct StaffRow {
    /// The employee (with last quarter's review).
    pub employee: Employee,
    /// The live application.
    pub application: Option<Application>,
}

/// The staff document's shape: one object per employee. Enum codes deserialise as stored.
#[derive(Deserialize)]
struct StaffJson {
    nip: String,
    name: String,
    employment_type: EmploymentType,
    agency: String,
    position_kind: PositionKind,
    echelon: Option<i64>,
    public_service: i64,
    task_category: TaskCategory,
    appointed_on: Date,
    potential: Potential,
    unexcused_absence_days: i64,
    ratings: Vec<(i64, Expectation, Expectation)>,
    penalties: Vec<(PenaltyLevel, Date, Option<Date>)>,
    review: Option<(i64, i64)>,
    application: Option<ApplicationJson>,
}

#[derive(Deserialize)]
struct ApplicationJson {
    id: String,
    requested_remote_days: i64,
    location_kind: LocationKind,
    work_plan: String,
    kpi_baseline: f64,
    kpi_target: f64,
    approvals: Vec<(Approver, String, i64)>,
}

impl UnitStaff {
    /// The unit's employees by NIP, as of `today` in `region`, with `previous` quarter's review.
    pub fn parse(&self, region: &str, previous: Quarter, today: Date) -> Result<Vec<StaffRow>, StoreError> {
        let Some(json) = &self.staff_json else {
            return Ok(Vec::new());
        };
        let staff: Vec<StaffJson> = serde_json::from_str(json).map_err(|e| StoreError::Corrupt {
            what: "employees (staff of a unit)",
            detail: format!("unit {}: {e}", self.code),
        })?;
        let mut rows: Vec<StaffRow> = staff
            .into_iter()
            .map(|s| StaffRow {
                employee: Employee {
                    nip: s.nip,
                    name: s.name,
                    employment_type: s.employment_type,
                    region: region.to_owned(),
                    agency: s.agency,
                    unit: self.code.clone(),
                    position_kind: s.position_kind,
                    echelon: s.echelon.map(|e| e as u8),
                    public_service: s.public_service != 0,
                    task_category: s.task_category,
                    service_months: today.months_since(s.appointed_on),
                    ratings: s
                        .ratings
                        .into_iter()
                        .map(|(year, work_result, work_behaviour)| SkpAssessment {
                            year: year as u16,
                            work_result,
                            work_behaviour,
                        })
                        .collect(),
                    potential: s.potential,
                    penalties: s
                        .penalties
                        .into_iter()
                        .map(|(level, start, end)| Penalty { level, start, end })
                        .collect(),
                    unexcused_absence_days: s.unexcused_absence_days as u32,
                    previous_review: s.review.map(|(days, achieved)| QuarterReview {
                        quarter: previous,
                        granted_remote_days: days as u8,
                        kpi_achieved: achieved != 0,
                    }),
                },
                application: s.application.map(|a| Application {
                    id: a.id,
                    quarter: previous.next(),
                    requested_remote_days: a.requested_remote_days as u8,
                    location_kind: a.location_kind,
                    work_plan: a.work_plan,
                    kpi_baseline: a.kpi_baseline,
                    kpi_target: a.kpi_target,
                    approvals: a
                        .approvals
                        .into_iter()
                        .map(|(approver, by_nip, approved)| Approval {
                            approver,
                            by_nip,
                            approved: approved != 0,
                        })
                        .collect(),
                }),
            })
            .collect();
        // The database's aggregate order is not guaranteed; the per-unit path reads by NIP.
        rows.sort_by(|a, b| a.employee.nip.cmp(&b.employee.nip));
        Ok(rows)
    }
}

/// The staff query on SQLite (3.44+: ordered aggregates). Parameters: region, units after $2 up
/// to $3, previous quarter $4, quarter $5. A scalar subquery loses the JSON subtype, hence the
/// `json(…)` around each nested document.
const STAFF_SQLITE: &str = "SELECT e.unit AS unit, json_group_array(json_object(\
     'nip', e.nip, 'name', e.name, 'employment_type', e.employment_type, 'agency', e.agency, \
     'position_kind', e.position_kind, 'echelon', e.echelon, 'public_service', e.public_service, \
     'task_category', e.task_category, 'appointed_on', e.appointed_on, 'potential', e.potential, \
     'unexcused_absence_days', e.unexcused_absence_days, \
     'ratings', json((SELECT json_group_array(json_array(r.year, r.work_result, r.work_behaviour) ORDER BY r.year) \
         FROM ratings r WHERE r.nip = e.nip)), \
     'penalties', json((SELECT json_group_array(json_array(p.level, p.start_date, p.end_date) ORDER BY p.start_date) \
         FROM penalties p WHERE p.nip = e.nip)), \
     'review', json((SELECT json_array(v.granted_remote_days, v.kpi_achieved) FROM reviews v \
         WHERE v.nip = e.nip AND v.quarter = $4)), \
     'application', json((SELECT json_object('id', a.id, 'requested_remote_days', a.requested_remote_days, \
         'location_kind', a.location_kind, 'work_plan', a.work_plan, 'kpi_baseline', a.kpi_baseline, \
         'kpi_target', a.kpi_target, 'approvals', json((SELECT json_group_array(json_array(p.approver, p.by_nip, \
         p.approved) ORDER BY p.decided_at, p.approver) FROM approvals p WHERE p.application_id = a.id))) \
         FROM applications a WHERE a.nip = e.nip AND a.quarter = $5 AND a.status <> 'withdrawn'))\
     )) AS staff \
     FROM employees e JOIN units u ON u.code = e.unit \
     WHERE u.region = $1 AND e.unit > $2 AND e.unit <= $3 GROUP BY e.unit ORDER BY e.unit";

/// The same on PostgreSQL.
const STAFF_POSTGRES: &str = "SELECT e.unit AS unit, json_agg(json_build_object(\
     'nip', e.nip, 'name', e.name, 'employment_type', e.employment_type, 'agency', e.agency, \
     'position_kind', e.position_kind, 'echelon', e.echelon, 'public_service', e.public_service, \
     'task_category', e.task_category, 'appointed_on', e.appointed_on, 'potential', e.potential, \
     'unexcused_absence_days', e.unexcused_absence_days, \
     'ratings', (SELECT COALESCE(json_agg(json_build_array(r.year, r.work_result, r.work_behaviour) ORDER BY r.year), \
         '[]'::json) FROM ratings r WHERE r.nip = e.nip), \
     'penalties', (SELECT COALESCE(json_agg(json_build_array(p.level, p.start_date, p.end_date) ORDER BY p.start_date), \
         '[]'::json) FROM penalties p WHERE p.nip = e.nip), \
     'review', (SELECT json_build_array(v.granted_remote_days, v.kpi_achieved) FROM reviews v \
         WHERE v.nip = e.nip AND v.quarter = $4), \
     'application', (SELECT json_build_object('id', a.id, 'requested_remote_days', a.requested_remote_days, \
         'location_kind', a.location_kind, 'work_plan', a.work_plan, 'kpi_baseline', a.kpi_baseline, \
         'kpi_target', a.kpi_target, 'approvals', (SELECT COALESCE(json_agg(json_build_array(p.approver, p.by_nip, \
         p.approved) ORDER BY p.decided_at, p.approver), '[]'::json) FROM approvals p WHERE p.application_id = a.id)) \
         FROM applications a WHERE a.nip = e.nip AND a.quarter = $5 AND a.status <> 'withdrawn')\
     ) ORDER BY e.nip)::text AS staff \
     FROM employees e JOIN units u ON u.code = e.unit \
     WHERE u.region = $1 AND e.unit > $2 AND e.unit <= $3 GROUP BY e.unit ORDER BY e.unit";

/// A compact decision, as the national allocation stores it: the verdict without messages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CompactDecision {
    /// Application id.
    pub application_id: String,
    /// NIP of the applicant.
    pub nip: String,
    /// Whether every gate passed.
    pub eligible: bool,
    /// Largest days anywhere allowed.
    pub max_remote_days: u8,
    /// Priority for the quota.
    pub priority: i32,
    /// Codes of the failed gates, in the plugin's order.
    pub failed: Vec<String>,
}

/// A compact decision read back with the run that made it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredCompactDecision {
    /// The run's id.
    pub run_id: i64,
    /// Region code.
    pub region: String,
    /// Quarter.
    pub quarter: Quarter,
    /// The evaluation date.
    pub evaluated_on: Date,
    /// The plugin that decided (region, name, version, sha256s).
    pub plugin: PluginRef,
    /// When the run started (RFC 3339).
    pub started_at: String,
    /// The verdict.
    pub decision: CompactDecision,
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

/// A region's run as recorded when it finishes.
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
}

/// One region's national run in progress: an open transaction that has removed the quarter's
/// old allocations of the region. Dropping it without [`RegionWriter::finish`] rolls everything
/// back, so readers see the old rosters or the new ones, never a mix.
pub struct RegionWriter {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    run_id: i64,
    quarter: String,
    region: String,
    allocated_at: String,
}

impl Store {
    /// Codes of the regions that have units, in order.
    pub async fn unit_regions(&self) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query("SELECT DISTINCT region FROM units ORDER BY region")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| r.try_get::<String, _>("region").map_err(StoreError::from))
            .collect()
    }

    /// Employees, of one region or all (for progress reporting).
    pub async fn employee_count(&self, region: Option<&str>) -> Result<u64, StoreError> {
        let (n,): (i64,) = match region {
            Some(region) => {
                sqlx::query_as("SELECT COUNT(*) FROM employees WHERE region = $1")
                    .bind(region)
                    .fetch_one(&self.pool)
                    .await?
            }
            None => sqlx::query_as("SELECT COUNT(*) FROM employees").fetch_one(&self.pool).await?,
        };
        Ok(n.max(0) as u64)
    }

    /// Unit codes of `region` after `after` (by code), at most `limit` of them.
    pub async fn region_unit_codes(&self, region: &str, after: &str, limit: usize) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query("SELECT code FROM units WHERE region = $1 AND code > $2 ORDER BY code LIMIT $3")
            .bind(region)
            .bind(after)
            .bind(limit as i64)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| r.try_get::<String, _>("code").map_err(StoreError::from))
            .collect()
    }

    /// The staff of `region`'s units `units` for `quarter`, one entry per unit in the same
    /// order: `units` is what [`Store::region_unit_codes`] returned for `after`.
    pub async fn region_staff(
        &self,
        region: &str,
        after: &str,
        units: &[String],
        quarter: Quarter,
    ) -> Result<Vec<UnitStaff>, StoreError> {
        let Some(last) = units.last() else {
            return Ok(Vec::new());
        };
        // Codes sort as text: the employees of units after `after` up to the page's last unit
        // are exactly this page's, read in one range scan.
        let sql = match self.backend {
            Backend::Sqlite => STAFF_SQLITE,
            Backend::Postgres => STAFF_POSTGRES,
        };
        let rows = sqlx::query(sql)
            .bind(region)
            .bind(after)
            .bind(last)
            .bind(quarter.previous().to_string())
            .bind(quarter.to_string())
            .fetch_all(&self.pool)
            .await?;
        let mut staff = std::collections::HashMap::with_capacity(rows.len());
        for row in rows {
            staff.insert(row.try_get::<String, _>("unit")?, row.try_get::<String, _>("staff")?);
        }
        Ok(units
            .iter()
            .map(|code| UnitStaff {
                code: code.clone(),
                staff_json: staff.remove(code),
            })
            .collect())
    }

    /// Start a region's national run for `quarter`: one transaction that first removes the
    /// quarter's allocations and rosters of the region's units (on PostgreSQL after locking the
    /// units, so a concurrent per-unit allocation waits), and records the run.
    pub async fn begin_region_run(
        &self,
        region: &str,
        quarter: Quarter,
        evaluated_on: Date,
        plugin: &PluginRef,
    ) -> Result<RegionWriter, StoreError> {
        let mut tx = self.pool.begin().await?;
        let q = quarter.to_string();
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT code FROM units WHERE region = $1 ORDER BY code FOR UPDATE")
                .bind(region)
                .fetch_all(&mut *tx)
                .await?;
        }
        sqlx::query("DELETE FROM roster WHERE quarter = $1 AND unit IN (SELECT code FROM units WHERE region = $2)")
            .bind(&q)
            .bind(region)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM allocations WHERE quarter = $1 AND unit IN (SELECT code FROM units WHERE region = $2)")
            .bind(&q)
            .bind(region)
            .execute(&mut *tx)
            .await?;
        let started_at = now_rfc3339();
        // Microseconds since the epoch: unique in practice, ordered by time, and assigned
        // without reading the table (two regions' runs may start side by side on PostgreSQL).
        let run_id = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_micros() as i64);
        sqlx::query(
            "INSERT INTO allocation_runs (id, region, quarter, evaluated_on, plugin_name, plugin_version, plugin_sha256, \
             manifest_sha256, started_at, finished_at, units, decisions, eligible, granted, fuel_used) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, 0, 0, 0, 0, 0)",
        )
        .bind(run_id)
        .bind(region)
        .bind(&q)
        .bind(evaluated_on.to_string())
        .bind(&plugin.name)
        .bind(&plugin.version)
        .bind(&plugin.sha256)
        .bind(&plugin.manifest_sha256)
        .bind(&started_at)
        .execute(&mut *tx)
        .await
        .map_err(|err| match &err {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict(format!("allocation run {run_id} already exists; run again"))
            }
            _ => StoreError::Database(err),
        })?;
        Ok(RegionWriter {
            tx,
            run_id,
            quarter: q,
            region: region.to_owned(),
            allocated_at: started_at,
        })
    }

    /// The latest compact decision on an application, with its run.
    pub async fn latest_compact_decision(&self, application_id: &str) -> Result<StoredCompactDecision, StoreError> {
        let row = sqlx::query(
            "SELECT c.run_id, c.application_id, c.nip, c.eligible, c.max_remote_days, c.priority, c.failed, \
             r.region, r.quarter, r.evaluated_on, r.plugin_name, r.plugin_version, r.plugin_sha256, r.manifest_sha256, \
             r.started_at FROM compact_decisions c JOIN allocation_runs r ON r.id = c.run_id \
             WHERE c.application_id = $1 ORDER BY c.run_id DESC LIMIT 1",
        )
        .bind(application_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("compact decision on application `{application_id}`")))?;
        let region: String = row.try_get("region")?;
        Ok(StoredCompactDecision {
            run_id: row.try_get("run_id")?,
            quarter: super::parse_text("allocation_runs.quarter", &row.try_get::<String, _>("quarter")?)?,
            evaluated_on: super::parse_text("allocation_runs.evaluated_on", &row.try_get::<String, _>("evaluated_on")?)?,
            plugin: PluginRef {
                region: region.clone(),
                name: row.try_get("plugin_name")?,
                version: row.try_get("plugin_version")?,
                sha256: row.try_get("plugin_sha256")?,
                manifest_sha256: row.try_get("manifest_sha256")?,
            },
            region,
            started_at: row.try_get("started_at")?,
            decision: CompactDecision {
                application_id: row.try_get("application_id")?,
                nip: row.try_get("nip")?,
                eligible: row.try_get::<i64, _>("eligible")? != 0,
                max_remote_days: row.try_get::<i64, _>("max_remote_days")? as u8,
                priority: row.try_get::<i64, _>("priority")? as i32,
                failed: row
                    .try_get::<String, _>("failed")?
                    .split(',')
                    .filter(|c| !c.is_empty())
                    .map(str::to_owned)
                    .collect(),
            },
        })
    }
}

impl RegionWriter {
    /// The run's id.
    pub fn run_id(&self) -> i64 {
        self.run_id
    }

    /// Store a batch of compact decisions and unit allocations (with rosters and guardrail
    /// corrections) in the region's transaction.
    pub async fn write(
        &mut self,
        decisions: &[CompactDecision],
        allocations: &[UnitAllocation],
    ) -> Result<(), StoreError> {
        let failed: Vec<String> = decisions.iter().map(|d| d.failed.join(",")).collect();
        let indexed: Vec<usize> = (0..decisions.len()).collect();
        let run_id = self.run_id;
        insert_rows(
            &mut self.tx,
            "compact_decisions (run_id, application_id, nip, eligible, max_remote_days, priority, failed)",
            7,
            &indexed,
            |q, &i| {
                let d = &decisions[i];
                q.bind(run_id)
                    .bind(&d.application_id)
                    .bind(&d.nip)
                    .bind(d.eligible as i64)
                    .bind(d.max_remote_days as i64)
                    .bind(d.priority as i64)
                    .bind(&failed[i]);
            },
        )
        .await?;
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
        let roster: Vec<(&str, &dwa_sdk::Grant, String)> = allocations
            .iter()
            .flat_map(|u| {
                u.allocation.grants.iter().map(move |g| {
                    let days: Vec<String> = g.weekdays.iter().map(code).collect();
                    (u.unit.as_str(), g, days.join(","))
                })
            })
            .collect();
        insert_rows(
            &mut self.tx,
            "roster (unit, quarter, nip, application_id, remote_days, weekdays)",
            6,
            &roster,
            |q, (unit, grant, days)| {
                q.bind(*unit)
                    .bind(quarter)
                    .bind(&grant.nip)
                    .bind(&grant.application_id)
                    .bind(grant.remote_days as i64)
                    .bind(days);
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

    /// Store guardrail corrections made to decisions.
    pub async fn write_violations(&mut self, violations: &[crate::policy::Violation]) -> Result<(), StoreError> {
        insert_violations(&mut self.tx, violations, &self.allocated_at).await
    }

    /// Record the run's totals and commit the region.
    pub async fn finish(mut self, summary: &RunSummary) -> Result<i64, StoreError> {
        sqlx::query(
            "UPDATE allocation_runs SET finished_at = $1, units = $2, decisions = $3, eligible = $4, granted = $5, \
             fuel_used = $6 WHERE id = $7",
        )
        .bind(now_rfc3339())
        .bind(summary.units as i64)
        .bind(summary.decisions as i64)
        .bind(summary.eligible as i64)
        .bind(summary.granted as i64)
        .bind(summary.fuel_used as i64)
        .bind(self.run_id)
        .execute(&mut *self.tx)
        .await?;
        self.tx.commit().await?;
        Ok(self.run_id)
    }
}
