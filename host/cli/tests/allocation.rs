//! Quarterly allocation over a seeded SQLite database with the real compiled plugins: every
//! weekday keeps the unit's office share, nobody gets more than their eligibility, Bekasi never
//! more than 2 days, a full unit is rationed by priority, and re-running changes nothing.

mod common;

use dwa_policy::PolicySet;
use dwa_sdk::allocator::away_capacity;
use dwa_sdk::{Approval, Approver, Quarter, testing};
use dwa_store::{EmployeeRecord, Store, UnitRow};
use dwa_workflow::allocate_unit;
use sqlx::Row;
use std::collections::HashMap;
use std::sync::Arc;

const QUARTER: Quarter = Quarter { year: 2027, number: 1 };

async fn seeded(db: &common::TestDb, employees: usize) -> Store {
    let store = Store::connect(&db.url)
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", db.label));
    dwa_cli::seed::seed(&store, employees, QUARTER, 7).await.unwrap();
    store
}

fn min_office_share(policies: &PolicySet, region: &str) -> f64 {
    match policies
        .region(region)
        .unwrap()
        .manifest
        .parameters
        .get("min_office_share")
    {
        Some(dwa_sdk::ParamValue::Number(share)) => *share,
        other => panic!("min_office_share of {region}: {other:?}"),
    }
}

