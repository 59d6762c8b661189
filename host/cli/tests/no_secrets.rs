//! No secrets and no server paths leave the host (issue #18, item 5). The real `dwa` binary
//! runs on PostgreSQL with a URL that carries a password (the local server trusts loopback, so
//! any password connects) and its rules in a folder of its own, logging at debug level; it
//! serves, refuses bad tokens and refuses uploads (a broken manifest, one whose worked example
//! fails, one naming a plugin that is not there). Then:
//!
//! - no line of any command's output or of the server's log contains the password;
//! - no API answer of that run, and no row of the audit trail, contains the rules folder's
//!   absolute path (the file name relative to the folder is what they name).

mod common;

use serde_json::{Value, json};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;

const PASSWORD: &str = "S3cretPw-not-for-logs";
const BEKASI: &str = "3216-kab-bekasi.toml";

/// The running server, killed when dropped.
struct Server {
    child: Child,
    bind: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// One request (`Connection: close`); the status and the body as text.
    fn request(&self, method: &str, path: &str, token: &str, body: Option<&Value>) -> Option<(u16, String)> {
        let mut stream = std::net::TcpStream::connect(&self.bind).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(60))).ok()?;
        let body = body.map(Value::to_string).unwrap_or_default();
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).ok()?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).ok()?;
        let answer = String::from_utf8_lossy(&answer).into_owned();
        let (head, payload) = answer.split_once("\r\n\r\n")?;
        let status = head.split(' ').nth(1)?.parse().ok()?;
        Some((status, payload.to_owned()))
    }
}

