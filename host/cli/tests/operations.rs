//! Provincial IT's upgrades and backups with the real `dwa` binary (README, Upgrades and
//! backups):
//! - a rolling upgrade, on SQLite and on PostgreSQL: on a database a newer `dwa` migrated (a
//!   row of a higher version in `_sqlx_migrations`, which is how sqlx records it) `dwa serve`,
//!   `dwa token create` and `dwa migrate` refuse with the plain "newer than this dwa" message —
//!   never sqlx's — and change nothing; on a database without this dwa's last migration
//!   `dwa serve` is refused naming both versions and `dwa migrate`, which applies it, and then
//!   serves;
//! - `dwa backup` of a seeded SQLite database while `dwa serve` runs on it (and while it is
//!   written to): a new 0600 file, never an overwrite; restored by copying it back, the database
//!   has exactly the rows it had at the backup. For PostgreSQL the command names pg_dump, with the
//!   password redacted.

mod common;

use dwa_store::{MigrationInfo, OnConnect, Store};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// One host: a database URL and a folder of its own (rules, logs, compile cache).
struct Host {
    url: String,
    dir: tempfile::TempDir,
}

impl Host {
    fn new(url: &str) -> Host {
        Host {
            url: url.to_owned(),
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_dwa"));
        command
            .args(args)
            .env("DWA_DATABASE", &self.url)
            .env("DWA_RULES", self.dir.path().join("rules"))
            .env("DWA_DATA_DIR", self.dir.path())
            .env("DWA_COMPILE_CACHE", "off");
        command
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run dwa")
    }

    /// A command that must succeed; its stdout.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.status.success(), "dwa {args:?} failed: {}", text(&out.stderr));
        text(&out.stdout)
    }

    /// A command that must be refused with `why` on stderr; its stdout.
    fn refused(&self, args: &[&str], why: &str) -> String {
        let out = self.run(args);
        let stderr = text(&out.stderr);
        assert!(
            !out.status.success(),
            "dwa {args:?} was not refused: {}",
            text(&out.stdout)
        );
        assert!(stderr.contains(why), "dwa {args:?}: expected {why:?} in: {stderr}");
        assert!(!stderr.contains("previously applied"), "sqlx's own message: {stderr}");
        text(&out.stdout)
    }

