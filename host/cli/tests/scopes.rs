//! One allocation pipeline, three scopes: allocating each unit alone, each region, and every
//! region at once store the same decisions and the same rosters, on SQLite and PostgreSQL, with
//! three regions each served by its own plugin instance (the province, Kabupaten Bekasi, and
//! Kota Bandung adopting the province's plugin). Also: every stored decision reads back and is
//! explained by a full re-run that reproduces it (so `decide` agrees with `evaluate`),
//! re-running is idempotent, and a failing region is reported while the others are stored.

mod common;

use dwa_cli::seed::{Regions, SeedOptions};
use dwa_engine::{Limits, PolicyEngine};
use dwa_policy::PolicySet;
use dwa_sdk::Quarter;
use dwa_sdk::Verdict;
use dwa_store::Store;
use dwa_workflow::{AllocationOptions, allocate_regions, allocate_unit, explain_decision};
use sqlx::Row;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

const QUARTER: Quarter = Quarter { year: 2027, number: 1 };
const REGIONS: [&str; 3] = ["32", "3216", "3273"];

/// A rules folder with the deployed province and Bekasi rules, plus Kota Bandung (3273) as
/// `scripts/national.sh` makes it: the province's manifest with its own code and name, no
/// guardrails, and the province's plugin.
fn three_region_rules() -> (tempfile::TempDir, Arc<PolicySet>) {
    let dir = tempfile::tempdir().unwrap();
    let rules = common::rules_dir();
    for file in ["jabar.wasm", "kab_bekasi.wasm", "32-jabar.toml", "3216-kab-bekasi.toml"] {
        std::fs::copy(rules.join(file), dir.path().join(file)).unwrap();
    }
    write_adopting_manifest(&rules.join("32-jabar.toml"), dir.path(), "3273", "Kota Bandung");
    let path = dir.path().to_owned();
    let (set, errors) = common::off_runtime(move || {
        let engine = Arc::new(PolicyEngine::new(Limits::default()).expect("engine"));
        PolicySet::load_dir(engine, &path).expect("rules folder")
    });
    assert!(errors.is_empty(), "rules failed to load: {errors:#?}");
    assert_eq!(set.regions(), REGIONS.map(String::from).to_vec());
    (dir, Arc::new(set))
}

fn write_adopting_manifest(province: &Path, dir: &Path, code: &str, name: &str) {
    let text = std::fs::read_to_string(province).unwrap();
    let mut out = Vec::new();
    let mut guardrails = false;
    for line in text.lines() {
        if line == "[guardrails]" {
            guardrails = true;
            continue;
        }
        if guardrails {
            guardrails = !line.is_empty();
            continue;
        }
        out.push(match line {
            "region = \"32\"" => format!("region = \"{code}\""),
            "name = \"Provinsi Jawa Barat\"" => format!("name = \"{name}\""),
            other => other.to_owned(),
        });
    }
    std::fs::write(dir.join(format!("{code}-kota.toml")), out.join("\n")).unwrap();
}

async fn seeded(db: &common::TestDb, employees: usize, regions: Regions) -> Store {
    let store = Store::connect(&db.url)
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", db.label));
    let options = SeedOptions {
        employees,
        quarter: QUARTER,
        seed: 17,
        regions,
    };
    dwa_cli::seed::seed_with(&store, &options, &|_| {}).await.unwrap();
    store
}

fn three_regions() -> Regions {
    Regions::Codes(REGIONS.map(String::from).to_vec())
}

/// Application id → the verdict of its latest decision, for every live application.
async fn latest_verdicts(store: &Store) -> BTreeMap<String, Verdict> {
    let ids: Vec<String> =
        sqlx::query_scalar("SELECT id FROM applications WHERE quarter = $1 AND status <> 'withdrawn' ORDER BY id")
            .bind(QUARTER.to_string())
            .fetch_all(store.pool())
            .await
            .unwrap();
    let mut out = BTreeMap::new();
    for id in ids {
        let stored = store.latest_decision(&id).await.unwrap();
        // What the API reads back by the decision's id is the same.
        assert_eq!(store.decision(&stored.id).await.unwrap(), stored);
        out.insert(id, stored.decision.verdict);
    }
    out
}

/// Every roster row and allocation, in a comparable form.
async fn rosters(store: &Store) -> (Vec<(String, String, String, i64, String)>, Vec<(String, String, i64)>) {
    let roster = sqlx::query(
        "SELECT unit, nip, application_id, remote_days, weekdays FROM roster WHERE quarter = $1 ORDER BY unit, nip",
    )
    .bind(QUARTER.to_string())
    .fetch_all(store.pool())
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4)))
    .collect();
    let allocations = sqlx::query("SELECT unit, region, headcount FROM allocations WHERE quarter = $1 ORDER BY unit")
        .bind(QUARTER.to_string())
        .fetch_all(store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    (roster, allocations)
}

