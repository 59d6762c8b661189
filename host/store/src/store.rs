//! Storage: one sqlx `Any` pool over SQLite (embedded default: one file, WAL, created and
//! migrated on first use) or PostgreSQL (`postgres://…`), with the same portable migrations.
//! Every multi-row change is one transaction. A database that has a schema is upgraded only on
//! request ([`Store::migrate`]); connecting refuses one behind or ahead of this build (`schema.rs`).

mod access;
mod allocations;
mod applications;
mod backup;
pub mod bulk;
mod decisions;
mod employees;
mod flags;
mod imports;
mod legacy;
mod onboarding;
mod policies;
mod positions;
mod quarter;
mod redact;
mod reports;
mod runs;
mod schema;
mod signing;
mod single;
mod staff;
mod submissions;
mod tls;
mod tokens;
mod waiting;
mod web;

pub use access::{TokenGrant, token_hash};
pub use allocations::RosterEntry;
pub use applications::StoredApplication;
pub use decisions::{DecisionRow, RunKind, StoredDecision, decision_id};
pub use dwa_domain::now_rfc3339;
pub use employees::{EmployeeRecord, UnitRow};
pub use flags::GrantFlag;
pub use onboarding::{RegionRow, UnitRecord};
pub use policies::{
    AuditEntry, ChannelError, NewVersion, POLICY_CHANNEL, PolicyListener, ScheduledActivation, StoredVersion,
    VersionSummary,
};
pub use positions::{PositionChange, PositionEntry, PositionInput, PositionStatus, PositionsWritten};
pub use quarter::{ApplicationEvent, Notification, Placement, QuarterChange, SetAside};
pub use redact::redacted_url;
pub use reports::{DecisionCount, ReasonCount, UnitActivity};
pub use runs::{RunScope, RunSummary, RunWriter, UnitAllocation};
pub use schema::{MigrationInfo, OnConnect, SchemaStatus, expected_version, known_migrations};
pub use signing::{RegionKey, RegionSigning};
pub use single::SingleDecision;
pub use staff::{StaffPage, StaffReader, StaffRow, UnitStaff};
pub use submissions::{GroupCommitStats, NewSubmission};
pub use tokens::{
    DEFAULT_TOKEN_SECONDS, NewToken, StoredToken, TOKEN_CHANNEL, TokenFilter, TokenListener, TokenState, token_id,
    unix_now, unix_rfc3339,
};
pub use waiting::{LiveApplication, StaffMember};
pub use web::{TeamMember, WebSession};

use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use std::str::FromStr;
use std::sync::Arc;

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL is not one we support.
    #[error("unsupported database URL `{0}`: use sqlite://FILE or postgres://…")]
    Url(String),
    /// The database refused or failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// TLS to PostgreSQL could not be set up: the message names the `sslmode` and what was wrong
    /// (the certificate's issuer or names, or the server refusing TLS).
    #[error("{0}")]
    Tls(String),
    /// The schema could not be migrated.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The database has not applied all of this build's migrations (and has applied some: a new
    /// database is migrated on connect). Only `dwa migrate` upgrades it.
    #[error(
        "the database schema is at version {version}, older than this dwa (expects version {expected}; not \
         applied: {pending}); run `dwa migrate` to upgrade it (once, for every replica), or start a single \
         server with `dwa serve --migrate`"
    )]
    SchemaBehind {
        /// The highest migration the database has applied.
        version: i64,
        /// This build's last migration.
        expected: i64,
        /// The migrations it lacks, listed.
        pending: String,
    },
    /// The database has applied a migration this build does not know: a newer `dwa` migrated it.
    #[error(
        "the database schema is at version {version}, newer than this dwa (knows up to {known}); use a dwa of \
         that version or newer (applied by a newer dwa: {unknown})"
    )]
    SchemaAhead {
        /// The highest migration the database has applied.
        version: i64,
        /// This build's last migration.
        known: i64,
        /// The migrations this build does not know, listed.
        unknown: String,
    },
    /// Migrations the database applied differ from this build's copies of them.
    #[error(
        "migrations applied to the database differ from this dwa's copies ({0}): a migration file was edited \
         after it was applied; nothing was changed"
    )]
    SchemaModified(String),
    /// A migration failed partway and sqlx recorded it so.
    #[error(
        "a migration failed partway on this database ({0}): repair the schema by hand, delete that row of \
         _sqlx_migrations and run `dwa migrate` again; nothing was changed"
    )]
    SchemaFailed(String),
    /// An existing database was asked for ([`OnConnect::Existing`]) and there is none.
    #[error("no database at {0}")]
    NoDatabase(String),
    /// A backup could not be written.
    #[error("backup to {path} failed: {reason}")]
    Backup {
        /// The file asked for.
        path: String,
        /// Why.
        reason: String,
    },
    /// A stored value could not be read back (a bug or a hand-edited database).
    #[error("corrupt stored value in {what}: {detail}")]
    Corrupt {
        /// Where.
        what: &'static str,
        /// What.
        detail: String,
    },
    /// A row that must exist does not.
    #[error("{0} not found")]
    NotFound(String),
    /// A write would break a uniqueness or consistency rule.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The transaction that held this submission (with others) failed: nothing of it is stored.
    #[error("the transaction holding this submission failed: {0}")]
    Batch(String),
}

