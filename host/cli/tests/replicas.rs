//! Two replicas on one PostgreSQL database (each with its own rules folder, as two machines
//! would have): an activation on one is served by the other soon after, a replica that
//! starts later catches up with the version last activated, and one that missed a
//! notification converges by its periodic reconcile.

mod common;

use dwa_policy::PolicySet;
use dwa_store::Store;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

const MANIFEST: &str = "3216-kab-bekasi.toml";

struct Replica {
    _rules: tempfile::TempDir,
    policies: Arc<PolicySet>,
    _tasks: Vec<tokio::task::JoinHandle<()>>,
    _watcher: Option<dwa_policy::watch::RulesWatcher>,
}

async fn replica(store: &Store, url: &str, watch: bool) -> Replica {
    let (rules, policies) = common::deployed_copy();
    let mut tasks = vec![dwa_workflow::record_policy_changes(store.clone(), &policies)];
    tasks.extend(
        dwa_workflow::follow_other_replicas(store.clone(), policies.clone(), url)
            .await
            .unwrap(),
    );
    let watcher =
        watch.then(|| dwa_policy::watch::spawn(policies.clone(), rules.path().to_owned(), Duration::from_secs(1)));
    Replica {
        _rules: rules,
        policies,
        _tasks: tasks,
        _watcher: watcher,
    }
}

fn setda_eligible(policies: &Arc<PolicySet>) -> bool {
    let mut employee = dwa_sdk::testing::employee();
    dwa_plugin_kab_bekasi::to_bekasi(&mut employee);
    employee.agency = "SETDA".into();
    let today = dwa_sdk::testing::today();
    let policies = policies.clone();
    // A plugin call, so off the async workers.
    common::off_runtime(move || {
        policies
            .evaluate(&employee, &dwa_sdk::testing::application(), today)
            .unwrap()
            .eligibility
            .eligible
    })
}

