//! What the end-to-end tests share: the real `dwa` binary with a private compiled-plugin cache,
//! rules folders with the hostile fixture beside the deployed plugins, a seeded SQLite file,
//! and a running `dwa serve` spoken to over loopback HTTP, with a concurrent load generator.
//! Every wait is bounded in count and time.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A command's stdout and stderr together.
pub fn output_text(out: &Output) -> String {
    format!("{}{}", text(&out.stdout), text(&out.stderr))
}

/// `dwa` with its compiled-plugin cache and data folder under `work` (shared by the calls of a
/// test, so each plugin is compiled once).
pub fn dwa_command(work: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dwa"));
    command
        .env("DWA_DATA_DIR", work.join("data"))
        .env_remove("DWA_COMPILE_CACHE")
        .env("RUST_LOG", "warn");
    command
}

/// The hostile fixture as built by `scripts/build-plugins.sh`.
pub fn hostile_wasm() -> PathBuf {
    let path = root().join("target/wasm32-wasip2/plugin/dwa_fixture_hostile.wasm");
    assert!(
        path.exists(),
        "{} is missing: run scripts/build-plugins.sh first",
        path.display()
    );
    path
}

/// A manifest for `region` naming the hostile plugin with `params` (TOML lines): the province's
/// manifest, parameters and worked examples, for another region.
pub fn hostile_manifest(region: &str, params: &str) -> String {
    let province = std::fs::read_to_string(root().join("rules/32-jabar.toml")).unwrap();
    let mut out = String::new();
    let mut in_guardrails = false;
    for line in province.lines() {
        if line.starts_with('[') {
            in_guardrails = line == "[guardrails]";
        }
        if in_guardrails {
            continue;
        }
        let line = match line {
            "region = \"32\"" => format!("region = \"{region}\""),
            "name = \"Provinsi Jawa Barat\"" => "name = \"Kota Bandung (hostile test plugin)\"".to_owned(),
            "plugin = \"jabar.wasm\"" => "plugin = \"hostile.wasm\"".to_owned(),
            "[parameters]" => format!("[parameters]\n{params}"),
            other => other.to_owned(),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// A rules folder `work/rules-<name>` with the province's and Bekasi's deployed rules and the
/// hostile plugin under `3273-hostile.toml` = `manifest`.
pub fn rules_with(work: &Path, name: &str, manifest: &str) -> PathBuf {
    let slug: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let dir = work.join(format!("rules-{slug}"));
    std::fs::create_dir_all(&dir).unwrap();
    let deployed = root().join("rules");
    for file in ["jabar.wasm", "kab_bekasi.wasm", "32-jabar.toml", "3216-kab-bekasi.toml"] {
        std::fs::copy(deployed.join(file), dir.join(file)).unwrap();
    }
    std::fs::copy(hostile_wasm(), dir.join("hostile.wasm")).unwrap();
    std::fs::write(dir.join("3273-hostile.toml"), manifest).unwrap();
    dir
}

/// Rows in a table of a SQLite file.
pub fn count_rows(db: &Path, table: &str) -> usize {
    // `table` may carry a condition: `applications WHERE nip = '…'`.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        use sqlx::Connection;
        let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&mut conn)
            .await
            .unwrap();
        n as usize
    })
}

/// An employee's NIP and bearer token.
pub type Person = (String, String);

/// A seeded database and the tokens the tests use.
pub struct Seeded {
    /// The provincial admin's token.
    pub admin: String,
    /// Kabupaten Bekasi's employees with tokens.
    pub bekasi: Vec<Person>,
    /// Kota Bandung's employees with tokens.
    pub bandung: Vec<Person>,
    /// Kota Bandung's HR token.
    pub bandung_hr: String,
}

impl Seeded {
    /// The first employee of `region` with a token.
    pub fn employee_of(&self, region: &str) -> Person {
        match region {
            "3216" => self.bekasi[0].clone(),
            _ => self.bandung[0].clone(),
        }
    }
}

/// Seed `db` with `employees` in `regions` (BPS codes, comma separated) and create tokens.
pub fn seed(work: &Path, db: &Path, regions: &str, employees: usize) -> Seeded {
    let run = |args: &[&str]| {
        let out = dwa_command(work)
            .env("DWA_DATABASE", format!("sqlite://{}", db.display()))
            .env("DWA_RULES", root().join("rules"))
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "dwa {args:?}: {}", output_text(&out));
        text(&out.stdout)
    };
    run(&["seed", "--employees", &employees.to_string(), "--regions", regions]);
    let people = |region: &str| -> Vec<Person> {
        run(&[
            "token",
            "create",
            "--role",
            "employee",
            "--region",
            region,
            "--each-employee",
            "400",
        ])
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(nip, token)| (nip.to_owned(), token.to_owned()))
        .collect()
    };
    Seeded {
        admin: run(&["token", "create", "--role", "provincial-admin", "--region", "32"])
            .trim()
            .to_owned(),
        bekasi: people("3216"),
        bandung: people("3273"),
        bandung_hr: run(&["token", "create", "--role", "hr", "--region", "3273"])
            .trim()
            .to_owned(),
    }
}

