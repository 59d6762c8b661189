//! The quarter after the allocation run, as its users live it, through the real `dwa serve` on
//! SQLite and on PostgreSQL (issue 19): a unit of eight is allocated; a late approval fills the
//! unit's remaining capacity and moves nobody; a second late approval takes what is left (fewer
//! days, with the unit's figures); an applicant without a supervisor on record reaches the
//! region's HR, who decides in the supervisor's place, and is waitlisted because the unit is
//! full; a withdrawal frees its days and the waitlist is served at once.
//!
//! After every step one cross-check reads every view of every application — the API's
//! application, the unit's roster and each person's place in it, the employee's page (state and
//! roster), the supervisor's team week and team list, HR's roster CSV, the participation report —
//! and fails on any disagreement. Each person's notifications say what changed for them.

mod common;
#[path = "browser/harness.rs"]
mod harness;

use dwa_sdk::{Date, testing};
use dwa_store::{EmployeeRecord, Store, TokenGrant, UnitRow};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const QUARTER: &str = "2027-Q1";
const UNIT: &str = "32-BAPPEDA-QTR";
/// The supervisor of E1–E6.
const SUPERVISOR: &str = "197901012005011001";
/// Applicants: E1–E6 report to [`SUPERVISOR`]; N7 has no supervisor on record.
const STAFF: [(&str, &str); 7] = [
    ("E1", "198501012010011001"),
    ("E2", "198502012010011002"),
    ("E3", "198503012010011003"),
    ("E4", "198504012010011004"),
    ("E5", "198505012010011005"),
    ("E6", "198506012010011006"),
    ("N7", "198507012010011007"),
];

/// The running server, killed when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP answer.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .filter(|(n, _)| n == "set-cookie")
            .filter_map(|(_, v)| v.split(';').next()?.split_once('='))
            .find(|(n, _)| n.trim() == name)
            .map(|(_, v)| v.trim().to_owned())
    }
}

impl Server {
    /// One request (`Connection: close`), bounded by a 60 s read timeout.
    fn call(&self, method: &str, path: &str, headers: &[(&str, &str)], body: Option<(&str, &str)>) -> Answer {
        let mut stream = std::net::TcpStream::connect(&self.addr).expect("connect to dwa serve");
        stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            self.addr
        );
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        match body {
            Some((content_type, body)) => request.push_str(&format!(
                "Content-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )),
            None => request.push_str("Content-Length: 0\r\n\r\n"),
        }
        stream.write_all(request.as_bytes()).unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        let text = String::from_utf8_lossy(&raw).into_owned();
        let (head, rest) = text.split_once("\r\n\r\n").expect("an HTTP answer");
        let mut lines = head.lines();
        let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let chunked = headers
            .iter()
            .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"));
        let body = if chunked { dechunk(rest) } else { rest.to_owned() };
        Answer { status, headers, body }
    }

    fn api(&self, method: &str, path: &str, token: &str, body: Option<Value>) -> Answer {
        let auth = format!("Bearer {token}");
        let text = body.map(|b| b.to_string());
        self.call(
            method,
            path,
            &[("Authorization", &auth)],
            text.as_deref().map(|t| ("application/json", t)),
        )
    }

    /// Sign in to the pages with `token`; the session cookie header.
    fn sign_in(&self, token: &str) -> String {
        let form = self.call("GET", "/signin", &[], None);
        let pre = form
            .cookie("dwa_signin")
            .expect("the sign-in form sets its CSRF cookie");
        let cookie = format!("dwa_signin={pre}");
        let answer = self.call(
            "POST",
            "/signin",
            &[("Cookie", &cookie)],
            Some(("application/x-www-form-urlencoded", &format!("csrf={pre}&code={token}"))),
        );
        let session = answer
            .cookie("dwa_session")
            .unwrap_or_else(|| panic!("signed in: {} {}", answer.status, answer.body));
        format!("dwa_session={session}; dwa_lang=id")
    }

    fn page(&self, path: &str, cookie: &str) -> String {
        let answer = self.call("GET", path, &[("Cookie", cookie)], None);
        assert_eq!(answer.status, 200, "{path}: {}", answer.body);
        answer.body
    }
}

fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, after)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.push_str(&after[..size]);
        rest = after[size..].trim_start_matches("\r\n");
    }
    out
}

