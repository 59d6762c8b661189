//! From an empty database to a regency's first allocated quarter with the real `dwa` binary and
//! nothing seeded — the README's "From an empty database" walk-through, on SQLite and on
//! PostgreSQL: `dwa init`, `dwa region add`, an HR token, `dwa import units`, `dwa import
//! employees` (the CSV files in tests/fixtures/onboarding/), Kabupaten Bekasi's plugin deployed
//! into the rules folder, applications submitted and approved over HTTP (`dwa serve`),
//! `dwa allocate`, the roster read. Every refused step on the way (a second init, bad region
//! codes and names, bad unit and employee files) must say why and leave the database's
//! fingerprint unchanged. The API's side (regions, unit import) is checked over the router.

mod common;

use serde_json::{Value, json};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

const REGION: &str = "3216";
const UNIT: &str = "3216-SETDA-HUKUM-01";
const SUPERVISOR: &str = "197805142003121001";
/// Staff of [`UNIT`] who apply for one day a week and are approved.
const APPROVED: [&str; 3] = ["198807152012011004", "199203212015032002", "199010102014042001"];
/// Staff of [`UNIT`] with a moderate penalty in the look-back: not eligible.
const PENALISED: &str = "198402252010011002";
/// An administrator at the regional hospital, an agency Bekasi excludes.
const HOSPITAL: &str = "199001012015011001";

fn fixture(name: &str) -> String {
    common::root()
        .join("tests/fixtures/onboarding")
        .join(name)
        .display()
        .to_string()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// One host: a database URL and a rules folder of its own.
struct Host {
    url: String,
    rules: PathBuf,
    dir: tempfile::TempDir,
}

impl Host {
    fn new(url: String) -> Host {
        let dir = tempfile::tempdir().unwrap();
        let rules = dir.path().join("rules");
        std::fs::create_dir(&rules).unwrap();
        Host { url, rules, dir }
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_dwa"))
            .args(args)
            .env("DWA_DATABASE", &self.url)
            .env("DWA_RULES", &self.rules)
            .output()
            .expect("run dwa")
    }

    /// Run a step that must succeed; its stdout.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.status.success(), "dwa {args:?} failed: {}", text(&out.stderr));
        text(&out.stdout)
    }

    /// Run a step that must be refused; its stderr, which must contain `why`.
    fn refused(&self, args: &[&str], why: &str) -> String {
        let out = self.run(args);
        let stderr = text(&out.stderr);
        assert!(
            !out.status.success(),
            "dwa {args:?} was not refused: {}",
            text(&out.stdout)
        );
        assert!(stderr.contains(why), "dwa {args:?}: expected {why:?} in: {stderr}");
        stderr
    }

    /// Write `content` to a file in the host's folder; its path.
    fn file(&self, name: &str, content: &str) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        path.display().to_string()
    }

    /// Deploy a region's rules: its plugin first, then its manifest (as an operator would, so the
    /// manifest never names a plugin that is not there yet).
    fn deploy(&self, manifest: &str, plugin: &str) {
        let deployed = common::rules_dir();
        std::fs::copy(deployed.join(plugin), self.rules.join(plugin)).unwrap();
        std::fs::copy(deployed.join(manifest), self.rules.join(manifest)).unwrap();
    }
}

/// `dwa serve`, stopped (SIGTERM, then waited for) when dropped — also when the test fails.
struct Server {
    child: Child,
    bind: String,
}

