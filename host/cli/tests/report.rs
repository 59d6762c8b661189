//! Reports over a seeded, allocated database on SQLite and PostgreSQL, checked against direct
//! SQL counts and recomputation: participation per unit and region, the reasons breakdown over
//! each application's latest decision, savings from the roster and the manifests' unit costs,
//! and their CSV form.

mod common;

use dwa_policy::PolicySet;
use dwa_sdk::Quarter;
use dwa_store::Store;
use dwa_workflow::allocate_unit;
use dwa_workflow::report::{
    self, CsvRow, ParticipationReport, ParticipationRow, ReasonRow, ReportError, SavingsRow, UnitCosts,
    WEEKS_PER_QUARTER, to_csv,
};
use sqlx::Row;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

const QUARTER: Quarter = Quarter { year: 2027, number: 1 };

/// Seed, then allocate every unit.
async fn allocated(db: &common::TestDb, policies: &Arc<PolicySet>) -> Store {
    let store = Store::connect(&db.url)
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", db.label));
    dwa_cli::seed::seed(&store, 600, QUARTER, 11).await.unwrap();
    for unit in store.units(None).await.unwrap() {
        allocate_unit(&store, policies, &unit.code, QUARTER, QUARTER.start())
            .await
            .unwrap();
    }
    store
}

/// Every region's unit costs, from its manifest, as the API would pass them.
fn unit_costs(policies: &PolicySet) -> HashMap<String, UnitCosts> {
    policies
        .regions()
        .into_iter()
        .map(|r| {
            let costs = UnitCosts::from_params(&policies.region(&r).unwrap().manifest.parameters).unwrap();
            (r, costs)
        })
        .collect()
}

/// Rows of a query as (text key, integer value); `$1`, where used, is the quarter.
async fn pairs(store: &Store, sql: &str) -> BTreeMap<String, i64> {
    let mut query = sqlx::query(sql);
    if sql.contains("$1") {
        query = query.bind(QUARTER.to_string());
    }
    query
        .fetch_all(store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get::<String, _>(0), r.get::<i64, _>(1)))
        .collect()
}

/// A latest decision: (decision id, region, eligible).
type Latest = (String, String, bool);

/// The latest decision of each live application, recomputed in Rust from every decision row
/// (the greatest run id is the latest), by application id.
async fn latest_decisions(store: &Store) -> HashMap<String, Latest> {
    let rows = sqlx::query(
        "SELECT d.run_id, d.application_id, r.region, d.eligible FROM decisions d \
         JOIN decision_runs r ON r.id = d.run_id \
         JOIN applications a ON a.id = d.application_id WHERE a.quarter = $1 AND a.status <> 'withdrawn'",
    )
    .bind(QUARTER.to_string())
    .fetch_all(store.pool())
    .await
    .unwrap();
    // Application id → (run id, decision): the greatest run id is the latest.
    let mut latest: HashMap<String, (i64, Latest)> = HashMap::new();
    for r in rows {
        let run: i64 = r.get("run_id");
        let application: String = r.get("application_id");
        let value = (
            dwa_store::decision_id(run, &application),
            r.get::<String, _>("region"),
            r.get::<i64, _>("eligible") != 0,
        );
        match latest.get(&application) {
            Some((seen, _)) if *seen >= run => {}
            _ => {
                latest.insert(application, (run, value));
            }
        }
    }
    latest.into_iter().map(|(k, (_, v))| (k, v)).collect()
}

/// Unit → eligible applications, by recomputation.
async fn eligible_by_unit(store: &Store) -> BTreeMap<String, u64> {
    let unit_of = pairs_text(
        store,
        "SELECT a.id, e.unit FROM applications a JOIN employees e ON e.nip = a.nip WHERE a.quarter = $1",
    )
    .await;
    let mut eligible = BTreeMap::new();
    for (application, (_, _, ok)) in latest_decisions(store).await {
        if ok {
            *eligible.entry(unit_of[&application].clone()).or_default() += 1;
        }
    }
    eligible
}

