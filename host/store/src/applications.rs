//! Applications to work anywhere, their approvals, and quarterly KPI reviews.

use super::{Store, StoreError, code, now_rfc3339, parse_code, parse_text};
use dwa_sdk::{Application, Approval, Quarter, QuarterReview};
use serde::Serialize;
use sqlx::Row;
use std::collections::HashMap;

/// An application as stored, with its owner and status.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoredApplication {
    /// NIP of the applicant.
    pub nip: String,
    /// `submitted` or `withdrawn`.
    pub status: String,
    /// When it was submitted (RFC 3339).
    pub submitted_at: String,
    /// The application with its approvals.
    pub application: Application,
}

impl Store {
    /// One application with its approvals.
    pub async fn application(&self, id: &str) -> Result<StoredApplication, StoreError> {
        let row = sqlx::query(
            "SELECT id, nip, quarter, requested_remote_days, location_kind, work_plan, kpi_baseline, kpi_target, status, \
             submitted_at FROM applications WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("application `{id}`")))?;
        let mut application = application_from_row(&row)?;
        let approvals = sqlx::query(
            "SELECT approver, by_nip, approved FROM approvals WHERE application_id = $1 ORDER BY decided_at, approver",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        for a in approvals {
            application.approvals.push(Approval {
                approver: parse_code("approvals.approver", &a.try_get::<String, _>("approver")?)?,
                by_nip: a.try_get("by_nip")?,
                approved: a.try_get::<i64, _>("approved")? != 0,
            });
        }
        Ok(StoredApplication {
            nip: row.try_get("nip")?,
            status: row.try_get("status")?,
            submitted_at: row.try_get("submitted_at")?,
            application,
        })
    }

    /// Record (or replace) one approver's decision on an application.
    pub async fn record_approval(&self, application_id: &str, approval: &Approval) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        record_approval_in(&mut tx, application_id, approval).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The review of one employee for a quarter, if recorded.
    pub async fn review(&self, nip: &str, quarter: Quarter) -> Result<Option<QuarterReview>, StoreError> {
        let row = sqlx::query("SELECT granted_remote_days, kpi_achieved FROM reviews WHERE nip = $1 AND quarter = $2")
            .bind(nip)
            .bind(quarter.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(QuarterReview {
                quarter,
                granted_remote_days: r.try_get::<i64, _>("granted_remote_days")? as u8,
                kpi_achieved: r.try_get::<i64, _>("kpi_achieved")? != 0,
            })
        })
        .transpose()
    }

    /// Store a submitted application and the approvals it already carries, all or nothing.
    pub async fn insert_application(&self, nip: &str, application: &Application) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        insert_application_in(&mut tx, nip, application).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The live (not withdrawn) applications of a unit's employees for a quarter, with their
    /// approvals, as (NIP, application), ordered by NIP.
    pub async fn unit_applications(
        &self,
        unit: &str,
        quarter: Quarter,
    ) -> Result<Vec<(String, Application)>, StoreError> {
        let rows = sqlx::query(
            "SELECT a.id, a.nip, a.quarter, a.requested_remote_days, a.location_kind, a.work_plan, a.kpi_baseline, a.kpi_target \
             FROM applications a JOIN employees e ON e.nip = a.nip \
             WHERE e.unit = $1 AND a.quarter = $2 AND a.status <> 'withdrawn' ORDER BY a.nip",
        )
        .bind(unit)
        .bind(quarter.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        let mut index = HashMap::new();
        for row in rows {
            let application = application_from_row(&row)?;
            index.insert(application.id.clone(), out.len());
            out.push((row.try_get::<String, _>("nip")?, application));
        }
        let approvals = sqlx::query(
            "SELECT p.application_id, p.approver, p.by_nip, p.approved FROM approvals p \
             JOIN applications a ON a.id = p.application_id JOIN employees e ON e.nip = a.nip \
             WHERE e.unit = $1 AND a.quarter = $2 ORDER BY p.application_id, p.decided_at",
        )
        .bind(unit)
        .bind(quarter.to_string())
        .fetch_all(&self.pool)
        .await?;
        for row in approvals {
            let id: String = row.try_get("application_id")?;
            if let Some(&i) = index.get(&id) {
                out[i].1.approvals.push(Approval {
                    approver: parse_code("approvals.approver", &row.try_get::<String, _>("approver")?)?,
                    by_nip: row.try_get("by_nip")?,
                    approved: row.try_get::<i64, _>("approved")? != 0,
                });
            }
        }
        Ok(out)
    }

    /// Record a quarter's KPI review of one employee (replacing an earlier one).
    pub async fn record_review(&self, nip: &str, review: &QuarterReview) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO reviews (nip, quarter, granted_remote_days, kpi_achieved, reviewed_at, unit) \
             VALUES ($1, $2, $3, $4, $5, (SELECT e.unit FROM employees e WHERE e.nip = $1)) \
             ON CONFLICT (nip, quarter) DO UPDATE SET granted_remote_days = excluded.granted_remote_days, \
             kpi_achieved = excluded.kpi_achieved, reviewed_at = excluded.reviewed_at",
        )
        .bind(nip)
        .bind(review.quarter.to_string())
        .bind(review.granted_remote_days as i64)
        .bind(review.kpi_achieved as i64)
        .bind(now_rfc3339())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The reviews of a unit's employees for `quarter`, by NIP.
    pub async fn unit_reviews(
        &self,
        unit: &str,
        quarter: Quarter,
    ) -> Result<HashMap<String, QuarterReview>, StoreError> {
        let rows = sqlx::query(
            "SELECT r.nip, r.granted_remote_days, r.kpi_achieved FROM reviews r JOIN employees e ON e.nip = r.nip \
             WHERE e.unit = $1 AND r.quarter = $2",
        )
        .bind(unit)
        .bind(quarter.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    row.try_get::<String, _>("nip")?,
                    QuarterReview {
                        quarter,
                        granted_remote_days: row.try_get::<i64, _>("granted_remote_days")? as u8,
                        kpi_achieved: row.try_get::<i64, _>("kpi_achieved")? != 0,
                    },
                ))
            })
            .collect()
    }
}

