//! Employees with their SKP ratings and disciplinary penalties (kept on the employee's row, see
//! migration 0014), and the units they belong to.

use super::staff::parse_json;
use super::{Store, StoreError, code, parse_code, parse_text};
use dwa_sdk::{
    Date, Employee, EmploymentType, Expectation, Penalty, PenaltyLevel, PositionKind, PositionStatus, Potential,
    Quarter, QuarterReview, SkpAssessment, TaskCategory,
};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

/// An organisational unit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitRow {
    /// Unit code.
    pub code: String,
    /// Region code.
    pub region: String,
    /// Agency (OPD) code.
    pub agency: String,
    /// Name.
    pub name: String,
}

/// An employee as stored: the rules' [`Employee`] is derived from it for an evaluation date.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EmployeeRecord {
    /// 18-digit NIP.
    pub nip: String,
    /// Full name.
    pub name: String,
    /// Employment type.
    pub employment_type: EmploymentType,
    /// Region code.
    pub region: String,
    /// Agency code.
    pub agency: String,
    /// Unit code.
    pub unit: String,
    /// Position kind.
    pub position_kind: PositionKind,
    /// Echelon, for managerial positions.
    pub echelon: Option<u8>,
    /// Face-to-face public service role.
    pub public_service: bool,
    /// Kind of work.
    pub task_category: TaskCategory,
    /// CPNS appointment date (service months are counted from it).
    pub appointed_on: Date,
    /// Talent potential.
    pub potential: Potential,
    /// Unexcused absence days in the last 12 months.
    pub unexcused_absence_days: u32,
    /// NIP of the direct supervisor.
    pub supervisor_nip: Option<String>,
    /// SKP assessments.
    pub ratings: Vec<SkpAssessment>,
    /// Disciplinary penalties.
    pub penalties: Vec<Penalty>,
    /// Position (jabatan) code in the national position reference, when the personnel export
    /// gave one (`kodeJabatan`).
    #[serde(default)]
    pub position_code: Option<String>,
    /// Where that position stands in the region's catalogue when the record was read:
    /// `Unlisted` without a code or for a code the catalogue does not hold. Read, never
    /// written: the catalogue is its only source, so a change there reaches the next decision.
    #[serde(default)]
    pub position_status: PositionStatus,
}

impl EmployeeRecord {
    /// The employee as the rules see them on `today`, with last quarter's review.
    pub fn as_of(&self, today: Date, previous_review: Option<QuarterReview>) -> Employee {
        Employee {
            nip: self.nip.clone(),
            name: self.name.clone(),
            employment_type: self.employment_type,
            region: self.region.clone(),
            agency: self.agency.clone(),
            unit: self.unit.clone(),
            position_kind: self.position_kind,
            echelon: self.echelon,
            public_service: self.public_service,
            task_category: self.task_category,
            service_months: today.months_since(self.appointed_on),
            ratings: self.ratings.clone(),
            potential: self.potential,
            penalties: self.penalties.clone(),
            unexcused_absence_days: self.unexcused_absence_days,
            previous_review,
            position_code: self.position_code.clone().unwrap_or_default(),
            position_status: self.position_status,
        }
    }
}

/// The stored columns, as written.
const EMPLOYEE_COLUMNS: &str = "nip, name, employment_type, region, agency, unit, position_kind, echelon, public_service, \
     task_category, appointed_on, potential, unexcused_absence_days, supervisor_nip, position_code, ratings_json, \
     penalties_json";

/// The stored columns of `employees e` as read, with the position's catalogue status
/// (`position_status`, NULL when unlisted) from `POSITION_JOIN`.
const EMPLOYEE_SELECT: &str = "e.nip, e.name, e.employment_type, e.region, e.agency, e.unit, e.position_kind, e.echelon, \
     e.public_service, e.task_category, e.appointed_on, e.potential, e.unexcused_absence_days, e.supervisor_nip, \
     e.position_code, e.ratings_json, e.penalties_json, ps.status AS position_status";

/// One SKP assessment in `employees.ratings_json`: year, work result, work behaviour.
pub(crate) type RatingJson = (u16, Expectation, Expectation);
/// One penalty in `employees.penalties_json`: level, start, end (none for an open light one).
pub(crate) type PenaltyJson = (PenaltyLevel, Date, Option<Date>);

