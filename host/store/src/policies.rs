//! The version history of every region's rules (manifest text and plugin bytes by sha256, so
//! any version can be restored) and the audit trail of policy changes.

use super::{Store, StoreError, new_id, now_rfc3339};
use dwa_domain::PluginRef;
use serde::Serialize;
use sqlx::Row;

/// A stored version, without its bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VersionSummary {
    /// Version id.
    pub id: String,
    /// Region code.
    pub region: String,
    /// Plugin name.
    pub plugin_name: String,
    /// Plugin version.
    pub plugin_version: String,
    /// sha256 of the plugin.
    pub plugin_sha256: String,
    /// sha256 of the manifest.
    pub manifest_sha256: String,
    /// When first stored.
    pub created_at: String,
    /// The text of its signature file (`<manifest>.sig`), if it was signed.
    pub signature: Option<String>,
}

/// A stored version with what it takes to restore it.
#[derive(Clone, Debug)]
pub struct StoredVersion {
    /// Summary.
    pub summary: VersionSummary,
    /// Manifest file name.
    pub manifest_file: String,
    /// Manifest text.
    pub manifest_text: String,
    /// Plugin file name.
    pub plugin_file: String,
    /// Plugin bytes.
    pub plugin_bytes: Vec<u8>,
    /// The signature file's text (`<manifest>.sig`), if the version was signed.
    pub signature: Option<String>,
}

/// One audited policy change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// Region, when known.
    pub region: Option<String>,
    /// Manifest file name.
    pub manifest_file: String,
    /// `activate`, `reject` or `rollback`.
    pub action: String,
    /// The version concerned.
    pub version_id: Option<String>,
    /// Who or what.
    pub actor: String,
    /// What changed, or why it was rejected.
    pub detail: String,
    /// When.
    pub at: String,
}

const SUMMARY_COLUMNS: &str =
    "id, region, plugin_name, plugin_version, plugin_sha256, manifest_sha256, created_at, signature";

fn summary_from_row(row: &sqlx::any::AnyRow) -> Result<VersionSummary, StoreError> {
    Ok(VersionSummary {
        id: row.try_get("id")?,
        region: row.try_get("region")?,
        plugin_name: row.try_get("plugin_name")?,
        plugin_version: row.try_get("plugin_version")?,
        plugin_sha256: row.try_get("plugin_sha256")?,
        manifest_sha256: row.try_get("manifest_sha256")?,
        created_at: row.try_get("created_at")?,
        signature: row.try_get("signature")?,
    })
}

/// A policy version to keep, as plain data (the workflow builds it from the active rules, so
/// the store needs no policy types).
#[derive(Clone, Copy, Debug)]
pub struct NewVersion<'a> {
    /// The plugin's identity (region, name, version, hashes).
    pub reference: &'a PluginRef,
    /// Where the manifest was read from (its file name is kept).
    pub manifest_path: &'a std::path::Path,
    /// The manifest as written.
    pub manifest_text: &'a str,
    /// The plugin's file name, as the manifest names it.
    pub plugin_file: &'a str,
    /// The plugin's bytes.
    pub plugin_bytes: &'a [u8],
    /// The signature file's text, if signed.
    pub signature: Option<&'a str>,
}

