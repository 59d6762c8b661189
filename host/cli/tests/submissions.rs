//! The submission writer (one task, group commit) on SQLite and PostgreSQL, with the real
//! plugins: concurrent submissions are each stored exactly once and answered with their own
//! decision; a refused submission (a second application for the quarter, an unknown NIP) is
//! answered with its own clear error and leaves nothing behind, while the others in its
//! transaction commit.

mod common;

use dwa_sdk::{Application, Date, LocationKind, Quarter};
use dwa_store::{NewSubmission, Store, StoreError};
use dwa_workflow::{self as workflow, Draft, WorkflowError};
use sqlx::Row;
use std::collections::BTreeSet;

const Q1: Quarter = Quarter { year: 2027, number: 1 };
const Q2: Quarter = Quarter { year: 2027, number: 2 };
const TODAY: Date = Date {
    year: 2027,
    month: 3,
    day: 15,
};
/// A well-formed NIP that no seeded employee has.
const UNKNOWN_NIP: &str = "199001012015011999";

fn draft(nip: &str) -> Draft {
    Draft {
        nip: nip.into(),
        quarter: Q2,
        requested_remote_days: 2,
        location_kind: LocationKind::RegisteredHome,
        work_plan: "Menyusun laporan analisis anggaran triwulan".into(),
        kpi_baseline: 80.0,
        kpi_target: 90.0,
    }
}

/// Rows of `sql` (one count) for `nip`'s Q2 applications.
async fn count(store: &Store, sql: &str, nip: &str) -> i64 {
    sqlx::query(sql)
        .bind(nip)
        .bind(Q2.to_string())
        .fetch_one(store.pool())
        .await
        .unwrap()
        .get::<i64, _>(0)
}

const APPLICATIONS: &str = "SELECT COUNT(*) FROM applications WHERE nip = $1 AND quarter = $2";
const DECISIONS: &str = "SELECT COUNT(*) FROM decisions d JOIN applications a ON a.id = d.application_id \
     WHERE a.nip = $1 AND a.quarter = $2";

