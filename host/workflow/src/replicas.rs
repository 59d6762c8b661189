//! Several replicas on one PostgreSQL database serve the same rules: an activation on one is
//! announced with NOTIFY (payload: the stored version's id); every other replica LISTENs, and
//! activates the same stored version into its own rules folder. A replica that starts later
//! first catches up with the versions last activated.
//!
//! A notification can be lost (the LISTEN connection cut while the database refused
//! connections), so each replica also reconciles every [`RECONCILE_EVERY`]: it compares what it
//! serves for each region with the version last activated in the database and follows the
//! database where two comparisons in a row differ the same way. A version this replica refused (its signature, its examples) is
//! not retried by the reconcile — the refusal is audited once, not every few seconds.
//!
//! Each successful reconcile is marked in a [`ReplicaStatus`] the API reads: `/readyz` and
//! `/metrics` show its age, and a replica whose last reconcile is older than three intervals (the
//! database unreachable, the follower stuck) says it is degraded.

use super::activate_version;
use super::history::REPLICA_SYNC;
use dwa_policy::PolicySet;
use dwa_store::{Backend, PolicyListener, Store, StoreError, VersionSummary};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How often a replica compares what it serves with the database. A drift is repaired when two
/// comparisons in a row see it, so a lost notification leaves a replica serving older rules for
/// at most twice this.
pub const RECONCILE_EVERY: Duration = Duration::from_secs(5);

/// How a replica's follower is doing, for `/readyz` and `/metrics`: how often it reconciles
/// and when it last did so successfully. A follower that cannot reach the database stops
/// marking it, so the age grows and the replica can say it is degraded.
#[derive(Debug)]
pub struct ReplicaStatus {
    every: Duration,
    /// The last successful reconcile (at first, when the status was made: a follower that never
    /// manages one goes stale like one that stopped).
    last: Mutex<Instant>,
}

impl ReplicaStatus {
    /// A status for a follower reconciling every `every`.
    pub fn new(every: Duration) -> ReplicaStatus {
        ReplicaStatus {
            every,
            last: Mutex::new(Instant::now()),
        }
    }

    /// How often the follower reconciles.
    pub fn every(&self) -> Duration {
        self.every
    }

    /// Time since the last successful reconcile.
    pub fn age(&self) -> Duration {
        self.last.lock().unwrap_or_else(|p| p.into_inner()).elapsed()
    }

    /// Whether the last successful reconcile is older than three intervals: the replica may be
    /// serving rules the database no longer has active, and nothing is repairing it.
    pub fn stale(&self) -> bool {
        self.age() > self.every * 3
    }

    fn reconciled(&self) {
        *self.last.lock().unwrap_or_else(|p| p.into_inner()) = Instant::now();
    }
}

/// What following a version came to.
#[derive(Debug, PartialEq, Eq)]
enum Followed {
    /// Already served here (or not this deployment's version): nothing to do.
    Already,
    /// Activated here now.
    Activated,
    /// Refused here (its reason audited by the activation).
    Refused,
}

/// Whether this replica serves `version` for its region now.
fn serves(policies: &PolicySet, version: &VersionSummary) -> bool {
    policies.region(&version.region).is_ok_and(|serving| {
        serving.reference.sha256 == version.plugin_sha256
            && serving.reference.manifest_sha256 == version.manifest_sha256
    })
}

/// Activate `version_id` here unless it is what this replica already serves.
async fn follow(store: &Store, policies: &Arc<PolicySet>, version_id: &str, why: &str) -> Result<Followed, StoreError> {
    let version = match store.version_summary(version_id).await {
        Ok(v) => v,
        // Another deployment's schema on the same server: not ours.
        Err(StoreError::NotFound(_)) => return Ok(Followed::Already),
        Err(e) => return Err(e),
    };
    if serves(policies, &version) {
        return Ok(Followed::Already);
    }
    let region = &version.region;
    match activate_version(store, policies, region, version_id, &format!("{REPLICA_SYNC} ({why})")).await {
        Ok(_) => Ok(Followed::Activated),
        Err(e) => {
            tracing::warn!(region, version_id, error = %e, "could not follow another replica's activation");
            Ok(Followed::Refused)
        }
    }
}