impl Store {
    /// Store a version (once per content; a signature given later, or a newer one after a key
    /// rotation, is kept with it); returns its id.
    pub async fn record_version(&self, region: &NewVersion<'_>) -> Result<String, StoreError> {
        let r = region.reference;
        let existing = sqlx::query(
            "SELECT id FROM policy_versions WHERE region = $1 AND manifest_sha256 = $2 AND plugin_sha256 = $3",
        )
        .bind(&r.region)
        .bind(&r.manifest_sha256)
        .bind(&r.sha256)
        .fetch_optional(&self.pool)
        .await?;
        if let Some(row) = existing {
            let id: String = row.try_get("id")?;
            if let Some(signature) = region.signature {
                sqlx::query(
                    "UPDATE policy_versions SET signature = $1 WHERE id = $2 AND (signature IS NULL OR signature <> $1)",
                )
                .bind(signature)
                .bind(&id)
                .execute(&self.pool)
                .await?;
            }
            return Ok(id);
        }
        let id = new_id("ver");
        let file = |p: &std::path::Path| {
            p.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        sqlx::query(
            "INSERT INTO policy_versions (id, region, manifest_sha256, plugin_sha256, plugin_name, plugin_version, \
             manifest_file, manifest_text, plugin_file, plugin_hex, created_at, signature) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING",
        )
        .bind(&id)
        .bind(&r.region)
        .bind(&r.manifest_sha256)
        .bind(&r.sha256)
        .bind(&r.name)
        .bind(&r.version)
        .bind(file(region.manifest_path))
        .bind(region.manifest_text)
        .bind(region.plugin_file)
        .bind(hex::encode(region.plugin_bytes))
        .bind(now_rfc3339())
        .bind(region.signature)
        .execute(&self.pool)
        .await?;
        Ok(id)
    }

    /// A region's versions, newest first.
    pub async fn versions(&self, region: &str) -> Result<Vec<VersionSummary>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM policy_versions WHERE region = $1 ORDER BY created_at DESC, id DESC"
        ))
        .bind(region)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(summary_from_row).collect()
    }

    /// One version's summary, without its content (the plugin's bytes can be megabytes): what a
    /// replica compares with what it serves.
    pub async fn version_summary(&self, id: &str) -> Result<VersionSummary, StoreError> {
        let row = sqlx::query(&format!("SELECT {SUMMARY_COLUMNS} FROM policy_versions WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("policy version `{id}`")))?;
        summary_from_row(&row)
    }

    /// One version with its content.
    pub async fn version(&self, id: &str) -> Result<StoredVersion, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {SUMMARY_COLUMNS}, manifest_file, manifest_text, plugin_file, plugin_hex FROM policy_versions WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("policy version `{id}`")))?;
        Ok(StoredVersion {
            summary: summary_from_row(&row)?,
            manifest_file: row.try_get("manifest_file")?,
            manifest_text: row.try_get("manifest_text")?,
            plugin_file: row.try_get("plugin_file")?,
            plugin_bytes: hex::decode(row.try_get::<String, _>("plugin_hex")?).map_err(|e| StoreError::Corrupt {
                what: "policy_versions.plugin_hex",
                detail: e.to_string(),
            })?,
            signature: row.try_get("signature")?,
        })
    }

    /// Append to the audit trail.
    pub async fn record_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO policy_audit (id, region, manifest_file, action, version_id, actor, detail, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(new_id("aud"))
        .bind(entry.region.as_deref())
        .bind(&entry.manifest_file)
        .bind(&entry.action)
        .bind(entry.version_id.as_deref())
        .bind(&entry.actor)
        .bind(&entry.detail)
        .bind(&entry.at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A region's audit trail, newest first.
    pub async fn audit(&self, region: &str) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT region, manifest_file, action, version_id, actor, detail, at FROM policy_audit WHERE region = $1 \
             ORDER BY at DESC, id DESC",
        )
        .bind(region)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(AuditEntry {
                    region: row.try_get("region")?,
                    manifest_file: row.try_get("manifest_file")?,
                    action: row.try_get("action")?,
                    version_id: row.try_get("version_id")?,
                    actor: row.try_get("actor")?,
                    detail: row.try_get("detail")?,
                    at: row.try_get("at")?,
                })
            })
            .collect()
    }
}

/// The PostgreSQL channel on which activations are announced (payload: the version id).
pub const POLICY_CHANNEL: &str = "dwa_policy";

/// The activations other replicas announce on [`POLICY_CHANNEL`] (PostgreSQL LISTEN), so the
/// workflow follows them without touching sqlx.
pub struct PolicyListener(sqlx::postgres::PgListener);

