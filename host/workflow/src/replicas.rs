//! Several replicas on one PostgreSQL database serve the same rules: an activation on one is
//! announced with NOTIFY (payload: the stored version's id); every other replica LISTENs, and
//! activates the same stored version into its own rules folder. A replica that starts later
//! first catches up with the versions last activated.

use super::activate_version;
use super::history::REPLICA_SYNC;
use dwa_policy::PolicySet;
use dwa_store::{Backend, PolicyListener, Store, StoreError};
use std::sync::Arc;

/// Activate `version_id` here unless it is what this replica already serves.
async fn follow(store: &Store, policies: &Arc<PolicySet>, version_id: &str, why: &str) -> Result<(), StoreError> {
    let version = match store.version(version_id).await {
        Ok(v) => v,
        // Another deployment's schema on the same server: not ours.
        Err(StoreError::NotFound(_)) => return Ok(()),
        Err(e) => return Err(e),
    };
    let region = &version.summary.region;
    if let Ok(serving) = policies.region(region)
        && serving.reference.sha256 == version.summary.plugin_sha256
        && serving.reference.manifest_sha256 == version.summary.manifest_sha256
    {
        return Ok(());
    }
    if let Err(e) = activate_version(store, policies, region, version_id, &format!("{REPLICA_SYNC} ({why})")).await {
        tracing::warn!(region, version_id, error = %e, "could not follow another replica's activation");
    }
    Ok(())
}

/// Catch up with the versions last activated, then follow every later activation. PostgreSQL
/// only; returns `None` on SQLite, which serves one replica.
pub async fn follow_other_replicas(
    store: Store,
    policies: Arc<PolicySet>,
    database_url: &str,
) -> Result<Option<tokio::task::JoinHandle<()>>, StoreError> {
    if store.backend() != Backend::Postgres {
        return Ok(None);
    }
    let mut listener = PolicyListener::connect(database_url).await?;
    for (_, version) in store.active_versions().await? {
        follow(&store, &policies, &version, "startup").await?;
    }
    Ok(Some(tokio::spawn(async move {
        loop {
            match listener.recv().await {
                Ok(version) => {
                    if let Err(e) = follow(&store, &policies, &version, "notified").await {
                        tracing::warn!(error = %e, "could not read another replica's activation");
                    }
                }
                // The listener reconnects by itself; a failed receive is retried.
                Err(e) => {
                    tracing::warn!(error = %e, "policy channel interrupted");
                    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                }
            }
        }
    })))
}
