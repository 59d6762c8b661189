//! Dry run of a stricter Bekasi policy over a seeded quarter: the report lists exactly the
//! employees whose decisions flip, checked against evaluating every application directly under
//! the active rules and under the candidate; the API serves the same report, scoped by region.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use dwa_api::{AppState, Role, new_token};
use dwa_engine::{Limits, PolicyEngine};
use dwa_policy::PolicySet;
use dwa_sdk::Quarter;
use dwa_store::{Store, TokenGrant};
use http_body_util::BodyExt;
use std::collections::BTreeSet;
use std::sync::Arc;
use tower::ServiceExt;

const Q1: Quarter = Quarter { year: 2027, number: 1 };

#[tokio::test(flavor = "multi_thread")]
async fn a_stricter_bekasi_policy_flips_exactly_the_employees_a_direct_evaluation_flips() {
    let policies = common::policies();
    let db = common::TestDb::sqlite();
    let store = Store::connect(&db.url).await.unwrap();
    dwa_cli::seed::seed(&store, 800, Q1, 3).await.unwrap();

    // The candidate: Bekasi also excludes its secretariat and personnel agency.
    let candidate_dir = tempfile::tempdir().unwrap();
    let rules = common::rules_dir();
    std::fs::copy(
        rules.join("kab_bekasi.wasm"),
        candidate_dir.path().join("kab_bekasi.wasm"),
    )
    .unwrap();
    std::fs::copy(rules.join("jabar.wasm"), candidate_dir.path().join("jabar.wasm")).unwrap();
    std::fs::copy(rules.join("32-jabar.toml"), candidate_dir.path().join("32-jabar.toml")).unwrap();
    let manifest = std::fs::read_to_string(rules.join("3216-kab-bekasi.toml")).unwrap();
    let stricter = manifest.replace(
        "excluded_agencies = [\"RSUD\"",
        "excluded_agencies = [\"SETDA\", \"BKPSDM\", \"RSUD\"",
    );
    assert_ne!(manifest, stricter);
    let candidate = candidate_dir.path().join("3216-kab-bekasi.toml");
    std::fs::write(&candidate, &stricter).unwrap();

    let run = dwa_workflow::dry_run(&store, &policies, &candidate, Q1, Q1.start(), "test")
        .await
        .unwrap();
    assert_eq!(run.region, "3216");
    assert_eq!(run.active.sha256, run.candidate.sha256, "same plugin, new parameters");
    assert_ne!(run.active.manifest_sha256, run.candidate.manifest_sha256);

    // Direct: every Bekasi application under the active rules and under the candidate.
    let dir = candidate_dir.path().to_owned();
    let (candidate_set, errors) = common::off_runtime(move || {
        let engine = Arc::new(PolicyEngine::new(Limits::default()).unwrap());
        PolicySet::load_dir(engine, &dir).unwrap()
    });
    assert!(errors.is_empty(), "{errors:#?}");
    let candidate_set = Arc::new(candidate_set);
    let mut expected = BTreeSet::new();
    let mut evaluated = 0;
    for unit in store.units(Some("3216")).await.unwrap() {
        let employees = store.unit_employees(&unit.code).await.unwrap();
        let reviews = store.unit_reviews(&unit.code, Q1.previous()).await.unwrap();
        for (nip, application) in store.unit_applications(&unit.code, Q1).await.unwrap() {
            let record = employees.iter().find(|e| e.nip == nip).unwrap();
            let employee = record.as_of(Q1.start(), reviews.get(&nip).copied());
            let (active, candidate) = (policies.clone(), candidate_set.clone());
            let (before, after) = common::off_runtime(move || {
                let before = active.evaluate(&employee, &application, Q1.start()).unwrap();
                let after = candidate.evaluate(&employee, &application, Q1.start()).unwrap();
                (before.eligibility, after.eligibility)
            });
            evaluated += 1;
            if before.eligible != after.eligible || before.max_remote_days != after.max_remote_days {
                expected.insert(nip.clone());
                assert!(
                    before.eligible && !after.eligible,
                    "{nip}: only exclusions in this candidate"
                );
                assert!(
                    ["SETDA", "BKPSDM"].contains(&record.agency.as_str()),
                    "{nip} of {}",
                    record.agency
                );
            }
        }
    }
    let reported: BTreeSet<String> = run.flips.iter().map(|f| f.nip.clone()).collect();
    assert!(!expected.is_empty(), "the seed has eligible SETDA/BKPSDM staff");
    assert_eq!(
        reported, expected,
        "the dry run flips exactly the employees a direct evaluation flips"
    );
    assert_eq!(run.evaluated, evaluated);
    assert_eq!(run.became_ineligible, expected.len());
    assert_eq!((run.became_eligible, run.pattern_changed), (0, 0));
    assert!(
        run.flips
            .iter()
            .all(|f| f.failed_after == vec!["EXCLUDED_AGENCY".to_string()])
    );
    assert_eq!(
        run.units.iter().map(|u| u.became_ineligible).sum::<usize>(),
        expected.len()
    );
    let audit = store.audit("3216").await.unwrap();
    assert!(
        audit.iter().any(|a| a.action == "dry-run" && a.actor == "test"),
        "a dry run is audited: {audit:?}"
    );
    // Nothing was activated.
    assert_eq!(policies.region("3216").unwrap().reference, run.active);

    // The same through the API, for Bekasi's policy admin only.
    let router = dwa_api::router(AppState::new(store.clone(), policies.clone(), None)).0;
    let token = |role: Role, region: &str| {
        let store = store.clone();
        let region = region.to_owned();
        async move {
            let token = new_token();
            store
                .insert_token(
                    &token,
                    &TokenGrant {
                        role: role.code().into(),
                        region,
                        nip: None,
                    },
                )
                .await
                .unwrap();
            token
        }
    };
    let post = |token: String, body: String| {
        let request = Request::post("/api/policies/3216/dry-run?quarter=2027-Q1")
            .header("authorization", format!("Bearer {token}"))
            .body(Body::from(body))
            .unwrap();
        router.clone().oneshot(request)
    };
    let response = post(token(Role::PolicyAdmin, "3216").await, stricter.clone())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value =
        serde_json::from_slice(&response.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(body["became_ineligible"], expected.len());
    let response = post(token(Role::PolicyAdmin, "32").await, stricter.clone())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let failing = stricter.replacen(
        "max_remote_days = 2, failed = []",
        "max_remote_days = 3, failed = []",
        1,
    );
    let response = post(token(Role::PolicyAdmin, "3216").await, failing).await.unwrap();
    assert_eq!(
        response.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a candidate failing its examples is refused"
    );
}

/// A candidate that changes no decision but cuts the unit's capacity (`min_office_share`
/// 0.5 → 0.9) no longer looks harmless: the dry run allocates every unit under both rules and
/// reports fewer people granted and fewer days.
#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_shows_what_a_tighter_office_floor_does_to_the_allocation() {
    let policies = common::policies();
    let db = common::TestDb::sqlite();
    let store = Store::connect(&db.url).await.unwrap();
    dwa_cli::seed::seed(&store, 800, Q1, 3).await.unwrap();
    let candidate_dir = tempfile::tempdir().unwrap();
    let rules = common::rules_dir();
    for file in ["kab_bekasi.wasm", "jabar.wasm", "32-jabar.toml"] {
        std::fs::copy(rules.join(file), candidate_dir.path().join(file)).unwrap();
    }
    let manifest = std::fs::read_to_string(rules.join("3216-kab-bekasi.toml")).unwrap();
    let tighter = manifest.replace("min_office_share = 0.5", "min_office_share = 0.9");
    assert_ne!(manifest, tighter, "Bekasi's manifest sets min_office_share = 0.5");
    let candidate = candidate_dir.path().join("3216-kab-bekasi.toml");
    std::fs::write(&candidate, &tighter).unwrap();
    let run = dwa_workflow::dry_run(&store, &policies, &candidate, Q1, Q1.start(), "test")
        .await
        .unwrap();
    assert_eq!(
        (run.became_ineligible, run.became_eligible, run.pattern_changed),
        (0, 0, 0),
        "no decision changes"
    );
    assert!(run.days_before > 0, "the seed has approved candidates: {run:?}");
    assert!(
        run.days_after < run.days_before && run.granted_after <= run.granted_before,
        "the allocation shrinks: {} → {} people, {} → {} days",
        run.granted_before,
        run.granted_after,
        run.days_before,
        run.days_after
    );
    assert!(run.units.iter().any(|u| u.days_after < u.days_before), "per unit too");
    drop(store);
    db.drop_schema().await;
}
