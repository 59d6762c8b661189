//! A table of bad requests over every write endpoint of the API (and the ways any request can be
//! wrong: authentication, methods, routes, sizes, content types), on SQLite and PostgreSQL, over
//! the real router, the real plugins and a seeded database. Each must be a 4xx in the one JSON
//! error shape, name the field where there is one, show no server path or parser internals,
//! carry the security headers — and the whole table must leave the database and the rules
//! folder byte-for-byte unchanged. Paired allowed requests show the same endpoints still work.

mod common;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use base64::Engine as _;
use dwa_api::{AppState, Role, new_token};
use dwa_sdk::Date;
use dwa_store::{Store, TokenGrant};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::net::SocketAddr;
use std::path::Path;
use tower::ServiceExt;

const Q1: dwa_sdk::Quarter = dwa_sdk::Quarter { year: 2027, number: 1 };
const BEKASI_MANIFEST: &str = "3216-kab-bekasi.toml";
const PROVINCE_MANIFEST: &str = "32-jabar.toml";
const METRICS_TOKEN: &str = "metrics-secret-for-tests";

/// How a request authenticates.
#[derive(Clone, Debug)]
enum Auth {
    None,
    Bearer(String),
    /// A raw `Authorization` header value.
    Raw(String),
}

/// One request and what it must get.
#[derive(Clone, Debug)]
struct Case {
    what: String,
    method: Method,
    uri: String,
    auth: Auth,
    content_type: Option<String>,
    body: Vec<u8>,
    status: StatusCode,
    field: Option<String>,
}

fn case(what: impl Into<String>, method: Method, uri: impl Into<String>, auth: &Auth) -> Case {
    Case {
        what: what.into(),
        method,
        uri: uri.into(),
        auth: auth.clone(),
        content_type: None,
        body: Vec::new(),
        status: StatusCode::IM_A_TEAPOT,
        field: None,
    }
}

impl Case {
    fn json(mut self, value: Value) -> Case {
        self.body = value.to_string().into_bytes();
        self.content_type = Some("application/json".into());
        self
    }
    fn raw(mut self, body: impl Into<Vec<u8>>) -> Case {
        self.body = body.into();
        self
    }
    fn typed(mut self, content_type: &str) -> Case {
        self.content_type = Some(content_type.into());
        self
    }
    fn expect(mut self, status: u16, field: Option<&str>) -> Case {
        self.status = StatusCode::from_u16(status).unwrap();
        self.field = field.map(Into::into);
        self
    }
}

/// The seeded world the table runs against.
struct World {
    store: Store,
    rules: tempfile::TempDir,
    router: Router,
    nip: String,
    other_nip: String,
    unit: String,
    application: String,
    /// An application submitted through the API, with a decision awaiting the supervisor.
    fresh: String,
    decision: String,
    version_3216: String,
    version_32: String,
    me: Auth,
    boss: Auth,
    hr: Auth,
    hr_other: Auth,
    admin: Auth,
    province: Auth,
}

async fn token(store: &Store, role: Role, region: &str, nip: Option<&str>) -> Auth {
    let token = new_token();
    let grant = TokenGrant {
        role: role.code().into(),
        region: region.into(),
        nip: nip.map(Into::into),
    };
    store.insert_token(&token, &grant).await.unwrap();
    Auth::Bearer(token)
}

/// Send one request from `peer`; the answer's status, headers and JSON (or text) body.
async fn send(router: &Router, c: &Case, peer: SocketAddr) -> (StatusCode, axum::http::HeaderMap, Value) {
    let mut request = Request::builder().method(c.method.clone()).uri(&c.uri);
    match &c.auth {
        Auth::None => {}
        Auth::Bearer(t) => request = request.header(header::AUTHORIZATION, format!("Bearer {t}")),
        Auth::Raw(v) => request = request.header(header::AUTHORIZATION, v.as_str()),
    }
    if let Some(ct) = &c.content_type {
        request = request.header(header::CONTENT_TYPE, ct.as_str());
    }
    let mut request = request.body(Body::from(c.body.clone())).unwrap();
    request.extensions_mut().insert(ConnectInfo(peer));
    let response = router.clone().oneshot(request).await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let value =
        serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
    (status, headers, value)
}

/// sha256 over every file (name and content) under `dir`, dotfiles included.
fn rules_fingerprint(dir: &Path) -> String {
    fn walk(dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push((path.display().to_string(), std::fs::read(&path).unwrap()));
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, &mut files);
    files.sort();
    let mut hash = Sha256::new();
    for (name, bytes) in &files {
        hash.update(format!("{name} {}\n", bytes.len()));
        hash.update(Sha256::digest(bytes));
    }
    assert!(files.len() >= 4, "{files:?}");
    hex::encode(hash.finalize())
}

async fn world(db: &common::TestDb) -> World {
    let store = Store::connect(&db.url)
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", db.label));
    dwa_cli::seed::seed(&store, 300, Q1, 11).await.unwrap();
    let (rules, policies) = common::deployed_copy();
    let state = AppState::new(store.clone(), policies, Some(Date::new(2026, 12, 1).unwrap()))
        .with_metrics_token(Some(METRICS_TOKEN.into()));
    let router = dwa_api::router(state).0;
    let row = sqlx::query(
        "SELECT e.nip, e.supervisor_nip, e.unit, a.id FROM employees e JOIN applications a ON a.nip = e.nip \
         WHERE e.region = '3216' AND e.supervisor_nip IS NOT NULL AND a.status = 'submitted' ORDER BY e.nip LIMIT 1",
    )
    .fetch_one(store.pool())
    .await
    .unwrap();
    let (nip, supervisor, unit, application): (String, String, String, String) =
        (row.get(0), row.get(1), row.get(2), row.get(3));
    let other_nip: String =
        sqlx::query("SELECT nip FROM employees WHERE region = '3216' AND nip <> $1 ORDER BY nip LIMIT 1")
            .bind(&nip)
            .fetch_one(store.pool())
            .await
            .unwrap()
            .get(0);
    let mut w = World {
        me: token(&store, Role::Employee, "3216", Some(&nip)).await,
        boss: token(&store, Role::Supervisor, "3216", Some(&supervisor)).await,
        hr: token(&store, Role::Hr, "3216", None).await,
        hr_other: token(&store, Role::Hr, "32", None).await,
        admin: token(&store, Role::PolicyAdmin, "3216", None).await,
        province: token(&store, Role::ProvincialAdmin, "32", None).await,
        store,
        rules,
        router,
        nip,
        other_nip,
        unit,
        application,
        fresh: String::new(),
        decision: String::new(),
        version_3216: String::new(),
        version_32: String::new(),
    };
    // Realistic state before the table: a fresh decision, and a stored candidate per region.
    let peer: SocketAddr = "192.0.2.1:4000".parse().unwrap();
    let good = case("a good submission", Method::POST, "/api/applications", &w.me)
        .json(draft(&w.nip, "2027-Q2", 1, 90.0))
        .expect(201, None);
    let (status, _, body) = send(&w.router, &good, peer).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    w.decision = body["decision"]["id"].as_str().unwrap().to_owned();
    w.fresh = body["application"]["id"].as_str().unwrap().to_owned();
    for (region, file, auth) in [
        ("3216", BEKASI_MANIFEST, w.admin.clone()),
        ("32", PROVINCE_MANIFEST, w.province.clone()),
    ] {
        let manifest = std::fs::read_to_string(w.rules.path().join(file))
            .unwrap()
            .replace("transport_cost_per_day = 35000", "transport_cost_per_day = 36000");
        let upload = case(
            "upload",
            Method::POST,
            format!("/api/policies/{region}/versions"),
            &auth,
        )
        .json(json!({ "manifest": manifest }))
        .expect(201, None);
        let (status, _, body) = send(&w.router, &upload, peer).await;
        assert_eq!(status, StatusCode::CREATED, "{region}: {body}");
        let id = body["version"].as_str().unwrap().to_owned();
        if region == "3216" {
            w.version_3216 = id;
        } else {
            w.version_32 = id;
        }
    }
    w
}