/// A running `dwa serve` on a free loopback port; stopped when dropped.
pub struct Server {
    child: Child,
    /// `127.0.0.1:PORT`.
    pub bind: String,
    log: PathBuf,
}

impl Server {
    /// Serve `db` with `rules` (evaluation date 2027-03-15) and wait, bounded, until ready.
    pub fn start(work: &Path, db: &Path, rules: &Path) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let bind = format!("127.0.0.1:{port}");
        let log = work.join(format!("serve-{port}.log"));
        let child = dwa_command(work)
            .args(["serve", "--bind", &bind, "--today", "2027-03-15"])
            .env("DWA_DATABASE", format!("sqlite://{}", db.display()))
            .env("DWA_RULES", rules)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let mut server = Server { child, bind, log };
        // Bounded: 600 tries, 50 ms apart (start-up validates every region's worked examples).
        for _ in 0..600 {
            if let Some(status) = server.child.try_wait().unwrap() {
                panic!("dwa serve exited with {status} during start-up: {}", server.log_text());
            }
            if let Some((200, _)) = server.try_request("GET", "/readyz", None, None) {
                return server;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("dwa serve was not ready within 30 s: {}", server.log_text());
    }

    /// What the server logged.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn try_request(&self, method: &str, path: &str, token: Option<&str>, body: Option<&str>) -> Option<(u16, String)> {
        http(&self.bind, method, path, token, body)
    }

    /// One request; panics (with the server's log) when the server does not answer.
    pub fn request(&self, method: &str, path: &str, token: Option<&str>, body: Option<&str>) -> (u16, String) {
        self.try_request(method, path, token, body)
            .unwrap_or_else(|| panic!("no answer to {method} {path}: {}", self.log_text()))
    }

    /// `GET path`.
    pub fn get(&self, path: &str, token: Option<&str>) -> (u16, String) {
        self.request("GET", path, token, None)
    }

    /// Submit an application for `quarter` as `person`.
    pub fn submit(&self, person: &Person, quarter: &str) -> (u16, String) {
        self.request(
            "POST",
            "/api/applications",
            Some(&person.1),
            Some(&submit_body(&person.0, quarter)),
        )
    }

    /// The status entry of one manifest (`GET /api/policies`).
    pub fn policy_status(&self, admin: &str, manifest: &str) -> serde_json::Value {
        let (code, body) = self.get("/api/policies", Some(admin));
        assert_eq!(code, 200, "{body}");
        let all: Vec<serde_json::Value> = serde_json::from_str(&body).unwrap();
        all.into_iter()
            .find(|s| s["manifest"] == manifest)
            .unwrap_or_else(|| panic!("no status for {manifest} in {body}"))
    }

    /// Load attempts of a manifest so far.
    pub fn attempts(&self, admin: &str, manifest: &str) -> u64 {
        let status = self.policy_status(admin, manifest);
        status["attempts_ok"].as_u64().unwrap() + status["attempts_failed"].as_u64().unwrap()
    }