/// `employees.ratings_json` for `ratings`, by year.
pub(crate) fn ratings_to_json(ratings: &[SkpAssessment]) -> String {
    let mut rows: Vec<RatingJson> = ratings
        .iter()
        .map(|r| (r.year, r.work_result, r.work_behaviour))
        .collect();
    rows.sort_by_key(|r| r.0);
    serde_json::to_string(&rows).expect("ratings serialise")
}

/// `employees.penalties_json` for `penalties`, by start date, then level (as the import lists them).
pub(crate) fn penalties_to_json(penalties: &[Penalty]) -> String {
    let mut rows: Vec<PenaltyJson> = penalties.iter().map(|p| (p.level, p.start, p.end)).collect();
    rows.sort_by_key(|a| (a.1, code(&a.0)));
    serde_json::to_string(&rows).expect("penalties serialise")
}

/// The ratings a stored `ratings_json` array holds.
pub(crate) fn ratings_from(rows: Vec<RatingJson>) -> Vec<SkpAssessment> {
    rows.into_iter()
        .map(|(year, work_result, work_behaviour)| SkpAssessment {
            year,
            work_result,
            work_behaviour,
        })
        .collect()
}

/// The penalties a stored `penalties_json` array holds.
pub(crate) fn penalties_from(rows: Vec<PenaltyJson>) -> Vec<Penalty> {
    rows.into_iter()
        .map(|(level, start, end)| Penalty { level, start, end })
        .collect()
}

/// The catalogue entry of an employee's position in their own region, if any.
const POSITION_JOIN: &str = "LEFT JOIN positions ps ON ps.region = e.region AND ps.code = e.position_code";

/// The one-employee query: the employee's columns (ratings and penalties are on the row) and the
/// review of quarter $2 (none for ''); built once, as every submission runs it.
static ONE_EMPLOYEE_SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "SELECT {EMPLOYEE_SELECT}, v.granted_remote_days, v.kpi_achieved FROM employees e \
         LEFT JOIN reviews v ON v.nip = e.nip AND v.quarter = $2 {POSITION_JOIN} WHERE e.nip = $1"
    )
});

/// A catalogue status as stored (`eligible`, `excluded`, `under_review`), NULL for unlisted.
pub(crate) fn position_status(what: &'static str, stored: Option<&str>) -> Result<PositionStatus, StoreError> {
    match stored {
        None => Ok(PositionStatus::Unlisted),
        Some(code) => parse_code(what, code),
    }
}

fn employee_from_row(row: &AnyRow) -> Result<EmployeeRecord, StoreError> {
    Ok(EmployeeRecord {
        nip: row.try_get("nip")?,
        name: row.try_get("name")?,
        employment_type: parse_code(
            "employees.employment_type",
            &row.try_get::<String, _>("employment_type")?,
        )?,
        region: row.try_get("region")?,
        agency: row.try_get("agency")?,
        unit: row.try_get("unit")?,
        position_kind: parse_code("employees.position_kind", &row.try_get::<String, _>("position_kind")?)?,
        echelon: row.try_get::<Option<i64>, _>("echelon")?.map(|e| e as u8),
        public_service: row.try_get::<i64, _>("public_service")? != 0,
        task_category: parse_code("employees.task_category", &row.try_get::<String, _>("task_category")?)?,
        appointed_on: parse_text("employees.appointed_on", &row.try_get::<String, _>("appointed_on")?)?,
        potential: parse_code("employees.potential", &row.try_get::<String, _>("potential")?)?,
        unexcused_absence_days: row.try_get::<i64, _>("unexcused_absence_days")? as u32,
        supervisor_nip: row.try_get("supervisor_nip")?,
        ratings: ratings_from(parse_json(
            "employees.ratings_json",
            &row.try_get::<String, _>("ratings_json")?,
        )?),
        penalties: penalties_from(parse_json(
            "employees.penalties_json",
            &row.try_get::<String, _>("penalties_json")?,
        )?),
        position_code: row.try_get("position_code")?,
        position_status: position_status(
            "positions.status",
            row.try_get::<Option<String>, _>("position_status")?.as_deref(),
        )?,
    })
}

