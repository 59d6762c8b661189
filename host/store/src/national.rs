//! The national allocation's reads and writes. Reads: a region's units page by page; for each
//! page six queries (employees, ratings, penalties, reviews, applications, approvals), each a
//! join driven by the page's units in a fixed order and returning the whole page as one JSON
//! array built by the database — a handful of rows per thousands of employees instead of a
//! dozen rows per employee, which is what makes millions of employees cheap to read.
//! Writes: per region one transaction that replaces the quarter's allocations and rosters and
//! stores a compact record per decision, with multi-row inserts.

use super::bulk::insert_rows;
use super::decisions::insert_violations;
use super::{Backend, Store, StoreError, code, now_rfc3339};
use dwa_domain::{Allocation, PluginRef};
use dwa_sdk::{
    Application, Approval, Approver, Date, Employee, EmploymentType, Expectation, LocationKind, Penalty, PenaltyLevel,
    PositionKind, Potential, Quarter, QuarterReview, SkpAssessment, TaskCategory,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::pool::PoolConnection;
use sqlx::{Any, Executor, Row};
use std::collections::HashMap;

/// One page of a region's units as read for the national allocation: the unit codes and the
/// JSON arrays [`StaffPage::parse`] reads (parsed later, on an evaluator thread).
#[derive(Clone, Debug, Default)]
pub struct StaffPage {
    /// Unit codes, in order.
    pub units: Vec<String>,
    employees: String,
    ratings: String,
    penalties: String,
    reviews: String,
    applications: String,
    approvals: String,
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

/// A unit of a page with its staff, by NIP.
#[derive(Clone, Debug)]
pub struct UnitStaff {
    /// Unit code.
    pub code: String,
    /// Everyone in the unit, by NIP.
    pub staff: Vec<StaffRow>,
}

/// The columns each page query returns per row, as JSON arrays; enum codes deserialise as
/// stored, flags are 0/1.
type EmployeeJson = (
    String,
    String,
    EmploymentType,
    String,
    String,
    PositionKind,
    Option<i64>,
    i64,
    TaskCategory,
    Date,
    Potential,
    i64,
);
type RatingJson = (String, i64, Expectation, Expectation);
type PenaltyJson = (String, PenaltyLevel, Date, Option<Date>);
type ReviewJson = (String, i64, i64);
type ApplicationJson = (String, String, i64, LocationKind, String, f64, f64);
type ApprovalJson = (String, String, String, i64, String);

fn parse_json<T: DeserializeOwned>(what: &'static str, json: &str) -> Result<Vec<T>, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt {
        what,
        detail: e.to_string(),
    })
}