/// Insert an application and its approvals inside an open transaction.
pub(crate) async fn insert_application_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    nip: &str,
    application: &Application,
) -> Result<(), StoreError> {
    let now = now_rfc3339();
    sqlx::query(
        "INSERT INTO applications (id, nip, quarter, requested_remote_days, location_kind, work_plan, kpi_baseline, \
         kpi_target, status, submitted_at, unit) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'submitted', $9, \
         (SELECT e.unit FROM employees e WHERE e.nip = $2))",
    )
    .bind(&application.id)
    .bind(nip)
    .bind(application.quarter.to_string())
    .bind(application.requested_remote_days as i64)
    .bind(code(&application.location_kind))
    .bind(&application.work_plan)
    .bind(application.kpi_baseline)
    .bind(application.kpi_target)
    .bind(&now)
    .execute(&mut **tx)
    .await
    .map_err(|err| match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(format!(
            "NIP {nip} already has an application for {}",
            application.quarter
        )),
        _ => StoreError::Database(err),
    })?;
    for approval in &application.approvals {
        record_approval_in(tx, &application.id, approval).await?;
    }
    Ok(())
}

/// Record (or replace) one approver's decision inside an open transaction.
pub(crate) async fn record_approval_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    application_id: &str,
    approval: &Approval,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO approvals (application_id, approver, by_nip, approved, decided_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (application_id, approver) DO UPDATE SET by_nip = excluded.by_nip, approved = excluded.approved, \
         decided_at = excluded.decided_at",
    )
    .bind(application_id)
    .bind(code(&approval.approver))
    .bind(&approval.by_nip)
    .bind(approval.approved as i64)
    .bind(now_rfc3339())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// An application (without its approvals) from a row of `applications`.
fn application_from_row(row: &sqlx::any::AnyRow) -> Result<Application, StoreError> {
    Ok(Application {
        id: row.try_get("id")?,
        quarter: parse_text("applications.quarter", &row.try_get::<String, _>("quarter")?)?,
        requested_remote_days: row.try_get::<i64, _>("requested_remote_days")? as u8,
        location_kind: parse_code(
            "applications.location_kind",
            &row.try_get::<String, _>("location_kind")?,
        )?,
        work_plan: row.try_get("work_plan")?,
        kpi_baseline: row.try_get("kpi_baseline")?,
        kpi_target: row.try_get("kpi_target")?,
        approvals: Vec::new(),
    })
}