async fn pairs_text(store: &Store, sql: &str) -> HashMap<String, String> {
    sqlx::query(sql)
        .bind(QUARTER.to_string())
        .fetch_all(store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get::<String, _>(0), r.get::<String, _>(1)))
        .collect()
}

/// (region, code) → (passed, failed), by recomputation over the latest decisions: a gate
/// failed when the decision lists it, passed when its run's plugin reported it otherwise.
async fn reasons_recomputed(store: &Store) -> BTreeMap<(String, String), (u64, u64)> {
    let mut counts: BTreeMap<(String, String), (u64, u64)> = BTreeMap::new();
    for (id, region, _) in latest_decisions(store).await.into_values() {
        let decision = store.decision(&id).await.unwrap();
        let reported: String = sqlx::query_scalar("SELECT reason_codes FROM decision_runs WHERE id = $1")
            .bind(decision.run_id)
            .fetch_one(store.pool())
            .await
            .unwrap();
        let failed = &decision.decision.verdict.failed;
        let mut codes: Vec<&str> = reported.split(',').filter(|c| !c.is_empty()).collect();
        codes.extend(failed.iter().map(String::as_str));
        codes.sort();
        codes.dedup();
        assert!(!codes.is_empty(), "decision {id}: its run reported no gates");
        for code in codes {
            let entry = counts.entry((region.clone(), code.to_owned())).or_default();
            if failed.iter().any(|f| f == code) {
                entry.1 += 1;
            } else {
                entry.0 += 1;
            }
        }
    }
    counts
}

fn unit_rows(report: &ParticipationReport) -> BTreeMap<String, &ParticipationRow> {
    report.units.iter().map(|r| (r.unit.clone().unwrap(), r)).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn reports_match_the_database_on_both_backends() {
    let policies = common::policies();
    for db in common::TestDb::both().await {
        reports_on(&policies, &db).await;
        db.drop_schema().await;
    }
}

async fn reports_on(policies: &Arc<PolicySet>, db: &common::TestDb) {
    let store = allocated(db, policies).await;
    let label = db.label;
    let first = report::participation(&store, None, QUARTER).await.unwrap();
    check_participation(&store, &first, label, 0).await;

    // Re-running a unit's allocation adds a second decision per application: only the latest
    // counts, so nothing changes.
    let units = store.units(None).await.unwrap();
    for unit in units.iter().take(3) {
        allocate_unit(&store, policies, &unit.code, QUARTER, QUARTER.start())
            .await
            .unwrap();
    }
    let rerun = report::participation(&store, None, QUARTER).await.unwrap();
    assert_eq!(rerun, first, "{label}: re-evaluation counts once");
    let reasons_before = report::reasons(&store, None, QUARTER).await.unwrap();

    // A later, ineligible decision on an eligible application (its RATING failed) replaces it.
    let (application, (decision, region, _)) = latest_decisions(&store)
        .await
        .into_iter()
        .filter(|(_, (_, _, eligible))| *eligible)
        .min()
        .expect("some eligible application");
    override_decision(&store, &decision).await;
    let after = report::participation(&store, None, QUARTER).await.unwrap();
    check_participation(&store, &after, label, 1).await;
    let unit = pairs_text(
        &store,
        "SELECT a.id, e.unit FROM applications a JOIN employees e ON e.nip = a.nip WHERE a.quarter = $1",
    )
    .await[&application]
        .clone();
    assert_eq!(
        unit_rows(&after)[&unit].eligible + 1,
        unit_rows(&first)[&unit].eligible,
        "{label}: the latest decision wins"
    );

    let reasons = report::reasons(&store, None, QUARTER).await.unwrap();
    check_reasons(&store, &reasons.rows, &reasons.decisions, label).await;
    let rating = |rows: &[ReasonRow]| {
        rows.iter()
            .find(|r| r.region == region && r.code == "RATING")
            .map(|r| (r.passed, r.failed))
            .unwrap()
    };
    let (passed, failed) = rating(&reasons_before.rows);
    assert_eq!(rating(&reasons.rows), (passed - 1, failed + 1), "{label}");

    check_savings(&store, policies, label).await;
    check_region_filter(&store, policies, label).await;
    check_csv(&after, &reasons.rows);
}

/// Copy `decision` as a decision taken later (in a run of its own with a greater id),
/// ineligible, with its RATING gate failed.
async fn override_decision(store: &Store, decision: &str) {
    let stored = store.decision(decision).await.unwrap();
    assert!(!stored.decision.verdict.failed.iter().any(|c| c == "RATING"));
    let (later,): (i64,) = sqlx::query_as("SELECT MAX(id) + 1 FROM decision_runs")
        .fetch_one(store.pool())
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO decision_runs (id, region, quarter, evaluated_on, plugin_name, plugin_version, plugin_sha256, \
         manifest_sha256, started_at, finished_at, units, decisions, eligible, granted, fuel_used, kind, reason_codes, \
         guest_output) \
         SELECT $1, region, quarter, evaluated_on, plugin_name, plugin_version, plugin_sha256, manifest_sha256, \
         '2999-01-01T00:00:00Z', '2999-01-01T00:00:00Z', 0, 1, 0, 0, 0, 'eval', reason_codes, '' \
         FROM decision_runs WHERE id = $2",
    )
    .bind(later)
    .bind(stored.run_id)
    .execute(store.pool())
    .await
    .unwrap();
    let mut failed = stored.decision.verdict.failed.clone();
    failed.push("RATING".into());
    sqlx::query(
        "INSERT INTO decisions (run_id, application_id, nip, eligible, max_remote_days, priority, approvals_required, failed) \
         SELECT $1, application_id, nip, 0, 0, priority, approvals_required, $2 FROM decisions \
         WHERE run_id = $3 AND application_id = $4",
    )
    .bind(later)
    .bind(failed.join(","))
    .bind(stored.run_id)
    .bind(&stored.decision.application_id)
    .execute(store.pool())
    .await
    .unwrap();
}

