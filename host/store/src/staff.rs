//! Reading staff for an allocation, a page of units at a time (a unit alone is a page of one):
//! for each page four queries (employees with their ratings and penalties, last quarter's
//! reviews, applications, approvals), each a join driven by the page's units in a fixed order
//! and returning the whole page as one JSON array built by the database — a handful of rows per
//! thousands of employees instead of a dozen rows per employee.
//!
//! Everything a page reads is found by unit (migration 0014): the employees by the unit index,
//! ratings and penalties on their rows, reviews and applications by `(quarter, unit)`. Looking
//! them up by NIP instead — one random index descent per person and table, NIPs being unrelated
//! to units — made reading 5,000,000 employees cost twenty times what 500,000 did.

use super::employees::{PenaltyJson, RatingJson, penalties_from, ratings_from};
use super::{Backend, Store, StoreError};
use dwa_sdk::{
    Application, Approval, Approver, Date, Employee, EmploymentType, LocationKind, PositionKind, Potential, Quarter,
    QuarterReview, TaskCategory,
};
use serde::de::DeserializeOwned;
use sqlx::pool::PoolConnection;
use sqlx::{Any, Row};
use std::collections::HashMap;
use std::sync::LazyLock;

/// One page of a region's units as read for an allocation: the unit codes and the
/// JSON arrays [`StaffPage::parse`] reads (parsed later, on an evaluator thread).
#[derive(Clone, Debug, Default)]
pub struct StaffPage {
    /// Unit codes, in order.
    pub units: Vec<String>,
    employees: String,
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
    Option<String>,
    Option<String>,
    Vec<RatingJson>,
    Vec<PenaltyJson>,
);
type ReviewJson = (String, i64, i64);
type ApplicationJson = (String, String, i64, LocationKind, String, f64, f64);
type ApprovalJson = (String, String, String, i64, String);

/// A JSON array the database built, as `T`s.
pub(crate) fn parse_json<T: DeserializeOwned>(what: &'static str, json: &str) -> Result<Vec<T>, StoreError> {
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
                    position_code,
                    position_status,
                    ratings,
                    penalties,
                ) = e;
                let position_status =
                    super::employees::position_status("positions.status", position_status.as_deref())?;
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
                    ratings: ratings_from(ratings),
                    potential,
                    penalties: penalties_from(penalties),
                    unexcused_absence_days: absent as u32,
                    previous_review: None,
                    position_code: position_code.unwrap_or_default(),
                    position_status,
                };
                Ok((
                    unit,
                    StaffRow {
                        employee,
                        application: None,
                    },
                ))
            })
            .collect::<Result<_, StoreError>>()?;
        let index: HashMap<String, usize> = rows
            .iter()
            .enumerate()
            .map(|(i, (_, r))| (r.employee.nip.clone(), i))
            .collect();
        let find = |nip: &str| -> Result<usize, StoreError> {
            index.get(nip).copied().ok_or_else(|| StoreError::Corrupt {
                what: "staff page",
                detail: format!("a row for NIP {nip}, who is not on the page"),
            })
        };
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
        for (unit, row) in rows {
            let Some(&u) = position.get(unit.as_str()) else {
                continue;
            };
            units[u].staff.push(row);
        }
        for unit in &mut units {
            unit.staff.sort_by(|a, b| a.employee.nip.cmp(&b.employee.nip));
        }
        Ok(units)
    }
}

/// One page query: `columns` of every row `from` … `conditions` gives for the page's units
/// (region $1, codes from $2 to $3; `u.code` is each unit's), as one JSON array. `CROSS JOIN`
/// fixes SQLite's join order — the page's units by code, then each unit's rows by index — so a
/// page costs index look-ups proportional to its size whatever the statistics say; and
/// `u.region || ''` keeps SQLite from starting at every unit of the region (its index on
/// `region`) instead of the page's range of codes. PostgreSQL plans it as an ordinary join.
fn page_sql(backend: Backend, columns: &str, from: &str, conditions: &str) -> String {
    let (aggregate, close) = match backend {
        Backend::Sqlite => ("json_group_array(json_array(", "))"),
        Backend::Postgres => ("COALESCE(json_agg(json_build_array(", ")), '[]'::json)::text"),
    };
    format!(
        "SELECT {aggregate}{columns}{close} AS page FROM units u CROSS JOIN {from} \
         WHERE u.code >= $2 AND u.code <= $3 AND u.region || '' = $1 AND {conditions}"
    )
}

/// What a page query binds as $4.
#[derive(Clone, Copy)]
enum QuarterParam {
    /// Nothing.
    None,
    /// The quarter allocated.
    This,
    /// The quarter before it (reviews).
    Previous,
}

