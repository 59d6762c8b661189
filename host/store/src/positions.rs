//! The position catalogue (migration 0012): per region, which positions (jabatan, by their
//! code in the national position reference) qualify for the dynamic working arrangement —
//! eligible, excluded or under review — with who changed each entry and when, and every change
//! kept in `position_changes`.

use super::{Store, StoreError, now_rfc3339};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use std::collections::HashMap;

/// Whether a position qualifies, as the region has decided so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PositionStatus {
    /// The position's work involves no face-to-face public service: it may work anywhere.
    Eligible,
    /// The position is excluded (e.g. it serves the public face to face).
    Excluded,
    /// Not decided yet: the region is still identifying the positions that qualify.
    UnderReview,
}

impl PositionStatus {
    /// The code stored and shown in the API (`eligible`, `excluded`, `under_review`).
    pub fn code(self) -> &'static str {
        match self {
            PositionStatus::Eligible => "eligible",
            PositionStatus::Excluded => "excluded",
            PositionStatus::UnderReview => "under_review",
        }
    }

    /// The status of a stored code.
    pub fn parse(code: &str) -> Option<PositionStatus> {
        [
            PositionStatus::Eligible,
            PositionStatus::Excluded,
            PositionStatus::UnderReview,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }
}

/// One entry of a region's catalogue as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PositionEntry {
    /// Region code.
    pub region: String,
    /// Code in the national position reference.
    pub code: String,
    /// Name, e.g. `Analis Kebijakan Ahli Muda`.
    pub name: String,
    /// Whether it qualifies.
    pub status: PositionStatus,
    /// Why, in the words of whoever decided (may be empty).
    pub note: String,
    /// Who made the last change (the signed-in role and NIP, or `dwa import`).
    pub changed_by: String,
    /// When (RFC 3339, UTC).
    pub changed_at: String,
}

/// One entry as an import or an edit proposes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PositionInput {
    /// Code in the national position reference.
    pub code: String,
    /// Name.
    pub name: String,
    /// Whether it qualifies.
    pub status: PositionStatus,
    /// Why (may be empty).
    pub note: String,
}

/// One change to the catalogue, for its audit trail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PositionChange {
    /// Position code.
    pub code: String,
    /// The status before; `None` when the change added the entry.
    pub status_before: Option<PositionStatus>,
    /// The status after.
    pub status_after: PositionStatus,
    /// The name after.
    pub name: String,
    /// The note given with the change.
    pub note: String,
    /// Who.
    pub changed_by: String,
    /// When (RFC 3339, UTC).
    pub changed_at: String,
    /// `import` or `edit`.
    pub via: String,
}

/// What writing a set of entries changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PositionsWritten {
    /// Entries that did not exist.
    pub added: usize,
    /// Entries whose name, status or note changed.
    pub changed: usize,
    /// Entries given exactly as stored (not touched, no change recorded).
    pub unchanged: usize,
}

fn status_of(code: &str) -> Result<PositionStatus, StoreError> {
    PositionStatus::parse(code).ok_or_else(|| StoreError::Corrupt {
        what: "positions.status",
        detail: format!("`{code}` is not a position status"),
    })
}

fn entry(r: &sqlx::any::AnyRow) -> Result<PositionEntry, StoreError> {
    Ok(PositionEntry {
        region: r.try_get("region")?,
        code: r.try_get("code")?,
        name: r.try_get("name")?,
        status: status_of(&r.try_get::<String, _>("status")?)?,
        note: r.try_get("note")?,
        changed_by: r.try_get("changed_by")?,
        changed_at: r.try_get("changed_at")?,
    })
}

const ENTRY_COLUMNS: &str = "region, code, name, status, note, changed_by, changed_at";

impl Store {
    /// A region's catalogue, by code.
    pub async fn positions(&self, region: &str) -> Result<Vec<PositionEntry>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {ENTRY_COLUMNS} FROM positions WHERE region = $1 ORDER BY code"
        ))
        .bind(region)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(entry).collect()
    }

    /// One entry of a region's catalogue.
    pub async fn position(&self, region: &str, code: &str) -> Result<Option<PositionEntry>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {ENTRY_COLUMNS} FROM positions WHERE region = $1 AND code = $2"
        ))
        .bind(region)
        .bind(code)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(entry).transpose()
    }

    /// The changes to one entry (or, with `code` `None`, to the whole catalogue), oldest first.
    pub async fn position_changes(&self, region: &str, code: Option<&str>) -> Result<Vec<PositionChange>, StoreError> {
        let rows = sqlx::query(
            "SELECT code, status_before, status_after, name, note, changed_by, changed_at, via \
             FROM position_changes WHERE region = $1 AND ($2 IS NULL OR code = $2) \
             ORDER BY changed_at, code",
        )
        .bind(region)
        .bind(code)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PositionChange {
                    code: r.try_get("code")?,
                    status_before: r
                        .try_get::<Option<String>, _>("status_before")?
                        .map(|s| status_of(&s))
                        .transpose()?,
                    status_after: status_of(&r.try_get::<String, _>("status_after")?)?,
                    name: r.try_get("name")?,
                    note: r.try_get("note")?,
                    changed_by: r.try_get("changed_by")?,
                    changed_at: r.try_get("changed_at")?,
                    via: r.try_get("via")?,
                })
            })
            .collect()
    }

    /// Add or change `entries` of `region`'s catalogue in one transaction, recording each change
    /// with `by` and `via` (`import` or `edit`); entries given exactly as stored are left alone.
    /// The codes must be distinct (the import checks).
    pub async fn write_positions(
        &self,
        region: &str,
        entries: &[PositionInput],
        by: &str,
        via: &str,
    ) -> Result<PositionsWritten, StoreError> {
        let mut tx = self.begin_write().await?;
        let stored: HashMap<String, (String, String, String)> =
            sqlx::query("SELECT code, name, status, note FROM positions WHERE region = $1")
                .bind(region)
                .fetch_all(&mut **tx)
                .await?
                .iter()
                .map(|r| {
                    Ok((
                        r.try_get("code")?,
                        (r.try_get("name")?, r.try_get("status")?, r.try_get("note")?),
                    ))
                })
                .collect::<Result<_, sqlx::Error>>()?;
        let now = now_rfc3339();
        let mut written = PositionsWritten::default();
        for e in entries {
            let before = stored.get(&e.code);
            let status = e.status.code();
            match before {
                Some((name, s, note)) if *name == e.name && s == status && *note == e.note => {
                    written.unchanged += 1;
                    continue;
                }
                Some(_) => {
                    written.changed += 1;
                    sqlx::query(
                        "UPDATE positions SET name = $3, status = $4, note = $5, changed_by = $6, changed_at = $7 \
                         WHERE region = $1 AND code = $2",
                    )
                }
                None => {
                    written.added += 1;
                    sqlx::query(
                        "INSERT INTO positions (region, code, name, status, note, changed_by, changed_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                }
            }
            .bind(region)
            .bind(&e.code)
            .bind(&e.name)
            .bind(status)
            .bind(&e.note)
            .bind(by)
            .bind(&now)
            .execute(&mut **tx)
            .await?;
            sqlx::query(
                "INSERT INTO position_changes \
                 (region, code, status_before, status_after, name, note, changed_by, changed_at, via) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(region)
            .bind(&e.code)
            .bind(before.map(|(_, s, _)| s.as_str()))
            .bind(status)
            .bind(&e.name)
            .bind(&e.note)
            .bind(by)
            .bind(&now)
            .bind(via)
            .execute(&mut **tx)
            .await?;
        }
        tx.commit().await?;
        Ok(written)
    }
}