async fn check_participation(store: &Store, report: &ParticipationReport, label: &str, overridden: u64) {
    let units = store.units(None).await.unwrap();
    assert_eq!(report.units.len(), units.len(), "{label}: one row per unit");
    let headcount = pairs(store, "SELECT unit, COUNT(*) FROM employees GROUP BY unit").await;
    let applications = pairs(
        store,
        "SELECT e.unit, COUNT(*) FROM applications a JOIN employees e ON e.nip = a.nip \
         WHERE a.quarter = $1 AND a.status <> 'withdrawn' GROUP BY e.unit",
    )
    .await;
    let granted = pairs(
        store,
        "SELECT unit, COUNT(*) FROM roster WHERE quarter = $1 AND remote_days > 0 GROUP BY unit",
    )
    .await;
    let days = pairs(
        store,
        "SELECT unit, CAST(SUM(remote_days) AS BIGINT) FROM roster WHERE quarter = $1 GROUP BY unit",
    )
    .await;
    let eligible = eligible_by_unit(store).await;
    let get = |map: &BTreeMap<String, i64>, unit: &str| map.get(unit).copied().unwrap_or(0) as u64;
    for row in &report.units {
        let unit = row.unit.as_deref().unwrap();
        assert_eq!(row.headcount, get(&headcount, unit), "{label} {unit} headcount");
        assert_eq!(
            row.applications,
            get(&applications, unit),
            "{label} {unit} applications"
        );
        assert_eq!(row.granted, get(&granted, unit), "{label} {unit} granted");
        assert_eq!(row.remote_days, get(&days, unit), "{label} {unit} days");
        assert_eq!(
            row.eligible,
            eligible.get(unit).copied().unwrap_or(0),
            "{label} {unit} eligible"
        );
        // (A decision overridden after allocation may leave one more granted than eligible.)
        assert!(
            row.granted <= row.eligible + overridden && row.eligible <= row.applications,
            "{label}: {row:?}"
        );
        assert!(row.applications <= row.headcount, "{label}: {row:?}");
        assert_eq!(row.participation_rate, row.granted as f64 / row.headcount as f64);
    }
    assert!(
        report.units.iter().map(|r| r.granted).sum::<u64>() > 20,
        "{label}: the seed grants something"
    );
    let total_granted: i64 = granted.values().sum();
    assert_eq!(
        report.regions.iter().map(|r| r.granted).sum::<u64>(),
        total_granted as u64
    );
    for region in &report.regions {
        let of_region: Vec<_> = report.units.iter().filter(|u| u.region == region.region).collect();
        assert_eq!(region.headcount, of_region.iter().map(|u| u.headcount).sum::<u64>());
        assert_eq!(region.eligible, of_region.iter().map(|u| u.eligible).sum::<u64>());
        assert_eq!(region.remote_days, of_region.iter().map(|u| u.remote_days).sum::<u64>());
        assert_eq!((region.unit.as_deref(), region.agency.as_deref()), (None, None));
    }
    assert_eq!(
        report.regions.iter().map(|r| r.region.as_str()).collect::<Vec<_>>(),
        ["32", "3216"]
    );
}

