//! The guards of issue #19 and the host's one clock, over the real HTTP stack and the real
//! binary, on both backends: a rejection needs a note, a KPI target must rise above its
//! baseline, an activation is never scheduled in the past, a rollback names its version and
//! never toggles — each refusal a 422 naming the field that changes nothing in the database —
//! and at 00:30 WIB the API, the web pages and the CLI agree on what day it is.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use dwa_api::{AppState, Role, new_token};
use dwa_sdk::{Date, LocationKind, Quarter};
use dwa_store::{Store, TokenGrant};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::sync::Arc;
use tower::ServiceExt;

/// The host's fixed "today" in the tests that do not exercise the clock itself.
fn today() -> Date {
    Date::new(2026, 12, 1).unwrap()
}

async fn call(
    router: &axum::Router,
    method: Method,
    uri: &str,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", format!("Bearer {token}"));
    if body.is_some() {
        request = request.header("content-type", "application/json");
    }
    let body = body.map_or_else(Body::empty, |b| Body::from(b.to_string()));
    let response = router.clone().oneshot(request.body(body).unwrap()).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

async fn token_for(store: &Store, role: Role, nip: Option<&str>) -> String {
    let token = new_token();
    let grant = TokenGrant {
        role: role.code().into(),
        region: "3216".into(),
        nip: nip.map(str::to_owned),
    };
    store.insert_token(&token, &grant).await.unwrap();
    token
}

/// A signed-in web session for `role` (as the sign-in page would store it): its cookie and
/// CSRF token.
async fn web_session(store: &Store, role: Role, nip: Option<&str>) -> (String, String) {
    let (id, csrf) = (new_token(), new_token());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let session = dwa_store::WebSession {
        grant: TokenGrant {
            role: role.code().into(),
            region: "3216".into(),
            nip: nip.map(str::to_owned),
        },
        csrf: csrf.clone(),
        expires_at: now + 3600,
        token_id: None,
    };
    store.insert_session(&id, &session, now).await.unwrap();
    (format!("dwa_session={id}"), csrf)
}

/// Post a form as the session (the page in Bahasa Indonesia); the status and the page's text.
async fn post_form(router: &axum::Router, uri: &str, cookie: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
    let encode = |text: &str| -> String {
        text.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    let body: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    let request = Request::post(uri)
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body.join("&")))
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

fn draft(nip: &str, quarter: Quarter, baseline: f64, target: f64) -> Value {
    json!({
        "nip": nip, "quarter": quarter.to_string(), "requested_remote_days": 1,
        "location_kind": "registered_home", "work_plan": "Menyusun kajian kebijakan daerah",
        "kpi_baseline": baseline, "kpi_target": target
    })
}

/// An employee of region 3216 with a supervisor on record and no application for `quarter`,
/// whom the rules find eligible.
async fn eligible_employee(store: &Store, policies: &Arc<dwa_policy::PolicySet>, quarter: Quarter) -> (String, String) {
    let candidates: Vec<(String, String)> = sqlx::query_as(
        "SELECT e.nip, e.supervisor_nip FROM employees e WHERE e.region = '3216' AND e.supervisor_nip IS NOT NULL \
         AND NOT EXISTS (SELECT 1 FROM applications a WHERE a.nip = e.nip AND a.quarter = $1) ORDER BY e.nip LIMIT 200",
    )
    .bind(quarter.to_string())
    .fetch_all(store.pool())
    .await
    .unwrap();
    for (nip, supervisor) in candidates {
        let draft = dwa_workflow::Draft {
            nip: nip.clone(),
            quarter,
            requested_remote_days: 1,
            location_kind: LocationKind::RegisteredHome,
            work_plan: "—".into(),
            kpi_baseline: 70.0,
            kpi_target: 80.0,
        };
        if dwa_workflow::what_if(store, policies, draft, today())
            .await
            .unwrap()
            .eligibility
            .eligible
        {
            return (nip, supervisor);
        }
    }
    panic!("no eligible employee with a supervisor");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_rejection_needs_a_note_and_a_target_must_rise_above_its_baseline() {
    for db in common::TestDb::both().await {
        let store = Store::connect(&db.url).await.unwrap();
        let quarter = today().quarter().next();
        dwa_cli::seed::seed(&store, 120, quarter, 1).await.unwrap();
        let policies = common::policies();
        let router = dwa_api::router(AppState::new(store.clone(), policies.clone(), Some(today()))).0;
        let (nip, supervisor) = eligible_employee(&store, &policies, quarter).await;
        let me = token_for(&store, Role::Employee, Some(&nip)).await;
        let boss = token_for(&store, Role::Supervisor, Some(&supervisor)).await;

        // A target equal to or below the baseline: refused at submission, naming the field.
        for target in [70.0, 60.0] {
            let before = common::database_fingerprint(&store).await;
            let (status, body) = call(
                &router,
                Method::POST,
                "/api/applications",
                &me,
                Some(draft(&nip, quarter, 70.0, target)),
            )
            .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{}: {body}", db.label);
            assert_eq!(body["error"]["field"], "kpi_target", "{body}");
            assert!(
                body["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("above the baseline"),
                "{body}"
            );
            assert_eq!(
                before,
                common::database_fingerprint(&store).await,
                "{}: refusal changed nothing",
                db.label
            );
        }
        // The employee's form says the same, in Bahasa Indonesia, and stores nothing.
        let (cookie, csrf) = web_session(&store, Role::Employee, Some(&nip)).await;
        let before = common::database_fingerprint(&store).await;
        let (status, page) = post_form(
            &router,
            "/employee/apply",
            &cookie,
            &[
                ("csrf", &csrf),
                ("days", "1"),
                ("location", "registered_home"),
                ("work_plan", "Menyusun kajian kebijakan daerah"),
                ("kpi_baseline", "70"),
                ("kpi_target", "70"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
        assert!(
            page.contains("Target IKU: harus lebih tinggi dari nilai awal"),
            "{page}"
        );
        assert_eq!(before, common::database_fingerprint(&store).await, "{}", db.label);
        // The rules' own gate still answers a what-if with the same figures, with its remedy.
        let what_if = dwa_workflow::Draft {
            nip: nip.clone(),
            quarter,
            requested_remote_days: 1,
            location_kind: LocationKind::RegisteredHome,
            work_plan: "—".into(),
            kpi_baseline: 70.0,
            kpi_target: 70.0,
        };
        let decision = dwa_workflow::what_if(&store, &policies, what_if, today())
            .await
            .unwrap();
        assert!(!decision.eligibility.eligible);
        assert!(
            decision
                .eligibility
                .reasons
                .iter()
                .any(|r| r.code == "KPI_TARGET" && !r.passed),
            "{:?}",
            decision.eligibility.reasons
        );

        let (status, body) = call(
            &router,
            Method::POST,
            "/api/applications",
            &me,
            Some(draft(&nip, quarter, 70.0, 80.0)),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let id = body["application"]["id"].as_str().unwrap().to_owned();
        let uri = format!("/api/applications/{id}/approvals");

        // A rejection without a note, or with only blanks: refused, naming `note`.
        for body in [
            json!({"approver": "supervisor", "approved": false}),
            json!({"approver": "supervisor", "approved": false, "note": " \t "}),
        ] {
            let before = common::database_fingerprint(&store).await;
            let (status, answer) = call(&router, Method::POST, &uri, &boss, Some(body)).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{}: {answer}", db.label);
            assert_eq!(answer["error"]["field"], "note", "{answer}");
            assert_eq!(
                before,
                common::database_fingerprint(&store).await,
                "{}: refusal changed nothing",
                db.label
            );
        }
        // The supervisor's page refuses it too, in Bahasa Indonesia, changing nothing.
        let (cookie, csrf) = web_session(&store, Role::Supervisor, Some(&supervisor)).await;
        let before = common::database_fingerprint(&store).await;
        let (status, page) = post_form(
            &router,
            "/supervisor/decide",
            &cookie,
            &[
                ("csrf", &csrf),
                ("application", &id),
                ("approver", "supervisor"),
                ("decision", "reject"),
                ("note", "  "),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
        assert!(page.contains("penolakan wajib disertai catatan alasan"), "{page}");
        assert_eq!(before, common::database_fingerprint(&store).await, "{}", db.label);
        // With a note it is taken, and the note is kept.
        let (status, answer) = call(
            &router,
            Method::POST,
            &uri,
            &boss,
            Some(json!({"approver": "supervisor", "approved": false, "note": "Rencana kerja belum terukur."})),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        let notes: Vec<(String, String)> =
            sqlx::query_as("SELECT approver, note FROM approval_notes WHERE application_id = $1")
                .bind(&id)
                .fetch_all(store.pool())
                .await
                .unwrap();
        assert_eq!(
            notes,
            [("supervisor".to_owned(), "Rencana kerja belum terukur.".to_owned())],
            "{}: the rejection's note is kept",
            db.label
        );
        db.drop_schema().await;
    }
}

/// A version stored from the region's manifest with one parameter changed.
async fn upload(store: &Store, policies: &Arc<dwa_policy::PolicySet>, excluded: &str) -> String {
    let text = policies.region("3216").unwrap().manifest_text.clone();
    let text = text.replace(
        "excluded_agencies = [\"RSUD\"",
        &format!("excluded_agencies = [{excluded}\"RSUD\""),
    );
    dwa_workflow::upload_version(store, policies, "3216", &text, None, None, "test")
        .await
        .unwrap()
}

/// Wait until the history task has audited `version` going live.
async fn audited_live(store: &Store, version: &str) {
    common::wait_for("the activation is audited", || {
        let (store, version) = (store.clone(), version.to_owned());
        async move {
            store
                .audit("3216")
                .await
                .unwrap()
                .iter()
                .any(|a| a.action == "activate" && a.version_id.as_deref() == Some(version.as_str()))
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rollback_names_its_version_goes_further_back_and_never_toggles_and_past_dates_are_refused() {
    for db in common::TestDb::both().await {
        let (_rules, policies) = common::deployed_copy();
        let store = Store::connect(&db.url).await.unwrap();
        // The region on record (the policy page reads its signing settings).
        dwa_cli::seed::seed(&store, 20, today().quarter().next(), 1)
            .await
            .unwrap();
        let history = dwa_workflow::record_policy_changes(store.clone(), &policies);
        let router = dwa_api::router(AppState::new(store.clone(), policies.clone(), Some(today()))).0;
        let admin = common::token(&store, Role::PolicyAdmin, "3216").await;

        // v1 (the deployed rules) is loaded at start-up, as `dwa serve` records it; then v2 and
        // v3 go live in turn.
        let v1 = upload(&store, &policies, "").await;
        store
            .record_audit(&dwa_store::AuditEntry {
                region: Some("3216".into()),
                manifest_file: "3216-kab-bekasi.toml".into(),
                action: "load".into(),
                version_id: Some(v1.clone()),
                actor: dwa_workflow::STARTUP.into(),
                detail: String::new(),
                at: dwa_store::now_rfc3339(),
            })
            .await
            .unwrap();
        let v2 = upload(&store, &policies, "\"SETDA\", ").await;
        let v3 = upload(&store, &policies, "\"DISDIK\", ").await;
        for v in [&v2, &v3] {
            dwa_workflow::activate_version(&store, &policies, "3216", v, "test")
                .await
                .unwrap();
            audited_live(&store, v).await;
        }

        // A past date is refused (422 naming `from`), changing nothing; today means now.
        let before = common::database_fingerprint(&store).await;
        let (status, body) = call(
            &router,
            Method::POST,
            "/api/policies/3216/activate",
            &admin,
            Some(json!({"version": v1, "from": "2026-11-30"})),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{}: {body}", db.label);
        assert_eq!(body["error"]["field"], "from", "{body}");
        assert!(
            body["error"]["message"].as_str().unwrap().contains("in the past"),
            "{body}"
        );
        assert_eq!(before, common::database_fingerprint(&store).await, "{}", db.label);

        // The policy page refuses it too, in Bahasa Indonesia, and its button names v2.
        let (cookie, csrf) = web_session(&store, Role::PolicyAdmin, None).await;
        let before = common::database_fingerprint(&store).await;
        let (status, page) = post_form(
            &router,
            "/policy/activate",
            &cookie,
            &[("csrf", &csrf), ("version", &v1), ("from", "2026-11-30")],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
        assert!(page.contains("tanggal itu sudah lewat"), "{page}");
        assert_eq!(before, common::database_fingerprint(&store).await, "{}", db.label);
        let page = router
            .clone()
            .oneshot(
                Request::get("/policy")
                    .header("cookie", &cookie)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        let page = String::from_utf8_lossy(&page.into_body().collect().await.unwrap().to_bytes()).into_owned();
        assert!(
            page.contains(&format!("data-target=\"{v2}\"")),
            "the button names v2: {page}"
        );
        assert!(
            page.contains(&format!("Kembalikan ke versi sebelumnya (versi {v2}")),
            "{page}"
        );

        // The rollback names v2 before it runs, and the answer names it after.
        let target = dwa_workflow::rollback_target(&store, &policies, "3216").await.unwrap();
        assert_eq!(target.version, v2);
        assert!(!target.activated_at.is_empty(), "{target:?}");
        let (status, body) = call(&router, Method::POST, "/api/policies/3216/rollback", &admin, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["rolled_back_to"]["version"], v2.as_str(), "{body}");
        assert!(body["rolled_back_to"]["plugin_version"].is_string(), "{body}");
        audited_live(&store, &v2).await;

        // Pressed again: further back to v1, never back to v3.
        let (status, body) = call(&router, Method::POST, "/api/policies/3216/rollback", &admin, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["rolled_back_to"]["version"], v1.as_str(), "{}: {body}", db.label);
        common::wait_for("v1 is audited live again", || {
            let (store, v1) = (store.clone(), v1.clone());
            async move { store.audit("3216").await.unwrap()[0].version_id.as_deref() == Some(v1.as_str()) }
        })
        .await;

        // Nothing earlier: a 409 that changes nothing.
        let before = common::database_fingerprint(&store).await;
        let (status, body) = call(&router, Method::POST, "/api/policies/3216/rollback", &admin, None).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(before, common::database_fingerprint(&store).await, "{}", db.label);

        drop(router);
        drop(policies);
        history.abort();
        db.drop_schema().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn at_half_past_midnight_wib_the_api_the_web_and_the_cli_agree_on_today() {
    // 17:30 UTC on 6 December is 00:30 WIB on 7 December. Only this test reads the clock
    // in-process; the others fix their day.
    const NOW: &str = "2026-12-06T17:30:00Z";
    // SAFETY: set before anything in this test reads the environment; the other tests of this
    // file pass a fixed day and never read DWA_NOW.
    unsafe { std::env::set_var(dwa_domain::clock::NOW_VAR, NOW) };
    let west_java = Date::new(2026, 12, 7).unwrap();
    assert_eq!(dwa_domain::today(), west_java);

    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/dwa.db", dir.path().display());
    let (rules, policies) = common::deployed_copy();
    let store = Store::connect(&url).await.unwrap();
    let history = dwa_workflow::record_policy_changes(store.clone(), &policies);
    let v1 = upload(&store, &policies, "").await;
    // The API (and the web pages, which read the same AppState::today) without a fixed day.
    let state = AppState::new(store.clone(), policies.clone(), None);
    assert_eq!(state.today(), west_java, "the API's and the web's today");
    let router = dwa_api::router(state).0;
    let admin = common::token(&store, Role::PolicyAdmin, "3216").await;
    let (status, body) = call(
        &router,
        Method::POST,
        "/api/policies/3216/activate",
        &admin,
        Some(json!({"version": v1, "from": "2026-12-06"})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "6 December is yesterday in West Java: {body}"
    );
    drop(router);
    drop(policies);
    history.abort();

    // The CLI's scheduling reads the same clock: yesterday refused (under UTC it would have
    // been today and activated), today activates now.
    let run = |from: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_dwa"))
            .args([
                "policy",
                "activate",
                "--region",
                "3216",
                "--version",
                &v1,
                "--from",
                from,
            ])
            .args(["--database", &url, "--rules", rules.path().to_str().unwrap()])
            .env(dwa_domain::clock::NOW_VAR, NOW)
            .output()
            .unwrap()
    };
    let before = common::database_fingerprint(&store).await;
    let out = run("2026-12-06");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains("in the past"), "{stderr}");
    assert_eq!(
        before,
        common::database_fingerprint(&store).await,
        "the CLI's refusal changed nothing"
    );
    let out = run("2026-12-07");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("now serves"),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
