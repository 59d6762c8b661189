//! Signed rules for a region: the provincial admin registers the region's public keys (several
//! during a key rotation) and may require every change of its rules to be signed; the policy set
//! reads both from the database on every change ([`StoreTrust`]), so a key registered by one
//! process (the CLI, another replica) applies to the next change everywhere, without a restart.

use super::WorkflowError;
use dwa_policy::signing::{PublicKey, RegionTrust, SignatureFile, TrustSource};
use dwa_store::{RegionKey, RegionSigning, Store, StoreError};
// The API maps a failed trust lookup (a refused signature the database could not vouch for) to
// its own answer, so the error type is the callers' too.
pub use dwa_policy::signing::SigningError;
use std::sync::Arc;
use std::time::Duration;

/// How long a change waits for the database to say what its region requires; then it is
/// refused (fail closed).
const TRUST_TIMEOUT: Duration = Duration::from_secs(10);

/// The regions' signing settings, read from the store for the policy set.
pub struct StoreTrust {
    store: Store,
    runtime: tokio::runtime::Handle,
}

impl StoreTrust {
    /// A trust source over `store`; call it on the runtime the store runs on.
    pub fn source(store: Store) -> Arc<dyn TrustSource> {
        Arc::new(StoreTrust {
            store,
            runtime: tokio::runtime::Handle::current(),
        })
    }
}

impl TrustSource for StoreTrust {
    /// Asked from the blocking pool (a change validates there, off the async workers): the
    /// query runs on the runtime and this thread waits for its answer, bounded.
    fn trust(&self, region: &str) -> Result<RegionTrust, SigningError> {
        let unreadable = |reason: String| SigningError::Trust {
            region: region.to_owned(),
            reason,
        };
        let (sender, answer) = std::sync::mpsc::sync_channel(1);
        let (store, code) = (self.store.clone(), region.to_owned());
        self.runtime.spawn(async move {
            let _ = sender.send(store.region_signing(&code).await);
        });
        let signing = answer
            .recv_timeout(TRUST_TIMEOUT)
            .map_err(|_| {
                unreadable(format!(
                    "no answer from the database within {} s",
                    TRUST_TIMEOUT.as_secs()
                ))
            })?
            .map_err(|e| unreadable(e.to_string()))?;
        // Every stored key is checked again on every read: one registered before weak keys were
        // refused, or written into the database by hand, refuses the region's every change.
        let keys = signing
            .keys
            .iter()
            .map(|k| {
                PublicKey::parse(&k.public_key).map_err(|e| SigningError::StoredKey {
                    region: region.to_owned(),
                    key: k.key_id.clone(),
                    reason: match e {
                        SigningError::Key { reason, .. } => reason,
                        other => other.to_string(),
                    },
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(RegionTrust {
            required: signing.required,
            keys,
        })
    }
}

/// A stored key that is not a usable key (see [`weak_stored_keys`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefusedKey {
    /// The region it is registered for.
    pub region: String,
    /// Its id.
    pub key_id: String,
    /// Why it is refused.
    pub reason: String,
}

/// Every registered key, of every region, that would be refused if registered today (weak or
/// unreadable). A region with such a key serves none of its rules: every load of them is
/// refused (and audited) by the policy set, as its trust cannot be read.
pub async fn weak_stored_keys(store: &Store) -> Result<Vec<RefusedKey>, WorkflowError> {
    let mut refused = Vec::new();
    for region in store.regions().await? {
        for key in store.region_signing(&region.code).await?.keys {
            if let Err(e) = PublicKey::parse(&key.public_key) {
                tracing::error!(region = %region.code, key = %key.key_id, error = %e, "a stored signing key is refused");
                refused.push(RefusedKey {
                    region: region.code.clone(),
                    key_id: key.key_id,
                    reason: e.to_string(),
                });
            }
        }
    }
    Ok(refused)
}

/// Refuse an unknown region (404).
async fn known_region(store: &Store, region: &str) -> Result<(), WorkflowError> {
    crate::input::check_id("region", region)?;
    if store.regions().await?.iter().any(|r| r.code == region) {
        Ok(())
    } else {
        Err(StoreError::NotFound(format!("region {region}")).into())
    }
}

/// How a stored version's signature stands against its region's registered keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignatureState {
    /// The version carries no signature.
    Unsigned,
    /// Signed with the key of this id; `registered`: whether the region registers that key.
    Signed {
        /// The signing key's id.
        key: String,
        /// Whether the region registers it.
        registered: bool,
    },
    /// The signature file does not parse: why.
    Unreadable(String),
}

/// The state of `signature` (a stored version's `.sig` text, if any) under `signing`.
pub fn signature_state(signing: &RegionSigning, signature: Option<&str>) -> SignatureState {
    let Some(text) = signature else {
        return SignatureState::Unsigned;
    };
    match SignatureFile::parse(text) {
        Ok(file) => SignatureState::Signed {
            registered: signing.keys.iter().any(|k| k.key_id == file.key),
            key: file.key,
        },
        Err(e) => SignatureState::Unreadable(e.to_string()),
    }
}

/// A region's signing settings.
pub async fn region_signing(store: &Store, region: &str) -> Result<RegionSigning, WorkflowError> {
    known_region(store, region).await?;
    Ok(store.region_signing(region).await?)
}

/// Register a public key (`dwa-ed25519 <hex>`) for a region; returns it as stored.
pub async fn add_region_key(
    store: &Store,
    region: &str,
    public_key: &str,
    by: &str,
) -> Result<RegionKey, WorkflowError> {
    known_region(store, region).await?;
    let key = PublicKey::parse(public_key).map_err(|e| WorkflowError::Invalid {
        field: "public_key".into(),
        problem: e.to_string().into(),
    })?;
    let id = key.id();
    store
        .add_region_key(region, &id, &key.to_text(), by)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(message) => WorkflowError::Conflict(message),
            other => other.into(),
        })?;
    let signing = store.region_signing(region).await?;
    Ok(signing
        .keys
        .into_iter()
        .find(|k| k.key_id == id)
        .ok_or_else(|| StoreError::NotFound(format!("key {id}")))?)
}

/// Remove a region's key. The last key of a region that requires signatures is kept: nothing
/// could be signed for it any more (stop requiring first, or register the next key first).
pub async fn remove_region_key(store: &Store, region: &str, key_id: &str, by: &str) -> Result<(), WorkflowError> {
    known_region(store, region).await?;
    crate::input::check_id("key", key_id)?;
    let signing = store.region_signing(region).await?;
    if signing.required && signing.keys.len() == 1 && signing.keys[0].key_id == key_id {
        return Err(WorkflowError::Conflict(format!(
            "key {key_id} is region {region}'s only key and the region requires signed rules: register its \
             successor first (or stop requiring signatures)"
        )));
    }
    Ok(store.remove_region_key(region, key_id, by).await?)
}

/// Require signed rules for a region (it must have a key), or stop requiring them. What serves
/// now keeps serving; the requirement applies to every later change.
pub async fn require_signatures(store: &Store, region: &str, required: bool, by: &str) -> Result<(), WorkflowError> {
    known_region(store, region).await?;
    if required && store.region_signing(region).await?.keys.is_empty() {
        return Err(WorkflowError::Invalid {
            field: "required".into(),
            problem: format!(
                "region {region} has no registered key: register one first (dwa region key add), or nothing could \
                 ever go live"
            )
            .into(),
        });
    }
    Ok(store.set_signatures_required(region, required, by).await?)
}