async fn check_reasons(store: &Store, rows: &[ReasonRow], decisions: &[dwa_store::DecisionCount], label: &str) {
    let expected = reasons_recomputed(store).await;
    let got: BTreeMap<(String, String), (u64, u64)> = rows
        .iter()
        .map(|r| ((r.region.clone(), r.code.clone()), (r.passed, r.failed)))
        .collect();
    assert_eq!(got, expected, "{label}: reasons");
    let latest = latest_decisions(store).await;
    for d in decisions {
        let n = latest.values().filter(|(_, region, _)| *region == d.region).count() as u64;
        let eligible = latest
            .values()
            .filter(|(_, region, ok)| *region == d.region && *ok)
            .count() as u64;
        assert_eq!(
            (d.decisions, d.eligible),
            (n, eligible),
            "{label}: decisions of {}",
            d.region
        );
    }
    for row in rows {
        assert!(row.passed + row.failed <= row.decisions);
        // Every decision carries the baseline gates: they account for every decision.
        if ["RATING", "DISCIPLINE", "PUBLIC_SERVICE"].contains(&row.code.as_str()) {
            assert_eq!(row.passed + row.failed, row.decisions, "{label}: {row:?}");
        }
    }
    assert!(rows.iter().any(|r| r.failed > 0) && rows.iter().any(|r| r.passed > 0));
}

async fn check_savings(store: &Store, policies: &PolicySet, label: &str) {
    let costs = unit_costs(policies);
    let report = report::savings(store, None, QUARTER, &costs).await.unwrap();
    let days_by_region = pairs(
        store,
        "SELECT a.region, CAST(SUM(r.remote_days) AS BIGINT) FROM roster r \
         JOIN allocations a ON a.unit = r.unit AND a.quarter = r.quarter WHERE r.quarter = $1 GROUP BY a.region",
    )
    .await;
    let mut total = 0.0;
    for region in &report.regions {
        let c = costs[&region.region];
        let days = days_by_region[&region.region] as f64;
        assert_eq!(region.transport, days * WEEKS_PER_QUARTER * c.transport, "{label}");
        assert_eq!(region.meals, days * WEEKS_PER_QUARTER * c.meals, "{label}");
        assert_eq!(region.utilities, days * WEEKS_PER_QUARTER * c.utilities, "{label}");
        assert_eq!(
            region.total,
            days * 13.0 * (c.transport + c.meals + c.utilities),
            "{label}"
        );
        total += region.total;
    }
    assert_eq!(report.total.total, total);
    assert!(total > 0.0);
    for unit in &report.units {
        let c = costs[&unit.region];
        assert_eq!(
            unit.total,
            unit.remote_days_per_week as f64 * 13.0 * (c.transport + c.meals + c.utilities)
        );
    }
    // Bekasi's costs are its own, not the province's.
    let bekasi = report.regions.iter().find(|r| r.region == "3216").unwrap();
    assert_eq!(bekasi.transport, bekasi.days_away * 35_000.0);

    let missing = report::savings(store, None, QUARTER, &HashMap::new()).await;
    assert!(
        matches!(missing, Err(ReportError::NoUnitCosts { .. })),
        "{label}: {missing:?}"
    );
}