/// Which database is behind the pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite file.
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

/// The database.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// SQLite's turn to write (see [`Store::begin_write`]).
    write_turn: Arc<tokio::sync::Mutex<()>>,
    /// The queue to the submission writer (see `submissions.rs`).
    submissions: Arc<submissions::SubmissionQueue>,
}

/// A write transaction: derefs to the sqlx transaction; on SQLite it holds this process's turn
/// to write until it is committed or dropped.
pub(crate) struct WriteTx {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl std::ops::Deref for WriteTx {
    type Target = sqlx::Transaction<'static, sqlx::Any>;
    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

impl WriteTx {
    /// Commit, then give up the turn.
    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Create a new SQLite database file readable and writable by its owner only (0600): it holds
/// personnel data and token hashes. SQLite gives its `-wal` and `-shm` files the database
/// file's permissions. An existing file is left as it is (its owner chose).
fn create_private(path: &std::path::Path) -> std::io::Result<()> {
    if !on_disk(path) {
        return Ok(());
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Whether a SQLite "path" names a file (not an in-memory database or a `file:` URI).
fn on_disk(path: &std::path::Path) -> bool {
    !(path.as_os_str().is_empty() || path.to_str().is_some_and(|p| p == ":memory:" || p.starts_with("file:")))
}

impl Backend {
    /// The backend a database URL names, if it is one we support.
    pub fn of_url(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite://") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }
}

impl Store {
    /// Connect (creating a SQLite file if needed), migrating a new database and refusing one
    /// whose schema is behind or ahead of this build ([`OnConnect::MigrateFresh`]).
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        Store::connect_with(url, OnConnect::MigrateFresh).await
    }

    /// Connect, doing about the schema what `on` says.
    pub async fn connect_with(url: &str, on: OnConnect) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let (backend, url) = if let Some(path) = url.strip_prefix("sqlite://") {
            let file = std::path::Path::new(path.split('?').next().unwrap_or(path));
            let mode = if on == OnConnect::Existing {
                if on_disk(file) && !file.exists() {
                    return Err(StoreError::NoDatabase(redacted_url(url)));
                }
                "rw"
            } else {
                if let Some(parent) = file.parent()
                    && !parent.as_os_str().is_empty()
                {
                    std::fs::create_dir_all(parent)
                        .map_err(|e| StoreError::Url(format!("{}: {e}", redacted_url(url))))?;
                }
                create_private(file).map_err(|e| StoreError::Url(format!("{}: {e}", redacted_url(url))))?;
                "rwc"
            };
            let sep = if path.contains('?') { '&' } else { '?' };
            (Backend::Sqlite, format!("sqlite://{path}{sep}mode={mode}"))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            (Backend::Postgres, url.to_owned())
        } else {
            return Err(StoreError::Url(redacted_url(url)));
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 16 })
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // Memory-mapped reads and a 64 MiB page cache: fewer read syscalls per query.
                        conn.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA mmap_size = 268435456; PRAGMA cache_size = -65536;")
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(|e| match backend {
                Backend::Postgres => tls::explain(&url, &e).map_or(StoreError::Database(e), StoreError::Tls),
                Backend::Sqlite => StoreError::Database(e),
            })?;
        let store = Store {
            pool,
            backend,
            write_turn: Arc::default(),
            submissions: Arc::default(),
        };
        if on == OnConnect::MigrateFresh {
            store.migrate_fresh().await?;
            store.convert_legacy_decisions().await?;
        }
        Ok(store)
    }

    /// Begin a write transaction. SQLite has one writer: concurrent transactions of this process
    /// take turns here instead of colliding in SQLite, whose busy handler sleeps for
    /// milliseconds at a time (under 64 concurrent submissions that made p99 latency over
    /// 100 ms). PostgreSQL transactions run concurrently as they are.
    pub(crate) async fn begin_write(&self) -> Result<WriteTx, sqlx::Error> {
        let turn = match self.backend {
            Backend::Sqlite => Some(self.write_turn.clone().lock_owned().await),
            Backend::Postgres => None,
        };
        // On SQLite a write transaction takes the database's write lock as it begins
        // (IMMEDIATE), waiting up to the busy timeout for it. A deferred BEGIN would take it
        // only at the first write, and a transaction that reads first then fails at once
        // ("database is locked") when any other connection — a writer outside this turn, or
        // another process — wrote in between.
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(WriteTx { tx, _turn: turn })
    }

    /// The pool, for queries outside this module's helpers.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Rows in `table` (one of the schema's tables).
    pub async fn count(&self, table: &str) -> Result<i64, StoreError> {
        const TABLES: &[&str] = &[
            "regions",
            "units",
            "employees",
            "applications",
            "approvals",
            "decisions",
            "decision_runs",
            "reviews",
            "allocations",
            "roster",
            "guardrail_violations",
            "positions",
            "position_changes",
        ];
        if !TABLES.contains(&table) {
            return Err(StoreError::NotFound(format!("table `{table}`")));
        }
        let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&self.pool)
            .await?;
        Ok(n)
    }