/// A failed receive on the policy channel; the listener reconnects by itself.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct ChannelError(#[from] sqlx::Error);

impl PolicyListener {
    /// Listen on [`POLICY_CHANNEL`] of the PostgreSQL database at `database_url`.
    pub async fn connect(database_url: &str) -> Result<PolicyListener, StoreError> {
        let mut listener = sqlx::postgres::PgListener::connect(database_url).await?;
        listener.listen(POLICY_CHANNEL).await?;
        Ok(PolicyListener(listener))
    }

    /// The next announced version id.
    pub async fn recv(&mut self) -> Result<String, ChannelError> {
        Ok(self.0.recv().await?.payload().to_owned())
    }
}

impl Store {
    /// Announce an activation to the other replicas (PostgreSQL only).
    pub async fn notify_policy_change(&self, version_id: &str) -> Result<(), StoreError> {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(POLICY_CHANNEL)
            .bind(version_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The version of `region` that last went live, whether activated or loaded at start-up
    /// (from the audit trail): the last good version.
    pub async fn last_live_version(&self, region: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query(
            "SELECT version_id FROM policy_audit WHERE region = $1 AND action IN ('activate', 'load') \
             AND version_id IS NOT NULL ORDER BY at DESC, id DESC LIMIT 1",
        )
        .bind(region)
        .fetch_optional(&self.pool)
        .await?;
        Ok(match row {
            Some(row) => Some(row.try_get("version_id")?),
            None => None,
        })
    }

    /// The version each region last activated (from the audit trail), by region.
    pub async fn active_versions(&self) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT region, version_id, at, id FROM policy_audit WHERE action = 'activate' AND version_id IS NOT NULL \
             ORDER BY region, at DESC, id DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut latest: Vec<(String, String)> = Vec::new();
        for row in rows {
            let region: String = row.try_get("region")?;
            if latest.last().is_none_or(|(r, _)| *r != region) {
                latest.push((region, row.try_get("version_id")?));
            }
        }
        Ok(latest)
    }
}

/// An activation scheduled for a date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScheduledActivation {
    /// Schedule id.
    pub id: String,
    /// Region.
    pub region: String,
    /// Version to activate.
    pub version_id: String,
    /// First day it applies (YYYY-MM-DD).
    pub effective_from: String,
    /// Who scheduled it.
    pub created_by: String,
}

impl Store {
    /// Schedule a version's activation from a date.
    pub async fn schedule_activation(
        &self,
        region: &str,
        version_id: &str,
        effective_from: dwa_sdk::Date,
        by: &str,
    ) -> Result<String, StoreError> {
        let id = new_id("sch");
        sqlx::query(
            "INSERT INTO policy_schedule (id, region, version_id, effective_from, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(region)
        .bind(version_id)
        .bind(effective_from.to_string())
        .bind(by)
        .bind(now_rfc3339())
        .execute(&self.pool)
        .await?;
        Ok(id)
    }

    /// Scheduled activations due on `today` and not yet done, oldest date first.
    pub async fn due_activations(&self, today: dwa_sdk::Date) -> Result<Vec<ScheduledActivation>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, region, version_id, effective_from, created_by FROM policy_schedule \
             WHERE done_at IS NULL AND effective_from <= $1 ORDER BY effective_from, created_at",
        )
        .bind(today.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ScheduledActivation {
                    id: row.try_get("id")?,
                    region: row.try_get("region")?,
                    version_id: row.try_get("version_id")?,
                    effective_from: row.try_get("effective_from")?,
                    created_by: row.try_get("created_by")?,
                })
            })
            .collect()
    }

    /// Mark a scheduled activation done.
    pub async fn finish_scheduled(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE policy_schedule SET done_at = $1 WHERE id = $2 AND done_at IS NULL")
            .bind(now_rfc3339())
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
