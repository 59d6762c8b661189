//! Bulk writes for millions of rows: multi-row `INSERT … VALUES (…),(…)` statements of a fixed
//! size (so each is prepared once per connection and reused), inside one long transaction on a
//! connection tuned for loading. Used by the synthetic seed; the national allocation writes its
//! results with the same helper.

use super::employees::{penalties_to_json, ratings_to_json};
use super::{Backend, Store, StoreError, code};
use crate::EmployeeRecord;
use dwa_sdk::{Application, QuarterReview};
use sqlx::any::AnyArguments;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, Arguments, Encode, Executor, Type};

/// Bound parameters per statement: under SQLite's limit (32,766) and PostgreSQL's (65,535).
const MAX_PARAMS: usize = 30_000;
/// Rows per statement: beyond a few hundred, bigger statements stop paying off.
const MAX_ROWS: usize = 500;

/// The values of a multi-row statement being bound, row after row.
pub(crate) struct Binder<'a> {
    arguments: AnyArguments<'a>,
    error: Option<sqlx::error::BoxDynError>,
}

impl<'a> Binder<'a> {
    /// Bind the next value.
    pub(crate) fn bind<V: 'a + Encode<'a, Any> + Type<Any>>(&mut self, value: V) -> &mut Self {
        if let Err(e) = self.arguments.add(value)
            && self.error.is_none()
        {
            self.error = Some(e);
        }
        self
    }
}

/// `INSERT INTO {head} VALUES ($1, …), (…)` for `rows` rows of `columns` columns; with
/// anonymous `?` placeholders when `anonymous` (SQLite: binding numbered ones looks each name up
/// in a list, quadratic in the number of placeholders).
fn values_sql(head: &str, columns: usize, rows: usize, anonymous: bool) -> String {
    let mut sql = String::with_capacity(head.len() + rows * columns * 7);
    sql.push_str("INSERT INTO ");
    sql.push_str(head);
    sql.push_str(" VALUES ");
    for row in 0..rows {
        if row > 0 {
            sql.push(',');
        }
        sql.push('(');
        for column in 0..columns {
            if column > 0 {
                sql.push(',');
            }
            if anonymous {
                sql.push('?');
            } else {
                sql.push('$');
                sql.push_str(&(row * columns + column + 1).to_string());
            }
        }
        sql.push(')');
    }
    sql
}