    /// `dwa serve` (with `extra` arguments), which must exit at once, refused with `why`.
    fn serve_refused(&self, extra: &[&str], why: &str) {
        let mut server = Server::spawn(self, extra);
        for _ in 0..300 {
            if let Some(status) = server.child.try_wait().unwrap() {
                assert!(!status.success(), "dwa serve exited with {status}");
                let log = server.log();
                assert!(log.contains(why), "dwa serve: expected {why:?} in: {log}");
                assert!(!log.contains("previously applied"), "sqlx's own message: {log}");
                return;
            }
            assert!(
                server.get("/healthz").is_none(),
                "dwa serve {extra:?} served: {}",
                server.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("dwa serve {extra:?} neither served nor exited within 30 s");
    }

    /// `dwa serve` (with `extra` arguments), answering /healthz.
    fn serve(&self, extra: &[&str]) -> Server {
        let mut server = Server::spawn(self, extra);
        for _ in 0..300 {
            if let Some(status) = server.child.try_wait().unwrap() {
                panic!("dwa serve exited with {status}: {}", server.log());
            }
            if server
                .get("/healthz")
                .is_some_and(|answer| answer.starts_with("HTTP/1.1 200"))
            {
                return server;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("dwa serve did not answer within 30 s: {}", server.log());
    }

    /// The database's content (every table's rows, `_sqlx_migrations` included), read without
    /// touching the schema.
    async fn fingerprint(&self) -> String {
        let store = Store::connect_with(&self.url, OnConnect::Existing).await.unwrap();
        let fingerprint = common::database_fingerprint(&store).await;
        store.pool().close().await;
        fingerprint
    }
}

/// A running `dwa serve`, stopped (SIGTERM, then waited for) when dropped.
struct Server {
    child: Child,
    bind: String,
    log: PathBuf,
}

impl Server {
    fn spawn(host: &Host, extra: &[&str]) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let bind = format!("127.0.0.1:{port}");
        let log = host.dir.path().join(format!("serve-{port}.log"));
        let child = host
            .command(&[&["serve", "--bind", &bind][..], extra].concat())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        Server { child, bind, log }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// GET `path`: the raw answer, or `None` when nothing answers.
    fn get(&self, path: &str) -> Option<String> {
        let mut stream = std::net::TcpStream::connect(&self.bind).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
        write!(stream, "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").ok()?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).ok()?;
        Some(text(&answer))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Only a child still running: the id of one already waited for may be another's now.
        if let Ok(None) = self.child.try_wait() {
            let _ = Command::new("kill")
                .args(["-TERM", &self.child.id().to_string()])
                .status();
            let _ = self.child.wait();
        }
    }
}

/// This dwa's migrations up to and including `last` applied to `url`: a database as an
/// earlier version left it.
async fn migrate_up_to(url: &str, last: i64) {
    let store = Store::connect_with(url, OnConnect::AsIs).await.unwrap();
    let dir = common::root().join("host/store/migrations");
    let mut migrator = sqlx::migrate::Migrator::new(dir).await.unwrap();
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

async fn rolling_upgrade(current: common::TestDb, older: common::TestDb) {
    let label = current.label;
    let known = dwa_store::known_migrations();
    let last: MigrationInfo = known.last().unwrap().clone();
    let before = known[known.len() - 2].version;

    // A new database: created by `dwa init`, exactly this dwa's schema.
    let host = Host::new(&current.url);
    host.ok(&["init"]);
    let check = host.ok(&["migrate", "--check"]);
    assert!(
        check.contains(&format!(
            "schema version {}; this dwa expects {}",
            last.version, last.version
        )),
        "{check}"
    );
    assert!(
        check.contains(&format!("applied  {:>4} {}", last.version, last.description)),
        "{check}"
    );
    assert!(!check.contains("pending"), "{check}");
    let said = host.ok(&["migrate"]);
    assert!(said.contains("nothing to apply"), "{label}: {said}");

    // A newer dwa migrated it: every command of this one refuses, and changes nothing.
    let newer = last.version + 1;
    let store = Store::connect(&current.url).await.unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES ($1, 'from a newer dwa', $2, $3, 0)",
    )
    .bind(newer)
    .bind(true)
    .bind(vec![0u8; 48])
    .execute(store.pool())
    .await
    .unwrap();
    store.pool().close().await;
    let content = host.fingerprint().await;
    let ahead = format!(
        "the database schema is at version {newer}, newer than this dwa (knows up to {}); use a dwa of that \
         version or newer",
        last.version
    );
    host.serve_refused(&[], &ahead);
    host.serve_refused(&["--migrate"], &ahead);
    host.refused(&["token", "create", "--role", "hr", "--region", "32"], &ahead);
    host.refused(&["migrate"], &ahead);
    let check = host.refused(&["migrate", "--check"], &ahead);
    assert!(
        check.contains(&format!("unknown  {newer:>4} from a newer dwa")),
        "{label}: {check}"
    );
    assert_eq!(
        host.fingerprint().await,
        content,
        "{label}: a refused command changed the database"
    );

    // Without this dwa's last migration (as the previous version left it, with its data): refused
    // by `dwa serve` until `dwa migrate` applies it, once.
    migrate_up_to(&older.url, before).await;
    let host = Host::new(&older.url);
    let store = Store::connect_with(&older.url, OnConnect::AsIs).await.unwrap();
    sqlx::query("INSERT INTO regions (code, name) VALUES ('32', 'Provinsi Jawa Barat')")
        .execute(store.pool())
        .await
        .unwrap();
    store.pool().close().await;
    let content = host.fingerprint().await;
    let behind = format!(
        "the database schema is at version {before}, older than this dwa (expects version {}",
        last.version
    );
    host.serve_refused(&[], &behind);
    host.serve_refused(&[], "run `dwa migrate`");
    host.refused(&["token", "create", "--role", "hr", "--region", "32"], &behind);
    let check = host.refused(&["migrate", "--check"], &behind);
    assert!(
        check.contains(&format!("pending  {:>4} {}", last.version, last.description)),
        "{label}: {check}"
    );
    assert_eq!(
        host.fingerprint().await,
        content,
        "{label}: a refused command changed the database"
    );

    let said = host.ok(&["migrate"]);
    assert!(
        said.contains(&format!("applied {} {}\n", last.version, last.description)),
        "{label}: {said}"
    );
    assert_eq!(
        said.matches("applied ").count(),
        1,
        "{label}: only the missing one: {said}"
    );
    host.ok(&["migrate", "--check"]);
    let server = host.serve(&[]);
    drop(server);
    let token = host.ok(&["token", "create", "--role", "hr", "--region", "32"]);
    let store = Store::connect(&older.url).await.unwrap();
    assert!(store.token_grant(token.trim()).await.unwrap().is_some(), "{label}");
    store.pool().close().await;

    current.drop_schema().await;
    older.drop_schema().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rolling_upgrade_on_sqlite() {
    rolling_upgrade(common::TestDb::sqlite(), common::TestDb::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rolling_upgrade_on_postgres() {
    rolling_upgrade(common::TestDb::postgres().await, common::TestDb::postgres().await).await;
}

/// `dwa serve --migrate` upgrades a database of the previous version itself (one server on
/// SQLite), and a new database needs no step at all.
#[tokio::test(flavor = "multi_thread")]
async fn a_single_server_may_migrate_as_it_starts() {
    let db = common::TestDb::sqlite();
    let known = dwa_store::known_migrations();
    migrate_up_to(&db.url, known[known.len() - 2].version).await;
    let host = Host::new(&db.url);
    let server = host.serve(&["--migrate"]);
    let log = server.log();
    let last = known.last().unwrap();
    assert!(
        log.contains(&format!("applied migration {} {}", last.version, last.description)),
        "{log}"
    );
    drop(server);
    host.ok(&["migrate", "--check"]);
}

fn sqlite_file(url: &str) -> PathBuf {
    PathBuf::from(url.strip_prefix("sqlite://").unwrap())
}

/// The mode bits of `path`.
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test(flavor = "multi_thread")]
async fn a_live_sqlite_database_is_backed_up_and_restored() {
    let db = common::TestDb::sqlite();
    let host = Host::new(&db.url);
    host.ok(&["seed", "--employees", "300"]);
    let hr = host.ok(&["token", "create", "--role", "hr", "--region", "3216"]);
    let server = host.serve(&[]);

    // A quiet moment: the copy holds exactly what the database holds.
    let content = host.fingerprint().await;
    let backup = host.dir.path().join("backup.db");
    let said = host.ok(&["backup", backup.to_str().unwrap()]);
    assert!(said.contains("backed up"), "{said}");
    assert_eq!(mode(&backup), 0o600, "as private as the database");
    let copied = std::fs::read(&backup).unwrap();
    host.refused(&["backup", backup.to_str().unwrap()], "never overwrites");
    assert_eq!(
        std::fs::read(&backup).unwrap(),
        copied,
        "the existing file is left as it was"
    );

    // While the database is written to: still a whole database, of some moment in between.
    let tokens = |url: &str| {
        let url = url.to_owned();
        async move {
            let store = Store::connect_with(&url, OnConnect::Existing).await.unwrap();
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM api_tokens")
                .fetch_one(store.pool())
                .await
                .unwrap();
            store.pool().close().await;
            n
        }
    };
    let first = tokens(&db.url).await;
    let writer = {
        let url = db.url.clone();
        std::thread::spawn(move || {
            let host = Host::new(&url);
            for _ in 0..8 {
                host.ok(&["token", "create", "--role", "hr", "--region", "3216"]);
            }
            8
        })
    };
    std::thread::sleep(Duration::from_millis(300));
    let busy = host.dir.path().join("busy.db");
    host.ok(&["backup", busy.to_str().unwrap()]);
    let written: i64 = writer.join().unwrap();
    let busy_url = format!("sqlite://{}", busy.display());
    let store = Store::connect_with(&busy_url, OnConnect::Existing).await.unwrap();
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(integrity, "ok");
    store.pool().close().await;
    let in_copy = tokens(&busy_url).await;
    assert!(
        (first..=first + written).contains(&in_copy),
        "{first} ≤ {in_copy} ≤ {}",
        first + written
    );

    // Restore: stop serving, put the copy back (with no stale write-ahead log beside it).
    let later = host.ok(&["token", "create", "--role", "hr", "--region", "3216"]);
    drop(server);
    let file = sqlite_file(&db.url);
    for stale in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{stale}", file.display()));
    }
    std::fs::copy(&backup, &file).unwrap();
    assert_eq!(mode(&file), 0o600);
    assert_eq!(
        host.fingerprint().await,
        content,
        "the restored database is the backed-up one"
    );
    let store = Store::connect(&db.url).await.unwrap();
    assert!(store.token_grant(hr.trim()).await.unwrap().is_some());
    assert!(
        store.token_grant(later.trim()).await.unwrap().is_none(),
        "made after the backup"
    );
    store.pool().close().await;
    drop(host.serve(&[]));

    // Nothing to copy: refused, and no database created.
    let missing = host.dir.path().join("missing.db");
    let nowhere = Host::new(&format!("sqlite://{}", missing.display()));
    nowhere.refused(
        &["backup", host.dir.path().join("x.db").to_str().unwrap()],
        "no database at",
    );
    assert!(!missing.exists() && !host.dir.path().join("x.db").exists());
}

#[test]
fn postgres_is_backed_up_with_pg_dump() {
    let host = Host::new("postgres://dwa:S3cretPw@db.internal:5432/dwa?sslmode=verify-full");
    let target = host.dir.path().join("dwa.dump");
    let out = host.run(&["backup", target.to_str().unwrap()]);
    let stderr = text(&out.stderr);
    assert!(!out.status.success(), "no backup was made, so no success: {stderr}");
    let command = format!(
        "pg_dump --format=custom --file='{}' --dbname='postgres://dwa:***@db.internal:5432/dwa?sslmode=verify-full'",
        target.display()
    );
    assert!(stderr.contains(&command), "{stderr}");
    assert!(stderr.contains("pg_restore"), "{stderr}");
    assert!(!stderr.contains("S3cretPw") && !text(&out.stdout).contains("S3cretPw"));
    assert!(!target.exists());
}