    /// Add a region (no change if it exists).
    pub async fn upsert_region(&self, code: &str, name: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO regions (code, name) VALUES ($1, $2) ON CONFLICT (code) DO UPDATE SET name = excluded.name",
        )
        .bind(code)
        .bind(name)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

/// An enum's snake_case code as stored (its serde name).
pub fn code<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        other => unreachable!("enum codes serialise as strings, got {other:?}"),
    }
}

/// Parse a stored enum code.
pub(crate) fn parse_code<T: DeserializeOwned>(what: &'static str, text: &str) -> Result<T, StoreError> {
    serde_json::from_value(serde_json::Value::String(text.to_owned())).map_err(|e| StoreError::Corrupt {
        what,
        detail: format!("`{text}`: {e}"),
    })
}

/// Parse a stored date or quarter.
pub(crate) fn parse_text<T: FromStr>(what: &'static str, text: &str) -> Result<T, StoreError>
where
    T::Err: std::fmt::Display,
{
    text.parse().map_err(|e: T::Err| StoreError::Corrupt {
        what,
        detail: format!("`{text}`: {e}"),
    })
}

/// A new random id with a readable prefix, e.g. `dec-4f1c…`.
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4().simple())
}

#[cfg(all(test, unix))]
mod tests {
    use super::Store;
    use std::os::unix::fs::PermissionsExt;

    /// The database holds personnel data and token hashes: only its owner may read it, and so
    /// its write-ahead log, whatever the process's umask.
    #[tokio::test]
    async fn a_new_sqlite_database_is_private_to_its_owner() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dwa.db");
        let store = Store::connect(&format!("sqlite://{}", path.display())).await.unwrap();
        store.upsert_region("32", "Provinsi Jawa Barat").await.unwrap();
        for file in [path.clone(), dir.path().join("dwa.db-wal")] {
            let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}: {mode:o}", file.display());
        }
    }
}