/// The text between `start` and the next `end` after it, for each occurrence.
fn between<'a>(text: &'a str, start: &str, end: &str) -> Vec<&'a str> {
    text.split(start)
        .skip(1)
        .filter_map(|part| part.split(end).next())
        .collect()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn serve(url: &str, rules: &Path) -> Server {
    let addr = format!("127.0.0.1:{}", free_port());
    let child = Command::new(env!("CARGO_BIN_EXE_dwa"))
        .args(["serve", "--bind", &addr, "--today", "2026-12-01"])
        // The host's one clock, for what runs outside a request (the review of grants after an
        // activation).
        .env("DWA_NOW", "2026-12-01T03:00:00Z")
        .env("DWA_DATABASE", url)
        .env("DWA_RULES", rules)
        .env("DWA_COMPILE_CACHE", "off")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("dwa serve starts");
    let server = Server { child, addr };
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(&server.addr).is_err() {
        assert!(Instant::now() < deadline, "dwa serve did not listen within 60 s");
        std::thread::sleep(Duration::from_millis(100));
    }
    server
}

/// The unit, its eight people and their tokens (role → token, by NIP).
async fn set_up(store: &Store) -> BTreeMap<String, String> {
    store.upsert_region("32", "Provinsi Jawa Barat").await.unwrap();
    store
        .upsert_unit(&UnitRow {
            code: UNIT.into(),
            region: "32".into(),
            agency: "BAPPEDA".into(),
            name: "Bidang Data".into(),
        })
        .await
        .unwrap();
    let sample = testing::employee();
    let person = |name: &str, nip: &str, supervisor: Option<&str>, year: u16| EmployeeRecord {
        nip: nip.into(),
        name: name.into(),
        employment_type: sample.employment_type,
        region: "32".into(),
        agency: "BAPPEDA".into(),
        unit: UNIT.into(),
        position_kind: sample.position_kind,
        echelon: None,
        public_service: false,
        task_category: sample.task_category,
        // Longer service ranks first: E1 is served before E2, …
        appointed_on: Date::new(year, 1, 1).unwrap(),
        potential: sample.potential,
        // E5 has two unexcused days: allowed by the province's rules (at most 2) until step 7.
        unexcused_absence_days: if nip == STAFF[4].1 { 2 } else { 0 },
        supervisor_nip: supervisor.map(str::to_owned),
        ratings: sample.ratings.clone(),
        penalties: vec![],
        position_code: None,
        position_status: Default::default(),
    };
    let mut records = vec![person("Kepala Bidang", SUPERVISOR, None, 2005)];
    for (i, (name, nip)) in STAFF.iter().enumerate() {
        let supervisor = (*name != "N7").then_some(SUPERVISOR);
        records.push(person(&format!("Pegawai {name}"), nip, supervisor, 2010 + i as u16));
    }
    store.insert_employees(&records).await.unwrap();
    let mut tokens = BTreeMap::new();
    let grant = |role: &str, nip: Option<&str>| {
        let token = dwa_api::new_token();
        let grant = TokenGrant {
            role: role.into(),
            region: "32".into(),
            nip: nip.map(str::to_owned),
        };
        (token, grant)
    };
    for (_, nip) in STAFF {
        let (token, g) = grant("employee", Some(nip));
        store.insert_token(&token, &g).await.unwrap();
        tokens.insert(nip.to_owned(), token);
    }
    for (key, role, nip) in [("supervisor", "supervisor", Some(SUPERVISOR)), ("hr", "hr", None)] {
        let (token, g) = grant(role, nip);
        store.insert_token(&token, &g).await.unwrap();
        tokens.insert(key.to_owned(), token);
    }
    tokens
}

/// What the API says of one application: state, days and weekdays (codes).
#[derive(Clone, Debug, PartialEq)]
struct Truth {
    nip: String,
    state: String,
    days: u64,
    weekdays: Vec<String>,
}

fn state_label(state: &str) -> &'static str {
    match state {
        "granted" => "Diberikan",
        "waitlisted" => "Daftar tunggu: kuota unit sedang penuh",
        "approved" => "Disetujui, menunggu alokasi triwulan",
        "awaiting_supervisor" => "Menunggu persetujuan atasan",
        "withdrawn" => "Ditarik",
        "rejected" => "Ditolak atasan",
        "not_eligible" => "Tidak memenuhi syarat",
        "set_aside" => "Ditunda: aturan wilayah gagal memproses pengajuan ini",
        other => panic!("no label for {other}"),
    }
}

fn weekday_id(code: &str) -> &'static str {
    match code {
        "monday" => "Senin",
        "tuesday" => "Selasa",
        "wednesday" => "Rabu",
        "thursday" => "Kamis",
        "friday" => "Jumat",
        other => panic!("weekday {other}"),
    }
}