async fn every_scope_stores_the_same_on(db: &common::TestDb, employees: usize) {
    let (_dir, policies) = three_region_rules();
    let store = seeded(db, employees, three_regions()).await;
    let units = store.units(None).await.unwrap();
    assert!(
        REGIONS.iter().all(|r| units.iter().any(|u| u.region == *r)),
        "every region has units"
    );

    // Each unit alone.
    for unit in &units {
        allocate_unit(&store, &policies, &unit.code, QUARTER, QUARTER.start())
            .await
            .unwrap();
    }
    let by_unit = (latest_verdicts(&store).await, rosters(&store).await);
    assert!(!by_unit.1.0.is_empty() && !by_unit.0.is_empty());
    assert_eq!(store.count("decision_runs").await.unwrap(), units.len() as i64);

    // Each region, with small pages so several pages and both evaluators are exercised.
    let mut options = AllocationOptions::new(QUARTER, QUARTER.start());
    options.units_per_page = 7;
    options.evaluators = 2;
    for region in REGIONS {
        options.regions = vec![region.into()];
        let outcome = allocate_regions(&store, &policies, &options, &|_| {}).await.unwrap();
        assert!(
            outcome.regions.iter().all(|r| r.error.is_none()),
            "{:?}",
            outcome.regions
        );
    }
    let by_region = (latest_verdicts(&store).await, rosters(&store).await);
    assert_eq!(
        by_region, by_unit,
        "{}: a region's run stores what its units' runs stored",
        db.label
    );

    // Every region at once.
    options.regions = Vec::new();
    let outcome = allocate_regions(&store, &policies, &options, &|_| {}).await.unwrap();
    assert_eq!(outcome.regions.len(), 3, "{}: {:?}", db.label, outcome.regions);
    for region in &outcome.regions {
        assert!(
            region.error.is_none(),
            "{}: region {}: {:?}",
            db.label,
            region.region,
            region.error
        );
        assert!(region.run_id.is_some());
        assert!(region.evaluated > 0 && region.granted > 0, "{region:?}");
    }
    let everything = (latest_verdicts(&store).await, rosters(&store).await);
    assert_eq!(
        everything, by_unit,
        "{}: every region's run stores what the units' runs stored",
        db.label
    );
    assert_eq!(outcome.regions.iter().map(|r| r.units).sum::<u64>(), units.len() as u64);
    assert_eq!(
        outcome.regions.iter().map(|r| r.employees).sum::<u64>(),
        employees as u64
    );
    assert_eq!(
        outcome.evaluated() as usize,
        everything.0.len(),
        "one decision per live application"
    );
    assert!(everything.0.values().any(|v| v.eligible) && everything.0.values().any(|v| !v.eligible));
    let runs = units.len() as i64 + 3 + 3;
    assert_eq!(store.count("decision_runs").await.unwrap(), runs);

    // Re-running replaces the rosters with the same ones and adds a run per region.
    let again = allocate_regions(&store, &policies, &options, &|_| {}).await.unwrap();
    assert!(again.regions.iter().all(|r| r.error.is_none()));
    assert_eq!(rosters(&store).await, by_unit.1, "{}: idempotent", db.label);
    assert_eq!(store.count("decision_runs").await.unwrap(), runs + 3);

    // Every stored decision is explained by a full evaluation of the stored data that gives
    // the stored verdict: `decide` (what allocation stores) agrees with `evaluate`.
    let ids: Vec<String> = everything.0.keys().cloned().collect();
    for id in &ids {
        let stored = store.latest_decision(id).await.unwrap();
        let explained = explain_decision(&store, &policies, stored).await.unwrap();
        assert!(
            explained.same_rules && explained.reproduced,
            "{}: {explained:?}",
            db.label
        );
    }
    let (id, verdict) = everything
        .0
        .iter()
        .find(|(_, v)| !v.eligible)
        .expect("someone is ineligible");
    let stored = store.latest_decision(id).await.unwrap();
    let explained = explain_decision(&store, &policies, stored).await.unwrap();
    let reason = explained
        .rerun
        .eligibility
        .reason(&verdict.failed[0])
        .expect("the failed gate's reason");
    assert!(!reason.passed && !reason.message.id.is_empty() && !reason.message.en.is_empty());
    assert!(reason.remedy.is_some(), "a failed gate says what would make it pass");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_unit_a_region_and_every_region_store_the_same_on_sqlite() {
    every_scope_stores_the_same_on(&common::TestDb::sqlite(), 3_000).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_unit_a_region_and_every_region_store_the_same_on_postgres() {
    let db = common::TestDb::postgres().await;
    every_scope_stores_the_same_on(&db, 1_200).await;
    db.drop_schema().await;
}
/// A region whose data cannot be read fails alone: nothing of it is stored (its earlier roster
/// stays), the other regions are allocated, and a region without rules is reported too.
#[tokio::test(flavor = "multi_thread")]
async fn a_failing_region_is_reported_and_the_others_go_on() {
    let (_dir, policies) = three_region_rules();
    let db = common::TestDb::sqlite();
    let mut codes = REGIONS.map(String::from).to_vec();
    codes.push("3201".into());
    let store = seeded(&db, 1_500, Regions::Codes(codes)).await;
    let mut options = AllocationOptions::new(QUARTER, QUARTER.start());
    options.units_per_page = 5;
    let first = allocate_regions(&store, &policies, &options, &|_| {}).await.unwrap();
    assert!(
        first
            .regions
            .iter()
            .filter(|r| r.region != "3201")
            .all(|r| r.error.is_none())
    );
    let bekasi_roster = store.roster("3216-BAPPEDA-PERENCANAAN-01", QUARTER).await.unwrap();
    assert!(!bekasi_roster.is_empty());

    // Corrupt one Bekasi employee: the region's run fails when it reads them.
    sqlx::query(
        "UPDATE employees SET potential = 'unheard-of' WHERE nip = \
         (SELECT MAX(nip) FROM employees WHERE region = '3216')",
    )
    .execute(store.pool())
    .await
    .unwrap();
    let outcome = allocate_regions(&store, &policies, &options, &|_| {}).await.unwrap();
    let by_region: BTreeMap<&str, _> = outcome.regions.iter().map(|r| (r.region.as_str(), r)).collect();
    assert_eq!(by_region.len(), 4);
    let no_rules = by_region["3201"].error.as_deref().unwrap_or_default();
    assert!(no_rules.contains("3201"), "{no_rules}");
    let corrupt = by_region["3216"].error.as_deref().unwrap_or_default();
    assert!(corrupt.contains("unheard-of"), "{corrupt}");
    assert!(by_region["3216"].run_id.is_none());
    for region in ["32", "3273"] {
        assert!(by_region[region].error.is_none(), "{:?}", by_region[region]);
        assert!(by_region[region].run_id.is_some());
    }
    assert_eq!(
        store.roster("3216-BAPPEDA-PERENCANAAN-01", QUARTER).await.unwrap(),
        bekasi_roster,
        "the failed region keeps its previous roster"
    );
    let runs: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM decision_runs WHERE region = '3216'")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(runs, 1, "the failed run left nothing behind");
}

/// Seeding all of West Java: 28 regions by their BPS codes, units in each, deterministic.
#[tokio::test(flavor = "multi_thread")]
async fn seeding_all_regions_is_deterministic() {
    let (a, b) = (common::TestDb::sqlite(), common::TestDb::sqlite());
    let (first, second) = (
        seeded(&a, 6_000, Regions::All).await,
        seeded(&b, 6_000, Regions::All).await,
    );
    let regions: Vec<(String, String, i64)> = sqlx::query(
        "SELECT r.code, r.name, COUNT(u.code) FROM regions r LEFT JOIN units u ON u.region = r.code \
         GROUP BY r.code, r.name ORDER BY r.code",
    )
    .fetch_all(first.pool())
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1), r.get(2)))
    .collect();
    assert_eq!(regions.len(), 28);
    assert_eq!(regions[0].0, "32");
    assert!(regions.iter().any(|r| r.0 == "3218" && r.1 == "Kabupaten Pangandaran"));
    assert!(regions.iter().any(|r| r.0 == "3279" && r.1 == "Kota Banjar"));
    assert!(regions.iter().all(|r| r.2 > 0), "units in every region: {regions:?}");
    let dump = |store: Store| async move {
        sqlx::query(
            "SELECT e.nip, e.unit, e.potential, a.id, a.requested_remote_days FROM employees e \
             LEFT JOIN applications a ON a.nip = e.nip ORDER BY e.nip",
        )
        .fetch_all(store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| {
            (
                r.get::<String, _>(0),
                r.get::<String, _>(1),
                r.get::<String, _>(2),
                r.get::<Option<String>, _>(3),
            )
        })
        .collect::<Vec<_>>()
    };
    let (x, y) = (dump(first).await, dump(second).await);
    assert_eq!(x.len(), 6_000);
    assert_eq!(x, y);
    for (nip, _, _, _) in &x {
        dwa_sdk::nip::parse_nip(nip).unwrap_or_else(|e| panic!("seeded NIP {nip}: {e}"));
    }
}