/// What a reconcile remembers between two runs: the versions this replica refused, and the
/// drifts seen once (region → what it served and the database's version then).
#[derive(Default)]
struct Reconciler {
    refused: HashSet<String>,
    drifting: HashMap<String, (String, String)>,
}

/// Follow the database's last activated version of every region, except the versions this
/// replica refused before; say when that repaired a drift. A drift is repaired when two runs in
/// a row see the same one: a change made here a moment ago is recorded in the database shortly
/// after it serves, and must not be undone in between.
async fn reconcile(store: &Store, policies: &Arc<PolicySet>, state: &mut Reconciler) -> Result<(), StoreError> {
    for (region, version) in store.active_versions().await? {
        if state.refused.contains(&version) {
            continue;
        }
        let Ok(stored) = store.version_summary(&version).await else {
            continue;
        };
        if serves(policies, &stored) {
            state.drifting.remove(&region);
            continue;
        }
        let served = policies
            .region(&region)
            .map(|p| format!("{}/{}", p.reference.sha256, p.reference.manifest_sha256))
            .unwrap_or_default();
        let seen = (served, version.clone());
        if state.drifting.get(&region) != Some(&seen) {
            state.drifting.insert(region, seen);
            continue;
        }
        state.drifting.remove(&region);
        match follow(store, policies, &version, "reconcile").await? {
            Followed::Already => {}
            Followed::Activated => {
                tracing::warn!(
                    region,
                    version,
                    "replica drift repaired: now serving the database's active version"
                );
            }
            Followed::Refused => {
                state.refused.insert(version);
            }
        }
    }
    Ok(())
}

/// Catch up with the versions last activated, then follow every later activation, and
/// reconcile every [`RECONCILE_EVERY`]. PostgreSQL only; returns `None` on SQLite, which serves
/// one replica.
pub async fn follow_other_replicas(
    store: Store,
    policies: Arc<PolicySet>,
    database_url: &str,
) -> Result<Option<tokio::task::JoinHandle<()>>, StoreError> {
    follow_with_reconcile(store, policies, database_url, RECONCILE_EVERY).await
}

/// [`follow_other_replicas`], reconciling every `every` (tests shorten it).
pub async fn follow_with_reconcile(
    store: Store,
    policies: Arc<PolicySet>,
    database_url: &str,
    every: Duration,
) -> Result<Option<tokio::task::JoinHandle<()>>, StoreError> {
    let status = Arc::new(ReplicaStatus::new(every));
    follow_reporting(store, policies, database_url, status).await
}

/// [`follow_other_replicas`], reconciling every [`ReplicaStatus::every`] and marking each
/// successful reconcile (the start-up catch-up included) in `status`.
pub async fn follow_reporting(
    store: Store,
    policies: Arc<PolicySet>,
    database_url: &str,
    status: Arc<ReplicaStatus>,
) -> Result<Option<tokio::task::JoinHandle<()>>, StoreError> {
    let every = status.every();
    if store.backend() != Backend::Postgres {
        return Ok(None);
    }
    let mut listener = PolicyListener::connect(database_url).await?;
    let mut reconciler = Reconciler::default();
    for (_, version) in store.active_versions().await? {
        if follow(&store, &policies, &version, "startup").await? == Followed::Refused {
            reconciler.refused.insert(version);
        }
    }
    status.reconciled();
    Ok(Some(tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await;
        loop {
            tokio::select! {
                received = listener.recv() => match received {
                    Ok(version) => {
                        // A notified version is always tried: it may be a re-activation.
                        reconciler.refused.remove(&version);
                        match follow(&store, &policies, &version, "notified").await {
                            Ok(Followed::Refused) => {
                                reconciler.refused.insert(version);
                            }
                            Ok(_) => {}
                            Err(e) => tracing::warn!(error = %e, "could not read another replica's activation"),
                        }
                    }
                    // The listener reconnects by itself; a failed receive is retried, and the
                    // reconcile catches up with whatever was announced meanwhile.
                    Err(e) => {
                        tracing::warn!(error = %e, "policy channel interrupted");
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                },
                _ = tick.tick() => {
                    match reconcile(&store, &policies, &mut reconciler).await {
                        Ok(()) => status.reconciled(),
                        Err(e) => tracing::warn!(error = %e, "could not reconcile the served rules with the database"),
                    }
                }
            }
        }
    })))
}