/// Read every view of every application and fail on any disagreement; the API's truth.
fn cross_check(
    server: &Server,
    tokens: &BTreeMap<String, String>,
    apps: &BTreeMap<String, String>,
    step: &str,
) -> BTreeMap<String, Truth> {
    let hr = &tokens["hr"];
    let mut truth = BTreeMap::new();
    for (nip, id) in apps {
        let a = server.api("GET", &format!("/api/applications/{id}"), hr, None);
        assert_eq!(a.status, 200, "{step}: {}", a.body);
        let a = a.json();
        let weekdays: Vec<String> = a["granted_weekdays"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|d| d.as_str().unwrap().to_owned())
            .collect();
        truth.insert(
            nip.clone(),
            Truth {
                nip: nip.clone(),
                state: a["state"].as_str().unwrap().to_owned(),
                days: a["granted_remote_days"].as_u64().unwrap_or(0),
                weekdays,
            },
        );
    }
    // The unit's roster (API) and each person's place in it.
    let roster = server
        .api("GET", &format!("/api/roster?unit={UNIT}&quarter={QUARTER}"), hr, None)
        .json();
    let entries: BTreeMap<String, &Value> = roster["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["nip"].as_str().unwrap().to_owned(), e))
        .collect();
    let csv_cookie = server.sign_in(hr);
    let csv = server.page(&format!("/hr/export/roster.csv?unit={UNIT}"), &csv_cookie);
    for (nip, t) in &truth {
        let place = entries.get(nip);
        let one = server.api(
            "GET",
            &format!("/api/employees/{nip}/roster?quarter={QUARTER}"),
            hr,
            None,
        );
        let csv_line = csv.lines().find(|l| l.contains(nip.as_str()));
        match t.state.as_str() {
            "granted" | "waitlisted" => {
                let place = place.unwrap_or_else(|| panic!("{step}: {nip} is {} but not in the roster", t.state));
                assert_eq!(place["remote_days"].as_u64(), Some(t.days), "{step}: {nip} roster days");
                let days: Vec<&str> = place["weekdays"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|d| d.as_str().unwrap())
                    .collect();
                assert_eq!(days, t.weekdays, "{step}: {nip} roster weekdays");
                assert_eq!(one.status, 200, "{step}: {nip}'s own place: {}", one.body);
                assert_eq!(one.json()["remote_days"].as_u64(), Some(t.days), "{step}: {nip}");
                let line = csv_line.unwrap_or_else(|| panic!("{step}: {nip} not in HR's CSV:\n{csv}"));
                assert!(
                    line.contains(&format!(",{},", t.days)) && line.ends_with(&t.weekdays.join(" ")),
                    "{step}: HR's CSV line for {nip}: {line} vs {t:?}"
                );
                assert_eq!(t.days > 0, t.state == "granted", "{step}: {t:?}");
            }
            _ => {
                assert!(place.is_none(), "{step}: {nip} is {} yet in the roster", t.state);
                assert_eq!(one.status, 404, "{step}: {nip} {}", one.body);
                assert!(csv_line.is_none(), "{step}: {nip} {} yet in HR's CSV", t.state);
            }
        }
    }
    // The employee's page: state badge and roster.
    for (nip, t) in &truth {
        let cookie = server.sign_in(&tokens[nip]);
        let html = server.page("/employee", &cookie);
        if t.state == "withdrawn" {
            assert!(
                !html.contains("id=\"application\""),
                "{step}: {nip} withdrew; no live application shown"
            );
            assert!(html.contains("id=\"roster-none\""), "{step}: {nip} withdrew; no roster");
            continue;
        }
        let badge = between(&html, "id=\"app-state\">", "<").first().copied().unwrap_or("");
        assert_eq!(badge, state_label(&t.state), "{step}: {nip}'s page");
        let away = html.matches("class=\"away\"").count() as u64;
        assert_eq!(away, t.days, "{step}: {nip}'s page roster shows {away} days away");
        if t.state == "granted" {
            assert!(
                html.contains("<p class=\"answer good\"><strong>Ya.</strong>"),
                "{step}: {nip}"
            );
        } else {
            assert!(
                !html.contains("<strong>Ya.</strong>"),
                "{step}: {nip} reads yes while {}",
                t.state
            );
        }
    }
    // The supervisor's team week and team list (E1–E6).
    let cookie = server.sign_in(&tokens["supervisor"]);
    let html = server.page("/supervisor", &cookie);
    for day in ["monday", "tuesday", "wednesday", "thursday", "friday"] {
        let row = between(&html, &format!("<th scope=\"row\">{}</th>", weekday_id(day)), "</tr>")[0];
        let away_cell = between(row, "<td>", "</td>")[1];
        for (nip, t) in truth.iter().filter(|(n, _)| n.as_str() != STAFF[6].1) {
            let name = format!("Pegawai {}", STAFF.iter().find(|(_, n)| n == nip).unwrap().0);
            assert_eq!(
                away_cell.contains(&name),
                t.weekdays.iter().any(|d| d == day),
                "{step}: team week {day} for {name}: {away_cell}"
            );
        }
    }
    for (nip, t) in truth.iter().filter(|(n, _)| n.as_str() != STAFF[6].1) {
        if t.state == "withdrawn" {
            continue;
        }
        let row = between(&html, &format!("<td>{nip}</td>"), "</tr>")[0];
        assert!(row.contains(state_label(&t.state)), "{step}: team list {nip}: {row}");
    }
    // The participation report's counts.
    let report = server
        .api(
            "GET",
            &format!("/api/reports/participation?quarter={QUARTER}"),
            hr,
            None,
        )
        .json();
    let unit = report["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit"] == UNIT)
        .unwrap();
    let granted: Vec<&Truth> = truth.values().filter(|t| t.state == "granted").collect();
    assert_eq!(unit["granted"].as_u64(), Some(granted.len() as u64), "{step}: {unit}");
    assert_eq!(
        unit["remote_days"].as_u64(),
        Some(granted.iter().map(|t| t.days).sum()),
        "{step}: {unit}"
    );
    let live = truth.values().filter(|t| t.state != "withdrawn").count() as u64;
    assert_eq!(unit["applications"].as_u64(), Some(live), "{step}: {unit}");
    truth
}

