//! The host's logs as provincial IT reads them (issue #22, item 2): the real `dwa serve` with
//! `--log-format json` on a fresh SQLite database. Every line on stderr is one JSON object;
//! every request has an id — the client's `X-Request-Id` when sane, else a made one — echoed in
//! the answer (401s included) and carried by every line of that request; one access line per
//! request names the route template, status, client and the caller's role and token id; and no
//! line contains a token or the NIP from a request's path.

mod common;

use serde_json::Value;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command};
use std::time::Duration;

/// A NIP that only ever appears in a request's path.
const NIP: &str = "198507232010011004";

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

/// An answer: status and headers (names lower-cased).
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

impl Server {
    /// One GET (`Connection: close`) with extra header lines.
    fn get(&self, path: &str, extra: &[(&str, &str)]) -> Option<Answer> {
        let mut stream = std::net::TcpStream::connect(&self.bind).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
        let extra: String = extra.iter().map(|(n, v)| format!("{n}: {v}\r\n")).collect();
        let request = format!("GET {path} HTTP/1.1\r\nHost: x\r\n{extra}Connection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).ok()?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).ok()?;
        let answer = String::from_utf8_lossy(&answer).into_owned();
        let (head, _) = answer.split_once("\r\n\r\n")?;
        let mut lines = head.lines();
        let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        Some(Answer { status, headers })
    }
}

/// Run one `dwa` command to completion; its stdout (it must succeed).
fn dwa(url: &str, rules: &Path, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_dwa"))
        .args(args)
        .env("DWA_DATABASE", url)
        .env("DWA_RULES", rules)
        .env("DWA_COMPILE_CACHE", "off")
        .env_remove("RUST_LOG")
        .output()
        .expect("run dwa");
    assert!(
        output.status.success(),
        "dwa {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// The lines of the log whose span carries `id`.
fn lines_of<'a>(lines: &'a [Value], id: &str) -> Vec<&'a Value> {
    lines.iter().filter(|l| l["span"]["request_id"] == id).collect()
}

/// The access line of the request `id`.
fn access_line<'a>(lines: &'a [Value], id: &str) -> &'a Value {
    let found: Vec<_> = lines_of(lines, id)
        .into_iter()
        .filter(|l| l["target"] == "dwa_api::access")
        .collect();
    assert_eq!(found.len(), 1, "one access line for request {id}: {lines:#?}");
    found[0]
}