fn draft(nip: &str, quarter: &str, days: u8, target: f64) -> Value {
    json!({
        "nip": nip, "quarter": quarter, "requested_remote_days": days, "location_kind": "registered_home",
        "work_plan": "Menyusun rancangan peraturan bupati", "kpi_baseline": 70.0, "kpi_target": target
    })
}

const CSV_HEADER: &str = "nipBaru,nama,jenisPegawai,jenisJabatan,eselon,unorId,tmtCpns,layananPublik,kategoriTugas,potensi,skp,hukdis,alpa12Bulan,nipAtasan\n";

fn csv_row(nip: &str, name: &str, unit: &str) -> String {
    format!(
        "{CSV_HEADER}{nip},{name},PNS,Fungsional,,{unit},2012-01-01,tidak,konseptor,tinggi,2026:sesuai:sesuai,,0,\n"
    )
}

/// The table: every write endpoint, with every kind of bad input.
fn cases(w: &World) -> Vec<Case> {
    let (me, boss, hr, admin, province) = (&w.me, &w.boss, &w.hr, &w.admin, &w.province);
    let approvals = format!("/api/applications/{}/approvals", w.fresh);
    let withdraw = format!("/api/applications/{}/withdraw", w.application);
    let replay = format!("/api/decisions/{}/replay", w.decision);
    let bekasi = std::fs::read_to_string(w.rules.path().join(BEKASI_MANIFEST)).unwrap();
    let jabar = std::fs::read_to_string(w.rules.path().join(PROVINCE_MANIFEST)).unwrap();
    let good_draft = draft(&w.nip, "2027-Q2", 1, 90.0);
    let with = |field: &str, value: Value| {
        let mut d = good_draft.clone();
        d[field] = value;
        d
    };
    let mut t = Vec::new();

    // 1. Every JSON write endpoint × every way a body can be malformed.
    let json_endpoints: Vec<(&str, String, &Auth, Value, &str)> = vec![
        ("submit", "/api/applications".into(), me, good_draft.clone(), "salary"),
        (
            "approve",
            approvals.clone(),
            boss,
            json!({"approver": "supervisor", "approved": true}),
            "comment",
        ),
        (
            "allocate",
            "/api/allocations".into(),
            hr,
            json!({"quarter": "2027-Q1", "unit": w.unit}),
            "units",
        ),
        (
            "review",
            "/api/reviews".into(),
            hr,
            json!({"nip": w.nip, "quarter": "2026-Q4", "kpi_achieved": true}),
            "score",
        ),
        (
            "upload",
            "/api/policies/3216/versions".into(),
            admin,
            json!({"manifest": bekasi}),
            "signed_by",
        ),
        (
            "activate",
            "/api/policies/3216/activate".into(),
            admin,
            json!({"version": w.version_3216}),
            "when",
        ),
        (
            "rollback",
            "/api/policies/3216/rollback".into(),
            admin,
            json!({"version": w.version_3216}),
            "force",
        ),
        (
            "add region",
            "/api/regions".into(),
            province,
            json!({"code": "3217", "name": "Kabupaten Bandung Barat"}),
            "population",
        ),
    ];
    for (name, uri, auth, good, unknown) in &json_endpoints {
        let text = good.to_string();
        let first_key = good.as_object().unwrap().keys().next().unwrap().clone();
        let post = |what: &str| case(format!("{name}: {what}"), Method::POST, uri.clone(), auth);
        t.push(post("trailing garbage").raw(format!("{text}xyz")).expect(400, None));
        t.push(post("two JSON values").raw(format!("{text}{text}")).expect(400, None));
        t.push(
            post("trailing garbage after a space")
                .raw(format!("{text} ]"))
                .expect(400, None),
        );
        t.push(
            post("form-encoded text as the body")
                .raw("nip=1&quarter=2")
                .expect(400, None),
        );
        t.push(post("truncated JSON").raw(&text[..text.len() / 2]).expect(400, None));
        t.push(
            post("a trailing comma")
                .raw(format!("{},}}", &text[..text.len() - 1]))
                .expect(400, None),
        );
        t.push(post("an array").json(json!([good])).expect(422, None));
        t.push(post("null").json(Value::Null).expect(422, None));
        t.push(post("a string").json(json!("hello")).expect(422, None));
        t.push(
            post("text/plain content type")
                .raw(text.clone())
                .typed("text/plain")
                .expect(415, None),
        );
        t.push(
            post("form content type")
                .raw(text.clone())
                .typed("application/x-www-form-urlencoded")
                .expect(415, None),
        );
        t.push(
            post("multipart content type")
                .raw(text.clone())
                .typed("multipart/form-data; boundary=x")
                .expect(415, None),
        );
        t.push(
            post("an array nested 300 deep")
                .raw(format!("{}{}", "[".repeat(300), "]".repeat(300)))
                .expect(422, None),
        );
        t.push(
            post("a field nested 300 deep")
                .raw(format!("{{\"{first_key}\": {}{}}}", "[".repeat(300), "]".repeat(300)))
                .expect(422, Some(&first_key)),
        );
        let mut extra = good.clone();
        extra[*unknown] = json!(1);
        t.push(post("an unknown field").json(extra).expect(422, Some(unknown)));
        let duplicated = text.replacen('{', &format!("{{\"{first_key}\": {},", good[&first_key]), 1);
        t.push(post("a repeated field").raw(duplicated).expect(422, Some(&first_key)));
        let mut bad_utf8 = text.clone().into_bytes();
        let quote = bad_utf8.iter().rposition(|b| *b == b'"').unwrap();
        bad_utf8.insert(quote, 0xff);
        t.push(post("invalid UTF-8 in a string").raw(bad_utf8).expect(400, None));
        t.push(
            post("a raw control character in a string")
                .raw(text.replacen(':', ":\"\u{1}\",\"x\":", 1))
                .expect(400, None),
        );
        if *name != "rollback" {
            t.push(post("an empty body").expect(400, None));
            t.push(post("only whitespace").raw("  \n ").expect(400, None));
        }
    }

    // 2. Submitting an application: every field wrong in every way.
    let submit = |what: &str, body: Value, status: u16, field: Option<&str>| {
        case(format!("submit: {what}"), Method::POST, "/api/applications", me)
            .json(body)
            .expect(status, field)
    };
    for (what, quarter) in [
        ("a signed 3-digit year", json!("+202-Q1")),
        ("quarter 5", json!("2027-Q5")),
        ("year 1899", json!("1899-Q1")),
        ("year 2101", json!("2101-Q1")),
        ("year 0", json!("0000-Q1")),
        ("a quarter as a number", json!(20271)),
        ("a quarter backwards", json!("Q1-2027")),
        ("an ended quarter", json!("2026-Q3")),
        ("a quarter of null", Value::Null),
        ("a 10 kB quarter", json!("9".repeat(10_000))),
    ] {
        t.push(submit(what, with("quarter", quarter), 422, Some("quarter")));
    }
    for (what, days) in [
        ("days as text", json!("2")),
        ("fractional days", json!(1.5)),
        ("negative days", json!(-1)),
        ("days over a byte", json!(256)),
        ("zero days", json!(0)),
        ("six days", json!(6)),
        ("days above Bekasi's cap", json!(3)),
        ("days as true", json!(true)),
    ] {
        t.push(submit(
            what,
            with("requested_remote_days", days),
            422,
            Some("requested_remote_days"),
        ));
    }
    for (what, kind) in [
        ("a location as a number (an enum's wrong type)", json!(1)),
        ("a location as true", json!(true)),
        ("an unknown location", json!("beach")),
        ("a location in another case", json!("Registered_Home")),
        ("a location of null", Value::Null),
        ("a location in an array", json!(["registered_home"])),
        ("a location as an object", json!({"beach": 1})),
    ] {
        t.push(submit(what, with("location_kind", kind), 422, Some("location_kind")));
    }
    for (what, plan) in [
        ("NUL in the work plan", json!("rencana\u{0}kerja")),
        ("a right-to-left override", json!("rencana \u{202E}ajrek")),
        ("a left-to-right embedding", json!("rencana \u{202A}kerja")),
        ("a first-strong isolate", json!("rencana \u{2068}kerja\u{2069}")),
        ("a C1 control", json!("rencana\u{85}kerja")),
        ("an escape sequence", json!("rencana \u{1b}[31mmerah")),
        ("a bell", json!("rencana\u{7}")),
        ("a lone carriage return", json!("rencana\rkerja")),
        ("DEL", json!("rencana\u{7f}")),
        ("a line separator", json!("rencana\u{2028}kerja")),
        ("a script tag", json!("<script>alert(1)</script>")),
        ("a closing tag", json!("rencana </b> kerja")),
        ("an HTML comment", json!("rencana <!-- x --> kerja")),
        ("an image tag", json!("<img src=x onerror=alert(1)>")),
        ("4001 characters", json!("é".repeat(4001))),
        ("100,000 characters", json!("x".repeat(100_000))),
        ("only spaces", json!("   ")),
        ("empty", json!("")),
        ("a number", json!(123)),
        ("null", Value::Null),
    ] {
        t.push(submit(what, with("work_plan", plan), 422, Some("work_plan")));
    }
    for (what, nip) in [
        ("17 digits", json!("19850312201001300")),
        ("19 digits", json!("1985031220100130011")),
        ("letters", json!("19850312201001300A")),
        ("an impossible birth date", json!("198502302010012003")),
        ("sex digit 3", json!("198503122010013001")),
        ("sequence 000", json!("198503122010011000")),
        ("a NIP as a number", json!(198503122010011001u64)),
        ("Arabic-Indic digits", json!("١٩٨٥٠٣١٢٢٠١٠٠١١٠٠١")),
    ] {
        t.push(submit(&format!("NIP: {what}"), with("nip", nip), 422, Some("nip")));
    }
    t.push(submit(
        "another person's NIP",
        with("nip", json!(w.other_nip)),
        403,
        None,
    ));
    for (what, field, value) in [
        ("KPI as text", "kpi_target", json!("tinggi")),
        ("negative KPI", "kpi_baseline", json!(-5)),
        ("KPI over a billion", "kpi_target", json!(2e9)),
        ("KPI of null", "kpi_baseline", Value::Null),
    ] {
        t.push(submit(what, with(field, value), 422, Some(field)));
    }
    let mut missing = good_draft.clone();
    missing.as_object_mut().unwrap().remove("work_plan");
    t.push(submit("a missing work plan", missing, 422, Some("work_plan")));
    t.push(
        case(
            "submit: a KPI too large for a number",
            Method::POST,
            "/api/applications",
            me,
        )
        .raw(good_draft.to_string().replacen("90.0", "1e400", 1))
        .expect(400, Some("kpi_target")),
    );

    // 3. Approvals and withdrawals.
    let approve = |what: &str, body: Value, status: u16, field: Option<&str>| {
        case(format!("approve: {what}"), Method::POST, approvals.clone(), boss)
            .json(body)
            .expect(status, field)
    };
    t.push(approve(
        "approver as a number",
        json!({"approver": 1, "approved": true}),
        422,
        Some("approver"),
    ));
    t.push(approve(
        "unknown approver",
        json!({"approver": "boss", "approved": true}),
        422,
        Some("approver"),
    ));
    t.push(approve(
        "approver of null",
        json!({"approver": null, "approved": true}),
        422,
        Some("approver"),
    ));
    t.push(approve(
        "approved as text",
        json!({"approver": "supervisor", "approved": "yes"}),
        422,
        Some("approved"),
    ));
    t.push(approve(
        "approved as 1",
        json!({"approver": "supervisor", "approved": 1}),
        422,
        Some("approved"),
    ));
    t.push(approve(
        "approved missing",
        json!({"approver": "supervisor"}),
        422,
        Some("approved"),
    ));
    t.push(
        case("approve: as the applicant", Method::POST, approvals.clone(), me)
            .json(json!({"approver": "supervisor", "approved": true}))
            .expect(403, None),
    );
    t.push(
        case(
            "approve: an unknown application",
            Method::POST,
            "/api/applications/app_nope/approvals",
            boss,
        )
        .json(json!({"approver": "supervisor", "approved": true}))
        .expect(404, None),
    );
    t.push(
        case(
            "approve: an id with a space",
            Method::POST,
            "/api/applications/app%20x/approvals",
            boss,
        )
        .json(json!({"approver": "supervisor", "approved": true}))
        .expect(422, Some("id")),
    );
    t.push(
        case(
            "withdraw: an unknown application",
            Method::POST,
            "/api/applications/app_nope/withdraw",
            me,
        )
        .expect(404, None),
    );
    t.push(
        case(
            "withdraw: an id with NUL",
            Method::POST,
            "/api/applications/app%00x/withdraw",
            me,
        )
        .expect(422, Some("id")),
    );
    t.push(case("withdraw: as the supervisor", Method::POST, withdraw.clone(), boss).expect(403, None));
    t.push(case("withdraw: as HR", Method::POST, withdraw.clone(), hr).expect(403, None));
    t.push(case("withdraw: GET", Method::GET, withdraw.clone(), me).expect(405, None));

    // 4. Allocation and reviews.
    let allocate = |what: &str, body: Value, auth: &Auth, status: u16, field: Option<&str>| {
        case(format!("allocate: {what}"), Method::POST, "/api/allocations", auth)
            .json(body)
            .expect(status, field)
    };
    let unit = w.unit.clone();
    t.push(allocate(
        "a signed 3-digit year",
        json!({"quarter": "+202-Q1", "unit": unit}),
        hr,
        422,
        Some("quarter"),
    ));
    t.push(allocate(
        "year 1899",
        json!({"quarter": "1899-Q1", "unit": unit}),
        hr,
        422,
        Some("quarter"),
    ));
    t.push(allocate(
        "quarter 5",
        json!({"quarter": "2027-Q5", "unit": unit}),
        hr,
        422,
        Some("quarter"),
    ));
    t.push(allocate(
        "a quarter as a number",
        json!({"quarter": 20271, "unit": unit}),
        hr,
        422,
        Some("quarter"),
    ));
    t.push(allocate("no quarter", json!({"unit": unit}), hr, 422, Some("quarter")));
    t.push(allocate(
        "a unit as a number",
        json!({"quarter": "2027-Q1", "unit": 5}),
        hr,
        422,
        Some("unit"),
    ));
    t.push(allocate(
        "unit and region",
        json!({"quarter": "2027-Q1", "unit": unit, "region": "3216"}),
        hr,
        422,
        Some("unit"),
    ));
    t.push(allocate(
        "neither unit nor region",
        json!({"quarter": "2027-Q1"}),
        hr,
        422,
        Some("unit"),
    ));
    t.push(allocate(
        "a unit with a slash",
        json!({"quarter": "2027-Q1", "unit": "../3216"}),
        hr,
        422,
        Some("unit"),
    ));
    t.push(allocate(
        "a region with NUL",
        json!({"quarter": "2027-Q1", "region": "32\u{0}16"}),
        hr,
        422,
        Some("region"),
    ));
    t.push(allocate(
        "an unknown unit",
        json!({"quarter": "2027-Q1", "unit": "3216-NOPE-01"}),
        hr,
        404,
        None,
    ));
    t.push(allocate(
        "an unknown region",
        json!({"quarter": "2027-Q1", "region": "3299"}),
        province,
        404,
        None,
    ));
    t.push(allocate(
        "another region's HR",
        json!({"quarter": "2027-Q1", "unit": unit}),
        &w.hr_other,
        403,
        None,
    ));
    t.push(allocate(
        "as an employee",
        json!({"quarter": "2027-Q1", "unit": unit}),
        me,
        403,
        None,
    ));
    let review = |what: &str, body: Value, status: u16, field: Option<&str>| {
        case(format!("review: {what}"), Method::POST, "/api/reviews", hr)
            .json(body)
            .expect(status, field)
    };
    let nip = w.nip.clone();
    t.push(review(
        "a signed 3-digit year",
        json!({"nip": nip, "quarter": "+202-Q1", "kpi_achieved": true}),
        422,
        Some("quarter"),
    ));
    t.push(review(
        "year 1899",
        json!({"nip": nip, "quarter": "1899-Q4", "kpi_achieved": true}),
        422,
        Some("quarter"),
    ));
    t.push(review(
        "a future quarter",
        json!({"nip": nip, "quarter": "2027-Q3", "kpi_achieved": true}),
        422,
        Some("quarter"),
    ));
    t.push(review(
        "kpi_achieved as text",
        json!({"nip": nip, "quarter": "2026-Q4", "kpi_achieved": "yes"}),
        422,
        Some("kpi_achieved"),
    ));
    t.push(review(
        "kpi_achieved missing",
        json!({"nip": nip, "quarter": "2026-Q4"}),
        422,
        Some("kpi_achieved"),
    ));
    t.push(review(
        "a bad NIP",
        json!({"nip": "abc", "quarter": "2026-Q4", "kpi_achieved": true}),
        422,
        Some("nip"),
    ));
    t.push(review(
        "a NIP as a number",
        json!({"nip": 1, "quarter": "2026-Q4", "kpi_achieved": true}),
        422,
        Some("nip"),
    ));
    t.push(review(
        "an unknown employee",
        json!({"nip": "198503122010011999", "quarter": "2026-Q4", "kpi_achieved": true}),
        404,
        None,
    ));
    t.push(
        case("review: as an employee", Method::POST, "/api/reviews", me)
            .json(json!({"nip": nip, "quarter": "2026-Q4", "kpi_achieved": true}))
            .expect(403, None),
    );

    // 5. Replays.
    t.push(
        case(
            "replay: an unknown decision",
            Method::POST,
            "/api/decisions/dec_nope/replay",
            hr,
        )
        .expect(404, None),
    );
    t.push(
        case(
            "replay: an id with a quote",
            Method::POST,
            "/api/decisions/dec%22x/replay",
            hr,
        )
        .expect(422, Some("id")),
    );
    t.push(case("replay: as an employee", Method::POST, replay.clone(), me).expect(403, None));
    t.push(case("replay: another region's HR", Method::POST, replay.clone(), &w.hr_other).expect(403, None));

    // 6. Policy versions: upload, dry run, activate, roll back.
    let upload = |what: &str, region: &str, auth: &Auth, body: Value, status: u16, field: Option<&str>| {
        case(
            format!("upload: {what}"),
            Method::POST,
            format!("/api/policies/{region}/versions"),
            auth,
        )
        .json(body)
        .expect(status, field)
    };
    let regency_plugin_in_province = jabar.replace("plugin = \"jabar.wasm\"", "plugin = \"kab_bekasi.wasm\"");
    assert_ne!(regency_plugin_in_province, jabar);
    let failing_example = bekasi.replacen(
        "max_remote_days = 2, failed = []",
        "max_remote_days = 3, failed = []",
        1,
    );
    assert_ne!(failing_example, bekasi);
    let missing_plugin = bekasi.replace("plugin = \"kab_bekasi.wasm\"", "plugin = \"nope.wasm\"");
    t.push(upload(
        "a province manifest naming a regency's plugin",
        "32",
        province,
        json!({"manifest": regency_plugin_in_province}),
        422,
        Some("plugin"),
    ));
    t.push(upload(
        "a manifest as a number",
        "3216",
        admin,
        json!({"manifest": 1}),
        422,
        Some("manifest"),
    ));
    t.push(upload(
        "a manifest with NUL",
        "3216",
        admin,
        json!({"manifest": format!("{bekasi}\u{0}")}),
        422,
        Some("manifest"),
    ));
    t.push(upload(
        "a manifest with a bidi override",
        "3216",
        admin,
        json!({"manifest": bekasi.replacen("Kabupaten", "\u{202E}Kabupaten", 1)}),
        422,
        Some("manifest"),
    ));
    t.push(upload(
        "a manifest with an escape sequence",
        "3216",
        admin,
        json!({"manifest": bekasi.replacen("Kabupaten", "\u{1b}[2J", 1)}),
        422,
        Some("manifest"),
    ));
    t.push(upload(
        "a manifest that is not TOML",
        "3216",
        admin,
        json!({"manifest": "region = "}),
        422,
        Some("manifest"),
    ));
    t.push(upload(
        "a manifest of 300 KiB",
        "3216",
        admin,
        json!({"manifest": format!("{bekasi}\n#{}", "x".repeat(300 << 10))}),
        422,
        Some("manifest"),
    ));
    t.push(upload(
        "another region's manifest",
        "3216",
        admin,
        json!({"manifest": jabar}),
        422,
        Some("manifest"),
    ));
    t.push(upload(
        "a failing worked example",
        "3216",
        admin,
        json!({"manifest": failing_example}),
        422,
        Some("manifest"),
    ));
    t.push(upload(
        "a manifest naming a missing plugin",
        "3216",
        admin,
        json!({"manifest": missing_plugin}),
        422,
        Some("plugin"),
    ));
    t.push(upload(
        "plugin_base64 that is not base64",
        "3216",
        admin,
        json!({"manifest": bekasi, "plugin_base64": "%%%"}),
        422,
        Some("plugin_base64"),
    ));
    let garbage = base64::engine::general_purpose::STANDARD.encode(b"\0asm not really a component");
    t.push(upload(
        "plugin_base64 that is not a component",
        "3216",
        admin,
        json!({"manifest": bekasi, "plugin_base64": garbage}),
        422,
        Some("plugin_base64"),
    ));
    t.push(upload(
        "plugin_base64 as a number",
        "3216",
        admin,
        json!({"manifest": bekasi, "plugin_base64": 7}),
        422,
        Some("plugin_base64"),
    ));
    t.push(upload(
        "no manifest",
        "3216",
        admin,
        json!({"plugin_base64": garbage}),
        422,
        Some("manifest"),
    ));
    t.push(upload(
        "the province's rules by a regency admin",
        "32",
        admin,
        json!({"manifest": jabar}),
        403,
        None,
    ));
    t.push(upload(
        "a regency's rules by the provincial admin",
        "3216",
        province,
        json!({"manifest": bekasi}),
        403,
        None,
    ));
    t.push(upload("as HR", "3216", hr, json!({"manifest": bekasi}), 403, None));
    t.push(upload(
        "a region with a slash",
        "32%2F16",
        admin,
        json!({"manifest": bekasi}),
        422,
        Some("region"),
    ));

    let dry = |what: &str, region: &str, query: &str, auth: &Auth, body: &str, status: u16, field: Option<&str>| {
        case(
            format!("dry run: {what}"),
            Method::POST,
            format!("/api/policies/{region}/dry-run{query}"),
            auth,
        )
        .raw(body.as_bytes().to_vec())
        .typed("application/toml")
        .expect(status, field)
    };
    t.push(dry(
        "a province manifest naming a regency's plugin",
        "32",
        "?quarter=2027-Q1",
        province,
        &regency_plugin_in_province,
        422,
        Some("plugin"),
    ));
    t.push(dry("no quarter", "3216", "", admin, &bekasi, 422, Some("quarter")));
    t.push(dry(
        "a signed 3-digit year",
        "3216",
        "?quarter=%2B202-Q1",
        admin,
        &bekasi,
        422,
        Some("quarter"),
    ));
    t.push(dry(
        "year 1899",
        "3216",
        "?quarter=1899-Q1",
        admin,
        &bekasi,
        422,
        Some("quarter"),
    ));
    t.push(dry(
        "an empty body",
        "3216",
        "?quarter=2027-Q1",
        admin,
        "",
        422,
        Some("body"),
    ));
    t.push(dry(
        "NUL in the manifest",
        "3216",
        "?quarter=2027-Q1",
        admin,
        &format!("{bekasi}\u{0}"),
        422,
        Some("body"),
    ));
    t.push(dry(
        "a bidi isolate in the manifest",
        "3216",
        "?quarter=2027-Q1",
        admin,
        &bekasi.replacen("Kabupaten", "\u{2066}Kabupaten", 1),
        422,
        Some("body"),
    ));
    t.push(dry(
        "not TOML",
        "3216",
        "?quarter=2027-Q1",
        admin,
        "{\"region\": 3216}",
        422,
        Some("body"),
    ));
    t.push(dry(
        "another region's manifest",
        "3216",
        "?quarter=2027-Q1",
        admin,
        &jabar,
        422,
        Some("region"),
    ));
    t.push(dry(
        "a missing plugin",
        "3216",
        "?quarter=2027-Q1",
        admin,
        &missing_plugin,
        422,
        Some("plugin"),
    ));
    t.push(dry(
        "a failing worked example",
        "3216",
        "?quarter=2027-Q1",
        admin,
        &failing_example,
        422,
        Some("body"),
    ));
    t.push(dry("as HR", "3216", "?quarter=2027-Q1", hr, &bekasi, 403, None));
    t.push(
        case(
            "dry run: a JSON content type",
            Method::POST,
            "/api/policies/3216/dry-run?quarter=2027-Q1",
            admin,
        )
        .raw(bekasi.clone())
        .typed("application/json")
        .expect(415, None),
    );
    t.push(
        case(
            "dry run: not UTF-8",
            Method::POST,
            "/api/policies/3216/dry-run?quarter=2027-Q1",
            admin,
        )
        .raw(vec![0xff, 0xfe, b'a'])
        .expect(422, Some("body")),
    );

    let activate = |what: &str, body: Value, auth: &Auth, status: u16, field: Option<&str>| {
        case(
            format!("activate: {what}"),
            Method::POST,
            "/api/policies/3216/activate",
            auth,
        )
        .json(body)
        .expect(status, field)
    };
    let v = w.version_3216.clone();
    t.push(activate("no version", json!({}), admin, 422, Some("version")));
    t.push(activate(
        "a version as a number",
        json!({"version": 5}),
        admin,
        422,
        Some("version"),
    ));
    t.push(activate(
        "a version with a space",
        json!({"version": "v 1"}),
        admin,
        422,
        Some("version"),
    ));
    t.push(activate(
        "an unknown version",
        json!({"version": "ver_nope"}),
        admin,
        404,
        None,
    ));
    t.push(activate(
        "the province's version",
        json!({"version": w.version_32}),
        admin,
        422,
        Some("version"),
    ));
    t.push(activate(
        "from a signed 3-digit year",
        json!({"version": v, "from": "+202-01-01"}),
        admin,
        422,
        Some("from"),
    ));
    t.push(activate(
        "from February 30",
        json!({"version": v, "from": "2027-02-30"}),
        admin,
        422,
        Some("from"),
    ));
    t.push(activate(
        "from a number",
        json!({"version": v, "from": 20270101}),
        admin,
        422,
        Some("from"),
    ));
    t.push(activate(
        "from year 2101",
        json!({"version": v, "from": "2101-01-01"}),
        admin,
        422,
        Some("from"),
    ));
    t.push(activate("as HR", json!({"version": v}), hr, 403, None));
    let rollback = |what: &str, body: Value, auth: &Auth, status: u16, field: Option<&str>| {
        case(
            format!("rollback: {what}"),
            Method::POST,
            "/api/policies/3216/rollback",
            auth,
        )
        .json(body)
        .expect(status, field)
    };
    t.push(rollback(
        "a version as a number",
        json!({"version": 5}),
        admin,
        422,
        Some("version"),
    ));
    t.push(rollback(
        "a version with NUL",
        json!({"version": "ver\u{0}"}),
        admin,
        422,
        Some("version"),
    ));
    t.push(rollback(
        "an unknown version",
        json!({"version": "ver_nope"}),
        admin,
        404,
        None,
    ));
    t.push(rollback(
        "by the provincial admin",
        json!({"version": v}),
        province,
        403,
        None,
    ));

    // 7. Employee import (CSV).
    let import = |what: &str, query: &str, auth: &Auth, body: String, status: u16, field: Option<&str>| {
        case(
            format!("import: {what}"),
            Method::POST,
            format!("/api/employees/import{query}"),
            auth,
        )
        .raw(body.into_bytes())
        .typed("text/csv")
        .expect(status, field)
    };
    let new_nip = "198807152012011004";
    let unit = &w.unit;
    t.push(import(
        "a bad NIP",
        "",
        hr,
        csv_row("19880715201201100", "Uji Coba", unit),
        422,
        Some("nipBaru"),
    ));
    t.push(import(
        "a name with NUL",
        "",
        hr,
        csv_row(new_nip, "Uji\u{0}Coba", unit),
        422,
        Some("nama"),
    ));
    t.push(import(
        "a name with a bidi override",
        "",
        hr,
        csv_row(new_nip, "Uji \u{202E}aboC", unit),
        422,
        Some("nama"),
    ));
    t.push(import(
        "a name with a script tag",
        "",
        hr,
        csv_row(new_nip, "<script>x</script>", unit),
        422,
        Some("nama"),
    ));
    t.push(import(
        "a name with an escape sequence",
        "",
        hr,
        csv_row(new_nip, "Uji \u{1b}[31m", unit),
        422,
        Some("nama"),
    ));
    t.push(import(
        "a name of 201 characters",
        "",
        hr,
        csv_row(new_nip, &"a".repeat(201), unit),
        422,
        Some("nama"),
    ));
    t.push(import(
        "an unknown unit",
        "",
        hr,
        csv_row(new_nip, "Uji Coba", "3216-NOPE-01"),
        422,
        Some("unorId"),
    ));
    t.push(
        import(
            "missing columns",
            "",
            hr,
            "nipBaru,nama\n198807152012011004,A\n".into(),
            422,
            None,
        )
        .expect(422, Some("jenisPegawai")),
    );
    t.push(import(
        "partial=maybe",
        "?partial=maybe",
        hr,
        csv_row(new_nip, "Uji Coba", unit),
        422,
        Some("partial"),
    ));
    t.push(import(
        "another region",
        "?region=32",
        hr,
        csv_row(new_nip, "Uji Coba", unit),
        403,
        None,
    ));
    t.push(import(
        "the provincial admin without a region",
        "",
        province,
        csv_row(new_nip, "Uji Coba", unit),
        422,
        Some("region"),
    ));
    t.push(import(
        "an unknown region",
        "?region=3299",
        province,
        csv_row(new_nip, "Uji Coba", unit),
        404,
        None,
    ));
    t.push(import(
        "a region with a slash",
        "?region=32/16",
        province,
        csv_row(new_nip, "Uji Coba", unit),
        422,
        Some("region"),
    ));
    t.push(import(
        "as an employee",
        "",
        me,
        csv_row(new_nip, "Uji Coba", unit),
        403,
        None,
    ));
    t.push(
        case("import: not UTF-8", Method::POST, "/api/employees/import", hr)
            .raw(vec![0xff, 0xfe, 0x00, 0x41])
            .expect(422, Some("file")),
    );
    t.push(
        case("import: a JSON content type", Method::POST, "/api/employees/import", hr)
            .raw(csv_row(new_nip, "Uji Coba", unit))
            .typed("application/json")
            .expect(415, None),
    );
    t.push(
        case("import: multipart", Method::POST, "/api/employees/import", hr)
            .raw(csv_row(new_nip, "Uji Coba", unit))
            .typed("multipart/form-data; boundary=x")
            .expect(415, None),
    );

    // 7a. Signing keys and the signature requirement (provincial admin).
    let key_case = |what: &str, uri: &str, auth: &Auth, body: Value, status: u16, field: Option<&str>| {
        case(format!("signing: {what}"), Method::POST, uri, auth)
            .json(body)
            .expect(status, field)
    };
    let keys = "/api/regions/3216/keys";
    for (what, key) in [
        ("a short key", json!("dwa-ed25519 00ff")),
        (
            "a private key",
            json!(format!("dwa-ed25519-secret {}", "11".repeat(32))),
        ),
        ("not hex", json!(format!("dwa-ed25519 {}", "zz".repeat(32)))),
        ("a number", json!(42)),
        ("null", Value::Null),
    ] {
        t.push(key_case(
            what,
            keys,
            province,
            json!({"public_key": key}),
            422,
            Some("public_key"),
        ));
    }
    let good_key = json!({"public_key": format!("dwa-ed25519 {}", "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")});
    t.push(key_case(
        "as the region's policy admin",
        keys,
        admin,
        good_key.clone(),
        403,
        None,
    ));
    t.push(key_case("as HR", keys, hr, good_key.clone(), 403, None));
    t.push(key_case(
        "an unknown region",
        "/api/regions/3299/keys",
        province,
        good_key.clone(),
        404,
        None,
    ));
    t.push(
        case(
            "signing: require without a key",
            Method::PUT,
            "/api/regions/3216/signing",
            province,
        )
        .json(json!({"required": true}))
        .expect(422, Some("required")),
    );
    t.push(
        case(
            "signing: required as text",
            Method::PUT,
            "/api/regions/3216/signing",
            province,
        )
        .json(json!({"required": "yes"}))
        .expect(422, Some("required")),
    );
    t.push(
        case(
            "signing: as the policy admin",
            Method::PUT,
            "/api/regions/3216/signing",
            admin,
        )
        .json(json!({"required": false}))
        .expect(403, None),
    );
    t.push(
        case(
            "signing: remove an unknown key",
            Method::DELETE,
            "/api/regions/3216/keys/0123456789abcdef",
            province,
        )
        .expect(404, None),
    );

    // 7b. Adding a region, and the unit import (CSV).
    let region = |what: &str, auth: &Auth, body: Value, status: u16, field: Option<&str>| {
        case(format!("add region: {what}"), Method::POST, "/api/regions", auth)
            .json(body)
            .expect(status, field)
    };
    let kbb = |code: Value, name: Value| json!({"code": code, "name": name});
    for (what, code, field) in [
        ("a code of another province", json!("3316"), "code"),
        ("a 3-digit code", json!("321"), "code"),
        ("code 3200", json!("3200"), "code"),
        ("a code with a letter", json!("32a7"), "code"),
        ("a code as a number", json!(3217), "code"),
        ("a code of null", Value::Null, "code"),
        ("a 10 kB code", json!("3".repeat(10_000)), "code"),
    ] {
        t.push(region(
            what,
            province,
            kbb(code, json!("Kabupaten Bandung Barat")),
            422,
            Some(field),
        ));
    }
    for (what, name) in [
        ("a city's name for a regency's code", json!("Kota Bandung Barat")),
        ("only the word Kabupaten", json!("Kabupaten")),
        ("an empty name", json!("")),
        ("a name with a line break", json!("Kabupaten\nBandung Barat")),
        ("a name with a bidi override", json!("Kabupaten \u{202E}tarab")),
        ("a name with a script tag", json!("Kabupaten <script>x</script>")),
        (
            "a name of 201 characters",
            json!(format!("Kabupaten {}", "a".repeat(191))),
        ),
    ] {
        t.push(region(what, province, kbb(json!("3217"), name), 422, Some("name")));
    }
    t.push(region(
        "an existing region",
        province,
        kbb(json!("3216"), json!("Kabupaten Bekasi")),
        409,
        None,
    ));
    t.push(region(
        "the province",
        province,
        kbb(json!("32"), json!("Provinsi Jawa Barat")),
        409,
        None,
    ));
    for (what, auth) in [
        ("as HR", hr),
        ("as a policy admin", admin),
        ("as an employee", me),
        ("as a supervisor", boss),
    ] {
        t.push(region(
            what,
            auth,
            kbb(json!("3217"), json!("Kabupaten Bandung Barat")),
            403,
            None,
        ));
    }
    let units = |what: &str, query: &str, auth: &Auth, body: String, status: u16, field: Option<&str>| {
        case(
            format!("unit import: {what}"),
            Method::POST,
            format!("/api/units/import{query}"),
            auth,
        )
        .raw(body.into_bytes())
        .typed("text/csv")
        .expect(status, field)
    };
    let unit_row = |id: &str, name: &str, parent: &str| {
        format!("id,namaUnor,diatasanId,instansiId,eselonId,namaJabatan,aktif\n{id},{name},{parent},SETDA,,,ya\n")
    };
    for (what, body, field) in [
        ("an existing unit id", unit_row(&w.unit, "Bagian Baru", ""), "id"),
        ("an id with a slash", unit_row("3216/BARU", "Bagian Baru", ""), "id"),
        (
            "an unknown parent",
            unit_row("3216-BARU", "Bagian Baru", "3216-NOPE"),
            "diatasanId",
        ),
        (
            "its own parent",
            unit_row("3216-BARU", "Bagian Baru", "3216-BARU"),
            "diatasanId",
        ),
        (
            "a name with a script tag",
            unit_row("3216-BARU", "<script>x</script>", ""),
            "namaUnor",
        ),
        (
            "a name with a bidi override",
            unit_row("3216-BARU", "Bagian \u{202E}uraB", ""),
            "namaUnor",
        ),
        (
            "a cycle",
            "id,namaUnor,diatasanId,instansiId\n3216-X1,X1,3216-X2,SETDA\n3216-X2,X2,3216-X1,SETDA\n".to_owned(),
            "diatasanId",
        ),
        (
            "a missing column",
            "id,namaUnor,instansiId\n3216-BARU,Bagian Baru,SETDA\n".into(),
            "diatasanId",
        ),
        (
            "an unknown column",
            "id,namaUnor,diatasanId,instansiId,warna\n3216-BARU,B,,SETDA,biru\n".into(),
            "warna",
        ),
    ] {
        t.push(units(what, "", hr, body, 422, Some(field)));
    }
    let good_unit = unit_row("3216-BARU", "Bagian Baru", "");
    t.push(units("another region", "?region=32", hr, good_unit.clone(), 403, None));
    t.push(units(
        "the provincial admin without a region",
        "",
        province,
        good_unit.clone(),
        422,
        Some("region"),
    ));
    t.push(units(
        "an unknown region",
        "?region=3299",
        province,
        good_unit.clone(),
        404,
        None,
    ));
    t.push(units("as a policy admin", "", admin, good_unit.clone(), 403, None));
    t.push(units("as an employee", "", me, good_unit.clone(), 403, None));
    t.push(
        case("unit import: not UTF-8", Method::POST, "/api/units/import", hr)
            .raw(vec![0xff, 0xfe, 0x00, 0x41])
            .expect(422, Some("file")),
    );
    t.push(
        case(
            "unit import: a JSON content type",
            Method::POST,
            "/api/units/import",
            hr,
        )
        .raw(good_unit)
        .typed("application/json")
        .expect(415, None),
    );

    // 8. Authentication on every write endpoint.
    let writes: Vec<(&str, String)> = vec![
        ("import", "/api/employees/import".into()),
        ("add region", "/api/regions".into()),
        ("add key", "/api/regions/3216/keys".into()),
        ("unit import", "/api/units/import".into()),
        ("submit", "/api/applications".into()),
        ("withdraw", withdraw.clone()),
        ("approve", approvals.clone()),
        ("allocate", "/api/allocations".into()),
        ("review", "/api/reviews".into()),
        ("replay", replay.clone()),
        ("dry run", "/api/policies/3216/dry-run?quarter=2027-Q1".into()),
        ("upload", "/api/policies/3216/versions".into()),
        ("activate", "/api/policies/3216/activate".into()),
        ("rollback", "/api/policies/3216/rollback".into()),
    ];
    for (name, uri) in &writes {
        for (what, auth) in [
            ("no token", Auth::None),
            ("an unknown token", Auth::Bearer("dwa_not_a_token".into())),
            ("a Basic header", Auth::Raw("Basic dXNlcjpwYXNz".into())),
            ("an empty bearer", Auth::Raw("Bearer ".into())),
            ("a 300-byte token", Auth::Bearer("x".repeat(300))),
        ] {
            t.push(
                case(format!("{name}: {what}"), Method::POST, uri.clone(), &auth)
                    .json(json!({}))
                    .expect(401, None),
            );
        }
    }
    t.push(case("metrics: no token", Method::GET, "/metrics", &Auth::None).expect(401, None));
    t.push(
        case(
            "metrics: a wrong token",
            Method::GET,
            "/metrics",
            &Auth::Bearer("nope".into()),
        )
        .expect(401, None),
    );

    // 9. Methods, routes, sizes.
    for (method, uri, status) in [
        (Method::GET, "/api/allocations".to_owned(), 405),
        (Method::PUT, "/api/applications".to_owned(), 405),
        (Method::DELETE, format!("/api/applications/{}", w.application), 405),
        (Method::PATCH, "/api/reviews".to_owned(), 405),
        (Method::GET, "/api/policies/3216/rollback".to_owned(), 405),
        (Method::PUT, "/api/employees/import".to_owned(), 405),
        (Method::POST, "/api/nope".to_owned(), 404),
        (Method::POST, "/api/".to_owned(), 404),
        (Method::DELETE, "/api/holidays/1".to_owned(), 404),
        (Method::POST, "/wp-login.php".to_owned(), 404),
    ] {
        t.push(case(format!("{method} {uri}"), method.clone(), uri.clone(), hr).expect(status, None));
    }
    t.push(
        case(
            "a 9 KiB URI",
            Method::POST,
            format!("/api/allocations?x={}", "a".repeat(9 << 10)),
            hr,
        )
        .json(json!({}))
        .expect(414, None),
    );
    t.push(
        case("import: a body over 16 MiB", Method::POST, "/api/employees/import", hr)
            .raw(vec![b'a'; dwa_api::MAX_BODY_BYTES + 1])
            .expect(413, None),
    );
    t.push(
        case("submit: a body over 16 MiB", Method::POST, "/api/applications", me)
            .raw(vec![b' '; dwa_api::MAX_BODY_BYTES + 1])
            .typed("application/json")
            .expect(413, None),
    );
    t.push(
        case(
            "upload: a body over 16 MiB",
            Method::POST,
            "/api/policies/3216/versions",
            admin,
        )
        .raw(vec![b'{'; dwa_api::MAX_BODY_BYTES + 1])
        .expect(413, None),
    );
    t
}