fn apply(server: &Server, token: &str, nip: &str, days: u8) -> String {
    let answer = server.api(
        "POST",
        "/api/applications",
        token,
        Some(json!({
            "nip": nip, "quarter": QUARTER, "requested_remote_days": days, "location_kind": "registered_home",
            "work_plan": "Menyusun laporan analisis data triwulanan.", "kpi_baseline": 70.0, "kpi_target": 80.0
        })),
    );
    assert_eq!(answer.status, 201, "{nip} applies: {}", answer.body);
    let view = answer.json();
    assert_eq!(view["state"], "awaiting_supervisor", "{view}");
    assert_eq!(view["approvals_pending"], json!(["supervisor"]), "{view}");
    view["application"]["id"].as_str().unwrap().to_owned()
}

fn approve(server: &Server, token: &str, id: &str) -> Answer {
    server.api(
        "POST",
        &format!("/api/applications/{id}/approvals"),
        token,
        Some(json!({"approver": "supervisor", "approved": true})),
    )
}

fn notifications(server: &Server, token: &str) -> Vec<String> {
    let list = server.api("GET", "/api/notifications", token, None).json();
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_quarter_after_the_run_tells_every_view_the_same_truth() {
    for db in common::TestDb::both().await {
        quarter_on(&db).await;
        db.drop_schema().await;
    }
}

async fn quarter_on(db: &common::TestDb) {
    let store = Store::connect(&db.url).await.unwrap();
    let tokens = set_up(&store).await;
    let (rules_dir, _) = common::deployed_copy();
    let url = db.url.clone();
    let rules = rules_dir.path().to_owned();
    let served = rules.clone();
    let server = tokio::task::spawn_blocking(move || serve(&url, &served)).await.unwrap();
    let server = std::sync::Arc::new(server);
    let (hr, supervisor) = (tokens["hr"].clone(), tokens["supervisor"].clone());
    let label = db.label;
    let tokens = std::sync::Arc::new(tokens);
    let run = {
        let (server, tokens) = (server.clone(), tokens.clone());
        move || {
            let mut apps = BTreeMap::new();
            // 1. E1–E4 ask for four days, are approved, and the unit is allocated: 16 of the
            //    unit's 20 day-slots (4 away a day out of 8).
            for (_, nip) in &STAFF[..4] {
                let id = apply(&server, &tokens[*nip], nip, 4);
                let a = approve(&server, &supervisor, &id);
                assert_eq!(a.status, 200, "{label}: {}", a.body);
                apps.insert(nip.to_string(), id);
            }
            let before_run = cross_check(&server, &tokens, &apps, "before the run");
            assert!(before_run.values().all(|t| t.state == "approved"), "{before_run:?}");
            let run = server.api(
                "POST",
                "/api/allocations",
                &hr,
                Some(json!({"quarter": QUARTER, "unit": UNIT})),
            );
            assert_eq!(run.status, 200, "{label}: {}", run.body);
            let after_run = cross_check(&server, &tokens, &apps, "after the run");
            assert!(
                after_run.values().all(|t| t.state == "granted" && t.days == 4),
                "{label}: {after_run:?}"
            );

            // 2. E5 applies late for two days and is approved: granted at once into the
            //    remaining capacity; nobody moves.
            let e5 = STAFF[4].1;
            let id = apply(&server, &tokens[e5], e5, 2);
            apps.insert(e5.into(), id.clone());
            let a = approve(&server, &supervisor, &id);
            assert_eq!(a.status, 200, "{label}: {}", a.body);
            let late = cross_check(&server, &tokens, &apps, "a late approval");
            assert_eq!(
                (late[e5].state.as_str(), late[e5].days),
                ("granted", 2),
                "{label}: {late:?}"
            );
            for (nip, t) in &after_run {
                assert_eq!(&late[nip], t, "{label}: {nip} moved by a late approval");
            }
            assert!(notifications(&server, &tokens[e5]).contains(&"granted".to_owned()));

            // 3. E6 asks for four days: two slots are left, so two days, with the unit's figures.
            let e6 = STAFF[5].1;
            let id = apply(&server, &tokens[e6], e6, 4);
            apps.insert(e6.into(), id.clone());
            assert_eq!(approve(&server, &supervisor, &id).status, 200);
            let partial = cross_check(&server, &tokens, &apps, "the last slots");
            assert_eq!(
                (partial[e6].state.as_str(), partial[e6].days),
                ("granted", 2),
                "{label}"
            );
            let view = server.api("GET", &format!("/api/applications/{id}"), &hr, None).json();
            assert_eq!(view["allocation_reasons"][0]["code"], "QUOTA_FULL", "{view}");

            // 4. N7 has no supervisor on record: the supervisor may not decide; HR sees it in
            //    its list and decides in the supervisor's place; the unit is full: waitlisted.
            let n7 = STAFF[6].1;
            let id = apply(&server, &tokens[n7], n7, 2);
            apps.insert(n7.into(), id.clone());
            assert_eq!(
                approve(&server, &supervisor, &id).status,
                403,
                "{label}: not N7's supervisor"
            );
            let hr_cookie = server.sign_in(&hr);
            let hr_page = server.page("/hr", &hr_cookie);
            let list = between(&hr_page, "id=\"hr-decides\"", "</ul>")
                .first()
                .copied()
                .unwrap_or("");
            assert!(list.contains(&id) && list.contains(n7), "{label}: HR's list: {list}");
            let unsupervised = between(&hr_page, "id=\"unsupervised\"", "</table>")[0];
            assert!(unsupervised.contains(n7), "{label}: {unsupervised}");
            let a = approve(&server, &hr, &id);
            assert_eq!(
                a.status, 200,
                "{label}: HR decides in the supervisor's place: {}",
                a.body
            );
            let full = cross_check(&server, &tokens, &apps, "the unit is full");
            assert_eq!((full[n7].state.as_str(), full[n7].days), ("waitlisted", 0), "{label}");
            assert!(notifications(&server, &tokens[n7]).contains(&"waitlisted".to_owned()));
            let hr_page = server.page("/hr", &hr_cookie);
            assert!(
                hr_page.contains("id=\"hr-decides-none\""),
                "{label}: decided, off HR's list"
            );

            // 5. E1 withdraws: its four days are freed everywhere at once, and the waitlist (N7)
            //    is served in the region's order.
            let e1 = STAFF[0].1;
            let w = server.api(
                "POST",
                &format!("/api/applications/{}/withdraw", apps[e1]),
                &tokens[e1],
                None,
            );
            assert_eq!(w.status, 204, "{label}: {}", w.body);
            let freed = cross_check(&server, &tokens, &apps, "a withdrawal");
            assert_eq!(freed[e1].state, "withdrawn", "{label}");
            assert_eq!(
                (freed[n7].state.as_str(), freed[n7].days),
                ("granted", 2),
                "{label}: {freed:?}"
            );
            for nip in [STAFF[1].1, STAFF[2].1, STAFF[3].1, e5, e6] {
                assert_eq!(freed[nip], full[nip], "{label}: {nip} moved by a withdrawal");
            }
            assert!(notifications(&server, &tokens[n7]).contains(&"granted".to_owned()));
            assert!(notifications(&server, &supervisor).contains(&"team_withdrawn".to_owned()));
            // The history says who did what.
            let view = server
                .api("GET", &format!("/api/applications/{}", apps[n7]), &hr, None)
                .json();
            let events: Vec<&str> = view["history"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["event"].as_str().unwrap())
                .collect();
            assert_eq!(events, ["approved", "waitlisted", "granted"], "{label}: {view}");

            // 6. HR re-runs the allocation: a preview first lists who would move (E6 gets the
            //    days it asked for now) and changes nothing; the run moves exactly those, tells
            //    each of them, and everyone else keeps their weekdays.
            let preview = server.api(
                "POST",
                "/api/allocations",
                &hr,
                Some(json!({"quarter": QUARTER, "unit": UNIT, "preview": true})),
            );
            assert_eq!(preview.status, 200, "{label}: {}", preview.body);
            let would: Vec<String> = preview.json()[0]["moved"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["nip"].as_str().unwrap().to_owned())
                .collect();
            assert!(would.contains(&e6.to_owned()), "{label}: {would:?}");
            let unchanged = cross_check(&server, &tokens, &apps, "a preview");
            assert_eq!(unchanged, freed, "{label}: a preview changes nothing");
            let run = server.api(
                "POST",
                "/api/allocations",
                &hr,
                Some(json!({"quarter": QUARTER, "unit": UNIT})),
            );
            assert_eq!(run.status, 200, "{label}: {}", run.body);
            let moved: Vec<String> = run.json()[0]["moved"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["nip"].as_str().unwrap().to_owned())
                .collect();
            assert_eq!(moved, would, "{label}: the run moves whom the preview named");
            let rerun = cross_check(&server, &tokens, &apps, "a re-run");
            assert_eq!(
                (rerun[e6].days, rerun[e6].state.as_str()),
                (4, "granted"),
                "{label}: {rerun:?}"
            );
            for (nip, t) in &rerun {
                let told = notifications(&server, &tokens[nip.as_str()]).contains(&"moved".to_owned());
                if moved.contains(nip) {
                    assert!(told, "{label}: {nip} moved and was told");
                } else {
                    assert_eq!(t, &freed[nip], "{label}: {nip} was not moved");
                    assert!(!told, "{label}: {nip} was not moved");
                }
            }

            // 7. The province activates a version mid-quarter (dropped into the rules folder)
            //    allowing at most one unexcused day: E5's grant is flagged — kept to the
            //    quarter's end, as the manifest's default says — identically in the API and on
            //    the employee's, the supervisor's and HR's pages; E5 and the supervisor are told.
            let manifest = rules.join("32-jabar.toml");
            let text = std::fs::read_to_string(&manifest).unwrap();
            let stricter = text.replace("max_unexcused_absence_days = 2", "max_unexcused_absence_days = 1");
            assert_ne!(text, stricter);
            std::fs::write(&manifest, stricter).unwrap();
            let id5 = apps[e5].clone();
            let deadline = Instant::now() + Duration::from_secs(60);
            let view = loop {
                let view = server.api("GET", &format!("/api/applications/{id5}"), &hr, None).json();
                if !view["flag"].is_null() {
                    break view;
                }
                assert!(Instant::now() < deadline, "{label}: E5 not flagged within 60 s: {view}");
                std::thread::sleep(Duration::from_millis(200));
            };
            assert_eq!(view["state"], "granted", "{label}: kept to the quarter's end: {view}");
            assert_eq!(view["flag"]["allowed_days"], 0, "{label}: {view}");
            assert_eq!(view["flag"]["handling"], "keep", "{label}: {view}");
            assert_eq!(view["flag"]["reasons"][0]["code"], "ABSENCE", "{label}: {view}");
            let flagged = cross_check(&server, &tokens, &apps, "a policy change");
            assert_eq!(flagged, rerun, "{label}: a kept grant changes no roster");
            let words = "Ditandai: aturan baru";
            let mine = server.page("/employee", &server.sign_in(&tokens[e5]));
            let flag = between(&mine, "id=\"app-flag\" role=\"status\">", "<")[0];
            assert!(flag.starts_with(words), "{label}: {flag}");
            let team = server.page("/supervisor", &server.sign_in(&supervisor));
            let row = between(&team, &format!("<td>{e5}</td>"), "</tr>")[0];
            assert!(row.contains(flag), "{label}: the supervisor reads the same: {row}");
            let hr_page = server.page("/hr", &server.sign_in(&hr));
            let table = between(&hr_page, "id=\"flagged\"", "</table>")[0];
            assert!(
                table.contains(e5) && table.contains(flag),
                "{label}: HR reads the same: {table}"
            );
            for nip in rerun.keys() {
                assert_eq!(
                    table.contains(nip.as_str()),
                    nip == e5,
                    "{label}: only E5 is flagged: {table}"
                );
            }
            assert!(notifications(&server, &tokens[e5]).contains(&"flagged".to_owned()));
            assert!(notifications(&server, &supervisor).contains(&"team_flagged".to_owned()));
            flagged
        }
    };
    let truth = tokio::task::spawn_blocking(run).await.unwrap();

    // 8. The same quarter as people see it in Chromium, on a phone: each employee's state,
    //    roster and flag, the supervisor's team list and HR's list of flagged grants.
    let driver = tokio::task::spawn_blocking(harness::Driver::start).await.unwrap();
    let base = format!("http://{}", server.addr);
    let e5 = STAFF[4].1;
    for (nip, t) in truth.iter().filter(|(_, t)| t.state != "withdrawn") {
        let b = driver.browser(&base, 390, 844).await;
        b.sign_in(&tokens[nip.as_str()]).await;
        assert_eq!(
            b.text("#app-state").await,
            state_label(&t.state),
            "{label}: {nip} in Chromium"
        );
        let away = b
            .client
            .find_all(fantoccini::Locator::Css("#roster td.away"))
            .await
            .unwrap()
            .len() as u64;
        assert_eq!(away, t.days, "{label}: {nip}'s roster in Chromium");
        assert_eq!(b.has("#app-flag").await, nip == e5, "{label}: {nip}'s flag in Chromium");
        if nip == e5 {
            assert!(
                b.text("#app-flag").await.starts_with("Ditandai: aturan baru"),
                "{label}"
            );
        }
        b.close().await;
    }
    let b = driver.browser(&base, 390, 844).await;
    b.sign_in(&tokens["supervisor"]).await;
    assert!(
        b.text("#team").await.contains("Ditandai: aturan baru"),
        "{label}: team list"
    );
    b.close().await;
    let b = driver.browser(&base, 390, 844).await;
    b.sign_in(&tokens["hr"]).await;
    let flagged = b.text("#flagged").await;
    assert!(
        flagged.contains(e5) && flagged.contains("Ditandai: aturan baru"),
        "{label}: {flagged}"
    );
    b.close().await;
}

#[path = "../../../tests/support.rs"]
mod support;

/// The unit of Kota Bandung the hostile plugin decides, and the NIP it traps for.
const BANDUNG_UNIT: &str = "3273-DISKOMINFO-QTR";
const TRAPS_FOR: &str = "198603012011011003";

/// Five approved applicants in one unit of Kota Bandung; their application ids by NIP, and an
/// HR token of the region.
async fn bandung_unit(store: &Store) -> (BTreeMap<String, String>, String) {
    store.upsert_region("32", "Provinsi Jawa Barat").await.unwrap();
    store.upsert_region("3273", "Kota Bandung").await.unwrap();
    store
        .upsert_unit(&UnitRow {
            code: BANDUNG_UNIT.into(),
            region: "3273".into(),
            agency: "DISKOMINFO".into(),
            name: "Bidang Aplikasi".into(),
        })
        .await
        .unwrap();
    let sample = testing::employee();
    let nips = [
        "198601012011011001",
        "198602012011011002",
        TRAPS_FOR,
        "198604012011011004",
        "198605012011011005",
    ];
    let records: Vec<EmployeeRecord> = nips
        .iter()
        .enumerate()
        .map(|(i, nip)| EmployeeRecord {
            nip: (*nip).into(),
            name: format!("Pegawai Bandung {i}"),
            employment_type: sample.employment_type,
            region: "3273".into(),
            agency: "DISKOMINFO".into(),
            unit: BANDUNG_UNIT.into(),
            position_kind: sample.position_kind,
            echelon: None,
            public_service: false,
            task_category: sample.task_category,
            appointed_on: Date::new(2011, 1 + i as u8, 1).unwrap(),
            potential: sample.potential,
            unexcused_absence_days: 0,
            supervisor_nip: None,
            ratings: sample.ratings.clone(),
            penalties: vec![],
            position_code: None,
            position_status: Default::default(),
        })
        .collect();
    store.insert_employees(&records).await.unwrap();
    // Submitted and approved while the region's plugin still answered everyone.
    let work = tempfile::tempdir().unwrap();
    let ok = support::rules_with(work.path(), "ok", &support::hostile_manifest("3273", "mode = \"ok\""));
    let policies = common::load_all(ok);
    let today = Date::new(2026, 12, 1).unwrap();
    let mut ids = BTreeMap::new();
    for nip in nips {
        let draft = dwa_workflow::Draft {
            nip: nip.into(),
            quarter: QUARTER.parse().unwrap(),
            requested_remote_days: 1,
            location_kind: dwa_sdk::LocationKind::RegisteredHome,
            work_plan: "Memelihara aplikasi layanan kota.".into(),
            kpi_baseline: 70.0,
            kpi_target: 80.0,
        };
        let submitted = dwa_workflow::submit_application(store, &policies, draft, today)
            .await
            .unwrap();
        let approval = dwa_sdk::Approval {
            approver: dwa_sdk::Approver::Supervisor,
            by_nip: SUPERVISOR.into(),
            approved: true,
        };
        let id = submitted.application.id;
        dwa_workflow::decide_approval(store, &policies, &id, approval, None, today, "test")
            .await
            .unwrap();
        ids.insert(nip.to_owned(), id);
    }
    let hr = dwa_api::new_token();
    let grant = TokenGrant {
        role: "hr".into(),
        region: "3273".into(),
        nip: None,
    };
    store.insert_token(&hr, &grant).await.unwrap();
    (ids, hr)
}

/// Check that the allocation set the trapping applicant aside, named, and allocated the others.
async fn assert_set_aside(store: &Store, ids: &BTreeMap<String, String>, how: &str) {
    let quarter = QUARTER.parse().unwrap();
    let set_aside = store.unit_set_aside(BANDUNG_UNIT, quarter).await.unwrap();
    assert_eq!(set_aside.len(), 1, "{how}: {set_aside:?}");
    assert_eq!(set_aside[0].nip, TRAPS_FOR, "{how}");
    assert!(
        set_aside[0].failure.contains("plugin `hostile` 0.1.0")
            && set_aside[0].failure.contains("hostile plugin panicked on purpose"),
        "{how}: the failure names the plugin and what it said: {}",
        set_aside[0].failure
    );
    let roster = store.roster(BANDUNG_UNIT, quarter).await.unwrap();
    let placed: Vec<&str> = roster.iter().map(|e| e.nip.as_str()).collect();
    assert_eq!(placed.len(), 4, "{how}: the others are allocated: {roster:?}");
    assert!(!placed.contains(&TRAPS_FOR), "{how}");
    assert!(roster.iter().all(|e| e.remote_days == 1), "{how}: {roster:?}");
    let stored = store.application(&ids[TRAPS_FOR]).await.unwrap();
    let latest = store.latest_decision(&stored.application.id).await.unwrap();
    let status = dwa_workflow::application_status(store, &stored, &latest).await.unwrap();
    assert_eq!(status.state, dwa_workflow::ApplicationState::SetAside, "{how}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_plugin_that_traps_for_one_person_sets_them_aside_and_allocates_the_others() {
    for db in common::TestDb::both().await {
        let store = Store::connect(&db.url).await.unwrap();
        let (ids, hr) = bandung_unit(&store).await;
        let work = tempfile::tempdir().unwrap();
        let params = format!("mode = \"panic\"\nonly_nip = \"{TRAPS_FOR}\"");
        let rules = support::rules_with(work.path(), "traps", &support::hostile_manifest("3273", &params));

        // The whole province at once from the CLI: the run succeeds and names the one set aside.
        let out = Command::new(env!("CARGO_BIN_EXE_dwa"))
            .args(["allocate", "--all", "--quarter", QUARTER])
            .env("DWA_DATABASE", &db.url)
            .env("DWA_RULES", &rules)
            .env("DWA_COMPILE_CACHE", "off")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{}: {stderr}", db.label);
        assert!(
            stderr.contains("1 application(s) set aside") && stderr.contains(TRAPS_FOR),
            "{}: {stderr}",
            db.label
        );
        assert_set_aside(&store, &ids, &format!("{} allocate --all", db.label)).await;

        // One unit over the API: 200, the outcome lists who was set aside and why, and the
        // application reads `set_aside` with the failure.
        let (url, rules2) = (db.url.clone(), rules.clone());
        let server = tokio::task::spawn_blocking(move || serve(&url, &rules2)).await.unwrap();
        let (hr2, id) = (hr.clone(), ids[TRAPS_FOR].clone());
        let (outcome, view) = tokio::task::spawn_blocking(move || {
            let run = server.api(
                "POST",
                "/api/allocations",
                &hr2,
                Some(json!({"quarter": QUARTER, "unit": BANDUNG_UNIT})),
            );
            assert_eq!(run.status, 200, "{}", run.body);
            let view = server.api("GET", &format!("/api/applications/{id}"), &hr2, None);
            (run.json(), view.json())
        })
        .await
        .unwrap();
        assert_eq!(outcome[0]["set_aside"][0]["nip"], TRAPS_FOR, "{}: {outcome}", db.label);
        assert_eq!(outcome[0]["granted"], 4, "{}: {outcome}", db.label);
        // It can still be read: the state, the failure, and the stored verdict whose
        // explanation (a re-run of the rules, which still trap for this person) is unavailable.
        assert_eq!(view["state"], "set_aside", "{}: {view}", db.label);
        assert!(
            view["failure"]
                .as_str()
                .unwrap_or_default()
                .contains("plugin `hostile` 0.1.0"),
            "{}: {view}",
            db.label
        );
        assert!(
            view["decision"]["unexplained"]
                .as_str()
                .unwrap_or_default()
                .contains("plugin `hostile` 0.1.0"),
            "{}: {view}",
            db.label
        );
        assert_set_aside(&store, &ids, &format!("{} POST /api/allocations", db.label)).await;
        drop(store);
        db.drop_schema().await;
    }
}
