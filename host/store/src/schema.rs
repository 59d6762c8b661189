//! The schema's version: which of this build's migrations a database has applied, and what
//! connecting does about the difference (README, Upgrades and backups).
//!
//! Only `dwa migrate` (or `dwa serve --migrate`) changes the schema of a database that has one:
//! a newer `dwa` run once against production must not upgrade the schema under replicas still
//! running the older one, and an older `dwa` on a newer schema must say so plainly instead of
//! sqlx's "migration 15 was previously applied but is missing". A database with no migrations
//! applied at all (a new SQLite file, an empty PostgreSQL database) is still migrated on connect,
//! so `dwa init` and `dwa seed` need no extra step.

use super::{MIGRATOR, Store, StoreError};
use crate::Backend;
use sqlx::AnyConnection;
use sqlx::migrate::Migrate;

/// What [`Store::connect_with`] does about the database's schema.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OnConnect {
    /// Migrate a database that has no migrations applied (a new one); refuse one whose schema is
    /// behind or ahead of this build ([`StoreError::SchemaBehind`], [`StoreError::SchemaAhead`]).
    /// What every command but `dwa migrate` does.
    #[default]
    MigrateFresh,
    /// Neither migrate nor refuse: the caller reads [`Store::schema_status`] or calls
    /// [`Store::migrate`] (`dwa migrate`, `dwa serve --migrate`). A missing SQLite file is created.
    AsIs,
    /// As [`OnConnect::AsIs`], but a missing SQLite file is refused ([`StoreError::NoDatabase`])
    /// instead of created: reading the schema's state (`dwa migrate --check`) or copying the
    /// database (`dwa backup`) must change nothing, not even create an empty file.
    Existing,
}

/// One migration: its version and description, as sqlx takes them from the file name
/// (`0015_token_lifecycle.sql` is version 15, "token lifecycle").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MigrationInfo {
    /// The version (the file name's number).
    pub version: i64,
    /// What it does (the rest of the file name).
    pub description: String,
}

impl std::fmt::Display for MigrationInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.version, self.description)
    }
}

/// This build's migrations, in order.
pub fn known_migrations() -> Vec<MigrationInfo> {
    MIGRATOR
        .iter()
        .filter(|m| !m.migration_type.is_down_migration())
        .map(|m| MigrationInfo {
            version: m.version,
            description: m.description.to_string(),
        })
        .collect()
}

/// The schema version this build expects: its last migration's.
pub fn expected_version() -> i64 {
    known_migrations().last().map_or(0, |m| m.version)
}

/// Where a database's schema stands against this build's migrations.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SchemaStatus {
    /// This build's migrations the database has applied, in order.
    pub applied: Vec<MigrationInfo>,
    /// This build's migrations the database has not applied yet, in order.
    pub pending: Vec<MigrationInfo>,
    /// Migrations the database has applied that this build does not know: a newer `dwa`'s.
    pub unknown: Vec<MigrationInfo>,
    /// Applied migrations whose recorded checksum differs from this build's copy (the file was
    /// edited after it was applied).
    pub modified: Vec<MigrationInfo>,
    /// Migrations recorded as failed partway (sqlx's "dirty" state).
    pub failed: Vec<MigrationInfo>,
}

/// One row of `_sqlx_migrations`: version, description, success, checksum.
type Recorded = (i64, String, bool, Vec<u8>);

impl SchemaStatus {
    /// Compare the rows sqlx recorded with this build's migrations.
    fn compare(recorded: Vec<Recorded>) -> SchemaStatus {
        let mut status = SchemaStatus::default();
        for migration in MIGRATOR.iter().filter(|m| !m.migration_type.is_down_migration()) {
            let info = MigrationInfo {
                version: migration.version,
                description: migration.description.to_string(),
            };
            match recorded.iter().find(|(version, ..)| *version == migration.version) {
                Some((_, _, true, checksum)) => {
                    if checksum.as_slice() != &*migration.checksum {
                        status.modified.push(info.clone());
                    }
                    status.applied.push(info);
                }
                Some((_, _, false, _)) => status.failed.push(info),
                None => status.pending.push(info),
            }
        }
        for (version, description, success, _) in recorded {
            if !MIGRATOR.version_exists(version) {
                let info = MigrationInfo { version, description };
                if success {
                    status.unknown.push(info);
                } else {
                    status.failed.push(info);
                }
            }
        }
        status
    }

    /// The database's schema version: the highest migration it has applied, known or not
    /// (`None` when it has applied none).
    pub fn version(&self) -> Option<i64> {
        self.applied.iter().chain(&self.unknown).map(|m| m.version).max()
    }

    /// No migration applied or attempted yet: a new database, which any command migrates.
    pub fn is_fresh(&self) -> bool {
        self.applied.is_empty() && self.unknown.is_empty() && self.failed.is_empty()
    }

    /// Exactly this build's migrations, unmodified: every command may run.
    pub fn is_current(&self) -> bool {
        self.pending.is_empty() && self.unknown.is_empty() && self.modified.is_empty() && self.failed.is_empty()
    }