/// Application id → largest days the stored decision allowed.
async fn allowed_days(store: &Store) -> HashMap<String, u8> {
    sqlx::query("SELECT application_id, max_remote_days FROM decisions")
        .fetch_all(store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| {
            (
                r.get::<String, _>("application_id"),
                r.get::<i64, _>("max_remote_days") as u8,
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn seeded_units_keep_office_share_and_eligibility() {
    let policies = common::policies();
    for db in common::TestDb::both().await {
        seeded_units_on(&policies, &db).await;
        db.drop_schema().await;
    }
}

async fn seeded_units_on(policies: &Arc<PolicySet>, db: &common::TestDb) {
    let store = seeded(db, 900).await;
    let units = store.units(None).await.unwrap();
    assert!(units.len() >= 20, "seed makes many units: {}", units.len());
    let mut granted_total = 0;
    for unit in &units {
        let outcome = allocate_unit(&store, policies, &unit.code, QUARTER, QUARTER.start())
            .await
            .unwrap();
        granted_total += outcome.granted;
    }
    assert!(granted_total > 50, "the seed grants something: {granted_total}");
    let allowed = allowed_days(&store).await;
    for unit in &units {
        let headcount = store.unit_headcount(&unit.code).await.unwrap();
        let capacity = away_capacity(headcount, min_office_share(policies, &unit.region));
        let roster = store.roster(&unit.code, QUARTER).await.unwrap();
        let mut away = [0u32; 5];
        for entry in &roster {
            assert_eq!(entry.weekdays.len(), entry.remote_days as usize);
            assert!(
                entry.remote_days <= allowed[&entry.application_id],
                "{} above eligibility",
                entry.nip
            );
            if unit.region == "3216" {
                assert!(entry.remote_days <= 2, "Bekasi never above 2 days: {entry:?}");
            }
            for day in &entry.weekdays {
                away[day.index()] += 1;
            }
        }
        for (day, n) in away.iter().enumerate() {
            assert!(*n <= capacity, "{} weekday {day}: {n} away of {headcount}", unit.code);
            assert!((headcount - n) as f64 / headcount as f64 >= 0.5);
        }
    }
}

/// A unit where everyone is box 9, approved and asks for 4 days: the quota binds.
#[tokio::test(flavor = "multi_thread")]
async fn a_full_unit_is_rationed_by_priority_and_rerun_is_idempotent() {
    let policies = common::policies();
    for db in common::TestDb::both().await {
        full_unit_on(&policies, &db).await;
        db.drop_schema().await;
    }
}

async fn full_unit_on(policies: &Arc<PolicySet>, db: &common::TestDb) {
    let store = Store::connect(&db.url).await.unwrap();
    store.upsert_region("32", "Provinsi Jawa Barat").await.unwrap();
    let unit = UnitRow {
        code: "32-BAPPEDA-DATA-99".into(),
        region: "32".into(),
        agency: "BAPPEDA".into(),
        name: "Tim uji".into(),
    };
    store.upsert_unit(&unit).await.unwrap();
    let sample = testing::employee();
    let records: Vec<EmployeeRecord> = (1..=10)
        .map(|i| EmployeeRecord {
            nip: format!("19850312201001{}{:03}", 1 + i % 2, i),
            name: format!("Pegawai {i}"),
            employment_type: sample.employment_type,
            region: "32".into(),
            agency: "BAPPEDA".into(),
            unit: unit.code.clone(),
            position_kind: sample.position_kind,
            echelon: None,
            public_service: false,
            task_category: sample.task_category,
            // Longer service ranks first: priorities differ.
            appointed_on: dwa_sdk::Date::new(2010 + i as u16, 1, 1).unwrap(),
            potential: sample.potential,
            unexcused_absence_days: 0,
            supervisor_nip: None,
            ratings: sample.ratings.clone(),
            penalties: vec![],
            position_code: None,
            position_status: Default::default(),
        })
        .collect();
    store.insert_employees(&records).await.unwrap();
    for (i, r) in records.iter().enumerate() {
        let mut application = testing::application();
        application.id = format!("app-full-{i}");
        application.requested_remote_days = 4;
        application.approvals = vec![Approval {
            approver: Approver::Supervisor,
            by_nip: "197901012005011001".into(),
            approved: true,
        }];
        store.insert_application(&r.nip, &application).await.unwrap();
    }
    let outcome = allocate_unit(&store, policies, &unit.code, QUARTER, QUARTER.start())
        .await
        .unwrap();
    assert_eq!((outcome.evaluated, outcome.eligible, outcome.candidates), (10, 10, 10));
    assert_eq!(
        outcome.away_by_weekday,
        [5, 5, 5, 5, 5],
        "exactly half the unit away every day"
    );
    assert_eq!(
        outcome.remote_days, 25,
        "40 days asked, 25 fit under a 50% office share"
    );
    let roster = store.roster(&unit.code, QUARTER).await.unwrap();
    let days_of = |nip: &str| roster.iter().find(|e| e.nip == nip).unwrap().remote_days;
    // The longest-serving (highest priority) gets the full pattern; the newest gets least.
    assert_eq!(days_of(&records[0].nip), 4);
    assert!(days_of(&records[9].nip) < 4);

    let again = allocate_unit(&store, policies, &unit.code, QUARTER, QUARTER.start())
        .await
        .unwrap();
    assert_eq!(
        store.roster(&unit.code, QUARTER).await.unwrap(),
        roster,
        "re-running gives the same roster"
    );
    assert_eq!(again.away_by_weekday, outcome.away_by_weekday);
    assert_eq!(store.count("allocations").await.unwrap(), 1);
    assert_eq!(store.count("roster").await.unwrap(), 10);
}

#[tokio::test(flavor = "multi_thread")]
async fn seeding_is_deterministic_on_both_backends() {
    let (a, b) = (common::TestDb::sqlite(), common::TestDb::postgres().await);
    let (first, second) = (seeded(&a, 300).await, seeded(&b, 300).await);
    let nips = |store: Store| async move {
        sqlx::query("SELECT nip, unit, potential FROM employees ORDER BY nip")
            .fetch_all(store.pool())
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get::<String, _>(0), r.get::<String, _>(1), r.get::<String, _>(2)))
            .collect::<Vec<_>>()
    };
    let (x, y) = (nips(first).await, nips(second).await);
    assert_eq!(x.len(), 300);
    assert_eq!(x, y);
    for (nip, _, _) in &x {
        dwa_sdk::nip::parse_nip(nip).unwrap_or_else(|e| panic!("seeded NIP {nip}: {e}"));
    }
    b.drop_schema().await;
}

/// The province's quarterly rotation over two quarters through the real host (its manifest sets
/// `quarterly_rotation = true`): a unit of 3 where 1 may be away a day and all three, of equal
/// priority and service, ask for 4 days. In Q1 the NIP breaks the tie and the last one gets no
/// day, with a `QUOTA_FULL` reason quoting the unit's figures; in Q2 that one is served first.
#[tokio::test(flavor = "multi_thread")]
async fn the_quarterly_rotation_serves_last_quarters_unserved_first() {
    let policies = common::policies();
    for db in common::TestDb::both().await {
        rotation_on(&policies, &db).await;
        db.drop_schema().await;
    }
}

async fn rotation_on(policies: &Arc<PolicySet>, db: &common::TestDb) {
    let store = Store::connect(&db.url).await.unwrap();
    let unit = UnitRow {
        code: "32-BAPPEDA-ROTASI".into(),
        region: "32".into(),
        agency: "BAPPEDA".into(),
        name: "Tim rotasi".into(),
    };
    // Equal service, so equal priority: only the tie-break and the rotation decide.
    let appointed = dwa_sdk::Date::new(2010, 1, 1).unwrap();
    let records = common::equal_staff(&store, "Provinsi Jawa Barat", &unit, "198503122010011", appointed, 3).await;
    let apply = |quarter: Quarter| {
        let store = store.clone();
        let records = records.clone();
        async move {
            for (i, r) in records.iter().enumerate() {
                let mut application = testing::application();
                application.id = format!("app-rotation-{quarter}-{i}");
                application.quarter = quarter;
                application.requested_remote_days = 4;
                application.approvals = vec![Approval {
                    approver: Approver::Supervisor,
                    by_nip: "197901012005011001".into(),
                    approved: true,
                }];
                store.insert_application(&r.nip, &application).await.unwrap();
            }
        }
    };
    let days = |quarter: Quarter| {
        let store = store.clone();
        let unit = unit.code.clone();
        async move {
            let roster = store.roster(&unit, quarter).await.unwrap();
            roster
                .into_iter()
                .map(|e| (e.nip, (e.remote_days, e.reasons)))
                .collect::<HashMap<_, _>>()
        }
    };
    let (first, second, third) = (&records[0].nip, &records[1].nip, &records[2].nip);

    apply(QUARTER).await;
    allocate_unit(&store, policies, &unit.code, QUARTER, QUARTER.start())
        .await
        .unwrap();
    let q1 = days(QUARTER).await;
    assert_eq!(
        (q1[first].0, q1[second].0, q1[third].0),
        (4, 1, 0),
        "Q1: ties broken by NIP"
    );
    assert!(q1[first].1.is_empty());
    for nip in [second, third] {
        let reason = &q1[nip].1[0];
        assert_eq!((reason.code.as_str(), reason.passed), ("QUOTA_FULL", false), "{nip}");
        assert!(
            reason.message.en.contains("of 3 staff at least 2") && reason.message.en.contains("5 days anywhere"),
            "{}",
            reason.message.en
        );
    }
    // The application shows it: not granted, with the reason.
    let stored = store.application(&format!("app-rotation-{QUARTER}-2")).await.unwrap();
    let latest = store.latest_decision(&stored.application.id).await.unwrap();
    let status = dwa_workflow::application_status(&store, &stored, &latest)
        .await
        .unwrap();
    assert_eq!(status.state, dwa_workflow::ApplicationState::Waitlisted);
    assert_eq!(status.allocation_reasons[0].code, "QUOTA_FULL");
    // And the decision (what GET /api/decisions/{id} shows).
    let explained = dwa_workflow::explain_decision(&store, policies, latest).await.unwrap();
    assert_eq!(explained.allocation_reasons, status.allocation_reasons);
    let served = store.application(&format!("app-rotation-{QUARTER}-0")).await.unwrap();
    let served = store.latest_decision(&served.application.id).await.unwrap();
    let explained = dwa_workflow::explain_decision(&store, policies, served).await.unwrap();
    assert!(explained.allocation_reasons.is_empty(), "served in full: no reason");

    let q2_quarter = QUARTER.next();
    apply(q2_quarter).await;
    allocate_unit(&store, policies, &unit.code, q2_quarter, q2_quarter.start())
        .await
        .unwrap();
    let q2 = days(q2_quarter).await;
    assert_eq!(
        (q2[third].0, q2[first].0, q2[second].0),
        (4, 1, 0),
        "Q2: the one not granted in Q1 is served first, then the NIP order"
    );
}