/// Words that would show a server path or a parser's internals.
const LEAKS: [&str; 12] = [
    "/tmp",
    "/work",
    "/home",
    ".staging",
    ".tmp",
    "at line",
    "expected value",
    "^",
    "invalid type:",
    "serde",
    "src/",
    "panicked",
];

fn check_answer(c: &Case, status: StatusCode, headers: &axum::http::HeaderMap, body: &Value) {
    let what = &c.what;
    assert_eq!(status, c.status, "{what}: {body}");
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(
        content_type.starts_with("application/json"),
        "{what}: content type {content_type:?}"
    );
    let error = &body["error"];
    assert!(
        error["code"].as_str().is_some_and(|c| !c.is_empty()),
        "{what}: no code in {body}"
    );
    let message = error["message"]
        .as_str()
        .unwrap_or_else(|| panic!("{what}: no message in {body}"));
    assert!(message.len() >= 10, "{what}: message too short: {message}");
    assert!(message.chars().count() <= 4001, "{what}: message too long");
    for leak in LEAKS {
        assert!(!message.contains(leak), "{what}: message shows {leak:?}: {message}");
    }
    assert!(
        !message
            .chars()
            .any(|ch| ch.is_control() || dwa_workflow::input::is_bidi_control(ch)),
        "{what}: control or bidi character in {message:?}"
    );
    let expected_field = c.field.as_deref().map_or(Value::Null, |f| json!(f));
    assert_eq!(error["field"], expected_field, "{what}: {body}");
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
    ] {
        assert_eq!(
            headers.get(name).and_then(|v| v.to_str().ok()),
            Some(value),
            "{what}: {name}"
        );
    }
    let csp = headers
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'self'"),
        "{what}: CSP {csp:?}"
    );
    if c.uri.starts_with("/api/") || !matches!(c.auth, Auth::None) {
        assert_eq!(
            headers.get(header::CACHE_CONTROL).and_then(|v| v.to_str().ok()),
            Some("no-store"),
            "{what}: cache-control"
        );
    }
    match status {
        StatusCode::UNAUTHORIZED => assert!(headers.contains_key(header::WWW_AUTHENTICATE), "{what}"),
        StatusCode::METHOD_NOT_ALLOWED => assert!(headers.contains_key(header::ALLOW), "{what}"),
        _ => {}
    }
}