impl Server {
    fn start(host: &Host, today: &str) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let bind = format!("127.0.0.1:{port}");
        let log = std::fs::File::create(host.dir.path().join("serve.log")).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_dwa"))
            .args(["serve", "--bind", &bind, "--today", today])
            .env("DWA_DATABASE", &host.url)
            .env("DWA_RULES", &host.rules)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let mut server = Server { child, bind };
        // Bounded wait for the server to come up: 300 tries, 100 ms apart.
        for _ in 0..300 {
            if let Some(status) = server.child.try_wait().unwrap() {
                let log = std::fs::read_to_string(host.dir.path().join("serve.log")).unwrap_or_default();
                panic!("dwa serve exited with {status}: {log}");
            }
            if server.try_call("GET", "/healthz", None, None).is_some() {
                return server;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("dwa serve did not answer within 30 s");
    }

    fn try_call(&self, method: &str, path: &str, token: Option<&str>, body: Option<&Value>) -> Option<(u16, Value)> {
        let mut stream = std::net::TcpStream::connect(&self.bind).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(60))).ok()?;
        let body = body.map(Value::to_string).unwrap_or_default();
        let auth = token
            .map(|t| format!("Authorization: Bearer {t}\r\n"))
            .unwrap_or_default();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: x\r\n{auth}Content-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .ok()?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).ok()?;
        let answer = text(&answer);
        let (head, payload) = answer.split_once("\r\n\r\n")?;
        let status = head.split(' ').nth(1)?.parse().ok()?;
        let payload = if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
            unchunk(payload)
        } else {
            payload.to_owned()
        };
        Some((status, serde_json::from_str(&payload).unwrap_or(Value::String(payload))))
    }

    /// A request that must be answered with `status`; the JSON answer.
    fn call(&self, method: &str, path: &str, token: &str, body: Option<Value>, status: u16) -> Value {
        let (got, answer) = self
            .try_call(method, path, Some(token), body.as_ref())
            .unwrap_or_else(|| panic!("{method} {path}: no answer"));
        assert_eq!(got, status, "{method} {path}: {answer}");
        answer
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

/// The body of a chunked HTTP/1.1 answer.
fn unchunk(mut payload: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = payload.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 || rest.len() < size {
            break;
        }
        out.push_str(&rest[..size]);
        payload = rest[size..].trim_start_matches("\r\n");
    }
    out
}

/// Fields of the rejected rows of a `--json` import outcome, by line.
fn rejected_fields(outcome: &Value) -> Vec<(u64, String)> {
    outcome["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["line"].as_u64().unwrap(), r["field"].as_str().unwrap().to_owned()))
        .collect()
}

/// A refused import: exit status 1, the outcome as JSON, nothing written.
fn refused_import(host: &Host, args: &[&str]) -> Value {
    let out = host.run(args);
    assert!(!out.status.success(), "dwa {args:?} was not refused");
    assert!(text(&out.stderr).contains("nothing imported"), "{}", text(&out.stderr));
    let outcome: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (outcome["written"].clone(), outcome["imported"].clone()),
        (json!(false), json!(0))
    );
    outcome
}