async fn seeded(db: &common::TestDb) -> (Store, Vec<String>) {
    let store = Store::connect(&db.url)
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", db.label));
    dwa_cli::seed::seed(&store, 400, Q1, 7).await.unwrap();
    let nips = store.region_nips("3216", 60).await.unwrap();
    assert_eq!(nips.len(), 60, "{}", db.label);
    (store, nips)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_submissions_are_each_stored_once_and_a_second_one_is_refused() {
    let policies = common::policies();
    for db in common::TestDb::both().await {
        let (store, nips) = seeded(&db).await;
        let before = store.group_commit_stats();
        // 60 first applications and, at the same time, a second one from 10 of the same people.
        let mut tasks = Vec::new();
        for (i, nip) in nips.iter().chain(nips.iter().take(10)).enumerate() {
            let (store, policies, nip) = (store.clone(), policies.clone(), nip.clone());
            tasks.push(tokio::spawn(async move {
                let result = workflow::submit_application(&store, &policies, draft(&nip), TODAY).await;
                (i, nip, result)
            }));
        }
        let mut stored = BTreeSet::new();
        let mut refused = Vec::new();
        for task in tasks {
            match task.await.unwrap() {
                (_, nip, Ok(submitted)) => {
                    // Answered with its own decision, readable at once.
                    let decision = store.decision(&submitted.decision_id).await.unwrap();
                    assert_eq!(decision.decision.nip, nip, "{}", db.label);
                    assert_eq!(decision.decision.application_id, submitted.application.id);
                    assert!(stored.insert(nip), "{}: two applications stored", db.label);
                }
                (_, nip, Err(WorkflowError::Store(StoreError::Conflict(message)))) => {
                    assert_eq!(message, format!("NIP {nip} already has an application for 2027-Q2"));
                    refused.push(nip);
                }
                (i, nip, Err(e)) => panic!("{}: submission {i} ({nip}) failed: {e}", db.label),
            }
        }
        assert_eq!(stored.len(), 60, "{}: every employee stored once", db.label);
        assert_eq!(refused.len(), 10, "{}: every second application refused", db.label);
        for nip in &nips {
            assert_eq!(count(&store, APPLICATIONS, nip).await, 1, "{} {nip}", db.label);
            assert_eq!(count(&store, DECISIONS, nip).await, 1, "{} {nip}", db.label);
        }
        let after = store.group_commit_stats();
        assert_eq!(after.submissions - before.submissions, 70, "{}", db.label);
        assert!(after.batches > before.batches, "{}", db.label);
        db.drop_schema().await;
    }
}

/// A submission of `nip` for Q2, evaluated by the region's plugin as the workflow does.
async fn evaluated(store: &Store, policies: &std::sync::Arc<dwa_policy::PolicySet>, nip: &str) -> NewSubmission {
    let (record, review) = store.employee_with_review(nip, Some(Q1)).await.unwrap();
    let application = Application {
        id: dwa_store::new_id("app"),
        quarter: Q2,
        requested_remote_days: 2,
        location_kind: LocationKind::RegisteredHome,
        work_plan: "Menyusun laporan analisis anggaran triwulan".into(),
        kpi_baseline: 80.0,
        kpi_target: 90.0,
        approvals: Vec::new(),
    };
    let (employee, input) = (record.as_of(TODAY, review), application.clone());
    let decision = policies
        .call(&record.region, move |set| set.evaluate(&employee, &input, TODAY))
        .await
        .unwrap();
    NewSubmission::new(nip, &application, &decision)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_row_leaves_nothing_and_the_rest_of_its_transaction_commits() {
    let policies = common::policies();
    for db in common::TestDb::both().await {
        let (store, nips) = seeded(&db).await;
        // nips[0] already applied for Q2.
        workflow::submit_application(&store, &policies, draft(&nips[0]), TODAY)
            .await
            .unwrap();
        let second = evaluated(&store, &policies, &nips[0]).await;
        let mut unknown = evaluated(&store, &policies, &nips[1]).await;
        unknown.nip = UNKNOWN_NIP.into();
        unknown.decision.row.nip = UNKNOWN_NIP.into();

        // Refused rows alone: each answered with its own error, the database unchanged.
        let fingerprint = common::database_fingerprint(&store).await;
        let results = store.store_submissions(&[second.clone(), unknown.clone()]).await;
        assert!(
            matches!(&results[0], Err(StoreError::Conflict(m)) if m.contains(&nips[0]) && m.contains("2027-Q2")),
            "{}: {:?}",
            db.label,
            results[0]
        );
        assert!(
            matches!(&results[1], Err(StoreError::Database(_))),
            "{}: {:?}",
            db.label,
            results[1]
        );
        assert_eq!(common::database_fingerprint(&store).await, fingerprint, "{}", db.label);

        // Mixed with good ones in one transaction: the good ones commit, the refused leave nothing.
        let mut batch = Vec::new();
        for nip in &nips[1..5] {
            batch.push(evaluated(&store, &policies, nip).await);
        }
        batch.insert(1, second.clone());
        batch.insert(3, unknown.clone());
        let runs_before = store.count("decision_runs").await.unwrap();
        let results = store.store_submissions(&batch).await;
        assert!(
            matches!(&results[1], Err(StoreError::Conflict(_))),
            "{}: {:?}",
            db.label,
            results[1]
        );
        assert!(
            matches!(&results[3], Err(StoreError::Database(_))),
            "{}: {:?}",
            db.label,
            results[3]
        );
        for (i, result) in results.iter().enumerate().filter(|(i, _)| ![1, 3].contains(i)) {
            let id = result.as_ref().unwrap_or_else(|e| panic!("{}: row {i}: {e}", db.label));
            let stored = store.decision(id).await.unwrap();
            assert_eq!(stored.decision.application_id, batch[i].application.id);
            assert_eq!(stored.decision.verdict, batch[i].decision.row.verdict);
        }
        assert_eq!(
            store.count("decision_runs").await.unwrap(),
            runs_before + 4,
            "{}",
            db.label
        );
        for refused in [&second, &unknown] {
            assert!(
                store.application(&refused.application.id).await.is_err(),
                "{}",
                db.label
            );
            assert!(
                store.latest_decision(&refused.application.id).await.is_err(),
                "{}",
                db.label
            );
        }
        assert_eq!(count(&store, APPLICATIONS, &nips[0]).await, 1, "{}", db.label);
        assert_eq!(count(&store, DECISIONS, &nips[0]).await, 1, "{}", db.label);

        // All good: one multi-row transaction, every row stored.
        let mut batch = Vec::new();
        for nip in &nips[5..25] {
            batch.push(evaluated(&store, &policies, nip).await);
        }
        let results = store.store_submissions(&batch).await;
        for (s, result) in batch.iter().zip(&results) {
            let stored = store.decision(result.as_ref().unwrap()).await.unwrap();
            assert_eq!(stored.decision.nip, s.nip);
            assert_eq!(count(&store, APPLICATIONS, &s.nip).await, 1);
        }
        db.drop_schema().await;
    }
}