#[test]
fn json_logs_carry_request_ids_and_an_access_line_without_personal_data() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/dwa.db", dir.path().display());
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    for file in ["jabar.wasm", "kab_bekasi.wasm", "32-jabar.toml", "3216-kab-bekasi.toml"] {
        std::fs::copy(common::rules_dir().join(file), rules.join(file)).unwrap();
    }
    let admin = dwa(&url, &rules, &["init"]);
    dwa(&url, &rules, &["region", "add", "3216", "--name", "Kabupaten Bekasi"]);
    let hr = dwa(&url, &rules, &["token", "create", "--role", "hr", "--region", "3216"]);
    assert!(admin.starts_with("dwa_") && hr.starts_with("dwa_"), "{admin} / {hr}");

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let bind = format!("127.0.0.1:{port}");
    let log_path = dir.path().join("serve.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_dwa"))
        .args([
            "serve",
            "--bind",
            &bind,
            "--today",
            "2026-12-01",
            "--log-format",
            "json",
        ])
        .env("DWA_DATABASE", &url)
        .env("DWA_RULES", &rules)
        .env("DWA_COMPILE_CACHE", "off")
        .env_remove("RUST_LOG")
        .env_remove("DWA_LOG_FORMAT")
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    let mut server = Server { child, bind };
    // Bounded wait for the server: 300 tries, 100 ms apart.
    let mut up = false;
    for _ in 0..300 {
        if let Some(status) = server.child.try_wait().unwrap() {
            panic!(
                "dwa serve exited with {status}: {}",
                std::fs::read_to_string(&log_path).unwrap()
            );
        }
        if server.get("/healthz", &[]).is_some() {
            up = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(up, "dwa serve did not answer within 30 s");

    // A request id given, on an authenticated request.
    let given = server
        .get(
            "/api/regions",
            &[
                ("X-Request-Id", "test-req-123"),
                ("Authorization", &format!("Bearer {hr}")),
            ],
        )
        .unwrap();
    assert_eq!(given.status, 200);
    assert_eq!(given.header("x-request-id"), Some("test-req-123"));
    // None given: one is made.
    let made = server.get("/readyz", &[]).unwrap();
    let made_id = made.header("x-request-id").expect("a made request id").to_owned();
    assert!(
        made_id.len() >= 16 && made_id.bytes().all(|b| b.is_ascii_hexdigit()),
        "{made_id}"
    );
    // An insane one (too long) is replaced.
    let long = "x".repeat(500);
    let replaced = server.get("/healthz", &[("X-Request-Id", &long)]).unwrap();
    assert_ne!(replaced.header("x-request-id"), Some(long.as_str()));
    // A bad token: 401, still with its id.
    let bad_token = "dwa_00000000000000000000000000000000notarealtoken";
    let refused = server
        .get(
            "/api/regions",
            &[
                ("X-Request-Id", "bad-token-1"),
                ("Authorization", &format!("Bearer {bad_token}")),
            ],
        )
        .unwrap();
    assert_eq!(refused.status, 401);
    assert_eq!(refused.header("x-request-id"), Some("bad-token-1"));
    // A NIP in the path, by the provincial admin.
    let employee = server
        .get(
            &format!("/api/employees/{NIP}"),
            &[
                ("X-Request-Id", "nip-req-1"),
                ("Authorization", &format!("Bearer {admin}")),
            ],
        )
        .unwrap();
    assert_eq!(employee.header("x-request-id"), Some("nip-req-1"));
    let employee_status = employee.status;

    // Failed authentications until the address is throttled: the 429 carries its id too.
    let mut throttled = None;
    for attempt in 0..40 {
        let id = format!("throttle-{attempt}");
        let answer = server
            .get(
                "/api/regions",
                &[("X-Request-Id", &id), ("Authorization", &format!("Bearer {bad_token}"))],
            )
            .unwrap();
        assert_eq!(answer.header("x-request-id"), Some(id.as_str()));
        if answer.status == 429 {
            throttled = Some(id);
            break;
        }
    }
    let throttled = throttled.expect("throttled within 40 failed authentications");
    let last = server.get("/healthz", &[("X-Request-Id", "last-req")]).unwrap();
    assert_eq!(last.header("x-request-id"), Some("last-req"));

    // The access line is written once the answer is sent: wait for the last one.
    let mut text = String::new();
    for _ in 0..100 {
        text = std::fs::read_to_string(&log_path).unwrap();
        if text.contains("last-req")
            && text
                .lines()
                .filter(|l| l.contains("last-req"))
                .any(|l| l.contains("dwa_api::access"))
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(server);
    let lines: Vec<Value> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
        .collect();
    assert!(!lines.is_empty());

    let access = access_line(&lines, "test-req-123");
    assert_eq!(access["route"], "/api/regions", "{access}");
    assert_eq!(access["method"], "GET", "{access}");
    assert_eq!(access["status"], 200, "{access}");
    assert_eq!(access["client"], "127.0.0.1", "{access}");
    assert_eq!(access["role"], "hr", "{access}");
    let token_id = access["token_id"].as_str().expect("a token id");
    assert!(
        token_id.len() == 16 && token_id.bytes().all(|b| b.is_ascii_hexdigit()),
        "{access}"
    );
    assert!(access["latency_ms"].as_f64().is_some(), "{access}");
    assert_eq!(access["span"]["role"], "hr", "{access}");

    let access = access_line(&lines, &made_id);
    assert_eq!(
        (access["route"].as_str(), access["status"].as_u64()),
        (Some("/readyz"), Some(200))
    );
    assert!(access.get("role").is_none(), "unauthenticated: {access}");

    // The refused token: its warning and its access line carry its id; no role.
    let refused_lines = lines_of(&lines, "bad-token-1");
    assert!(
        refused_lines.iter().any(|l| l["message"] == "authentication failed"),
        "{refused_lines:#?}"
    );
    let access = access_line(&lines, "bad-token-1");
    assert_eq!((access["status"].as_u64(), access.get("role")), (Some(401), None));

    let access = access_line(&lines, "nip-req-1");
    assert_eq!(access["route"], "/api/employees/{nip}", "{access}");
    assert_eq!(access["status"].as_u64(), Some(u64::from(employee_status)));
    assert_eq!(access["role"], "provincial-admin", "{access}");

    let access = access_line(&lines, &throttled);
    assert_eq!(access["status"].as_u64(), Some(429), "{access}");

    for line in text.lines() {
        assert!(!line.contains(NIP), "a NIP in the log: {line}");
        for secret in [admin.as_str(), hr.as_str(), bad_token] {
            assert!(!line.contains(secret), "a token in the log: {line}");
        }
    }
}