    /// Wait (bounded: 600 × 50 ms) until a manifest has more than `seen` load attempts; its status.
    pub fn wait_for_attempt(&self, admin: &str, manifest: &str, seen: u64) -> serde_json::Value {
        for _ in 0..600 {
            let status = self.policy_status(admin, manifest);
            if status["attempts_ok"].as_u64().unwrap() + status["attempts_failed"].as_u64().unwrap() > seen {
                return status;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("{manifest} was not reloaded within 30 s: {}", self.log_text());
    }

    /// The unit of an employee.
    pub fn unit_of(&self, token: &str, nip: &str) -> String {
        let (code, body) = self.get(&format!("/api/employees/{nip}"), Some(token));
        assert_eq!(code, 200, "{body}");
        let employee: serde_json::Value = serde_json::from_str(&body).unwrap();
        employee["unit"].as_str().unwrap().to_owned()
    }

    /// A unit's roster for a quarter, as answered.
    pub fn roster(&self, token: &str, unit: &str, quarter: &str) -> String {
        self.get(&format!("/api/roster?unit={unit}&quarter={quarter}"), Some(token))
            .1
    }

    /// Allocate one unit's quarter.
    pub fn allocate(&self, token: &str, unit: &str, quarter: &str) -> (u16, String) {
        let body = format!(r#"{{"quarter":"{quarter}","unit":"{unit}"}}"#);
        self.request("POST", "/api/allocations", Some(token), Some(&body))
    }

    /// Submit applications of `people` from `threads` threads until stopped: each person once
    /// for each quarter from 2027-Q2 to 2029-Q4 (so every submission is a new one), bounded by
    /// that and by 10 minutes.
    pub fn load(&self, people: &[Person], threads: usize) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let quarters: Vec<String> = (2027..=2029)
            .flat_map(|year| (1..=4).map(move |q| format!("{year}-Q{q}")))
            .skip(1)
            .collect();
        let handles = (0..threads)
            .map(|t| {
                let (stop, bind) = (stop.clone(), self.bind.clone());
                let mine: Vec<Person> = people.iter().skip(t).step_by(threads).cloned().collect();
                let quarters = quarters.clone();
                std::thread::spawn(move || {
                    let started = Instant::now();
                    let (mut total, mut failed) = (0usize, Vec::new());
                    let work = quarters.iter().flat_map(|q| mine.iter().map(move |p| (p, q)));
                    for (person, quarter) in work {
                        if stop.load(Ordering::Relaxed) || started.elapsed() > Duration::from_secs(600) {
                            break;
                        }
                        total += 1;
                        match http(
                            &bind,
                            "POST",
                            "/api/applications",
                            Some(&person.1),
                            Some(&submit_body(&person.0, quarter)),
                        ) {
                            Some((201, _)) => {}
                            Some((code, body)) => failed.push(format!("{code}: {body}")),
                            None => failed.push("no answer".into()),
                        }
                    }
                    (total, failed)
                })
            })
            .collect();
        Load { stop, handles }
    }

    /// Stop the server (SIGTERM, then SIGKILL after 10 s).
    pub fn stop(mut self) {
        self.terminate();
    }

    fn terminate(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        for _ in 0..200 {
            if self.child.try_wait().ok().flatten().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            self.terminate();
        }
    }
}

/// A running load generator.
pub struct Load {
    stop: Arc<AtomicBool>,
    handles: Vec<std::thread::JoinHandle<(usize, Vec<String>)>>,
}

/// What a load generator saw.
pub struct Answered {
    /// Requests sent.
    pub total: usize,
    /// Every answer that was not 201, with its body.
    pub failed: Vec<String>,
}

impl Load {
    /// Stop and collect.
    pub fn stop(self) -> Answered {
        self.stop.store(true, Ordering::Relaxed);
        let mut answered = Answered {
            total: 0,
            failed: Vec::new(),
        };
        for handle in self.handles {
            let (total, failed) = handle.join().unwrap();
            answered.total += total;
            answered.failed.extend(failed);
        }
        answered
    }
}

/// The body of an application submission.
pub fn submit_body(nip: &str, quarter: &str) -> String {
    format!(
        r#"{{"nip":"{nip}","quarter":"{quarter}","requested_remote_days":2,"location_kind":"registered_home","work_plan":"Menyusun laporan analisis anggaran triwulan","kpi_baseline":80,"kpi_target":90}}"#
    )
}

/// One HTTP/1.1 request over loopback (`Connection: close`); the status and body, or `None`
/// when nobody answers within 60 s (the server itself answers 408 after 30 s).
pub fn http(bind: &str, method: &str, path: &str, token: Option<&str>, body: Option<&str>) -> Option<(u16, String)> {
    http_with_headers(bind, method, path, token, body).map(|(status, _, body)| (status, body))
}

/// [`http`] with the response's header lines (lower-cased).
pub fn http_with_headers(
    bind: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> Option<(u16, String, String)> {
    try_http(bind, method, path, token, body).ok()
}

/// [`http_with_headers`], saying why there is no answer.
pub fn try_http(
    bind: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> Result<(u16, String, String), String> {
    let mut stream = std::net::TcpStream::connect(bind).map_err(|e| format!("connect: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .map_err(|e| e.to_string())?;
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let body = body.unwrap_or_default();
    // One write for the whole request, as an HTTP client sends it: `write!` on the bare stream
    // would send each formatted piece in a segment of its own, and a busy client thread could
    // then still be sending when the server has already answered and closed.
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| format!("write: {e}"))?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).map_err(|e| format!("read: {e}"))?;
    let answer = text(&answer);
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("not HTTP: {answer:?}"))?;
    let (head, rest) = answer
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("no head: {answer:?}"))?;
    let body = if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        dechunk(rest)
    } else {
        rest.to_owned()
    };
    Ok((status, head.to_ascii_lowercase(), body))
}

fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if size == 0 || tail.len() < size {
            break;
        }
        out.push_str(&tail[..size]);
        rest = tail[size..].trim_start_matches("\r\n");
    }
    out
}