/// Run one `dwa` command to completion; its status, its stdout, and stdout and stderr together.
fn dwa(url: &str, rules: &Path, args: &[&str]) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_dwa"))
        .args(args)
        .env("DWA_DATABASE", url)
        .env("DWA_RULES", rules)
        .env("DWA_COMPILE_CACHE", "off")
        .env("RUST_LOG", "debug")
        .output()
        .expect("run dwa");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let text = stdout.clone() + &String::from_utf8_lossy(&output.stderr);
    (output.status.success(), stdout.trim().to_owned(), text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_in_the_database_url_and_the_rules_folder_never_leave_the_host() {
    let db = common::TestDb::postgres().await;
    let url = db.url.replacen("://postgres@", &format!("://postgres:{PASSWORD}@"), 1);
    assert!(
        url.contains(PASSWORD),
        "the test URL has no user part to add a password to: {url}"
    );
    let dir = tempfile::tempdir().unwrap();
    let rules: PathBuf = dir.path().join("deployed-rules");
    std::fs::create_dir(&rules).unwrap();
    for file in ["jabar.wasm", "kab_bekasi.wasm", "32-jabar.toml", BEKASI] {
        std::fs::copy(common::rules_dir().join(file), rules.join(file)).unwrap();
    }
    let mut outputs = Vec::new();
    let (ok, admin, all) = dwa(&url, &rules, &["init"]);
    assert!(ok, "{all}");
    outputs.push(all);
    let (ok, _, all) = dwa(&url, &rules, &["region", "add", "3216", "--name", "Kabupaten Bekasi"]);
    assert!(ok, "{all}");
    outputs.push(all);
    let (ok, author, all) = dwa(
        &url,
        &rules,
        &["token", "create", "--role", "policy-admin", "--region", "3216"],
    );
    assert!(ok, "{all}");
    outputs.push(all);
    // A command that fails on the database names it too: still without the password.
    let (ok, _, failed) = dwa(
        &url.replacen("127.0.0.1:5432", "127.0.0.1:1", 1),
        &rules,
        &["region", "list"],
    );
    assert!(!ok, "{failed}");
    outputs.push(failed);

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let bind = format!("127.0.0.1:{port}");
    let log_path = dir.path().join("serve.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_dwa"))
        .args(["serve", "--bind", &bind, "--today", "2026-12-01"])
        .env("DWA_DATABASE", &url)
        .env("DWA_RULES", &rules)
        .env("DWA_COMPILE_CACHE", "off")
        .env("RUST_LOG", "debug")
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    let mut server = Server { child, bind };
    let mut ready = false;
    for _ in 0..300 {
        if let Some(status) = server.child.try_wait().unwrap() {
            panic!(
                "dwa serve exited with {status}: {}",
                std::fs::read_to_string(&log_path).unwrap()
            );
        }
        if server.request("GET", "/healthz", "", None).is_some() {
            ready = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(ready, "dwa serve did not answer within 30 s");

    // Refused uploads, each a different kind of refusal.
    let manifest = std::fs::read_to_string(rules.join(BEKASI)).unwrap();
    let failing_example = manifest.replacen("eligible = false", "eligible = true", 1);
    assert_ne!(
        failing_example, manifest,
        "Bekasi's manifest has no ineligible worked example"
    );
    let missing_plugin = manifest.replace("plugin = \"kab_bekasi.wasm\"", "plugin = \"absent.wasm\"");
    assert_ne!(missing_plugin, manifest);
    let mut answers = Vec::new();
    for candidate in [
        "region = \"3216\"\nplugin = [",
        failing_example.as_str(),
        missing_plugin.as_str(),
    ] {
        let (status, answer) = server
            .request(
                "POST",
                "/api/policies/3216/versions",
                &author,
                Some(&json!({ "manifest": candidate })),
            )
            .expect("an answer");
        assert!((400..500).contains(&status), "{status}: {answer}");
        answers.push(answer);
    }
    // A refusal the audit trail keeps: signatures required (the key registered through the
    // real binary), then an unsigned upload.
    let key = dir.path().join("bekasi.key");
    for args in [
        vec!["key", "generate", "--out", &*key.to_string_lossy()],
        vec!["region", "key", "add", "3216", &*format!("{}.pub", key.display())],
        vec!["region", "require-signatures", "3216"],
    ] {
        let (ok, _, all) = dwa(&url, &rules, &args);
        assert!(ok, "dwa {args:?}: {all}");
        outputs.push(all);
    }
    let (status, answer) = server
        .request(
            "POST",
            "/api/policies/3216/versions",
            &author,
            Some(&json!({ "manifest": manifest.replace("RSUD", "RSUD-X") })),
        )
        .expect("an answer");
    assert_eq!(status, 422, "{answer}");
    answers.push(answer);
    // And a file drop the watcher refuses (audited with the manifest's name).
    std::fs::write(rules.join(BEKASI), &failing_example).unwrap();
    let mut audited = String::new();
    for _ in 0..300 {
        audited = server
            .request("GET", "/api/policies/3216/audit", &admin, None)
            .expect("an answer")
            .1;
        if audited.matches("\"reject\"").count() >= 2 {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        audited.matches("\"reject\"").count() >= 2,
        "the refused upload and file drop are not both audited: {audited}"
    );
    answers.push(audited);
    // Failed authentications are logged (client, route, reason).
    for _ in 0..3 {
        answers.push(server.request("GET", "/api/policies", "dwa_wrong", None).unwrap().1);
    }
    for path in [
        "/api/policies",
        "/api/policies/3216/audit",
        "/api/policies/3216/versions",
        "/readyz",
    ] {
        let (status, answer) = server.request("GET", path, &admin, None).expect("an answer");
        assert_eq!(status, 200, "{path}: {answer}");
        answers.push(answer);
    }
    drop(server);

    let folder = rules.display().to_string();
    for answer in &answers {
        assert!(
            !answer.contains(&folder),
            "an API answer shows the rules folder: {answer}"
        );
    }
    let store = dwa_store::Store::connect(&db.url).await.unwrap();
    for entry in store.audit("3216").await.unwrap() {
        let row = format!("{entry:?}");
        assert!(!row.contains(&folder), "an audit row shows the rules folder: {row}");
    }
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(log.lines().count() > 5, "the server logged almost nothing: {log}");
    outputs.push(log);
    for output in &outputs {
        for line in output.lines() {
            assert!(!line.contains(PASSWORD), "the password is in a log line: {line}");
        }
    }
    drop(store);
    db.drop_schema().await;
}