    /// Why no command of this build may run on the database as it is, or `Ok` when it is current.
    pub fn check(&self) -> Result<(), StoreError> {
        self.check_migratable()?;
        if self.pending.is_empty() {
            return Ok(());
        }
        Err(StoreError::SchemaBehind {
            version: self.version().unwrap_or(0),
            expected: expected_version(),
            pending: listed(&self.pending),
        })
    }

    /// Why `dwa migrate` may not upgrade the database (newer than this build, or its recorded
    /// migrations edited or failed), or `Ok`.
    fn check_migratable(&self) -> Result<(), StoreError> {
        // The newer schema first: that operator needs another binary, not a repair.
        if !self.unknown.is_empty() {
            return Err(StoreError::SchemaAhead {
                version: self.version().unwrap_or(0),
                known: expected_version(),
                unknown: listed(&self.unknown),
            });
        }
        if !self.failed.is_empty() {
            return Err(StoreError::SchemaFailed(listed(&self.failed)));
        }
        if !self.modified.is_empty() {
            return Err(StoreError::SchemaModified(listed(&self.modified)));
        }
        Ok(())
    }
}

/// Migrations for a message: "14 unit local reads, 15 token lifecycle".
fn listed(migrations: &[MigrationInfo]) -> String {
    migrations
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Read `_sqlx_migrations` on `conn`, which sqlx creates only when it first migrates: a
/// database without it has applied nothing (and is left without it).
async fn read_status(conn: &mut AnyConnection, backend: Backend) -> Result<SchemaStatus, StoreError> {
    let exists = match backend {
        Backend::Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
        // Resolved through the search path, as sqlx's own queries of the table are.
        Backend::Postgres => "SELECT CASE WHEN to_regclass('_sqlx_migrations') IS NULL THEN 0 ELSE 1 END",
    };
    let (exists,): (i64,) = sqlx::query_as(exists).fetch_one(&mut *conn).await?;
    if exists == 0 {
        return Ok(SchemaStatus::compare(vec![]));
    }
    // `success` is a BOOLEAN on PostgreSQL and an integer on SQLite: compared, it reads the same.
    let rows: Vec<(i64, String, i64, Vec<u8>)> = sqlx::query_as(
        "SELECT version, description, CASE WHEN success THEN 1 ELSE 0 END, checksum FROM _sqlx_migrations \
         ORDER BY version",
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(SchemaStatus::compare(
        rows.into_iter()
            .map(|(version, description, success, checksum)| (version, description, success != 0, checksum))
            .collect(),
    ))
}

impl Store {
    /// Where the database's schema stands against this build's migrations. Changes nothing.
    pub async fn schema_status(&self) -> Result<SchemaStatus, StoreError> {
        let mut conn = self.pool.acquire().await?;
        read_status(&mut conn, self.backend).await
    }

    /// Apply this build's pending migrations, in order, then convert decisions stored by
    /// versions before migration 0006; the migrations applied (none when the schema was
    /// current). Refused, changing nothing, when the database is ahead of this build or its
    /// recorded migrations were edited or failed partway.
    pub async fn migrate(&self) -> Result<Vec<MigrationInfo>, StoreError> {
        let applied = self.migrate_locked(false).await?;
        self.convert_legacy_decisions().await?;
        Ok(applied)
    }

    /// [`OnConnect::MigrateFresh`]: nothing to do on a current schema; migrate a new database;
    /// refuse any other.
    pub(crate) async fn migrate_fresh(&self) -> Result<(), StoreError> {
        if self.schema_status().await?.is_current() {
            return Ok(());
        }
        self.migrate_locked(true).await.map(drop)
    }

    /// Decide and migrate under sqlx's migration lock (an advisory lock on PostgreSQL): several
    /// replicas started at once on a new database would otherwise see each other's migrations
    /// half done and take that for a schema behind. With `only_fresh`, a database that has
    /// applied some migrations is refused rather than upgraded.
    async fn migrate_locked(&self, only_fresh: bool) -> Result<Vec<MigrationInfo>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let outcome: Result<Vec<MigrationInfo>, StoreError> = async {
            conn.lock().await?;
            let status = read_status(&mut conn, self.backend).await?;
            if only_fresh && !status.is_fresh() {
                status.check()?;
            }
            status.check_migratable()?;
            if !status.pending.is_empty() {
                MIGRATOR.run_direct(&mut *conn).await?;
            }
            Ok(status.pending)
        }
        .await;
        // Closed rather than returned to the pool: the session ends and with it every advisory
        // lock it holds (sqlx takes the lock again inside `run_direct` and keeps it on an error).
        let _ = conn.close().await;
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::{OnConnect, SchemaStatus, expected_version, known_migrations};
    use crate::{Store, StoreError};

    /// The rows sqlx records for this build's migrations up to `last`.
    fn recorded_up_to(last: i64) -> Vec<super::Recorded> {
        super::MIGRATOR
            .iter()
            .filter(|m| m.version <= last)
            .map(|m| (m.version, m.description.to_string(), true, m.checksum.to_vec()))
            .collect()
    }

    #[test]
    fn a_database_is_fresh_current_behind_or_ahead() {
        let known = known_migrations();
        let (last, before) = (expected_version(), known[known.len() - 2].version);

        let fresh = SchemaStatus::compare(vec![]);
        assert!(fresh.is_fresh() && !fresh.is_current());
        assert_eq!((fresh.version(), fresh.pending.len()), (None, known.len()));

        let current = SchemaStatus::compare(recorded_up_to(last));
        assert!(current.is_current() && !current.is_fresh());
        assert_eq!(current.version(), Some(last));
        current.check().unwrap();

        let behind = SchemaStatus::compare(recorded_up_to(before));
        assert_eq!(behind.pending, known[known.len() - 1..]);
        let message = behind.check().unwrap_err().to_string();
        assert!(
            matches!(behind.check(), Err(StoreError::SchemaBehind { version, expected, .. })
            if version == before && expected == last)
        );
        assert!(message.contains("dwa migrate"), "{message}");

        let mut newer = recorded_up_to(last);
        newer.push((last + 1, "from a newer dwa".into(), true, vec![0]));
        let ahead = SchemaStatus::compare(newer);
        assert_eq!(ahead.version(), Some(last + 1));
        assert_eq!(
            ahead.check().unwrap_err().to_string(),
            format!(
                "the database schema is at version {}, newer than this dwa (knows up to {last}); use a dwa of \
                 that version or newer (applied by a newer dwa: {} from a newer dwa)",
                last + 1,
                last + 1
            )
        );

        let mut edited = recorded_up_to(last);
        edited[0].3 = vec![1, 2, 3];
        let edited = SchemaStatus::compare(edited);
        assert!(
            matches!(edited.check(), Err(StoreError::SchemaModified(_))),
            "{edited:?}"
        );

        let mut failed = recorded_up_to(last);
        failed.last_mut().unwrap().2 = false;
        let failed = SchemaStatus::compare(failed);
        assert!(matches!(failed.check(), Err(StoreError::SchemaFailed(_))), "{failed:?}");
    }

    /// A SQLite database with this build's migrations up to `last` applied, as an earlier
    /// version left it.
    async fn sqlite_up_to(url: &str, last: i64) {
        let store = Store::connect_with(url, OnConnect::AsIs).await.unwrap();
        let mut migrator =
            sqlx::migrate::Migrator::new(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations"))
                .await
                .unwrap();
        migrator.migrations = migrator
            .migrations
            .iter()
            .filter(|m| m.version <= last)
            .cloned()
            .collect::<Vec<_>>()
            .into();
        migrator.run(store.pool()).await.unwrap();
        store.pool().close().await;
    }

    #[tokio::test]
    async fn only_a_new_database_is_migrated_on_connect() {
        let dir = tempfile::tempdir().unwrap();
        let known = known_migrations();
        let (last, before) = (expected_version(), known[known.len() - 2].version);

        // New: migrated on connect.
        let url = format!("sqlite://{}", dir.path().join("new.db").display());
        let store = Store::connect(&url).await.unwrap();
        assert!(store.schema_status().await.unwrap().is_current());
        assert_eq!(store.migrate().await.unwrap(), [], "nothing left to apply");

        // A newer dwa's: refused on connect and by `migrate`, readable as it is.
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
                     VALUES ($1, 'from a newer dwa', $2, $3, 0)",
        )
        .bind(last + 1)
        .bind(true)
        .bind(vec![0u8])
        .execute(store.pool())
        .await
        .unwrap();
        store.pool().close().await;
        let refused = Store::connect(&url).await.err().expect("refused");
        assert!(
            matches!(refused, StoreError::SchemaAhead { version, known, .. } if version == last + 1 && known == last)
        );
        let store = Store::connect_with(&url, OnConnect::Existing).await.unwrap();
        assert_eq!(store.schema_status().await.unwrap().unknown[0].version, last + 1);
        assert!(matches!(store.migrate().await, Err(StoreError::SchemaAhead { .. })));
        store.pool().close().await;

        // Behind: refused on connect; `migrate` applies the missing migration, once.
        let url = format!("sqlite://{}", dir.path().join("old.db").display());
        sqlite_up_to(&url, before).await;
        let refused = Store::connect(&url).await.err().expect("refused");
        assert!(
            matches!(refused, StoreError::SchemaBehind { version, expected, .. } if version == before && expected == last)
        );
        let store = Store::connect_with(&url, OnConnect::AsIs).await.unwrap();
        assert_eq!(store.migrate().await.unwrap(), known[known.len() - 1..]);
        store.pool().close().await;
        Store::connect(&url).await.unwrap();

        // Asked for an existing database: a missing file is refused, not created.
        let missing = dir.path().join("missing.db");
        let url = format!("sqlite://{}", missing.display());
        assert!(matches!(
            Store::connect_with(&url, OnConnect::Existing).await,
            Err(StoreError::NoDatabase(_))
        ));
        assert!(!missing.exists());
    }
}
