//! Bringing regions on board: the province on an empty database with its first credential,
//! further regions, and organisational units with their hierarchy (migration 0007).

use super::{Store, StoreError, TokenGrant, now_rfc3339};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use std::collections::HashSet;

/// A region (the province, a regency or a city) with its BPS code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionRow {
    /// BPS code: `32` for the province, 4 digits for a regency or city.
    pub code: String,
    /// Name, e.g. `Kabupaten Bekasi`.
    pub name: String,
}

/// An organisational unit as the unit import writes it: [`super::UnitRow`] plus the fields of
/// the national personnel system's unor export.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitRecord {
    /// Unit id (code).
    pub code: String,
    /// Region code.
    pub region: String,
    /// Agency (OPD) code.
    pub agency: String,
    /// Name.
    pub name: String,
    /// Parent unit id; `None` for a top unit.
    pub parent: Option<String>,
    /// Echelon of the unit's head, 1–4.
    pub echelon: Option<u8>,
    /// The head's position.
    pub head_position: Option<String>,
    /// Whether the unit is still in use.
    pub active: bool,
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
}

impl Store {
    /// Every region, by code.
    pub async fn regions(&self) -> Result<Vec<RegionRow>, StoreError> {
        let rows = sqlx::query("SELECT code, name FROM regions ORDER BY code")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(RegionRow {
                    code: r.try_get("code")?,
                    name: r.try_get("name")?,
                })
            })
            .collect()
    }

    /// On a database without regions, add `province` and store `admin_token`'s hash with its
    /// grant, in one transaction. [`StoreError::Conflict`] (and nothing written) when any
    /// region exists already.
    pub async fn initialise(
        &self,
        province: &RegionRow,
        admin_token: &str,
        grant: &TokenGrant,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let existing: Vec<String> = sqlx::query("SELECT code FROM regions ORDER BY code LIMIT 5")
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .map(|r| r.try_get("code"))
            .collect::<Result<_, _>>()?;
        if !existing.is_empty() {
            return Err(StoreError::Conflict(format!(
                "the database is already initialised (it has region {})",
                existing.join(", ")
            )));
        }
        let already = || StoreError::Conflict("the database is already initialised".into());
        sqlx::query("INSERT INTO regions (code, name) VALUES ($1, $2)")
            .bind(&province.code)
            .bind(&province.name)
            .execute(&mut **tx)
            .await
            // Two concurrent initialisations on PostgreSQL both see no region; one insert wins.
            .map_err(|e| if is_unique_violation(&e) { already() } else { e.into() })?;
        let lifetime = crate::tokens::NewToken {
            created_by: Some("dwa init".into()),
            ..crate::tokens::NewToken::default_lifetime()
        };
        crate::tokens::insert_query(admin_token, grant, &lifetime, now_rfc3339())
            .execute(&mut **tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Add a region; [`StoreError::Conflict`] when its code exists.
    pub async fn insert_region(&self, region: &RegionRow) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO regions (code, name) VALUES ($1, $2)")
            .bind(&region.code)
            .bind(&region.name)
            .execute(&self.pool)
            .await
            .map_err(|e| {
                if is_unique_violation(&e) {
                    StoreError::Conflict(format!("region {} already exists", region.code))
                } else {
                    e.into()
                }
            })?;
        Ok(())
    }

    /// Insert units in one transaction, in the order given (a parent before its children);
    /// [`StoreError::Conflict`] and nothing written when a unit id exists.
    pub async fn insert_unit_records(&self, units: &[UnitRecord]) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        for u in units {
            sqlx::query(
                "INSERT INTO units (code, region, agency, name, parent, echelon, head_position, active) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&u.code)
            .bind(&u.region)
            .bind(&u.agency)
            .bind(&u.name)
            .bind(u.parent.as_deref())
            .bind(u.echelon.map(i64::from))
            .bind(u.head_position.as_deref())
            .bind(i64::from(u.active))
            .execute(&mut **tx)
            .await
            .map_err(|e| {
                if is_unique_violation(&e) {
                    StoreError::Conflict(format!("unit {} already exists", u.code))
                } else {
                    e.into()
                }
            })?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A region's units with their hierarchy, by code.
    pub async fn unit_records(&self, region: &str) -> Result<Vec<UnitRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT code, region, agency, name, parent, echelon, head_position, active FROM units \
             WHERE region = $1 ORDER BY code",
        )
        .bind(region)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(UnitRecord {
                    code: r.try_get("code")?,
                    region: r.try_get("region")?,
                    agency: r.try_get("agency")?,
                    name: r.try_get("name")?,
                    parent: r.try_get("parent")?,
                    echelon: r.try_get::<Option<i64>, _>("echelon")?.map(|e| e as u8),
                    head_position: r.try_get("head_position")?,
                    active: r.try_get::<i64, _>("active")? != 0,
                })
            })
            .collect()
    }

    /// Codes of the units no longer active.
    pub async fn inactive_units(&self) -> Result<HashSet<String>, StoreError> {
        let rows = sqlx::query("SELECT code FROM units WHERE active = 0")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok(r.try_get("code")?)).collect()
    }
}
