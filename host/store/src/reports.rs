//! The counts behind the participation, reasons and savings reports (`dwa_workflow::report`), one
//! grouped query each, filtered by quarter and optionally by region.
//!
//! "Latest decision" means, per application, the decision of its latest run (the greatest run
//! id: ids follow time): an application is re-evaluated on every allocation run, and only its
//! last outcome counts. Every decision has the same shape (`decisions` in `decision_runs`),
//! whichever command made it. Only stored, live (not withdrawn) applications are in scope, so
//! decisions from ad-hoc `dwa eval` runs are left out.

use super::{Store, StoreError};
use dwa_sdk::Quarter;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

/// One unit's numbers for a quarter, straight from the database.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UnitActivity {
    /// Unit code.
    pub unit: String,
    /// Region code.
    pub region: String,
    /// Agency (OPD) code.
    pub agency: String,
    /// Employees in the unit now.
    pub headcount: u64,
    /// Live applications for the quarter.
    pub applications: u64,
    /// Of which the latest decision is eligible.
    pub eligible: u64,
    /// Roster entries with at least one day away.
    pub granted: u64,
    /// Days away per week, summed over the roster.
    pub remote_days: u64,
}

/// How often one reason code passed and failed in a region's latest decisions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReasonCount {
    /// Region code (of the plugin that decided).
    pub region: String,
    /// Reason code, e.g. `RATING`.
    pub code: String,
    /// Latest decisions in which it passed.
    pub passed: u64,
    /// Latest decisions in which it failed.
    pub failed: u64,
}

/// How many latest decisions a region has for a quarter, and how many are eligible.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DecisionCount {
    /// Region code (of the plugin that decided).
    pub region: String,
    /// Latest decisions (one per live application).
    pub decisions: u64,
    /// Of which eligible.
    pub eligible: u64,
}

/// The latest decision of every application of the quarter (`$1`), as `latest` with
/// `rn = 1`, with its failed gates and its run's reported gate codes. A window function rather
/// than a self-join: both SQLite (3.25+) and PostgreSQL have it, and it reads the decisions once.
const LATEST_DECISIONS: &str = "WITH latest AS (\
     SELECT d.application_id, r.region, d.eligible, d.failed, r.reason_codes, \
     ROW_NUMBER() OVER (PARTITION BY d.application_id ORDER BY d.run_id DESC) AS rn \
     FROM decisions d JOIN decision_runs r ON r.id = d.run_id WHERE r.quarter = $1)";

/// `AND <column> = $2` when a region is given (the query then binds it second).
fn region_filter(column: &str, region: Option<&str>) -> String {
    region.map(|_| format!(" AND {column} = $2")).unwrap_or_default()
}

/// A non-negative count column (SQL `COUNT`/`SUM` results are BIGINT).
fn count(row: &AnyRow, column: &str) -> Result<u64, StoreError> {
    Ok(row.try_get::<i64, _>(column)?.max(0) as u64)
}