async fn walk_through(url: String) {
    let host = Host::new(url);

    // 1. The province, on an empty database, with its first credential (printed once).
    let out = host.run(&["init"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let admin = text(&out.stdout).trim().to_owned();
    assert!(
        admin.starts_with("dwa_") && !admin.contains(char::is_whitespace),
        "{admin}"
    );
    assert!(
        text(&out.stderr).contains("shown only this once"),
        "{}",
        text(&out.stderr)
    );
    let store = dwa_store::Store::connect(&host.url).await.unwrap();
    let grant = store.token_grant(&admin).await.unwrap().expect("the token is stored");
    assert_eq!((grant.role.as_str(), grant.region.as_str()), ("provincial-admin", "32"));
    let stored: String = sqlx::query_scalar("SELECT token_sha256 FROM api_tokens")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(
        stored,
        dwa_store::token_hash(&admin),
        "only the token's sha256 is stored"
    );

    let before = common::database_fingerprint(&store).await;
    host.refused(&["init"], "already initialised");
    host.refused(
        &["token", "create", "--role", "hr", "--region", REGION],
        "unknown region",
    );
    assert_eq!(
        common::database_fingerprint(&store).await,
        before,
        "a second init changed the database"
    );

    // 2. The regency, by its BPS code; bad codes and names are refused and change nothing.
    for (args, why) in [
        (vec!["3116", "--name", "Kabupaten Aceh"], "not in West Java"),
        (vec!["32a6", "--name", "Kabupaten Bekasi"], "digits only"),
        (vec!["3270", "--name", "Kota Bekasi"], "regencies are 3201–3269"),
        (vec!["321", "--name", "Kabupaten Bekasi"], "3 digits"),
        (vec!["33", "--name", "Provinsi Jawa Tengah"], "another province"),
        (vec!["32", "--name", "Provinsi Jawa Barat"], "is the province"),
        (vec!["3273", "--name", "Kabupaten Bandung"], "`Kota …`"),
        (vec!["3216", "--name", "Kota Bekasi"], "`Kabupaten …`"),
        (vec!["3216", "--name", "Kabupaten <b>Bekasi</b>"], "markup"),
        (vec!["3216", "--name", " "], "must not be empty"),
    ] {
        let mut command = vec!["region", "add"];
        command.extend(args);
        host.refused(&command, why);
    }
    assert_eq!(
        common::database_fingerprint(&store).await,
        before,
        "a refused region add changed the database"
    );
    assert!(
        host.ok(&["region", "add", REGION, "--name", "Kabupaten Bekasi"])
            .contains("added region 3216")
    );
    let before = common::database_fingerprint(&store).await;
    host.refused(
        &["region", "add", REGION, "--name", "Kabupaten Bekasi"],
        "already exists",
    );
    assert_eq!(common::database_fingerprint(&store).await, before);
    assert!(host.ok(&["region", "list"]).contains("3216  Kabupaten Bekasi"));

    // 3. A token for the regency's HR now works.
    let hr = host
        .ok(&["token", "create", "--role", "hr", "--region", REGION])
        .trim()
        .to_owned();
    assert!(hr.starts_with("dwa_"), "{hr}");

    // 4. Units, with their hierarchy. A bad file is refused as a whole, every problem named.
    let before = common::database_fingerprint(&store).await;
    let bad_units = host.file(
        "units-bad.csv",
        "id,namaUnor,diatasanId,instansiId,eselonId,namaJabatan,aktif\n\
         3216-DINKES,Dinas Kesehatan,,DINKES,21,Kepala Dinas,ya\n\
         3216-A,Bidang A,3216-B,DINKES,,,ya\n\
         3216-B,Bidang B,3216-A,DINKES,,,ya\n\
         3216-C,Bidang C,3216-TIDAK-ADA,DINKES,,,ya\n\
         3216-D,Bidang D,3216-DINKES,DINKES,51,,ya\n\
         3216-E,Bidang E,3216-E,DINKES,,,ya\n\
         3216-F,Bidang F,3216-DINKES,DINKES,,,mungkin\n\
         3216-G,,3216-DINKES,DINKES,,,ya\n\
         3216-H,Bidang H,3216-DINKES,DINKES,,,ya\n\
         3216-H,Bidang H lagi,3216-DINKES,DINKES,,,ya\n\
         3216 I,Bidang I,,DINKES,,,ya\n",
    );
    let outcome = refused_import(&host, &["import", "units", &bad_units, "--region", REGION, "--json"]);
    let expected: Vec<(u64, String)> = [
        (3, "diatasanId"),
        (4, "diatasanId"),
        (5, "diatasanId"),
        (6, "eselonId"),
        (7, "diatasanId"),
        (8, "aktif"),
        (9, "namaUnor"),
        (10, "id"),
        (11, "id"),
        (12, "id"),
    ]
    .iter()
    .map(|(l, f)| (*l, f.to_string()))
    .collect();
    assert_eq!(rejected_fields(&outcome), expected, "{outcome:#}");
    let problems = outcome.to_string();
    for words in [
        "3216-A → 3216-B → 3216-A",
        "unknown parent unit 3216-TIDAK-ADA",
        "appears more than once",
    ] {
        assert!(problems.contains(words), "{words}: {outcome:#}");
    }
    assert_eq!(outcome["rejected"][0]["unit"], "3216-A");
    host.refused(
        &["import", "units", &fixture("units-3216.csv"), "--region", "3273"],
        "region 3273 not found",
    );
    let header_only = host.file("units-empty.csv", "id,namaUnor,diatasanId,instansiId\n");
    host.refused(&["import", "units", &header_only, "--region", REGION], "has no units");
    let no_parent_column = host.file("units-no-parent.csv", "id,namaUnor,instansiId\n3216-X,X,SETDA\n");
    host.refused(
        &["import", "units", &no_parent_column, "--region", REGION],
        "no `diatasanId` column",
    );
    assert_eq!(
        common::database_fingerprint(&store).await,
        before,
        "a refused unit import changed the database"
    );

    let out = host.run(&["import", "units", &fixture("units-3216.csv"), "--region", REGION]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("imported 7 units into region 3216"),
        "{}",
        text(&out.stderr)
    );
    let units = store.unit_records(REGION).await.unwrap();
    let unit = units.iter().find(|u| u.code == UNIT).unwrap();
    assert_eq!(
        (unit.parent.as_deref(), unit.agency.as_str(), unit.echelon, unit.active),
        (Some("3216-SETDA-HUKUM"), "SETDA", Some(4), true)
    );
    assert!(!units.iter().find(|u| u.code == "3216-SETDA-ORTALA").unwrap().active);
    // Importing the same file again: every id exists; nothing changes.
    let before = common::database_fingerprint(&store).await;
    let again = refused_import(
        &host,
        &[
            "import",
            "units",
            &fixture("units-3216.csv"),
            "--region",
            REGION,
            "--json",
        ],
    );
    assert_eq!(again["rejected"].as_array().unwrap().len(), 7, "{again:#}");
    assert_eq!(common::database_fingerprint(&store).await, before);
    // A unit under a stored parent is fine; under a stored unit of another region it is not.
    let other_region = host.file(
        "units-other.csv",
        "id;namaUnor;diatasanId;instansiId\n3216-SETDA-UMUM;Bagian Umum;3216-SETDA;SETDA\n",
    );
    host.ok(&["region", "add", "3217", "--name", "Kabupaten Bandung Barat"]);
    let across = refused_import(&host, &["import", "units", &other_region, "--region", "3217", "--json"]);
    assert!(across.to_string().contains("belongs to region 3216"), "{across:#}");

    // 5. Employees into the imported units; a bad file changes nothing.
    let before_employees = common::database_fingerprint(&store).await;
    assert_ne!(before_employees, before, "adding region 3217 shows in the fingerprint");
    let header = std::fs::read_to_string(fixture("employees-3216.csv"))
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_owned();
    let bad_employees = host.file(
        "employees-bad.csv",
        &format!(
            "{header}\n\
             196901011990031001,Pegawai Unit Lama,PNS,Pelaksana,,3216-SETDA-ORTALA,1990-03-01,tidak,entriData,menengah,,,0,\n\
             196901011990031002,Pegawai Tanpa Unit,PNS,Pelaksana,,3216-TIDAK-ADA,1990-03-01,tidak,entriData,menengah,,,0,\n"
        ),
    );
    let outcome = refused_import(
        &host,
        &["import", "employees", &bad_employees, "--region", REGION, "--json"],
    );
    assert_eq!(
        rejected_fields(&outcome),
        vec![(2, "unorId".to_owned()), (3, "unorId".to_owned())],
        "{outcome:#}"
    );
    assert!(outcome.to_string().contains("no longer active"), "{outcome:#}");
    assert_eq!(common::database_fingerprint(&store).await, before_employees);
    let out = host.run(&[
        "import",
        "employees",
        &fixture("employees-3216.csv"),
        "--region",
        REGION,
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("imported 8 employees into region 3216"),
        "{}",
        text(&out.stderr)
    );

    // 5b. Who heads the agency: two days a week or more need the head's approval, and the unit
    // file names the head's position, not the person. Someone of another agency is refused.
    let before_head = common::database_fingerprint(&store).await;
    host.refused(
        &["region", "head", REGION, "--agency", "SETDA", "--nip", HOSPITAL],
        "works in agency RSUD, not in SETDA",
    );
    host.refused(
        &[
            "region",
            "head",
            REGION,
            "--agency",
            "SETDA",
            "--nip",
            "199901012020011999",
        ],
        "no employee has NIP 199901012020011999",
    );
    assert_eq!(common::database_fingerprint(&store).await, before_head);
    let head = host.ok(&["region", "head", REGION, "--agency", "SETDA", "--nip", SUPERVISOR]);
    assert!(head.contains("headed by NIP"), "{head}");
    assert_eq!(
        store.agency_head(REGION, "SETDA").await.unwrap().as_deref(),
        Some(SUPERVISOR)
    );

    // 6. The rules: the province's (its guardrails hold every regency) and Bekasi's plugin.
    host.deploy("32-jabar.toml", "jabar.wasm");
    host.deploy("3216-kab-bekasi.toml", "kab_bekasi.wasm");
    let check = host.ok(&["check", host.rules.join("3216-kab-bekasi.toml").to_str().unwrap()]);
    assert!(
        check.contains("region 3216") && check.contains("guardrails hold"),
        "{check}"
    );

    // 7. Applications for 2027-Q1, submitted in December; the supervisor approves.
    let server = Server::start(&host, "2026-12-01");
    let token = |role: &str, nip: &str| {
        host.ok(&["token", "create", "--role", role, "--region", REGION, "--nip", nip])
            .trim()
            .to_owned()
    };
    let boss = token("supervisor", SUPERVISOR);
    let draft = |nip: &str| {
        json!({
            "nip": nip, "quarter": "2027-Q1", "requested_remote_days": 1, "location_kind": "registered_home",
            "work_plan": "Menyusun rancangan peraturan bupati", "kpi_baseline": 70.0, "kpi_target": 80.0
        })
    };
    for nip in APPROVED {
        let me = token("employee", nip);
        let submitted = server.call("POST", "/api/applications", &me, Some(draft(nip)), 201);
        let decision = &submitted["decision"];
        assert_eq!(
            (decision["eligible"].clone(), decision["region"].clone()),
            (json!(true), json!(REGION)),
            "{decision}"
        );
        let id = submitted["application"]["id"].as_str().unwrap();
        let approval = json!({"approver": "supervisor", "approved": true});
        let approved = server.call(
            "POST",
            &format!("/api/applications/{id}/approvals"),
            &boss,
            Some(approval),
            200,
        );
        assert_eq!(approved["eligible"], true, "{approved}");
    }
    for (nip, gate) in [(PENALISED, "DISCIPLINE"), (HOSPITAL, "EXCLUDED_AGENCY")] {
        let me = token("employee", nip);
        let submitted = server.call("POST", "/api/applications", &me, Some(draft(nip)), 201);
        let decision = &submitted["decision"];
        assert_eq!(decision["eligible"], false, "{decision}");
        let failed: Vec<&Value> = decision["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["passed"] == false)
            .map(|r| &r["code"])
            .collect();
        assert_eq!(failed, vec![&json!(gate)], "{decision}");
    }

    // 8. HR allocates the quarter; the roster keeps half the unit in the office every day.
    let summary = host.ok(&["allocate", "--region", REGION, "--quarter", "2027-Q1"]);
    assert!(summary.contains("2027-Q1"), "{summary}");
    let roster = server.call(
        "GET",
        &format!("/api/roster?unit={UNIT}&quarter=2027-Q1"),
        &hr,
        None,
        200,
    );
    assert_eq!(roster["headcount"], 5, "{roster}");
    let mut on_roster: Vec<&str> = roster["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["remote_days"], 1, "{e}");
            assert_eq!(e["weekdays"].as_array().unwrap().len(), 1, "{e}");
            e["nip"].as_str().unwrap()
        })
        .collect();
    on_roster.sort_unstable();
    let mut approved = APPROVED.to_vec();
    approved.sort_unstable();
    assert_eq!(on_roster, approved, "{roster}");
    for away in roster["away_by_weekday"].as_array().unwrap() {
        assert!(away.as_u64().unwrap() * 2 <= 5, "{roster}");
    }
    drop(server);
    store.pool().close().await;
}

#[tokio::test]
async fn from_an_empty_database_to_an_allocated_quarter_on_sqlite() {
    let db = common::TestDb::sqlite();
    walk_through(db.url.clone()).await;
}

#[tokio::test]
async fn from_an_empty_database_to_an_allocated_quarter_on_postgres() {
    let db = common::TestDb::postgres().await;
    walk_through(db.url.clone()).await;
    db.drop_schema().await;
}

/// `dwa init` refuses a database that already has regions (here: seeded), changing nothing.
#[tokio::test]
async fn init_refuses_a_seeded_database() {
    let db = common::TestDb::sqlite();
    let host = Host::new(db.url.clone());
    host.ok(&["seed", "--employees", "20"]);
    let store = dwa_store::Store::connect(&host.url).await.unwrap();
    let before = common::database_fingerprint(&store).await;
    host.refused(&["init"], "already initialised (it has region 32, 3216)");
    assert_eq!(common::database_fingerprint(&store).await, before);
}

/// The same onboarding through the API, over the router.
#[path = "onboarding/api.rs"]
mod api;
