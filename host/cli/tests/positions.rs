//! The position catalogue (issue #10 item 5) on SQLite and PostgreSQL: imported by CSV over the
//! API and with `dwa import positions` (the real binary), edited one entry at a time with who and
//! when recorded, scoped to the region's editors; every refusal names its field and leaves the
//! database exactly as it was (fingerprint).

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use dwa_api::{AppState, Role, new_token};
use dwa_sdk::{Date, Quarter};
use dwa_store::{PositionStatus, Store, TokenGrant};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::process::Command;
use tower::ServiceExt;

const Q1: Quarter = Quarter { year: 2027, number: 1 };
const TODAY: Date = Date {
    year: 2026,
    month: 12,
    day: 1,
};
const CATALOGUE: &str = "kodeJabatan;namaJabatan;status;catatan\n\
    JF-ANALIS-KEBIJAKAN-MUDA;Analis Kebijakan Ahli Muda;layak;tanpa layanan tatap muka\n\
    JF-PERAWAT-PERTAMA;Perawat Ahli Pertama;dikecualikan;layanan langsung di puskesmas\n\
    JF-ARSIPARIS;Arsiparis Terampil;ditinjau;\n";

async fn seeded(db: &common::TestDb) -> Store {
    let store = Store::connect(&db.url)
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", db.label));
    dwa_cli::seed::seed(&store, 30, Q1, 5).await.unwrap();
    store
}

async fn token(store: &Store, role: Role, region: &str, nip: Option<&str>) -> String {
    let token = new_token();
    let grant = TokenGrant {
        role: role.code().into(),
        region: region.into(),
        nip: nip.map(Into::into),
    };
    store.insert_token(&token, &grant).await.unwrap();
    token
}

async fn call(
    router: &Router,
    method: Method,
    uri: &str,
    token: &str,
    body: Option<(&str, String)>,
) -> (StatusCode, Value) {
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", format!("Bearer {token}"));
    let body = match body {
        Some((content_type, body)) => {
            request = request.header("content-type", content_type);
            Body::from(body)
        }
        None => Body::empty(),
    };
    let response = router.clone().oneshot(request.body(body).unwrap()).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let value =
        serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
    (status, value)
}

fn csv(text: &str) -> Option<(&'static str, String)> {
    Some(("text/csv", text.to_owned()))
}

fn json_body(value: Value) -> Option<(&'static str, String)> {
    Some(("application/json", value.to_string()))
}