async fn wait_until(what: &str, mut done: impl FnMut() -> bool) -> Duration {
    let started = Instant::now();
    for _ in 0..400 {
        if done() {
            return started.elapsed();
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{what}: not within 10 s");
}

fn stricter(dir: &Path) {
    let manifest = std::fs::read_to_string(dir.join(MANIFEST)).unwrap();
    let edited = manifest.replace(
        "excluded_agencies = [\"RSUD\"",
        "excluded_agencies = [\"SETDA\", \"RSUD\"",
    );
    assert_ne!(manifest, edited);
    std::fs::write(dir.join(MANIFEST), edited).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_activation_on_one_replica_is_served_by_the_other() {
    let db = common::TestDb::postgres().await;
    let store = Store::connect(&db.url).await.unwrap();
    let first = replica(&store, &db.url, true).await;
    let second = replica(&store, &db.url, false).await;
    assert!(setda_eligible(&first.policies) && setda_eligible(&second.policies));

    stricter(first._rules.path());
    wait_until("the first replica activates the edit", || {
        !setda_eligible(&first.policies)
    })
    .await;
    let lag = wait_until("the second replica follows", || !setda_eligible(&second.policies)).await;
    println!("second replica answered with the new version {lag:?} after the first did");
    assert_eq!(
        second.policies.region("3216").unwrap().reference,
        first.policies.region("3216").unwrap().reference,
        "both serve the same version"
    );
    // The follower records its swap in the audit log just after serving it: wait for the row.
    let mut audit = Vec::new();
    for _ in 0..200 {
        audit = store.audit("3216").await.unwrap();
        if audit.iter().any(|a| a.actor.starts_with("replica sync")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(
        audit.iter().any(|a| a.actor.starts_with("replica sync")),
        "the follower audits its swap within 5 s: {audit:#?}"
    );

    // A replica that starts later catches up from the database.
    let late = replica(&store, &db.url, false).await;
    assert!(
        !setda_eligible(&late.policies),
        "the late replica serves the activated version"
    );
    assert_eq!(
        late.policies.region("3216").unwrap().reference,
        first.policies.region("3216").unwrap().reference
    );
    drop((first, second, late));
    db.drop_schema().await;
}

/// A notification can be lost (the LISTEN connection cut while the database refused
/// connections): an activation is in the database and nobody announced it. The replica's
/// reconcile notices within its bound and serves the database's version; an activation it
/// refuses is not retried (and audited again) on every reconcile.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_replica_that_missed_a_notification_converges_by_reconciling() {
    let db = common::TestDb::postgres().await;
    let store = Store::connect(&db.url).await.unwrap();
    let (rules, policies) = common::deployed_copy();
    let _history = dwa_workflow::record_policy_changes(store.clone(), &policies);
    let every = Duration::from_millis(500);
    let _follow = dwa_workflow::follow_with_reconcile(store.clone(), policies.clone(), &db.url, every)
        .await
        .unwrap();
    assert!(setda_eligible(&policies));

    // The stricter version, stored and made active in the database without a notification.
    let serving = policies.region("3216").unwrap().reference.clone();
    stricter(rules.path());
    let manifest = std::fs::read_to_string(rules.path().join(MANIFEST)).unwrap();
    let plugin = std::fs::read(rules.path().join("kab_bekasi.wasm")).unwrap();
    let mut reference = serving.clone();
    reference.manifest_sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(manifest.as_bytes()));
    let unannounced = |manifest_text: String, reference: dwa_domain::PluginRef| {
        let (store, plugin) = (store.clone(), plugin.clone());
        async move {
            let version = store
                .record_version(&dwa_store::NewVersion {
                    reference: &reference,
                    manifest_path: Path::new(MANIFEST),
                    manifest_text: &manifest_text,
                    plugin_file: "kab_bekasi.wasm",
                    plugin_bytes: &plugin,
                    signature: None,
                })
                .await
                .unwrap();
            store
                .record_audit(&dwa_store::AuditEntry {
                    region: Some("3216".into()),
                    manifest_file: MANIFEST.into(),
                    action: "activate".into(),
                    version_id: Some(version.clone()),
                    actor: "a replica whose notification was lost".into(),
                    detail: String::new(),
                    at: dwa_store::now_rfc3339(),
                })
                .await
                .unwrap();
            version
        }
    };
    unannounced(manifest.clone(), reference).await;
    let lag = wait_until("the replica reconciles with the database", || {
        !setda_eligible(&policies)
    })
    .await;
    println!("converged {lag:?} after the unannounced activation (reconcile every {every:?})");
    assert_eq!(policies.region("3216").unwrap().reference.manifest_sha256, {
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(manifest.as_bytes()))
    });

    // An active version this replica refuses (its worked example fails): refused once,
    // audited once, not again at every reconcile; what serves is unchanged.
    let broken = manifest.replacen("eligible = false", "eligible = true", 1);
    assert_ne!(broken, manifest);
    let mut reference = policies.region("3216").unwrap().reference.clone();
    reference.manifest_sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(broken.as_bytes()));
    unannounced(broken, reference).await;
    let rejections = || {
        let store = store.clone();
        async move {
            store
                .audit("3216")
                .await
                .unwrap()
                .iter()
                .filter(|e| e.action == "reject" && e.actor.contains("reconcile"))
                .count()
        }
    };
    let mut seen = 0;
    for _ in 0..200 {
        seen = rejections().await;
        if seen > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(seen, 1, "the refusal is audited once");
    // Several reconcile periods later, still once.
    tokio::time::sleep(every * 4).await;
    assert_eq!(rejections().await, 1, "the reconcile retries a version it refused");
    assert!(!setda_eligible(&policies), "a refused version replaced what served");
    drop(rules);
    db.drop_schema().await;
}

/// GET `path` from a router over `state`; the status and the body as text.
async fn get_text(state: &dwa_api::AppState, path: &str) -> (u16, String) {
    use tower::ServiceExt;
    let (router, _) = dwa_api::router(state.clone());
    let request = axum::http::Request::get(path).body(axum::body::Body::empty()).unwrap();
    let response = router.oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let body = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// What a replica serves is visible from outside: `/readyz` and `/metrics` name each region's
/// served manifest and plugin sha256 and the age of the last reconcile; a follower that stops
/// reconciling turns the replica `degraded` after three intervals. On SQLite there is no
/// follower, and `/readyz` says so with `null`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn readyz_and_metrics_show_what_a_replica_serves_and_its_last_reconcile() {
    let db = common::TestDb::postgres().await;
    let store = Store::connect(&db.url).await.unwrap();
    let (_rules, policies) = common::deployed_copy();
    let every = Duration::from_millis(300);
    let status = Arc::new(dwa_workflow::ReplicaStatus::new(every));
    let follower = dwa_workflow::follow_reporting(store.clone(), policies.clone(), &db.url, status.clone())
        .await
        .unwrap()
        .expect("a follower on PostgreSQL");
    let state = dwa_api::AppState::new(store.clone(), policies.clone(), None).with_replica_status(Some(status));
    // A few reconciles go by.
    tokio::time::sleep(every * 2).await;

    let (code, body) = get_text(&state, "/readyz").await;
    assert_eq!(code, 200, "{body}");
    let ready: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(ready["status"], "ready", "{ready:#}");
    let age = ready["replica"]["last_reconcile_seconds_ago"].as_f64().unwrap();
    assert!(age < 3.0 * every.as_secs_f64(), "{ready:#}");
    assert_eq!(
        ready["replica"]["reconcile_every_seconds"].as_f64(),
        Some(every.as_secs_f64())
    );
    let (_, metrics) = get_text(&state, "/metrics").await;
    for region in ["32", "3216"] {
        let reference = policies.region(region).unwrap().reference.clone();
        let served = ready["served"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["region"] == region)
            .unwrap_or_else(|| panic!("region {region} not in {ready:#}"));
        assert_eq!(served["manifest_sha256"], *reference.manifest_sha256, "{served}");
        assert_eq!(served["plugin_sha256"], *reference.sha256, "{served}");
        let info = metrics
            .lines()
            .find(|l| l.starts_with(&format!("dwa_policy_active_info{{region=\"{region}\",")))
            .unwrap_or_else(|| panic!("no dwa_policy_active_info for {region} in\n{metrics}"));
        assert!(
            info.contains(&format!("sha256=\"{}\"", reference.sha256))
                && info.contains(&format!("manifest_sha256=\"{}\"", reference.manifest_sha256)),
            "{info}"
        );
    }
    let age: f64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("dwa_replica_reconcile_age_seconds "))
        .unwrap_or_else(|| panic!("no reconcile age in\n{metrics}"))
        .parse()
        .unwrap();
    assert!(age < 3.0 * every.as_secs_f64(), "{age}");

    // The follower stops (as when its task died): degraded once three intervals pass.
    follower.abort();
    tokio::time::sleep(every * 4).await;
    let (code, body) = get_text(&state, "/readyz").await;
    let ready: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!((code, ready["status"].as_str()), (200, Some("degraded")), "{ready:#}");
    assert_eq!(ready["replica"]["stale"], true, "{ready:#}");
    db.drop_schema().await;

    // SQLite: one replica, no follower.
    let db = common::TestDb::sqlite();
    let store = Store::connect(&db.url).await.unwrap();
    let sqlite_status = Arc::new(dwa_workflow::ReplicaStatus::new(every));
    let none = dwa_workflow::follow_reporting(store.clone(), policies.clone(), &db.url, sqlite_status)
        .await
        .unwrap();
    assert!(none.is_none());
    let state = dwa_api::AppState::new(store, policies.clone(), None).with_replica_status(None);
    let (_, body) = get_text(&state, "/readyz").await;
    let ready: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(ready["replica"].is_null(), "{ready:#}");
    assert_eq!(ready["served"].as_array().map(Vec::len), Some(2), "{ready:#}");
    let (_, metrics) = get_text(&state, "/metrics").await;
    assert!(!metrics.contains("dwa_replica_reconcile_age_seconds"), "{metrics}");
}
