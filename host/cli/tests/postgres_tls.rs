//! PostgreSQL over TLS (issue 18, item 6). The test makes its own CA and a server certificate
//! for `localhost` and 127.0.0.1, and runs a private PostgreSQL 15 that accepts only TLS
//! (`hostssl` alone in pg_hba) on a free port of 127.0.0.1 and 127.0.0.2 — the shared server on
//! 5432 stays as other tests and CI use it. Against it, through `dwa_store::Store::connect` and
//! the `dwa serve` binary:
//! - `sslmode=verify-full&sslrootcert=<ca>` connects by name and by address, migrates and
//!   works, and the server reports the session as encrypted;
//! - verify-full refuses a certificate from another CA, a host (127.0.0.2) the certificate
//!   does not name, and a CA the system does not know when no sslrootcert is given — each at
//!   once, with a message naming sslmode and the certificate problem, not a pool timeout;
//! - `sslmode=require` connects where the name does not match (it checks nothing), verify-ca
//!   checks the CA (and, in sqlx 0.8.6, the name too), and `sslmode=disable` is refused by the
//!   TLS-only server;
//! - `dwa serve` starts over verify-full with a password-bearing URL without printing the
//!   password, and fails to start, with the TLS reason, when the CA is wrong.
//!
//! PostgreSQL refuses to run as root (CI's user): initdb and postgres run as the `postgres`
//! OS user, in a temporary directory that user owns.

mod common;

use dwa_store::{Store, StoreError};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
};
use sqlx::Connection;
use std::io::{Read, Write};
use std::os::unix::fs::{PermissionsExt, chown};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = "/usr/lib/postgresql/15/bin";
/// A password in every URL the test gives `dwa serve`: trust auth ignores it, and no line the
/// binary prints may contain it.
const PASSWORD: &str = "S3cretPw";

/// A CA made for this test: its certificate as PEM, and what signs with it.
struct Authority {
    pem: String,
    params: CertificateParams,
    key: KeyPair,
}

impl Authority {
    fn new(name: &str) -> Authority {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let pem = params.self_signed(&key).unwrap().pem();
        Authority { pem, params, key }
    }

    /// A server certificate for `names` (DNS names or IP addresses): (certificate, key) as PEM.
    fn server(&self, names: &[&str]) -> (String, String) {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).unwrap();
        params.distinguished_name.push(DnType::CommonName, names[0]);
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let cert = params
            .signed_by(&key, &Issuer::from_params(&self.params, &self.key))
            .unwrap();
        (cert.pem(), key.serialize_pem())
    }
}

/// The `postgres` OS user's uid and gid.
fn postgres_user() -> (u32, u32) {
    let id = |flag: &str| -> u32 {
        let out = Command::new("id").args([flag, "postgres"]).output().unwrap();
        assert!(out.status.success(), "no `postgres` OS user: {out:?}");
        String::from_utf8(out.stdout).unwrap().trim().parse().unwrap()
    };
    (id("-u"), id("-g"))
}

/// A private PostgreSQL that speaks only TLS, stopped (fast shutdown, then killed) when
/// dropped — also when the test fails.
struct Postgres {
    dir: tempfile::TempDir,
    port: u16,
    child: Child,
}