async fn the_table_on(db: common::TestDb) {
    let w = world(&db).await;
    let table = cases(&w);
    assert!(table.len() >= 150, "only {} bad requests", table.len());
    let write_endpoints = [
        "/api/employees/import",
        "/api/regions",
        "/api/units/import",
        "/api/applications",
        "/withdraw",
        "/approvals",
        "/api/allocations",
        "/api/reviews",
        "/replay",
        "/dry-run",
        "/versions",
        "/activate",
        "/rollback",
    ];
    for endpoint in write_endpoints {
        let n = table
            .iter()
            .filter(|c| c.method == Method::POST && c.uri.contains(endpoint))
            .count();
        assert!(n >= 8, "{endpoint}: only {n} bad requests");
    }
    let mut failed = Vec::new();
    let (db_before, rules_before) = (
        common::database_fingerprint(&w.store).await,
        rules_fingerprint(w.rules.path()),
    );
    for (i, c) in table.iter().enumerate() {
        // Each request from its own address, so the throttle of failed logins stays out of the way.
        let peer = SocketAddr::from(([10, 1, (i / 250) as u8, (i % 250) as u8 + 1], 40_000));
        let (status, headers, body) = send(&w.router, c, peer).await;
        if std::env::var_os("DWA_SHOW_CASES").is_some() {
            eprintln!("{} | {} | {}", c.what, status.as_u16(), body["error"]);
        }
        // Every case is checked (each failure is printed), then the test fails naming them all.
        let checked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            check_answer(c, status, &headers, &body)
        }));
        if checked.is_err() {
            failed.push(c.what.clone());
        }
    }
    assert!(
        failed.is_empty(),
        "{}: {} of {} cases failed: {failed:#?}",
        db.label,
        failed.len(),
        table.len()
    );
    assert_eq!(
        common::database_fingerprint(&w.store).await,
        db_before,
        "{}: the bad requests changed the database",
        db.label
    );
    assert_eq!(
        rules_fingerprint(w.rules.path()),
        rules_before,
        "{}: the rules folder changed",
        db.label
    );
    eprintln!("{}: {} bad requests refused, nothing changed", db.label, table.len());

    // Paired allowed requests: the same endpoints still accept good input, with the headers.
    let peer: SocketAddr = "192.0.2.9:4000".parse().unwrap();
    let mut plan = draft(&w.nip, "2027-Q3", 1, 90.0);
    plan["work_plan"] = json!("Menyusun rancangan:\r\n- KPI > 80%\n- revisi < 5 hari\tsetiap pekan");
    let goods = [
        case(
            "submit with a multi-line plan and comparison signs",
            Method::POST,
            "/api/applications",
            &w.me,
        )
        .json(plan)
        .expect(201, None),
        case(
            "approve",
            Method::POST,
            format!("/api/applications/{}/approvals", w.fresh),
            &w.boss,
        )
        .json(json!({"approver": "supervisor", "approved": true}))
        .expect(200, None),
        case("review", Method::POST, "/api/reviews", &w.hr)
            .json(json!({"nip": w.nip, "quarter": "2026-Q4", "kpi_achieved": true}))
            .expect(200, None),
        case(
            "dry run",
            Method::POST,
            "/api/policies/3216/dry-run?quarter=2027-Q1",
            &w.admin,
        )
        .raw(std::fs::read(w.rules.path().join(BEKASI_MANIFEST)).unwrap())
        .typed("application/toml; charset=utf-8")
        .expect(200, None),
        case(
            "metrics with its token",
            Method::GET,
            "/metrics",
            &Auth::Bearer(METRICS_TOKEN.into()),
        )
        .expect(200, None),
    ];
    for c in goods {
        let (status, headers, body) = send(&w.router, &c, peer).await;
        assert_eq!(status, c.status, "{}: {body}", c.what);
        assert_eq!(headers.get("x-content-type-options").unwrap(), "nosniff", "{}", c.what);
        assert_eq!(headers.get("x-frame-options").unwrap(), "DENY", "{}", c.what);
        assert_eq!(headers.get(header::CACHE_CONTROL).unwrap(), "no-store", "{}", c.what);
        if c.what.starts_with("submit") {
            assert_eq!(
                body["application"]["work_plan"],
                "Menyusun rancangan:\r\n- KPI > 80%\n- revisi < 5 hari\tsetiap pekan"
            );
        }
    }
    // The fingerprint sees a change: the good requests above made one.
    assert_ne!(
        common::database_fingerprint(&w.store).await,
        db_before,
        "{}: the fingerprint is blind",
        db.label
    );
    db.drop_schema().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_are_refused_in_the_error_shape_and_change_nothing_on_sqlite() {
    the_table_on(common::TestDb::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_are_refused_in_the_error_shape_and_change_nothing_on_postgres() {
    the_table_on(common::TestDb::postgres().await).await;
}

/// After the limit of failed authentications an address gets 429 with `Retry-After` — even
/// with a good token — while another address is unaffected.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_authentication_is_throttled_per_address() {
    let db = common::TestDb::sqlite();
    let store = Store::connect(&db.url).await.unwrap();
    dwa_cli::seed::seed(&store, 20, Q1, 3).await.unwrap();
    let state = AppState::new(store.clone(), common::policies(), None)
        .with_auth_throttle(5, std::time::Duration::from_secs(60));
    let router = dwa_api::router(state).0;
    let hr = token(&store, Role::Hr, "3216", None).await;
    let (a, b): (SocketAddr, SocketAddr) = ("203.0.113.7:1000".parse().unwrap(), "203.0.113.8:1000".parse().unwrap());
    let roster = |auth: &Auth| case("roster", Method::GET, "/api/policies", auth);
    let forged = Auth::Bearer("dwa_guess".into());
    assert_eq!(send(&router, &roster(&hr), a).await.0, StatusCode::OK);
    for _ in 0..5 {
        assert_eq!(send(&router, &roster(&forged), a).await.0, StatusCode::UNAUTHORIZED);
    }
    for auth in [&forged, &hr] {
        let (status, headers, body) = send(&router, &roster(auth), a).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
        assert_eq!(body["error"]["code"], "too_many_requests");
        let retry: u64 = headers[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&retry), "{retry}");
        assert_eq!(headers["x-content-type-options"], "nosniff");
    }
    // Another address, and a request without a token, are not throttled.
    assert_eq!(send(&router, &roster(&hr), b).await.0, StatusCode::OK);
    assert_eq!(send(&router, &roster(&Auth::None), a).await.0, StatusCode::UNAUTHORIZED);
}