impl StaffPage {
    /// The page's units with their employees as of `today` in `region` (with `quarter`'s
    /// applications and the previous quarter's reviews), in unit order, each by NIP.
    pub fn parse(&self, region: &str, quarter: Quarter, today: Date) -> Result<Vec<UnitStaff>, StoreError> {
        let employees: Vec<EmployeeJson> = parse_json("employees", &self.employees)?;
        let mut rows: Vec<(String, StaffRow)> = employees
            .into_iter()
            .map(|e| {
                let (
                    nip,
                    name,
                    employment_type,
                    agency,
                    unit,
                    position_kind,
                    echelon,
                    public,
                    task,
                    appointed,
                    potential,
                    absent,
                ) = e;
                let employee = Employee {
                    nip,
                    name,
                    employment_type,
                    region: region.to_owned(),
                    agency,
                    unit: unit.clone(),
                    position_kind,
                    echelon: echelon.map(|e| e as u8),
                    public_service: public != 0,
                    task_category: task,
                    service_months: today.months_since(appointed),
                    ratings: Vec::new(),
                    potential,
                    penalties: Vec::new(),
                    unexcused_absence_days: absent as u32,
                    previous_review: None,
                };
                (
                    unit,
                    StaffRow {
                        employee,
                        application: None,
                    },
                )
            })
            .collect();
        let index: HashMap<String, usize> = rows
            .iter()
            .enumerate()
            .map(|(i, (_, r))| (r.employee.nip.clone(), i))
            .collect();
        let find = |nip: &str| -> Result<usize, StoreError> {
            index.get(nip).copied().ok_or_else(|| StoreError::Corrupt {
                what: "national page",
                detail: format!("a row for NIP {nip}, who is not on the page"),
            })
        };
        for (nip, year, work_result, work_behaviour) in parse_json::<RatingJson>("ratings", &self.ratings)? {
            rows[find(&nip)?].1.employee.ratings.push(SkpAssessment {
                year: year as u16,
                work_result,
                work_behaviour,
            });
        }
        for (nip, level, start, end) in parse_json::<PenaltyJson>("penalties", &self.penalties)? {
            rows[find(&nip)?]
                .1
                .employee
                .penalties
                .push(Penalty { level, start, end });
        }
        for (nip, days, achieved) in parse_json::<ReviewJson>("reviews", &self.reviews)? {
            rows[find(&nip)?].1.employee.previous_review = Some(QuarterReview {
                quarter: quarter.previous(),
                granted_remote_days: days as u8,
                kpi_achieved: achieved != 0,
            });
        }
        let mut by_application = HashMap::new();
        for (nip, id, days, location_kind, work_plan, kpi_baseline, kpi_target) in
            parse_json::<ApplicationJson>("applications", &self.applications)?
        {
            let i = find(&nip)?;
            by_application.insert(id.clone(), i);
            rows[i].1.application = Some(Application {
                id,
                quarter,
                requested_remote_days: days as u8,
                location_kind,
                work_plan,
                kpi_baseline,
                kpi_target,
                approvals: Vec::new(),
            });
        }
        // The per-unit path reads approvals by decision time, then approver code.
        let mut approvals = parse_json::<ApprovalJson>("approvals", &self.approvals)?;
        approvals.sort_by(|a, b| (&a.0, &a.4, &a.1).cmp(&(&b.0, &b.4, &b.1)));
        for (id, approver, by_nip, approved, _) in approvals {
            let Some(&i) = by_application.get(&id) else { continue };
            let approver: Approver = super::parse_code("approvals.approver", &approver)?;
            if let Some(application) = rows[i].1.application.as_mut() {
                application.approvals.push(Approval {
                    approver,
                    by_nip,
                    approved: approved != 0,
                });
            }
        }
        drop(index);
        // The database's aggregate order is not guaranteed: sort as the per-unit path reads.
        let mut units: Vec<UnitStaff> = self
            .units
            .iter()
            .map(|code| UnitStaff {
                code: code.clone(),
                staff: Vec::new(),
            })
            .collect();
        let position: HashMap<&str, usize> = self.units.iter().enumerate().map(|(i, u)| (u.as_str(), i)).collect();
        for (unit, mut row) in rows {
            let Some(&u) = position.get(unit.as_str()) else {
                continue;
            };
            row.employee.ratings.sort_by_key(|r| r.year);
            row.employee.penalties.sort_by_key(|p| p.start);
            units[u].staff.push(row);
        }
        for unit in &mut units {
            unit.staff.sort_by(|a, b| a.employee.nip.cmp(&b.employee.nip));
        }
        Ok(units)
    }
}

/// One page query: `columns` of every row the join `joins` … `conditions` gives for the page's
/// units (region $1, codes in ($2, $3]), as one JSON array. `CROSS JOIN` fixes SQLite's join
/// order — the page's units by code, their employees, then each employee's rows by index — so
/// a page costs index look-ups proportional to its size whatever the statistics say; and
/// `u.region || ''` keeps SQLite from starting at every unit of the region (its index on
/// `region`) instead of the page's range of codes. PostgreSQL plans it as an ordinary join.
fn page_sql(backend: Backend, columns: &str, joins: &str, conditions: &str) -> String {
    let (aggregate, close) = match backend {
        Backend::Sqlite => ("json_group_array(json_array(", "))"),
        Backend::Postgres => ("COALESCE(json_agg(json_build_array(", ")), '[]'::json)::text"),
    };
    format!(
        "SELECT {aggregate}{columns}{close} AS page FROM units u CROSS JOIN employees e{joins} \
         WHERE u.code > $2 AND u.code <= $3 AND u.region || '' = $1 AND e.unit = u.code{conditions}"
    )
}

/// The six page queries: (columns, joins, conditions, whether $4 is the previous quarter (reviews) or the quarter).
const PAGE_QUERIES: [(&str, &str, &str, Option<bool>); 6] = [
    (
        "e.nip, e.name, e.employment_type, e.agency, e.unit, e.position_kind, e.echelon, e.public_service, \
         e.task_category, e.appointed_on, e.potential, e.unexcused_absence_days",
        "",
        "",
        None,
    ),
    (
        "e.nip, r.year, r.work_result, r.work_behaviour",
        " CROSS JOIN ratings r",
        " AND r.nip = e.nip",
        None,
    ),
    (
        "e.nip, p.level, p.start_date, p.end_date",
        " CROSS JOIN penalties p",
        " AND p.nip = e.nip",
        None,
    ),
    (
        "e.nip, v.granted_remote_days, v.kpi_achieved",
        " CROSS JOIN reviews v",
        " AND v.nip = e.nip AND v.quarter = $4",
        Some(true),
    ),
    (
        "e.nip, a.id, a.requested_remote_days, a.location_kind, a.work_plan, a.kpi_baseline, a.kpi_target",
        " CROSS JOIN applications a",
        " AND a.nip = e.nip AND a.quarter = $4 AND a.status <> 'withdrawn'",
        Some(false),
    ),
    (
        "a.id, p.approver, p.by_nip, p.approved, p.decided_at",
        " CROSS JOIN applications a CROSS JOIN approvals p",
        " AND a.nip = e.nip AND a.quarter = $4 AND a.status <> 'withdrawn' AND p.application_id = a.id",
        Some(false),
    ),
];

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
    /// Approvals needed before allocation.
    pub approvals_required: Vec<Approver>,
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