/// The four page statements of `backend`, in [`StaffPage`]'s order, with what each binds as $4:
/// built once per process (a page runs all four).
fn page_statements(backend: Backend) -> &'static [(String, QuarterParam); 4] {
    static SQLITE: LazyLock<[(String, QuarterParam); 4]> = LazyLock::new(|| page_queries(Backend::Sqlite));
    static POSTGRES: LazyLock<[(String, QuarterParam); 4]> = LazyLock::new(|| page_queries(Backend::Postgres));
    match backend {
        Backend::Sqlite => &SQLITE,
        Backend::Postgres => &POSTGRES,
    }
}

/// The four page queries of `backend`, in [`StaffPage`]'s order: (SQL, $4).
fn page_queries(backend: Backend) -> [(String, QuarterParam); 4] {
    // A stored JSON array embedded as JSON, not as a string holding JSON.
    let embedded = |column: &str| match backend {
        Backend::Sqlite => format!("json({column})"),
        Backend::Postgres => format!("CAST({column} AS json)"),
    };
    [
        (
            format!(
                "e.nip, e.name, e.employment_type, e.agency, e.unit, e.position_kind, e.echelon, e.public_service, \
                 e.task_category, e.appointed_on, e.potential, e.unexcused_absence_days, e.position_code, ps.status, \
                 {}, {}",
                embedded("e.ratings_json"),
                embedded("e.penalties_json")
            ),
            "employees e LEFT JOIN positions ps ON ps.region = e.region AND ps.code = e.position_code",
            "e.unit = u.code",
            QuarterParam::None,
        ),
        (
            "v.nip, v.granted_remote_days, v.kpi_achieved".into(),
            "reviews v",
            "v.quarter = $4 AND v.unit = u.code",
            QuarterParam::Previous,
        ),
        (
            "a.nip, a.id, a.requested_remote_days, a.location_kind, a.work_plan, a.kpi_baseline, a.kpi_target".into(),
            "applications a",
            "a.quarter = $4 AND a.unit = u.code AND a.status <> 'withdrawn'",
            QuarterParam::This,
        ),
        (
            "a.id, p.approver, p.by_nip, p.approved, p.decided_at".into(),
            "applications a CROSS JOIN approvals p",
            "a.quarter = $4 AND a.unit = u.code AND a.status <> 'withdrawn' AND p.application_id = a.id",
            QuarterParam::This,
        ),
    ]
    .map(|(columns, from, conditions, param)| (page_sql(backend, &columns, from, conditions), param))
}

/// An allocation's reading connection, held for the whole run (see [`Store::staff_reader`]).
pub struct StaffReader {
    conn: PoolConnection<Any>,
    backend: Backend,
}

impl Store {
    /// A connection for reading pages of staff, held for the whole allocation and closed
    /// afterwards rather than pooled. It keeps the pool's page cache (64 MiB on SQLite): pages
    /// are read by unit, so each database page is read about once, and a 512 MiB cache measured
    /// no faster at 5,000,000 employees.
    pub async fn staff_reader(&self) -> Result<StaffReader, StoreError> {
        let mut conn = self.pool.acquire().await?;
        conn.close_on_drop();
        Ok(StaffReader {
            conn,
            backend: self.backend,
        })
    }

    /// One page of staff on a pooled connection (a unit allocated alone).
    pub async fn staff_page(
        &self,
        region: &str,
        units: Vec<String>,
        quarter: Quarter,
    ) -> Result<StaffPage, StoreError> {
        let mut reader = StaffReader {
            conn: self.pool.acquire().await?,
            backend: self.backend,
        };
        reader.page(region, units, quarter).await
    }
}

impl StaffReader {
    /// The staff of `region`'s units `units` for `quarter`: consecutive codes of the region in
    /// order, as [`Store::region_unit_codes`] returns them (or one unit alone).
    pub async fn page(&mut self, region: &str, units: Vec<String>, quarter: Quarter) -> Result<StaffPage, StoreError> {
        let mut page = StaffPage::default();
        let (Some(first), Some(last)) = (units.first().cloned(), units.last().cloned()) else {
            return Ok(page);
        };
        let statements = page_statements(self.backend);
        let mut arrays = Vec::with_capacity(statements.len());
        for (sql, quarter_param) in statements {
            let query = sqlx::query(sql).bind(region).bind(&first).bind(&last);
            let query = match quarter_param {
                QuarterParam::None => query,
                QuarterParam::This => query.bind(quarter.to_string()),
                QuarterParam::Previous => query.bind(quarter.previous().to_string()),
            };
            let row = query.fetch_one(&mut *self.conn).await?;
            arrays.push(row.try_get::<Option<String>, _>("page")?.unwrap_or_else(|| "[]".into()));
        }
        let mut arrays = arrays.into_iter();
        let mut next = || arrays.next().unwrap_or_default();
        page.employees = next();
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
}