impl Postgres {
    fn start(cert_pem: &str, key_pem: &str) -> Postgres {
        let (uid, gid) = postgres_user();
        let dir = tempfile::tempdir().unwrap();
        chown(dir.path(), Some(uid), Some(gid)).unwrap();
        let as_postgres = |program: &str| {
            let mut command = Command::new(Path::new(BIN).join(program));
            command.uid(uid).gid(gid).current_dir(dir.path());
            command
        };
        let data = dir.path().join("data");
        let out = as_postgres("initdb")
            .args([
                "-D",
                path(&data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
            ])
            .args(["--no-sync", "--no-instructions"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // Only TLS over TCP: a plain connection finds no pg_hba entry, so every connection that
        // succeeds below is encrypted.
        std::fs::write(
            data.join("pg_hba.conf"),
            "local all all trust\nhostssl all all 127.0.0.0/8 trust\n",
        )
        .unwrap();
        // The key must be the server user's and private, or postgres refuses to start.
        let (cert, key) = (dir.path().join("server.crt"), dir.path().join("server.key"));
        std::fs::write(&cert, cert_pem).unwrap();
        std::fs::write(&key, key_pem).unwrap();
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
        for file in [&cert, &key] {
            chown(file, Some(uid), Some(gid)).unwrap();
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = std::fs::File::create(dir.path().join("postgres.log")).unwrap();
        let settings = [
            // 127.0.0.2 is on loopback too, and not in the certificate.
            "listen_addresses=127.0.0.1,127.0.0.2".to_owned(),
            format!("port={port}"),
            format!("unix_socket_directories={}", path(dir.path())),
            "ssl=on".to_owned(),
            format!("ssl_cert_file={}", path(&cert)),
            format!("ssl_key_file={}", path(&key)),
            "fsync=off".to_owned(),
        ];
        let mut command = as_postgres("postgres");
        command.args(["-D", path(&data)]);
        for setting in &settings {
            command.args(["-c", setting]);
        }
        let child = command.stdout(Stdio::null()).stderr(log).spawn().unwrap();
        Postgres { dir, port, child }
    }

    /// Wait until the server accepts a TLS session: 300 tries, 100 ms apart, and at most 30 s.
    async fn ready(&mut self) {
        let url = self.url("127.0.0.1", "sslmode=require");
        let start = Instant::now();
        let mut last = String::new();
        for _ in 0..300 {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("postgres exited with {status}: {}", self.log());
            }
            match tokio::time::timeout(Duration::from_secs(5), sqlx::PgConnection::connect(&url)).await {
                Ok(Ok(conn)) => {
                    let _ = conn.close().await;
                    return;
                }
                Ok(Err(e)) => last = e.to_string(),
                Err(_) => last = "connect timed out".to_owned(),
            }
            if start.elapsed() > Duration::from_secs(30) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("postgres did not accept TLS within 30 s ({last}): {}", self.log());
    }

    /// A URL to this server's `postgres` database at `host`, with `query` (sslmode and so on).
    fn url(&self, host: &str, query: &str) -> String {
        format!("postgres://postgres@{host}:{}/postgres?{query}", self.port)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("postgres.log")).unwrap_or_default()
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        // SIGINT is PostgreSQL's fast shutdown: sessions are ended, not waited for.
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        for _ in 0..100 {
            if !matches!(self.child.try_wait(), Ok(None)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 temporary path")
}

/// `Store::connect`, bounded: a connection that fails must fail well before sqlx's 30 s pool
/// timeout, so a hang shows as a failure here rather than a slow test.
async fn connect(url: &str) -> Result<Store, StoreError> {
    tokio::time::timeout(Duration::from_secs(20), Store::connect(url))
        .await
        .unwrap_or_else(|_| panic!("Store::connect({url}) took over 20 s"))
}

/// Whether the session that answers on `store`'s pool is encrypted, by the server's own account.
async fn encrypted(store: &Store) -> bool {
    let (ssl,): (bool,) = sqlx::query_as("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .fetch_one(store.pool())
        .await
        .unwrap();
    ssl
}

/// The message of a connection that must fail at TLS.
async fn tls_refusal(url: &str) -> String {
    match connect(url).await {
        Err(StoreError::Tls(message)) => message,
        Err(other) => panic!("{url}: expected a TLS refusal, got {other:?}"),
        Ok(_) => panic!("{url}: connected, but it must be refused"),
    }
}

#[tokio::test]
async fn verify_full_against_a_private_tls_server() {
    let started = Instant::now();
    let ca = Authority::new("DWA test CA");
    let (cert, key) = ca.server(&["localhost", "127.0.0.1"]);
    let mut server = Postgres::start(&cert, &key);
    server.ready().await;

    let certs = tempfile::tempdir().unwrap();
    let ca_file = certs.path().join("pg-ca.pem");
    std::fs::write(&ca_file, &ca.pem).unwrap();
    let other_file = certs.path().join("other-ca.pem");
    std::fs::write(&other_file, Authority::new("Some other CA").pem).unwrap();
    let verify_full = format!("sslmode=verify-full&sslrootcert={}", path(&ca_file));

    // By name: the certificate is checked against our CA and `localhost`; then real work — the
    // migrations ran on connect, and a write and a read go over the encrypted session.
    let store = connect(&server.url("localhost", &verify_full)).await.unwrap();
    store.upsert_region("3216", "Kabupaten Bekasi").await.unwrap();
    assert_eq!(store.count("regions").await.unwrap(), 1);
    assert!(encrypted(&store).await, "the server says the session is not encrypted");
    store.pool().close().await;

    // By address: 127.0.0.1 is in the certificate as an IP address.
    let store = connect(&server.url("127.0.0.1", &verify_full)).await.unwrap();
    assert_eq!(store.count("regions").await.unwrap(), 1, "same database, migrated once");
    assert!(encrypted(&store).await);
    store.pool().close().await;

    // Refusals, each immediate and saying why.
    let refusals_started = Instant::now();
    let other = tls_refusal(&server.url(
        "localhost",
        &format!("sslmode=verify-full&sslrootcert={}", path(&other_file)),
    ))
    .await;
    assert!(other.contains("sslmode=verify-full"), "{other}");
    assert!(other.contains("not signed by"), "{other}");
    assert!(
        other.contains(path(&other_file)),
        "the message names the CA file: {other}"
    );

    let wrong_host = tls_refusal(&server.url("127.0.0.2", &verify_full)).await;
    assert!(wrong_host.contains("sslmode=verify-full"), "{wrong_host}");
    assert!(wrong_host.contains("does not name `127.0.0.2`"), "{wrong_host}");

    let no_ca = tls_refusal(&server.url("localhost", "sslmode=verify-full")).await;
    assert!(no_ca.contains("not signed by the system's CAs"), "{no_ca}");
    for message in [&other, &wrong_host, &no_ca] {
        eprintln!("refused: {message}");
        assert!(!message.contains("timed out"), "{message}");
    }
    assert!(
        refusals_started.elapsed() < Duration::from_secs(10),
        "the refusals took {:?}: they must not wait for the pool's timeout",
        refusals_started.elapsed()
    );

    // verify-ca checks the CA. sqlx 0.8.6 checks the name too (its NoHostnameTlsVerifier lets
    // through only rustls's old `NotValidForName`, sqlx issue 3793): stricter than libpq, and
    // the README says so — this fails once sqlx stops, and the README must then change.
    let verify_ca = format!("sslmode=verify-ca&sslrootcert={}", path(&ca_file));
    let store = connect(&server.url("localhost", &verify_ca)).await.unwrap();
    assert!(encrypted(&store).await);
    store.pool().close().await;
    let by_address = tls_refusal(&server.url("127.0.0.2", &verify_ca)).await;
    assert!(by_address.contains("checks it under verify-ca too"), "{by_address}");
    // require encrypts without checking the certificate.
    let store = connect(&server.url("127.0.0.2", "sslmode=require")).await.unwrap();
    assert_eq!(store.count("regions").await.unwrap(), 1);
    assert!(encrypted(&store).await);
    store.pool().close().await;

    // Without TLS the server has no entry for the connection: the successes above were TLS.
    match connect(&server.url("127.0.0.1", "sslmode=disable")).await {
        Err(e) => assert!(e.to_string().contains("no encryption"), "{e}"),
        Ok(_) => panic!("a plain connection to the TLS-only server succeeded"),
    }

    serve_over_tls(&server, &ca_file, &other_file);
    eprintln!("postgres_tls: {:?} in all", started.elapsed());
}

/// `dwa serve` over verify-full with a password in its URL: it serves, its start-up line does
/// not show the password; with the wrong CA it stops at once with the TLS reason.
fn serve_over_tls(server: &Postgres, ca_file: &Path, other_file: &Path) {
    let (rules, _policies) = common::deployed_copy();
    let logs = tempfile::tempdir().unwrap();
    let database = |ca: &Path| {
        format!(
            "postgres://postgres:{PASSWORD}@localhost:{}/postgres?sslmode=verify-full&sslrootcert={}",
            server.port,
            path(ca)
        )
    };
    let spawn = |ca: &Path, log: &Path| -> Serve {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_dwa"))
            .args(["serve", "--bind", &format!("127.0.0.1:{port}"), "--today", "2026-12-01"])
            .env("DWA_DATABASE", database(ca))
            .env("DWA_RULES", rules.path())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(log).unwrap())
            .spawn()
            .unwrap();
        Serve { child, port }
    };

    let log = logs.path().join("serve.log");
    let mut serve = spawn(ca_file, &log);
    // Bounded wait for /healthz: 300 tries, 100 ms apart.
    let mut up = false;
    for _ in 0..300 {
        if let Some(status) = serve.child.try_wait().unwrap() {
            panic!("dwa serve exited with {status}: {}", read(&log));
        }
        if serve.healthz() {
            up = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(up, "dwa serve did not answer within 30 s: {}", read(&log));
    drop(serve);
    let printed = read(&log);
    assert!(printed.contains("serving regions"), "{printed}");
    assert!(!printed.contains(PASSWORD), "the password was printed: {printed}");

    let log = logs.path().join("refused.log");
    let mut refused = spawn(other_file, &log);
    let mut status = None;
    for _ in 0..150 {
        status = refused.child.try_wait().unwrap();
        if status.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let printed = read(&log);
    let status = status.unwrap_or_else(|| panic!("dwa serve with the wrong CA still runs after 15 s: {printed}"));
    assert!(!status.success(), "{printed}");
    assert!(
        printed.contains("TLS to PostgreSQL at localhost:") && printed.contains("sslmode=verify-full"),
        "{printed}"
    );
    assert!(printed.contains("not signed by"), "{printed}");
    assert!(!printed.contains(PASSWORD), "the password was printed: {printed}");
}

/// A running `dwa serve`, stopped (SIGTERM, then waited for) when dropped.
struct Serve {
    child: Child,
    port: u16,
}

impl Serve {
    fn healthz(&self) -> bool {
        let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
        if stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .is_err()
        {
            return false;
        }
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        answer.starts_with("HTTP/1.1 200")
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .stderr(Stdio::null())
            .status();
        // Bounded: 100 tries, 100 ms apart, then killed.
        for _ in 0..100 {
            if !matches!(self.child.try_wait(), Ok(None)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read(file: &Path) -> String {
    std::fs::read_to_string(file).unwrap_or_default()
}