#[tokio::test(flavor = "multi_thread")]
async fn hr_imports_and_edits_the_catalogue_with_who_and_when() {
    for db in common::TestDb::both().await {
        let store = seeded(&db).await;
        let router = dwa_api::router(AppState::new(store.clone(), common::policies(), Some(TODAY))).0;
        let hr = token(&store, Role::Hr, "3216", None).await;

        let (status, answer) = call(&router, Method::POST, "/api/positions/import", &hr, csv(CATALOGUE)).await;
        assert_eq!(status, StatusCode::OK, "{}: {answer}", db.label);
        assert_eq!(answer["imported"], 3);
        let (status, list) = call(&router, Method::GET, "/api/positions", &hr, None).await;
        assert_eq!(status, StatusCode::OK);
        let statuses: Vec<(&str, &str)> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["code"].as_str().unwrap(), e["status"].as_str().unwrap()))
            .collect();
        assert_eq!(
            statuses,
            [
                ("JF-ANALIS-KEBIJAKAN-MUDA", "eligible"),
                ("JF-ARSIPARIS", "under_review"),
                ("JF-PERAWAT-PERTAMA", "excluded"),
            ],
            "{}",
            db.label
        );
        // Who: the role, its region and the token's id (listable and revocable), not the role alone.
        let hr_actor = format!("hr of region 3216 (token {})", dwa_store::token_id(&hr));
        assert_eq!(list[0]["changed_by"], hr_actor.as_str());
        assert!(list[0]["changed_at"].as_str().unwrap().starts_with("20"));

        // The policy admin decides the position under review: recorded as a second change.
        let admin = token(&store, Role::PolicyAdmin, "3216", None).await;
        let (status, entry) = call(
            &router,
            Method::PUT,
            "/api/positions/JF-ARSIPARIS",
            &admin,
            json_body(json!({"status": "eligible", "note": "arsip digital, tanpa tatap muka"})),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{entry}");
        assert_eq!(
            (
                entry["status"].as_str(),
                entry["name"].as_str(),
                entry["changed_by"].as_str()
            ),
            (
                Some("eligible"),
                Some("Arsiparis Terampil"),
                Some(&*format!(
                    "policy-admin of region 3216 (token {})",
                    dwa_store::token_id(&admin)
                ))
            )
        );
        let (_, history) = call(
            &router,
            Method::GET,
            "/api/positions/changes?code=JF-ARSIPARIS",
            &hr,
            None,
        )
        .await;
        let trail: Vec<(Value, Value, &str)> = history
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["status_before"].clone(),
                    c["status_after"].clone(),
                    c["via"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            trail,
            [
                (Value::Null, json!("under_review"), "import"),
                (json!("under_review"), json!("eligible"), "edit"),
            ]
        );

        // Importing the same file again changes the one entry it now disagrees with, and nothing
        // else; a file without a position keeps the stored entry.
        let (status, _) = call(&router, Method::POST, "/api/positions/import", &hr, csv(CATALOGUE)).await;
        assert_eq!(status, StatusCode::OK);
        let changes = store.position_changes("3216", None).await.unwrap();
        assert_eq!(changes.len(), 5, "3 added, 1 edit, 1 re-import of JF-ARSIPARIS");
        let partial = "kodeJabatan,namaJabatan,status\nJF-PRANATA-KOMPUTER,Pranata Komputer Ahli Pertama,layak\n";
        let (status, _) = call(&router, Method::POST, "/api/positions/import", &hr, csv(partial)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(store.positions("3216").await.unwrap().len(), 4);
        assert_eq!(
            store
                .position("3216", "JF-PERAWAT-PERTAMA")
                .await
                .unwrap()
                .unwrap()
                .status,
            PositionStatus::Excluded
        );
        db.drop_schema().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_files_and_edits_are_refused_by_field_and_change_nothing() {
    for db in common::TestDb::both().await {
        let store = seeded(&db).await;
        let router = dwa_api::router(AppState::new(store.clone(), common::policies(), Some(TODAY))).0;
        let hr = token(&store, Role::Hr, "3216", None).await;
        let (status, _) = call(&router, Method::POST, "/api/positions/import", &hr, csv(CATALOGUE)).await;
        assert_eq!(status, StatusCode::OK);
        let employee: String =
            sqlx::query_scalar("SELECT nip FROM employees WHERE region = '3216' ORDER BY nip LIMIT 1")
                .fetch_one(store.pool())
                .await
                .unwrap();
        let staff = token(&store, Role::Employee, "3216", Some(&employee)).await;
        let other_hr = token(&store, Role::Hr, "32", None).await;
        let province = token(&store, Role::ProvincialAdmin, "32", None).await;
        let before = common::database_fingerprint(&store).await;

        // One bad row refuses the whole file, naming its line and column.
        let bad = format!("{CATALOGUE}JF-BARU;Jabatan Baru;mungkin;\n");
        let (status, answer) = call(&router, Method::POST, "/api/positions/import", &hr, csv(&bad)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert_eq!(answer["error"]["field"], "status");
        assert_eq!(answer["rejected"][0]["line"], 5);

        let refusals: [(&str, Value, &str); 5] = [
            ("/api/positions/JF-ARSIPARIS", json!({"status": "maybe"}), "status"),
            (
                "/api/positions/JF-ARSIPARIS",
                json!({"status": "eligible", "note": "<b>x</b>"}),
                "note",
            ),
            ("/api/positions/JF-TIDAK-ADA", json!({"status": "eligible"}), "name"),
            (
                "/api/positions/JF%20SPASI",
                json!({"status": "eligible", "name": "X"}),
                "code",
            ),
            (
                "/api/positions/JF-ARSIPARIS",
                json!({"status": "eligible", "colour": "blue"}),
                "colour",
            ),
        ];
        for (uri, body, field) in refusals {
            let (status, answer) = call(&router, Method::PUT, uri, &hr, json_body(body.clone())).await;
            assert!(
                status.is_client_error(),
                "{}: {uri} {body}: {status} {answer}",
                db.label
            );
            assert_eq!(answer["error"]["field"], field, "{uri} {body}: {answer}");
        }

        // Scope: an employee and a supervisor may read but not change; another region's HR may
        // neither read nor change; the provincial admin may change any region.
        let edit = json!({"status": "excluded"});
        let (status, _) = call(&router, Method::GET, "/api/positions", &staff, None).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = call(
            &router,
            Method::PUT,
            "/api/positions/JF-ARSIPARIS",
            &staff,
            json_body(edit.clone()),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = call(&router, Method::POST, "/api/positions/import", &staff, csv(CATALOGUE)).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = call(&router, Method::GET, "/api/positions?region=3216", &other_hr, None).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = call(
            &router,
            Method::PUT,
            "/api/positions/JF-ARSIPARIS?region=3216",
            &other_hr,
            json_body(edit.clone()),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(
            common::database_fingerprint(&store).await,
            before,
            "{}: a refusal changed the database",
            db.label
        );

        let (status, entry) = call(
            &router,
            Method::PUT,
            "/api/positions/JF-ARSIPARIS?region=3216",
            &province,
            json_body(edit),
        )
        .await;
        assert_eq!((status, entry["status"].as_str()), (StatusCode::OK, Some("excluded")));
        db.drop_schema().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn dwa_import_positions_writes_all_or_nothing() {
    let db = common::TestDb::sqlite();
    let store = seeded(&db).await;
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("jabatan.csv");
    std::fs::write(&good, CATALOGUE).unwrap();
    let bad = dir.path().join("jabatan-salah.csv");
    std::fs::write(&bad, format!("{CATALOGUE}JF-ARSIPARIS;Arsiparis;layak;\n")).unwrap();
    let dwa = |file: &std::path::Path| {
        Command::new(env!("CARGO_BIN_EXE_dwa"))
            .args(["import", "positions", "--region", "3216", "--database", &db.url])
            .arg(file)
            .output()
            .unwrap()
    };

    let refused = dwa(&bad);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("line 4, kodeJabatan") && stderr.contains("more than once"),
        "{stderr}"
    );
    assert!(store.positions("3216").await.unwrap().is_empty(), "nothing written");

    let written = dwa(&good);
    let stderr = String::from_utf8_lossy(&written.stderr);
    assert!(written.status.success(), "{stderr}");
    assert!(stderr.contains("imported 3 positions into region 3216"), "{stderr}");
    let entries = store.positions("3216").await.unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[0].changed_by, "dwa import positions jabatan.csv");
}

/// Employees of one unit with a position code each (or none), as HR exports them with
/// SIASN's optional `kodeJabatan` column.
const ANALYST: &str = "198807152012011004";
const NURSE: &str = "199001202015032002";
const CLERK: &str = "199203102018011003";

fn staff_with_positions(unit: &str, nurse_position: &str) -> String {
    let mut csv = String::from(
        "nipBaru,nama,jenisPegawai,jenisJabatan,eselon,unorId,tmtCpns,layananPublik,kategoriTugas,potensi,skp,hukdis,alpa12Bulan,nipAtasan,kodeJabatan\n",
    );
    for (nip, name, position) in [
        (ANALYST, "Ahmad Fauzi", "JF-ANALIS-KEBIJAKAN-MUDA"),
        (NURSE, "Siti Rahma", nurse_position),
        (CLERK, "Budi Santoso", ""),
    ] {
        let tmt = format!("{}-{}-01", &nip[8..12], &nip[12..14]);
        csv.push_str(&format!(
            "{nip},{name},PNS,Fungsional,,{unit},{tmt},tidak,perencanaan,tinggi,2025:sesuai:sesuai;2026:diatas:diatas,,0,,{position}\n"
        ));
    }
    csv
}

/// The rules of `rules/` with Bekasi's position gate turned on (its worked examples' employee
/// holds an eligible position, so they still decide as written).
fn policies_with_position_gate() -> (tempfile::TempDir, std::sync::Arc<dwa_policy::PolicySet>) {
    let (dir, _) = common::deployed_copy();
    let manifest = dir.path().join("3216-kab-bekasi.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let text = text
        .replacen("[parameters]\n", "[parameters]\nposition_gate = true\n", 1)
        .replacen(
            "[examples.defaults.employee]\n",
            "[examples.defaults.employee]\nposition_code = \"JF-ANALIS-KEBIJAKAN-MUDA\"\nposition_status = \"eligible\"\n",
            1,
        );
    std::fs::write(&manifest, text).unwrap();
    let set = common::load_all(dir.path().to_owned());
    (dir, set)
}

/// The codes of the gates an application's decision failed.
fn failed_gates(body: &Value) -> Vec<String> {
    body["decision"]["reasons"]
        .as_array()
        .unwrap_or_else(|| panic!("no reasons in {body}"))
        .iter()
        .filter(|r| r["passed"] == false)
        .map(|r| r["code"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn each_employee_s_position_reaches_the_plugin_and_a_catalogue_change_the_next_decision() {
    let (_rules, policies) = policies_with_position_gate();
    for db in common::TestDb::both().await {
        let store = seeded(&db).await;
        let router = dwa_api::router(AppState::new(store.clone(), policies.clone(), Some(TODAY))).0;
        let hr = token(&store, Role::Hr, "3216", None).await;
        let unit = store
            .units(Some("3216"))
            .await
            .unwrap()
            .into_iter()
            .find(|u| u.agency == "BAPPEDA")
            .expect("a BAPPEDA unit in Bekasi");
        let (status, answer) = call(&router, Method::POST, "/api/positions/import", &hr, csv(CATALOGUE)).await;
        assert_eq!(status, StatusCode::OK, "{}: {answer}", db.label);

        // A code that is not one: the whole file is refused by line and column, nothing written.
        let before = common::database_fingerprint(&store).await;
        let bad = staff_with_positions(&unit.code, "JF PERAWAT/PERTAMA");
        let (status, answer) = call(&router, Method::POST, "/api/employees/import", &hr, csv(&bad)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{}: {answer}", db.label);
        let rejected = answer["rejected"].as_array().unwrap_or_else(|| panic!("{answer}"));
        assert_eq!(rejected.len(), 1, "{answer}");
        assert_eq!(rejected[0]["line"], 3, "{answer}");
        assert_eq!(rejected[0]["field"], "kodeJabatan", "{answer}");
        assert_eq!(rejected[0]["nip"], NURSE, "{answer}");
        assert_eq!(common::database_fingerprint(&store).await, before, "{}", db.label);

        let good = staff_with_positions(&unit.code, "JF-PERAWAT-PERTAMA");
        let (status, answer) = call(&router, Method::POST, "/api/employees/import", &hr, csv(&good)).await;
        assert_eq!(status, StatusCode::OK, "{}: {answer}", db.label);
        assert_eq!(answer["imported"], 3, "{answer}");

        // The stored profile carries the code and what the catalogue says of it.
        let (_, analyst) = call(&router, Method::GET, &format!("/api/employees/{ANALYST}"), &hr, None).await;
        assert_eq!(analyst["position_code"], "JF-ANALIS-KEBIJAKAN-MUDA", "{analyst}");
        assert_eq!(analyst["position_status"], "eligible", "{analyst}");
        let (_, clerk) = call(&router, Method::GET, &format!("/api/employees/{CLERK}"), &hr, None).await;
        assert_eq!(clerk["position_code"], Value::Null, "{clerk}");
        assert_eq!(clerk["position_status"], "unlisted", "{clerk}");

        // Submitted over HTTP: only the eligible position passes the gate, the plugin names the
        // position it refused.
        let submit = |nip: &'static str| {
            let (router, store) = (router.clone(), store.clone());
            async move {
                let me = token(&store, Role::Employee, "3216", Some(nip)).await;
                let draft = json!({
                    "nip": nip, "quarter": "2027-Q1", "requested_remote_days": 1,
                    "location_kind": "registered_home", "work_plan": "Menyusun kajian kebijakan",
                    "kpi_baseline": 70.0, "kpi_target": 80.0
                });
                let (status, body) = call(&router, Method::POST, "/api/applications", &me, json_body(draft)).await;
                assert_eq!(status, StatusCode::CREATED, "{body}");
                body
            }
        };
        let analyst = submit(ANALYST).await;
        assert_eq!(failed_gates(&analyst), Vec::<String>::new(), "{}: {analyst}", db.label);
        assert_eq!(analyst["decision"]["eligible"], true);
        let nurse = submit(NURSE).await;
        assert_eq!(failed_gates(&nurse), ["POSITION"], "{}: {nurse}", db.label);
        assert_eq!(nurse["state"], "not_eligible", "{nurse}");
        let reason = nurse["decision"]["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["code"] == "POSITION")
            .unwrap()
            .to_string();
        assert!(reason.contains("JF-PERAWAT-PERTAMA"), "{reason}");
        let clerk = submit(CLERK).await;
        assert_eq!(failed_gates(&clerk), ["POSITION"], "{}: {clerk}", db.label);

        // The allocation's reader gives the plugin the same: code and catalogue status per person.
        let page = store
            .staff_page("3216", vec![unit.code.clone()], Q1)
            .await
            .unwrap()
            .parse("3216", Q1, TODAY)
            .unwrap();
        let positions: Vec<(String, String, dwa_sdk::PositionStatus)> = page[0]
            .staff
            .iter()
            .filter(|s| [ANALYST, NURSE, CLERK].contains(&s.employee.nip.as_str()))
            .map(|s| {
                (
                    s.employee.nip.clone(),
                    s.employee.position_code.clone(),
                    s.employee.position_status,
                )
            })
            .collect();
        assert_eq!(
            positions,
            [
                (
                    ANALYST.to_owned(),
                    "JF-ANALIS-KEBIJAKAN-MUDA".to_owned(),
                    dwa_sdk::PositionStatus::Eligible
                ),
                (
                    NURSE.to_owned(),
                    "JF-PERAWAT-PERTAMA".to_owned(),
                    dwa_sdk::PositionStatus::Excluded
                ),
                (CLERK.to_owned(), String::new(), dwa_sdk::PositionStatus::Unlisted),
            ],
            "{}",
            db.label
        );

        // The region decides the nurse's position qualifies after all: the next decision says
        // so, with no plugin redeployed. (The nurse withdraws and applies again.)
        let admin = token(&store, Role::PolicyAdmin, "3216", None).await;
        let (status, entry) = call(
            &router,
            Method::PUT,
            "/api/positions/JF-PERAWAT-PERTAMA",
            &admin,
            json_body(json!({"status": "eligible", "note": "tugas administrasi"})),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{}: {entry}", db.label);
        let id = nurse["application"]["id"].as_str().unwrap();
        let me = token(&store, Role::Employee, "3216", Some(NURSE)).await;
        let (status, body) = call(
            &router,
            Method::POST,
            &format!("/api/applications/{id}/withdraw"),
            &me,
            None,
        )
        .await;
        assert!(status.is_success(), "{}: {body}", db.label);
        let again = submit(NURSE).await;
        assert_eq!(failed_gates(&again), Vec::<String>::new(), "{}: {again}", db.label);
        db.drop_schema().await;
    }
}