impl Store {
    /// Add a unit (its region must exist); updates the name and agency if it exists.
    pub async fn upsert_unit(&self, unit: &UnitRow) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO units (code, region, agency, name) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (code) DO UPDATE SET agency = excluded.agency, name = excluded.name",
        )
        .bind(&unit.code)
        .bind(&unit.region)
        .bind(&unit.agency)
        .bind(&unit.name)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Units, of one region or all, ordered by code.
    pub async fn units(&self, region: Option<&str>) -> Result<Vec<UnitRow>, StoreError> {
        let rows = match region {
            Some(r) => {
                sqlx::query("SELECT code, region, agency, name FROM units WHERE region = $1 ORDER BY code")
                    .bind(r)
                    .fetch_all(&self.pool)
                    .await?
            }
            None => {
                sqlx::query("SELECT code, region, agency, name FROM units ORDER BY code")
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.iter()
            .map(|row| {
                Ok(UnitRow {
                    code: row.try_get("code")?,
                    region: row.try_get("region")?,
                    agency: row.try_get("agency")?,
                    name: row.try_get("name")?,
                })
            })
            .collect()
    }

    /// One unit.
    pub async fn unit(&self, code: &str) -> Result<UnitRow, StoreError> {
        let row = sqlx::query("SELECT code, region, agency, name FROM units WHERE code = $1")
            .bind(code)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("unit `{code}`")))?;
        Ok(UnitRow {
            code: row.try_get("code")?,
            region: row.try_get("region")?,
            agency: row.try_get("agency")?,
            name: row.try_get("name")?,
        })
    }

    /// Insert employees with their ratings and penalties, all or nothing: one transaction, so
    /// a crash part-way (even kill -9) leaves none of them.
    pub async fn insert_employees(&self, employees: &[EmployeeRecord]) -> Result<(), StoreError> {
        // A write turn like every other writer's: on SQLite a long import then waits its turn
        // instead of failing with "database is locked" behind concurrent submissions.
        let mut tx = self.begin_write().await?;
        for e in employees {
            sqlx::query(&format!(
                "INSERT INTO employees ({EMPLOYEE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)"
            ))
            .bind(&e.nip)
            .bind(&e.name)
            .bind(code(&e.employment_type))
            .bind(&e.region)
            .bind(&e.agency)
            .bind(&e.unit)
            .bind(code(&e.position_kind))
            .bind(e.echelon.map(i64::from))
            .bind(e.public_service as i64)
            .bind(code(&e.task_category))
            .bind(e.appointed_on.to_string())
            .bind(code(&e.potential))
            .bind(e.unexcused_absence_days as i64)
            .bind(e.supervisor_nip.as_deref())
            .bind(e.position_code.as_deref())
            .bind(ratings_to_json(&e.ratings))
            .bind(penalties_to_json(&e.penalties))
            .execute(&mut **tx)
            .await
            .map_err(|err| match &err {
                sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(format!("NIP {} already exists", e.nip)),
                _ => StoreError::Database(err),
            })?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// One employee with ratings and penalties.
    pub async fn employee(&self, nip: &str) -> Result<EmployeeRecord, StoreError> {
        Ok(self.employee_with_review(nip, None).await?.0)
    }

    /// One employee with ratings and penalties and, when `quarter` is given, their review for
    /// that quarter — in one query (an HTTP submission reads this once; four queries cost four
    /// hand-offs to the database's thread).
    pub async fn employee_with_review(
        &self,
        nip: &str,
        quarter: Option<Quarter>,
    ) -> Result<(EmployeeRecord, Option<QuarterReview>), StoreError> {
        let row = sqlx::query(&ONE_EMPLOYEE_SQL)
            .bind(nip)
            .bind(quarter.map(|q| q.to_string()).unwrap_or_default())
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("employee with NIP {nip}")))?;
        let employee = employee_from_row(&row)?;
        let review = match (quarter, row.try_get::<Option<i64>, _>("granted_remote_days")?) {
            (Some(quarter), Some(days)) => Some(QuarterReview {
                quarter,
                granted_remote_days: days as u8,
                kpi_achieved: row.try_get::<i64, _>("kpi_achieved")? != 0,
            }),
            _ => None,
        };
        Ok((employee, review))
    }

    /// Every employee of a unit, with ratings and penalties, ordered by NIP.
    pub async fn unit_employees(&self, unit: &str) -> Result<Vec<EmployeeRecord>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {EMPLOYEE_SELECT} FROM employees e {POSITION_JOIN} WHERE e.unit = $1 ORDER BY e.nip"
        ))
        .bind(unit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(employee_from_row).collect()
    }

    /// Number of employees in a unit (its headcount).
    pub async fn unit_headcount(&self, unit: &str) -> Result<u32, StoreError> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM employees WHERE unit = $1")
            .bind(unit)
            .fetch_one(&self.pool)
            .await?;
        Ok(n as u32)
    }
}