/// `/metrics` is open by default and needs its token once one is set.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_token_is_off_by_default_and_required_when_set() {
    let db = common::TestDb::sqlite();
    let store = Store::connect(&db.url).await.unwrap();
    let peer: SocketAddr = "127.0.0.1:1".parse().unwrap();
    let metrics = |auth: Auth| case("metrics", Method::GET, "/metrics", &auth);
    let open = dwa_api::router(AppState::new(store.clone(), common::policies(), None)).0;
    let (status, headers, _) = send(&open, &metrics(Auth::None), peer).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["x-frame-options"], "DENY");
    let closed =
        dwa_api::router(AppState::new(store, common::policies(), None).with_metrics_token(Some("s3cret".into()))).0;
    assert_eq!(
        send(&closed, &metrics(Auth::None), peer).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        send(&closed, &metrics(Auth::Bearer("s3cre".into())), peer).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, _, body) = send(&closed, &metrics(Auth::Bearer("s3cret".into())), peer).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.as_str().unwrap().contains("dwa_http_requests_total"));
}

/// `api::serve` gives handlers the TCP peer's address: over real connections, the address that
/// keeps failing is throttled (429 with `Retry-After` in the error shape).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_throttles_the_real_client_address() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let db = common::TestDb::sqlite();
    let store = Store::connect(&db.url).await.unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let bind = format!("127.0.0.1:{port}");
    let state = AppState::new(store, common::policies(), None);
    let server = tokio::spawn({
        let bind = bind.clone();
        async move { dwa_api::serve(&bind, state).await }
    });
    let get = |bind: String| async move {
        let mut stream = tokio::net::TcpStream::connect(&bind).await.ok()?;
        let request =
            "GET /api/policies HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer dwa_guess\r\nConnection: close\r\n\r\n";
        stream.write_all(request.as_bytes()).await.ok()?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.ok()?;
        Some(answer)
    };
    // Bounded wait for the server: 100 tries, 50 ms apart.
    let mut first = None;
    for _ in 0..100 {
        first = get(bind.clone()).await;
        if first.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(first.expect("serve did not answer").starts_with("HTTP/1.1 401"));
    for _ in 1..20 {
        assert!(get(bind.clone()).await.unwrap().starts_with("HTTP/1.1 401"));
    }
    let throttled = get(bind.clone()).await.unwrap();
    assert!(throttled.starts_with("HTTP/1.1 429"), "{throttled}");
    let lower = throttled.to_ascii_lowercase();
    assert!(lower.contains("retry-after: "), "{throttled}");
    assert!(lower.contains("x-content-type-options: nosniff"), "{throttled}");
    assert!(throttled.contains("\"code\":\"too_many_requests\""), "{throttled}");
    server.abort();
}