impl Store {
    /// Headcount, applications, eligible applications, grants and days away of every unit
    /// (of `region`, or all), for `quarter`, ordered by unit code.
    pub async fn unit_activity(&self, region: Option<&str>, quarter: Quarter) -> Result<Vec<UnitActivity>, StoreError> {
        // Each count is grouped by unit in its own subquery and joined to the units, so units
        // without employees, applications or a roster still show up, with zeros. SUM is cast
        // because PostgreSQL returns NUMERIC for a SUM of BIGINT.
        let sql = format!(
            "{LATEST_DECISIONS} \
             SELECT u.code, u.region, u.agency, \
             COALESCE(h.n, 0) AS headcount, COALESCE(a.n, 0) AS applications, COALESCE(a.eligible, 0) AS eligible, \
             COALESCE(r.granted, 0) AS granted, COALESCE(r.days, 0) AS remote_days \
             FROM units u \
             LEFT JOIN (SELECT unit, COUNT(*) AS n FROM employees GROUP BY unit) h ON h.unit = u.code \
             LEFT JOIN (SELECT e.unit, COUNT(*) AS n, \
                 CAST(SUM(CASE WHEN l.eligible <> 0 THEN 1 ELSE 0 END) AS BIGINT) AS eligible \
                 FROM applications ap JOIN employees e ON e.nip = ap.nip \
                 LEFT JOIN latest l ON l.application_id = ap.id AND l.rn = 1 \
                 WHERE ap.quarter = $1 AND ap.status <> 'withdrawn' GROUP BY e.unit) a ON a.unit = u.code \
             LEFT JOIN (SELECT unit, CAST(SUM(CASE WHEN remote_days > 0 THEN 1 ELSE 0 END) AS BIGINT) AS granted, \
                 CAST(SUM(remote_days) AS BIGINT) AS days FROM roster WHERE quarter = $1 GROUP BY unit) r \
                 ON r.unit = u.code \
             WHERE 1 = 1{} ORDER BY u.code",
            region_filter("u.region", region)
        );
        let mut query = sqlx::query(&sql).bind(quarter.to_string());
        if let Some(region) = region {
            query = query.bind(region);
        }
        query
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| {
                Ok(UnitActivity {
                    unit: row.try_get("code")?,
                    region: row.try_get("region")?,
                    agency: row.try_get("agency")?,
                    headcount: count(row, "headcount")?,
                    applications: count(row, "applications")?,
                    eligible: count(row, "eligible")?,
                    granted: count(row, "granted")?,
                    remote_days: count(row, "remote_days")?,
                })
            })
            .collect()
    }

    /// Passed and failed counts per region and reason code over the latest decision of every
    /// live application of `quarter` (of `region`, or all), ordered by region and code. A
    /// decision counts as failed for each gate it lists as failed, and as passed for every other
    /// gate its run's plugin reported (`decision_runs.reason_codes`: the baseline and the rule
    /// plugins report every gate on every decision).
    pub async fn reason_counts(&self, region: Option<&str>, quarter: Quarter) -> Result<Vec<ReasonCount>, StoreError> {
        // Grouped by the lists of codes (few distinct ones), split here rather than in SQL,
        // where SQLite and PostgreSQL split strings differently.
        let sql = format!(
            "{LATEST_DECISIONS} \
             SELECT l.region, l.reason_codes, l.failed, COUNT(*) AS n \
             FROM latest l JOIN applications a ON a.id = l.application_id \
             WHERE l.rn = 1 AND a.status <> 'withdrawn'{} \
             GROUP BY l.region, l.reason_codes, l.failed",
            region_filter("l.region", region)
        );
        let mut query = sqlx::query(&sql).bind(quarter.to_string());
        if let Some(region) = region {
            query = query.bind(region);
        }
        let mut counts: std::collections::BTreeMap<(String, String), (u64, u64)> = Default::default();
        for row in query.fetch_all(&self.pool).await? {
            let region: String = row.try_get("region")?;
            let reported: String = row.try_get("reason_codes")?;
            let failed: String = row.try_get("failed")?;
            let n = count(&row, "n")?;
            let failed: std::collections::BTreeSet<&str> = failed.split(',').filter(|c| !c.is_empty()).collect();
            let codes: std::collections::BTreeSet<&str> = reported
                .split(',')
                .filter(|c| !c.is_empty())
                .chain(failed.iter().copied())
                .collect();
            for code in codes {
                let entry = counts.entry((region.clone(), code.to_owned())).or_default();
                if failed.contains(code) {
                    entry.1 += n;
                } else {
                    entry.0 += n;
                }
            }
        }
        Ok(counts
            .into_iter()
            .map(|((region, code), (passed, failed))| ReasonCount {
                region,
                code,
                passed,
                failed,
            })
            .collect())
    }

    /// Latest decisions and eligible ones per region for `quarter` (of `region`, or all),
    /// ordered by region: the denominators of the reasons breakdown.
    pub async fn decision_counts(
        &self,
        region: Option<&str>,
        quarter: Quarter,
    ) -> Result<Vec<DecisionCount>, StoreError> {
        let sql = format!(
            "{LATEST_DECISIONS} \
             SELECT l.region, COUNT(*) AS decisions, \
             CAST(SUM(CASE WHEN l.eligible <> 0 THEN 1 ELSE 0 END) AS BIGINT) AS eligible \
             FROM latest l JOIN applications a ON a.id = l.application_id \
             WHERE l.rn = 1 AND a.status <> 'withdrawn'{} \
             GROUP BY l.region ORDER BY l.region",
            region_filter("l.region", region)
        );
        let mut query = sqlx::query(&sql).bind(quarter.to_string());
        if let Some(region) = region {
            query = query.bind(region);
        }
        query
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| {
                Ok(DecisionCount {
                    region: row.try_get("region")?,
                    decisions: count(row, "decisions")?,
                    eligible: count(row, "eligible")?,
                })
            })
            .collect()
    }
}