/// Insert `rows` with multi-row statements: `head` is `table (col, …)`, `columns` its column
/// count, and `bind` binds one row's values in that order.
pub(crate) async fn insert_rows<'a, T>(
    conn: &mut AnyConnection,
    head: &str,
    columns: usize,
    rows: &'a [T],
    bind: impl Fn(&mut Binder<'a>, &'a T),
) -> Result<(), StoreError> {
    let per_statement = (MAX_PARAMS / columns).clamp(1, MAX_ROWS);
    let anonymous = conn.backend_name() == "SQLite";
    let full_rows = per_statement.min(rows.len());
    let full = values_sql(head, columns, full_rows, anonymous);
    for chunk in rows.chunks(per_statement) {
        // Only the last chunk may be shorter: one more statement to prepare.
        let tail;
        let sql = if chunk.len() == full_rows {
            &full
        } else {
            tail = values_sql(head, columns, chunk.len(), anonymous);
            &tail
        };
        let mut binder = Binder {
            arguments: AnyArguments::default(),
            error: None,
        };
        for row in chunk {
            bind(&mut binder, row);
        }
        if let Some(e) = binder.error {
            return Err(StoreError::Database(sqlx::Error::Encode(e)));
        }
        sqlx::query_with(sql, binder.arguments).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Enum codes as stored, computed once per variant rather than once per row (the serde route
/// behind [`code`] allocates and is too slow for millions of values).
#[derive(Default)]
struct Codes(std::collections::HashMap<(std::any::TypeId, u64), String>);

impl Codes {
    fn of<T: serde::Serialize + 'static>(&mut self, value: &T) -> String {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        std::mem::discriminant(value).hash(&mut hasher);
        let key = (std::any::TypeId::of::<T>(), hasher.finish());
        self.0.entry(key).or_insert_with(|| code(value)).clone()
    }
}

impl Store {
    /// A connection for a bulk load: on SQLite, durability is traded for speed (no fsync; a
    /// crash mid-load leaves a database to delete and re-seed) and the page cache is made large
    /// enough for the indexes being filled. The connection is closed afterwards instead of
    /// going back to the pool with those settings.
    pub async fn bulk_connection(&self) -> Result<PoolConnection<Any>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        conn.close_on_drop();
        if self.backend == Backend::Sqlite {
            conn.execute("PRAGMA synchronous = OFF; PRAGMA cache_size = -1048576; PRAGMA temp_store = MEMORY;")
                .await?;
        }
        Ok(conn)
    }
}

/// After a bulk load on SQLite: copy the write-ahead log into the database file and empty it,
/// so later readers find pages in the file instead of searching a log of gigabytes.
pub async fn checkpoint(conn: &mut AnyConnection) -> Result<(), StoreError> {
    if conn.backend_name() == "SQLite" {
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").await?;
    }
    Ok(())
}

/// Insert employees with their ratings and penalties (the caller guarantees unique NIPs).
pub async fn insert_employees(conn: &mut AnyConnection, employees: &[EmployeeRecord]) -> Result<(), StoreError> {
    let mut codes = Codes::default();
    let rows: Vec<[String; 4]> = employees
        .iter()
        .map(|e| {
            [
                codes.of(&e.employment_type),
                codes.of(&e.position_kind),
                codes.of(&e.task_category),
                codes.of(&e.potential),
            ]
        })
        .collect();
    let appointed: Vec<String> = employees.iter().map(|e| e.appointed_on.to_string()).collect();
    let history: Vec<(String, String)> = employees
        .iter()
        .map(|e| (ratings_to_json(&e.ratings), penalties_to_json(&e.penalties)))
        .collect();
    let indexed: Vec<usize> = (0..employees.len()).collect();
    insert_rows(
        conn,
        "employees (nip, name, employment_type, region, agency, unit, position_kind, echelon, public_service, \
         task_category, appointed_on, potential, unexcused_absence_days, supervisor_nip, position_code, ratings_json, \
         penalties_json)",
        17,
        &indexed,
        |q, &i| {
            let e = &employees[i];
            let c = &rows[i];
            q.bind(&e.nip)
                .bind(&e.name)
                .bind(&c[0])
                .bind(&e.region)
                .bind(&e.agency)
                .bind(&e.unit)
                .bind(&c[1])
                .bind(e.echelon.map(i64::from))
                .bind(e.public_service as i64)
                .bind(&c[2])
                .bind(&appointed[i])
                .bind(&c[3])
                .bind(e.unexcused_absence_days as i64)
                .bind(e.supervisor_nip.as_deref())
                .bind(e.position_code.as_deref())
                .bind(&history[i].0)
                .bind(&history[i].1);
        },
    )
    .await
}

/// Insert quarterly reviews `(nip, unit, review)` (the employee's unit), all recorded at
/// `reviewed_at`.
pub async fn insert_reviews(
    conn: &mut AnyConnection,
    reviews: &[(String, String, QuarterReview)],
    reviewed_at: &str,
) -> Result<(), StoreError> {
    let quarters: Vec<String> = reviews.iter().map(|(_, _, r)| r.quarter.to_string()).collect();
    let indexed: Vec<usize> = (0..reviews.len()).collect();
    insert_rows(
        conn,
        "reviews (nip, quarter, granted_remote_days, kpi_achieved, reviewed_at, unit)",
        6,
        &indexed,
        |q, &i| {
            let (nip, unit, r) = &reviews[i];
            q.bind(nip)
                .bind(&quarters[i])
                .bind(r.granted_remote_days as i64)
                .bind(r.kpi_achieved as i64)
                .bind(reviewed_at)
                .bind(unit);
        },
    )
    .await
}

/// Insert submitted applications `(nip, unit, application)` (the applicant's unit) with the
/// approvals they carry, all submitted and decided at `at`.
pub async fn insert_applications(
    conn: &mut AnyConnection,
    applications: &[(String, String, Application)],
    at: &str,
) -> Result<(), StoreError> {
    let mut codes = Codes::default();
    let extra: Vec<(String, String)> = applications
        .iter()
        .map(|(_, _, a)| (a.quarter.to_string(), codes.of(&a.location_kind)))
        .collect();
    let indexed: Vec<usize> = (0..applications.len()).collect();
    insert_rows(
        conn,
        "applications (id, nip, quarter, requested_remote_days, location_kind, work_plan, kpi_baseline, kpi_target, \
         status, submitted_at, unit)",
        11,
        &indexed,
        |q, &i| {
            let (nip, unit, a) = &applications[i];
            q.bind(&a.id)
                .bind(nip)
                .bind(&extra[i].0)
                .bind(a.requested_remote_days as i64)
                .bind(&extra[i].1)
                .bind(&a.work_plan)
                .bind(a.kpi_baseline)
                .bind(a.kpi_target)
                .bind("submitted")
                .bind(at)
                .bind(unit);
        },
    )
    .await?;
    let approvals: Vec<(&str, String, &str, i64)> = applications
        .iter()
        .flat_map(|(_, _, a)| a.approvals.iter().map(move |p| (a.id.as_str(), p)))
        .map(|(id, p)| (id, codes.of(&p.approver), p.by_nip.as_str(), p.approved as i64))
        .collect();
    insert_rows(
        conn,
        "approvals (application_id, approver, by_nip, approved, decided_at)",
        5,
        &approvals,
        |q, p| {
            q.bind(p.0).bind(&p.1).bind(p.2).bind(p.3).bind(at);
        },
    )
    .await
}

/// Insert units `(code, region, agency, name)`.
pub async fn insert_units(conn: &mut AnyConnection, units: &[super::UnitRow]) -> Result<(), StoreError> {
    insert_rows(conn, "units (code, region, agency, name)", 4, units, |q, u| {
        q.bind(&u.code).bind(&u.region).bind(&u.agency).bind(&u.name);
    })
    .await
}

/// Insert agency heads `(region, agency, nip)`.
pub async fn insert_agency_heads(
    conn: &mut AnyConnection,
    heads: &[(String, String, String)],
) -> Result<(), StoreError> {
    insert_rows(conn, "agency_heads (region, agency, nip)", 3, heads, |q, h| {
        q.bind(&h.0).bind(&h.1).bind(&h.2);
    })
    .await
}