async fn check_region_filter(store: &Store, policies: &PolicySet, label: &str) {
    let all = report::participation(store, None, QUARTER).await.unwrap();
    let bekasi = report::participation(store, Some("3216"), QUARTER).await.unwrap();
    let subset: Vec<_> = all.units.iter().filter(|r| r.region == "3216").cloned().collect();
    assert_eq!(bekasi.units, subset, "{label}");
    assert_eq!(bekasi.regions.len(), 1);

    let all_reasons = report::reasons(store, None, QUARTER).await.unwrap();
    let bekasi_reasons = report::reasons(store, Some("3216"), QUARTER).await.unwrap();
    let subset: Vec<_> = all_reasons
        .rows
        .iter()
        .filter(|r| r.region == "3216")
        .cloned()
        .collect();
    assert_eq!(bekasi_reasons.rows, subset, "{label}");

    // Only Bekasi's costs are needed for Bekasi's savings.
    let costs: HashMap<_, _> = unit_costs(policies).into_iter().filter(|(r, _)| r == "3216").collect();
    let savings = report::savings(store, Some("3216"), QUARTER, &costs).await.unwrap();
    assert!(savings.units.iter().all(|r| r.region == "3216"));
    assert_eq!(savings.total.total, savings.regions[0].total);
}

/// Header plus one line per row, every line as wide as the header, parseable back.
fn check_csv(participation: &ParticipationReport, reasons: &[ReasonRow]) {
    fn check<R: CsvRow>(rows: &[R]) {
        let text = to_csv(rows);
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), R::COLUMNS);
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(records.len(), rows.len());
        assert!(records.iter().all(|r| r.len() == R::COLUMNS.len()));
        assert_eq!(text.lines().count(), rows.len() + 1, "no field spans lines");
    }
    check(&participation.units);
    check(&participation.regions);
    check(reasons);
    let first = to_csv(&participation.units[..1]);
    let unit = &participation.units[0];
    assert!(first.lines().nth(1).unwrap().starts_with(&format!(
        "2027-Q1,{},{},{},{}",
        unit.region,
        unit.unit.as_deref().unwrap(),
        unit.agency.as_deref().unwrap(),
        unit.headcount
    )));
    assert_eq!(
        to_csv::<SavingsRow>(&[]),
        format!("{}\n", SavingsRow::COLUMNS.join(","))
    );
}

#[test]
fn unit_costs_must_all_be_set_and_not_negative() {
    use dwa_sdk::{ParamValue, Params};
    let full = Params::default()
        .with("transport_cost_per_day", ParamValue::Integer(40_000))
        .with("meal_cost_per_day", ParamValue::Number(25_000.5))
        .with("utilities_cost_per_day", ParamValue::Integer(15_000));
    assert_eq!(
        UnitCosts::from_params(&full).unwrap(),
        UnitCosts {
            transport: 40_000.0,
            meals: 25_000.5,
            utilities: 15_000.0
        }
    );
    let mut missing = full.clone();
    missing.0.remove("meal_cost_per_day");
    assert!(matches!(
        UnitCosts::from_params(&missing),
        Err(ReportError::BadUnitCost {
            parameter: "meal_cost_per_day",
            ..
        })
    ));
    let negative = full.clone().with("utilities_cost_per_day", ParamValue::Integer(-1));
    assert!(UnitCosts::from_params(&negative).is_err());
    let text = full.with("transport_cost_per_day", ParamValue::Text("murah".into()));
    assert!(UnitCosts::from_params(&text).is_err());
}
