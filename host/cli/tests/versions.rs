//! Version history, audit trail and rollback: every version that goes live is stored, every
//! change (accepted or rejected) is audited with who, when and a diff summary, and a rollback
//! restores the previous sha256 and its decisions.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use dwa_api::{AppState, Role, new_token};
use dwa_policy::PolicySet;
use dwa_store::{Store, TokenGrant};
use http_body_util::BodyExt;
use std::time::Duration;
use tower::ServiceExt;

const MANIFEST: &str = "3216-kab-bekasi.toml";

/// Wait (bounded: 200 × 50 ms) until `done` holds.
async fn eventually<F: std::future::Future<Output = bool>>(what: &str, mut done: impl FnMut() -> F) {
    for _ in 0..200 {
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{what}: not within 10 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn changes_are_versioned_and_audited_and_rollback_restores_the_previous_version() {
    let (rules, policies) = common::deployed_copy();
    let dir = rules.path().to_owned();
    let db = common::TestDb::sqlite();
    let store = Store::connect(&db.url).await.unwrap();
    dwa_cli::seed::seed(&store, 50, dwa_sdk::Quarter { year: 2027, number: 1 }, 1)
        .await
        .unwrap();
    let _history = dwa_workflow::record_policy_changes(store.clone(), &policies);
    let _watcher = dwa_policy::watch::spawn(policies.clone(), dir.clone(), Duration::from_millis(500));
    let original = policies.region("3216").unwrap().reference.clone();

    let mut setda = dwa_sdk::testing::employee();
    dwa_plugin_kab_bekasi::to_bekasi(&mut setda);
    setda.agency = "SETDA".into();
    let application = dwa_sdk::testing::application();
    let today = dwa_sdk::testing::today();
    // A plugin call, so off the async workers.
    let eligible = |policies: &PolicySet| {
        std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    policies
                        .evaluate(&setda, &application, today)
                        .unwrap()
                        .eligibility
                        .eligible
                })
                .join()
                .unwrap()
        })
    };
    assert!(eligible(&policies));
    eventually("the startup versions are stored", || {
        let store = store.clone();
        async move { store.versions("3216").await.unwrap().len() == 1 }
    })
    .await;

    // A stricter parameter through the rules folder: a new version, audited with its diff.
    let manifest = std::fs::read_to_string(dir.join(MANIFEST)).unwrap();
    std::fs::write(
        dir.join(MANIFEST),
        manifest.replace(
            "excluded_agencies = [\"RSUD\"",
            "excluded_agencies = [\"SETDA\", \"RSUD\"",
        ),
    )
    .unwrap();
    eventually("the edit goes live", || {
        let live = !eligible(&policies);
        async move { live }
    })
    .await;
    // The version row is written first, then its audit entry: wait for both.
    eventually("the new version is stored and audited", || {
        let store = store.clone();
        async move {
            store.versions("3216").await.unwrap().len() == 2
                && store
                    .audit("3216")
                    .await
                    .unwrap()
                    .first()
                    .is_some_and(|a| a.action == "activate")
        }
    })
    .await;
    let audit = store.audit("3216").await.unwrap();
    assert_eq!(audit[0].action, "activate");
    assert_eq!(audit[0].actor, "file watcher");
    assert!(
        audit[0].detail.contains("excluded_agencies") && audit[0].detail.contains("SETDA"),
        "{:?}",
        audit[0]
    );

    // Roll back through the API: the previous sha256 and its decisions are back.
    let router = dwa_api::router(AppState::new(store.clone(), policies.clone(), None)).0;
    let token = |role: Role, region: &str| {
        let (store, region) = (store.clone(), region.to_owned());
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
    let rollback = |token: String| {
        let request = Request::post("/api/policies/3216/rollback")
            .header("authorization", format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap();
        router.clone().oneshot(request)
    };
    for (role, region) in [
        (Role::PolicyAdmin, "32"),
        (Role::ProvincialAdmin, "32"),
        (Role::Hr, "3216"),
        (Role::Employee, "3216"),
    ] {
        let token = if role == Role::Employee {
            let nip = store
                .sample_applicant("3216")
                .await
                .unwrap()
                .map(|(n, _)| n)
                .unwrap_or_default();
            let token = new_token();
            store
                .insert_token(
                    &token,
                    &TokenGrant {
                        role: role.code().into(),
                        region: region.into(),
                        nip: Some(nip),
                    },
                )
                .await
                .unwrap();
            token
        } else {
            token(role, region).await
        };
        assert_eq!(
            rollback(token).await.unwrap().status(),
            StatusCode::FORBIDDEN,
            "{role:?} of {region}"
        );
    }
    assert!(!eligible(&policies), "refused rollbacks changed nothing");
    // The provincial admin may change the province's rules (its guardrails): not refused.
    let request = Request::post("/api/policies/32/rollback")
        .header(
            "authorization",
            format!("Bearer {}", token(Role::ProvincialAdmin, "32").await),
        )
        .body(Body::empty())
        .unwrap();
    let status = router.clone().oneshot(request).await.unwrap().status();
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "allowed, but the province has no earlier version yet"
    );
    let response = rollback(token(Role::PolicyAdmin, "3216").await).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let restored: serde_json::Value =
        serde_json::from_slice(&response.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(restored["manifest_sha256"], original.manifest_sha256.as_str());
    assert_eq!(restored["sha256"], original.sha256.as_str());
    assert_eq!(policies.region("3216").unwrap().reference, original);
    assert!(eligible(&policies), "the previous version's decisions are back");
    eventually("the rollback is audited", || {
        let store = store.clone();
        async move {
            store
                .audit("3216")
                .await
                .unwrap()
                .first()
                .is_some_and(|a| a.actor.contains("rollback"))
        }
    })
    .await;
    assert_eq!(
        store.versions("3216").await.unwrap().len(),
        2,
        "a rollback reuses the stored version"
    );

    // Upload a candidate (validated, stored, not active), then schedule it for the next quarter.
    let admin = token(Role::PolicyAdmin, "3216").await;
    let post = |uri: &str, body: serde_json::Value| {
        let request = Request::post(uri)
            .header("authorization", format!("Bearer {admin}"))
            .body(Body::from(body.to_string()))
            .unwrap();
        router.clone().oneshot(request)
    };
    let stricter = manifest.replace(
        "excluded_agencies = [\"RSUD\"",
        "excluded_agencies = [\"SETDA\", \"RSUD\"",
    );
    let response = post(
        "/api/policies/3216/versions",
        serde_json::json!({ "manifest": stricter }),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let uploaded: serde_json::Value =
        serde_json::from_slice(&response.into_body().collect().await.unwrap().to_bytes()).unwrap();
    let version = uploaded["version"].as_str().unwrap().to_owned();
    assert!(eligible(&policies), "an upload does not activate");
    let bad = post(
        "/api/policies/3216/versions",
        serde_json::json!({ "manifest": stricter, "plugin_base64": "%%%" }),
    )
    .await
    .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let failing = stricter.replacen(
        "max_remote_days = 2, failed = []",
        "max_remote_days = 3, failed = []",
        1,
    );
    let bad = post(
        "/api/policies/3216/versions",
        serde_json::json!({ "manifest": failing }),
    )
    .await
    .unwrap();
    assert_eq!(
        bad.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a candidate failing its examples is not stored"
    );
    let response = post(
        "/api/policies/3216/activate",
        serde_json::json!({ "version": version, "from": "2099-04-01" }),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(eligible(&policies), "scheduled, not yet active");
    let april = dwa_sdk::Date::new(2099, 4, 1).unwrap();
    let early = dwa_workflow::run_due_activations(&store, &policies, april.minus_months(1))
        .await
        .unwrap();
    assert!(early.is_empty() && eligible(&policies), "not before its date");
    let due = dwa_workflow::run_due_activations(&store, &policies, april)
        .await
        .unwrap();
    assert_eq!(due.len(), 1);
    assert!(due[0].1.is_ok(), "{due:?}");
    assert!(!eligible(&policies), "active from its date");
    assert!(
        dwa_workflow::run_due_activations(&store, &policies, april)
            .await
            .unwrap()
            .is_empty(),
        "once only"
    );
    eventually("the scheduled activation is audited", || {
        let store = store.clone();
        async move {
            store
                .audit("3216")
                .await
                .unwrap()
                .first()
                .is_some_and(|a| a.actor.contains("scheduled from 2099-04-01"))
        }
    })
    .await;
    let actions: Vec<String> = store
        .audit("3216")
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.action)
        .collect();
    assert!(
        actions.contains(&"upload".to_string()) && actions.contains(&"schedule".to_string()),
        "{actions:?}"
    );
    let response = post("/api/policies/3216/rollback", serde_json::json!({}))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(policies.region("3216").unwrap().reference, original);

    // A rejected change is audited too, and nothing else changes.
    std::fs::write(dir.join("kab_bekasi.wasm"), b"not wasm").unwrap();
    eventually("the rejection is audited", || {
        let store = store.clone();
        async move {
            store
                .audit("3216")
                .await
                .unwrap()
                .first()
                .is_some_and(|a| a.action == "reject")
        }
    })
    .await;
    assert_eq!(policies.region("3216").unwrap().reference, original);
    db.drop_schema().await;
}
