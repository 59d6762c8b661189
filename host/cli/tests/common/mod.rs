//! Shared helpers for the host's integration tests: paths to the real compiled plugins and a
//! loaded policy set over `rules/`.

#![allow(dead_code)]

use dwa_engine::{Limits, PolicyEngine};
use dwa_policy::PolicySet;
use std::path::PathBuf;
use std::sync::Arc;

/// The workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The deployed rules folder, with the built plugins (fails with a hint when they are missing).
pub fn rules_dir() -> PathBuf {
    let dir = root().join("rules");
    for plugin in ["jabar.wasm", "kab_bekasi.wasm"] {
        assert!(
            dir.join(plugin).exists(),
            "rules/{plugin} is missing: run scripts/build-plugins.sh first"
        );
    }
    dir
}

/// Every region's rules from `rules/`, all of which must load and validate.
pub fn policies() -> Arc<PolicySet> {
    load_all(rules_dir())
}

/// Load a rules folder on a thread of its own: plugins run during validation, and the engine
/// refuses calls on an async worker (the tests are async).
pub fn load_all(dir: PathBuf) -> Arc<PolicySet> {
    std::thread::spawn(move || {
        let engine = Arc::new(PolicyEngine::new(Limits::default()).expect("engine"));
        let (set, errors) = PolicySet::load_dir(engine, &dir).expect("rules folder");
        assert!(errors.is_empty(), "rules failed to load: {errors:#?}");
        Arc::new(set)
    })
    .join()
    .expect("rules load")
}

/// Run `f` (which calls plugins) off the async workers and wait for it.
pub fn off_runtime<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    std::thread::spawn(f).join().expect("off-runtime work")
}

/// The PostgreSQL server the tests use (this machine's, trust auth), overridable by
/// `DWA_TEST_POSTGRES`. Tests that need it fail when it is down; they are never skipped.
pub fn postgres_url() -> String {
    std::env::var("DWA_TEST_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// A fresh, empty database for one test: a SQLite file in a temporary folder, or a new schema
/// of its own on the PostgreSQL server. Call [`TestDb::drop_schema`] at the end.
pub struct TestDb {
    /// URL to pass to `Store::connect`.
    pub url: String,
    /// Which backend.
    pub label: &'static str,
    _dir: Option<tempfile::TempDir>,
    schema: Option<String>,
}

impl TestDb {
    /// A new SQLite database.
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/dwa.db", dir.path().display());
        TestDb {
            url,
            label: "sqlite",
            _dir: Some(dir),
            schema: None,
        }
    }

    /// A new schema on the PostgreSQL server.
    pub async fn postgres() -> TestDb {
        use sqlx::Connection;
        let schema = format!("dwa_test_{}", uuid_like());
        let mut conn = sqlx::PgConnection::connect(&postgres_url())
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL at {} is required for this test: {e}", postgres_url()));
        sqlx::query(&format!("CREATE SCHEMA {schema}"))
            .execute(&mut conn)
            .await
            .unwrap();
        let sep = if postgres_url().contains('?') { '&' } else { '?' };
        let url = format!("{}{sep}options=-c%20search_path%3D{schema}", postgres_url());
        TestDb {
            url,
            label: "postgres",
            _dir: None,
            schema: Some(schema),
        }
    }

    /// Both backends.
    pub async fn both() -> Vec<TestDb> {
        vec![TestDb::sqlite(), TestDb::postgres().await]
    }

    /// Remove the PostgreSQL schema (no-op for SQLite).
    pub async fn drop_schema(self) {
        use sqlx::Connection;
        if let Some(schema) = &self.schema {
            let mut conn = sqlx::PgConnection::connect(&postgres_url()).await.unwrap();
            sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
                .execute(&mut conn)
                .await
                .unwrap();
        }
    }
}

fn uuid_like() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{:x}{:x}", nanos, std::process::id())
}

/// A private copy of the deployed rules folder (both regions' manifests and plugins), with a
/// policy set loaded from it — for tests that edit rules without touching `rules/`.
pub fn deployed_copy() -> (tempfile::TempDir, Arc<PolicySet>) {
    let dir = tempfile::tempdir().unwrap();
    for file in ["jabar.wasm", "kab_bekasi.wasm", "32-jabar.toml", "3216-kab-bekasi.toml"] {
        std::fs::copy(rules_dir().join(file), dir.path().join(file)).unwrap();
    }
    let set = load_all(dir.path().to_owned());
    (dir, set)
}

