//! Signed rules (migration 0008): the public keys registered per region, whether a region
//! requires signed rules, and each change of them in the audit trail. The keys are stored as
//! their text; the policy layer parses and checks them.

use super::{AuditEntry, Store, StoreError, now_rfc3339};
use serde::Serialize;
use sqlx::Row;

/// A public key registered for a region.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RegionKey {
    /// Region code.
    pub region: String,
    /// The key's id (what a signature names).
    pub key_id: String,
    /// `dwa-ed25519 <hex>`.
    pub public_key: String,
    /// When it was registered.
    pub added_at: String,
    /// By whom.
    pub added_by: String,
}

/// A region's signing settings: whether signatures are required, and its keys.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RegionSigning {
    /// Whether an unsigned or wrongly signed candidate is refused.
    pub required: bool,
    /// The registered keys, oldest first.
    pub keys: Vec<RegionKey>,
}

impl Store {
    /// A region's signing settings (none stored: not required, no keys).
    pub async fn region_signing(&self, region: &str) -> Result<RegionSigning, StoreError> {
        let required = sqlx::query("SELECT required FROM region_signing WHERE region = $1")
            .bind(region)
            .fetch_optional(&self.pool)
            .await?
            .map(|row| row.try_get::<i64, _>("required"))
            .transpose()?
            .unwrap_or(0)
            != 0;
        let rows = sqlx::query(
            "SELECT region, key_id, public_key, added_at, added_by FROM region_keys WHERE region = $1 \
             ORDER BY added_at, key_id",
        )
        .bind(region)
        .fetch_all(&self.pool)
        .await?;
        let keys = rows
            .iter()
            .map(|row| {
                Ok(RegionKey {
                    region: row.try_get("region")?,
                    key_id: row.try_get("key_id")?,
                    public_key: row.try_get("public_key")?,
                    added_at: row.try_get("added_at")?,
                    added_by: row.try_get("added_by")?,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(RegionSigning { required, keys })
    }

    /// Register a key for a region, audited; a conflict if it is registered already.
    pub async fn add_region_key(
        &self,
        region: &str,
        key_id: &str,
        public_key: &str,
        by: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO region_keys (region, key_id, public_key, added_at, added_by) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT DO NOTHING",
        )
        .bind(region)
        .bind(key_id)
        .bind(public_key)
        .bind(now_rfc3339())
        .bind(by)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            return Err(StoreError::Conflict(format!(
                "key {key_id} is already registered for region {region}"
            )));
        }
        audit(&mut tx, region, "key add", by, &format!("key {key_id} registered")).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Remove a region's key, audited; not found if it is not registered.
    pub async fn remove_region_key(&self, region: &str, key_id: &str, by: &str) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let removed = sqlx::query("DELETE FROM region_keys WHERE region = $1 AND key_id = $2")
            .bind(region)
            .bind(key_id)
            .execute(&mut **tx)
            .await?
            .rows_affected();
        if removed == 0 {
            return Err(StoreError::NotFound(format!("key {key_id} of region {region}")));
        }
        audit(&mut tx, region, "key remove", by, &format!("key {key_id} removed")).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Require signed rules for a region, or stop requiring them; audited.
    pub async fn set_signatures_required(&self, region: &str, required: bool, by: &str) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO region_signing (region, required, changed_at, changed_by) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (region) DO UPDATE SET required = excluded.required, changed_at = excluded.changed_at, \
             changed_by = excluded.changed_by",
        )
        .bind(region)
        .bind(i64::from(required))
        .bind(now_rfc3339())
        .bind(by)
        .execute(&mut **tx)
        .await?;
        let detail = match required {
            true => "signed rules required",
            false => "signed rules no longer required",
        };
        audit(&mut tx, region, "signing", by, detail).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// A signing change in the policy audit trail (it changes what the region's rules may be).
async fn audit(tx: &mut super::WriteTx, region: &str, action: &str, by: &str, detail: &str) -> Result<(), StoreError> {
    let entry = AuditEntry {
        region: Some(region.to_owned()),
        manifest_file: "-".into(),
        action: action.into(),
        version_id: None,
        actor: by.into(),
        detail: detail.into(),
        at: now_rfc3339(),
    };
    sqlx::query(
        "INSERT INTO policy_audit (id, region, manifest_file, action, version_id, actor, detail, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(super::new_id("aud"))
    .bind(entry.region.as_deref())
    .bind(&entry.manifest_file)
    .bind(&entry.action)
    .bind(entry.version_id.as_deref())
    .bind(&entry.actor)
    .bind(&entry.detail)
    .bind(&entry.at)
    .execute(&mut ***tx)
    .await?;
    Ok(())
}