/// The national allocation's reading connection: held for the whole run so its page cache
/// stays warm, and on SQLite tuned for the random index look-ups a page makes (see
/// [`Store::staff_reader`]).
pub struct StaffReader {
    conn: PoolConnection<Any>,
    backend: Backend,
}

impl Store {
    /// A connection for reading pages of staff. On SQLite its page cache is enlarged so the
    /// indexes a page looks into (by NIP, while pages go by unit) mostly stay in memory instead
    /// of being read from the file again; it is closed afterwards rather than pooled.
    pub async fn staff_reader(&self) -> Result<StaffReader, StoreError> {
        let mut conn = self.pool.acquire().await?;
        conn.close_on_drop();
        if self.backend == Backend::Sqlite {
            conn.execute("PRAGMA cache_size = -524288;").await?;
        }
        Ok(StaffReader {
            conn,
            backend: self.backend,
        })
    }
}

impl StaffReader {
    /// The staff of `region`'s units `units` for `quarter`: `units` is what
    /// [`Store::region_unit_codes`] returned for `after`.
    pub async fn page(
        &mut self,
        region: &str,
        after: &str,
        units: Vec<String>,
        quarter: Quarter,
    ) -> Result<StaffPage, StoreError> {
        let mut page = StaffPage::default();
        let Some(last) = units.last().cloned() else {
            return Ok(page);
        };
        let mut arrays = Vec::with_capacity(PAGE_QUERIES.len());
        for (columns, joins, conditions, quarter_param) in PAGE_QUERIES {
            let sql = page_sql(self.backend, columns, joins, conditions);
            let mut query = sqlx::query(&sql).bind(region).bind(after).bind(&last);
            if let Some(previous) = quarter_param {
                let q = if previous { quarter.previous() } else { quarter };
                query = query.bind(q.to_string());
            }
            let row = query.fetch_one(&mut *self.conn).await?;
            arrays.push(row.try_get::<Option<String>, _>("page")?.unwrap_or_else(|| "[]".into()));
        }
        let mut arrays = arrays.into_iter();
        let mut next = || arrays.next().unwrap_or_default();
        page.employees = next();
        page.ratings = next();
        page.penalties = next();
        page.reviews = next();
        page.applications = next();
        page.approvals = next();
        page.units = units;
        Ok(page)
    }
}

impl Store {
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
            None => {
                sqlx::query_as("SELECT COUNT(*) FROM employees")
                    .fetch_one(&self.pool)
                    .await?
            }
        };
        Ok(n.max(0) as u64)
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
        sqlx::query(
            "DELETE FROM allocations WHERE quarter = $1 AND unit IN (SELECT code FROM units WHERE region = $2)",
        )
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
            "SELECT c.run_id, c.application_id, c.nip, c.eligible, c.max_remote_days, c.priority, \
             c.approvals_required, c.failed, \
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
            evaluated_on: super::parse_text(
                "allocation_runs.evaluated_on",
                &row.try_get::<String, _>("evaluated_on")?,
            )?,
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
                approvals_required: row
                    .try_get::<String, _>("approvals_required")?
                    .split(',')
                    .filter(|c| !c.is_empty())
                    .map(|c| super::parse_code("compact_decisions.approvals_required", c))
                    .collect::<Result<_, _>>()?,
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

/// Approver codes, comma-separated, as stored.
fn approver_codes(approvers: &[Approver]) -> String {
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
        let lists: Vec<(String, String)> = decisions
            .iter()
            .map(|d| (approver_codes(&d.approvals_required), d.failed.join(",")))
            .collect();
        let indexed: Vec<usize> = (0..decisions.len()).collect();
        let run_id = self.run_id;
        insert_rows(
            &mut self.tx,
            "compact_decisions (run_id, application_id, nip, eligible, max_remote_days, priority, approvals_required, \
             failed)",
            8,
            &indexed,
            |q, &i| {
                let d = &decisions[i];
                q.bind(run_id)
                    .bind(&d.application_id)
                    .bind(&d.nip)
                    .bind(d.eligible as i64)
                    .bind(d.max_remote_days as i64)
                    .bind(d.priority as i64)
                    .bind(&lists[i].0)
                    .bind(&lists[i].1);
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
    pub async fn write_violations(&mut self, violations: &[dwa_domain::Violation]) -> Result<(), StoreError> {
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