/// sha256 over every table's rows (each row as text, in sorted order), table by table: equal
/// before and after a request means the request changed nothing in the database.
pub async fn database_fingerprint(store: &dwa_store::Store) -> String {
    use dwa_store::Backend;
    use sha2::{Digest, Sha256};
    use sqlx::Row;
    let pool = store.pool();
    let tables: Vec<String> = match store.backend() {
        Backend::Sqlite => sqlx::query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        ),
        Backend::Postgres => sqlx::query(
            "SELECT CAST(table_name AS TEXT) FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1",
        ),
    }
    .fetch_all(pool)
    .await
    .unwrap()
    .iter()
    .map(|r| r.get::<String, _>(0))
    .collect();
    assert!(tables.len() >= 15, "{tables:?}");
    let mut hash = Sha256::new();
    for table in &tables {
        let sql = match store.backend() {
            Backend::Sqlite => {
                let columns: Vec<String> =
                    sqlx::query(&format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid"))
                        .fetch_all(pool)
                        .await
                        .unwrap()
                        .iter()
                        .map(|r| format!("quote(\"{}\")", r.get::<String, _>(0)))
                        .collect();
                format!("SELECT {} FROM \"{table}\"", columns.join(" || '|' || "))
            }
            Backend::Postgres => format!("SELECT CAST(t AS TEXT) FROM \"{table}\" AS t"),
        };
        let mut rows: Vec<String> = sqlx::query(&sql)
            .fetch_all(pool)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<String, _>(0))
            .collect();
        rows.sort();
        hash.update(format!("table {table} {}\n", rows.len()));
        for row in rows {
            hash.update(row.as_bytes());
            hash.update(b"\n");
        }
    }
    hex::encode(hash.finalize())
}

/// `count` civil servants of `unit` (stored with its region first), all like
/// `dwa_sdk::testing::employee()` and appointed on the same day — equal priority and service,
/// so only the quota, the tie-break by NIP and the rotation decide their allocation. NIPs are
/// `nip_prefix` followed by 001, 002, …
pub async fn equal_staff(
    store: &dwa_store::Store,
    region_name: &str,
    unit: &dwa_store::UnitRow,
    nip_prefix: &str,
    appointed_on: dwa_sdk::Date,
    count: u16,
) -> Vec<dwa_store::EmployeeRecord> {
    store.upsert_region(&unit.region, region_name).await.unwrap();
    store.upsert_unit(unit).await.unwrap();
    let sample = dwa_sdk::testing::employee();
    let staff: Vec<dwa_store::EmployeeRecord> = (1..=count)
        .map(|i| dwa_store::EmployeeRecord {
            nip: format!("{nip_prefix}{i:03}"),
            name: format!("Pegawai {i}"),
            employment_type: sample.employment_type,
            region: unit.region.clone(),
            agency: unit.agency.clone(),
            unit: unit.code.clone(),
            position_kind: sample.position_kind,
            echelon: None,
            public_service: false,
            task_category: sample.task_category,
            appointed_on,
            potential: sample.potential,
            unexcused_absence_days: 0,
            supervisor_nip: None,
            ratings: sample.ratings.clone(),
            penalties: vec![],
            position_code: None,
            position_status: Default::default(),
        })
        .collect();
    store.insert_employees(&staff).await.unwrap();
    staff
}

/// SKP ratings (`column` `ratings_json`) or penalties (`penalties_json`) stored on the
/// employees whose NIP is `LIKE nip_like`: the entries of their JSON arrays, summed.
pub async fn history_entries(store: &dwa_store::Store, column: &str, nip_like: &str) -> i64 {
    let length = match store.backend() {
        dwa_store::Backend::Sqlite => format!("json_array_length({column})"),
        dwa_store::Backend::Postgres => format!("json_array_length(CAST({column} AS json))"),
    };
    let (n,): (i64,) = sqlx::query_as(&format!(
        "SELECT CAST(COALESCE(SUM({length}), 0) AS BIGINT) FROM employees WHERE nip LIKE $1"
    ))
    .bind(nip_like)
    .fetch_one(store.pool())
    .await
    .unwrap();
    n
}

/// A new API token of `role` scoped to `region` (no NIP), stored; the token.
pub async fn token(store: &dwa_store::Store, role: dwa_api::Role, region: &str) -> String {
    let token = dwa_api::new_token();
    let grant = dwa_store::TokenGrant {
        role: role.code().into(),
        region: region.into(),
        nip: None,
    };
    store.insert_token(&token, &grant).await.unwrap();
    token
}

/// Wait (bounded: 200 × 50 ms) until `done` answers true; panics naming `what` otherwise.
pub async fn wait_for<F: std::future::Future<Output = bool>>(what: &str, mut done: impl FnMut() -> F) {
    for _ in 0..200 {
        if done().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{what}: not within 10 s");
}
