//! Two replicas on one PostgreSQL database (each with its own rules folder, as two machines
//! would have): an activation on one is served by the other soon after, and a replica that
//! starts later catches up with the version last activated.

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
