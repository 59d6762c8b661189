//! The host's edge, as the outside sees it (issue 18): redirect targets stay on this site and
//! never give a 5xx; behind a trusted proxy each real client is throttled alone and forged
//! forwarding headers change nothing; `Secure` cookies and HSTS over HTTPS (and as configured);
//! the HTTP library's own refusals (414, 431, a malformed `Content-Length`) in the JSON error
//! shape with the security headers over a real socket; and the smaller items (a refused web
//! withdrawal says so, a url-encoded import names `text/csv` on the API and the pages, an
//! overflowing number names its field). SQLite; the router driven with `oneshot` and `ConnectInfo`, or a real socket.

mod common;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use dwa_api::{AppState, Role, SecureCookies, TrustedProxies, new_token};
use dwa_sdk::Date;
use dwa_store::{Store, TokenGrant};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use sqlx::Row;
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower::ServiceExt;

const Q1: dwa_sdk::Quarter = dwa_sdk::Quarter { year: 2027, number: 1 };
const PROXY: &str = "10.0.0.2:40000";

/// Extra request headers.
type Headers<'a> = &'a [(&'a str, &'a str)];

/// A seeded store and the state over it (today 2026-12-01, so the pages work on 2027-Q1); keep
/// the `TestDb` alive as long as the store is used (it owns the database's folder).
async fn seeded(employees: usize) -> (common::TestDb, Store, AppState) {
    let db = common::TestDb::sqlite();
    let store = Store::connect(&db.url).await.unwrap();
    dwa_cli::seed::seed(&store, employees, Q1, 11).await.unwrap();
    let state = AppState::new(store.clone(), common::policies(), Some(Date::new(2026, 12, 1).unwrap()));
    (db, store, state)
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

/// One request from `peer` with `headers`; the status, headers and body as text.
async fn send(
    router: &Router,
    method: Method,
    uri: &str,
    peer: &str,
    headers: &[(&str, &str)],
    body: impl Into<Body>,
) -> (StatusCode, HeaderMap, String) {
    let mut request = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let mut request = request.body(body.into()).unwrap();
    let peer: SocketAddr = peer.parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(peer));
    let response = router.clone().oneshot(request).await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, headers, String::from_utf8_lossy(&bytes).into_owned())
}

/// Every `next` of the language switch lands on a same-origin path; none gives a 5xx.
#[tokio::test]
async fn redirect_targets_stay_on_this_site() {
    let (_db, _store, state) = seeded(5).await;
    let router = dwa_api::router(state).0;
    // (query value as sent, where it must land)
    let table = [
        ("/%09/evil.example", "/"),
        ("/%0A/evil.example", "/"),
        ("/%0D%0ASet-Cookie:%20a=b", "/"),
        ("/%0d%0a/evil.example", "/"),
        ("//evil.example", "/"),
        ("%2F%2Fevil.example", "/"),
        ("/%2F%2Fevil.example", "/"),
        ("%5C%5Cevil.example", "/"),
        ("/%5Cevil.example", "/"),
        ("/%5C/evil.example", "/"),
        ("/%09/", "/"),
        // Encoded twice: what a decoding browser or proxy would see is refused too.
        ("/%2509/evil.example", "/"),
        ("/%250a/evil.example", "/"),
        ("/%250d%250aSet-Cookie:a=b", "/"),
        ("/%255c/evil.example", "/"),
        ("/%252f%252fevil.example", "/"),
        ("http://evil.example/", "/"),
        ("http:%2F%2Fevil.example", "/"),
        ("https:evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("JaVaScRiPt%3Aalert(1)", "/"),
        ("", "/"),
        ("%00", "/"),
        ("/%7F", "/"),
        ("/%C2%85", "/"),
        ("employee", "/"),
        ("/employee", "/employee"),
        ("/hr%3Funit%3D3216-SETDA-HUKUM-01", "/hr?unit=3216-SETDA-HUKUM-01"),
        ("/employee/../policy", "/policy"),
    ];
    for (next, expected) in table {
        let uri = format!("/lang?to=en&next={next}");
        let (status, headers, body) = send(&router, Method::GET, &uri, "192.0.2.1:1", &[], Body::empty()).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{next}: {body}");
        let location = headers[header::LOCATION].to_str().unwrap();
        assert_eq!(location, expected, "{next}");
        assert!(
            location.starts_with('/') && !location.starts_with("//") && !location.contains('\\'),
            "{next}: {location}"
        );
        assert!(
            headers[header::SET_COOKIE]
                .to_str()
                .unwrap()
                .starts_with("dwa_lang=en;")
        );
    }
    // Without `next`, and with a malformed query, still no 5xx.
    for uri in [
        "/lang?to=en",
        "/lang?next",
        "/lang?next=%",
        "/lang?next=%ZZ&to=id",
        "/lang?next=%FF%FE",
    ] {
        let (status, _, body) = send(&router, Method::GET, uri, "192.0.2.1:1", &[], Body::empty()).await;
        assert!(
            status.is_redirection() || status.is_client_error(),
            "{uri}: {status} {body}"
        );
    }
}

/// Behind a trusted proxy, one client's failed tokens throttle that client only; forwarding
/// headers from an untrusted peer are ignored, so forging them escapes nothing.
#[tokio::test]
async fn a_trusted_proxy_throttles_each_client_alone() {
    let (_db, store, state) = seeded(5).await;
    let state = state.with_trusted_proxies(TrustedProxies::parse(["10.0.0.0/8"]).unwrap());
    let router = dwa_api::router(state).0;
    let hr = token(&store, Role::Hr, "3216", None).await;
    let valid = format!("Bearer {hr}");
    let get = |peer: &'static str, auth: String, forwarded_for: String| {
        let router = router.clone();
        async move {
            let headers = [
                ("authorization", auth.as_str()),
                ("x-forwarded-for", forwarded_for.as_str()),
            ];
            send(&router, Method::GET, "/api/policies", peer, &headers, Body::empty())
                .await
                .0
        }
    };
    let guess = || format!("Bearer dwa_{}", uuid_like());
    // 25 unknown tokens from 203.0.113.7 through the proxy: 20 refused, then throttled.
    let mut statuses = Vec::new();
    for _ in 0..25 {
        statuses.push(get(PROXY, guess(), "203.0.113.7".into()).await);
    }
    assert!(
        statuses[..20].iter().all(|s| *s == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
    assert!(
        statuses[20..].iter().all(|s| *s == StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    // Another client through the same proxy (and another proxy of the block) is served.
    assert_eq!(get(PROXY, valid.clone(), "203.0.113.8".into()).await, StatusCode::OK);
    assert_eq!(
        get("10.9.9.9:1", valid.clone(), "198.51.100.1, 203.0.113.8".into()).await,
        StatusCode::OK
    );
    // The throttled client's own valid token waits too (so a guess that hits learns nothing).
    assert_eq!(
        get(PROXY, valid.clone(), "203.0.113.7".into()).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // A forged left-hand address does not move 203.0.113.7 out of its bucket.
    assert_eq!(
        get(PROXY, valid.clone(), "203.0.113.8, 203.0.113.7".into()).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // An untrusted peer's X-Forwarded-For is ignored: a new address per request does not
    // escape, and it cannot borrow another client's address.
    let mut statuses = Vec::new();
    for i in 0..25 {
        statuses.push(get("198.51.100.9:5000", guess(), format!("192.0.2.{i}")).await);
    }
    assert!(
        statuses[20..].iter().all(|s| *s == StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    assert_eq!(
        get("198.51.100.9:5001", valid.clone(), "203.0.113.8".into()).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        get("198.51.100.10:5000", valid.clone(), "198.51.100.9".into()).await,
        StatusCode::OK
    );
    // Sign-ins on the pages count against the same real client.
    let (status, _, _) = signin(&router, PROXY, &[("x-forwarded-for", "203.0.113.7")], &hr).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let (status, _, _) = signin(&router, PROXY, &[("x-forwarded-for", "203.0.113.8")], &hr).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    format!("{:064x}", N.fetch_add(1, Ordering::Relaxed))
}

/// Sign in on the pages with `code` (a token or sign-in code): the status, headers and the
/// session cookie (`name=value`), if any.
async fn signin(router: &Router, peer: &str, extra: &[(&str, &str)], code: &str) -> (StatusCode, HeaderMap, String) {
    let (_, headers, _) = send(router, Method::GET, "/signin", peer, extra, Body::empty()).await;
    let pre = cookie(&headers, "dwa_signin").expect("the sign-in form sets its cookie");
    let cookie_header = format!("dwa_signin={pre}");
    let mut all: Vec<(&str, &str)> = extra.to_vec();
    all.push(("cookie", &cookie_header));
    all.push(("content-type", "application/x-www-form-urlencoded"));
    let form = format!("csrf={pre}&code={code}");
    let (status, headers, _) = send(router, Method::POST, "/signin", peer, &all, form).await;
    let session = cookie(&headers, "dwa_session")
        .map(|v| format!("dwa_session={v}"))
        .unwrap_or_default();
    (status, headers, session)
}

/// The value of a `Set-Cookie` named `name`.
fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    set_cookie(headers, name).and_then(|c| c.split(';').next()?.split_once('=').map(|(_, v)| v.to_owned()))
}

/// The whole `Set-Cookie` line named `name`.
fn set_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

/// Cookies are `Secure` and answers carry HSTS exactly when the request came over HTTPS
/// through a trusted proxy — or always, or never, as configured.
#[tokio::test]
async fn secure_cookies_and_hsts_follow_https_and_the_setting() {
    let (_db, store, state) = seeded(5).await;
    let hr = token(&store, Role::Hr, "3216", None).await;
    let proxies = || TrustedProxies::parse(["10.0.0.0/8"]).unwrap();
    let https = [("x-forwarded-proto", "https"), ("x-forwarded-for", "203.0.113.20")];
    let rfc7239 = [("forwarded", "for=203.0.113.21;proto=https")];
    let plain = [("x-forwarded-for", "203.0.113.22")];
    // (mode, peer, headers, secure?)
    let cases: [(SecureCookies, &str, Headers, bool); 7] = [
        (SecureCookies::Auto, PROXY, &https, true),
        (SecureCookies::Auto, PROXY, &rfc7239, true),
        (SecureCookies::Auto, PROXY, &plain, false),
        // An untrusted peer cannot claim HTTPS.
        (SecureCookies::Auto, "198.51.100.1:1", &https, false),
        (SecureCookies::Always, "198.51.100.1:1", &plain, true),
        (SecureCookies::Never, PROXY, &https, false),
        (SecureCookies::Never, "198.51.100.1:1", &[], false),
    ];
    for (mode, peer, headers, secure) in cases {
        let what = format!("{mode:?} from {peer} with {headers:?}");
        let router = dwa_api::router(state.clone().with_trusted_proxies(proxies()).with_secure_cookies(mode)).0;
        let (status, answer, session) = signin(&router, peer, headers, &hr).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{what}");
        assert!(!session.is_empty(), "{what}");
        let line = set_cookie(&answer, "dwa_session").unwrap();
        assert!(line.contains("HttpOnly") && line.contains("SameSite=Strict"), "{line}");
        assert_eq!(line.ends_with("; Secure"), secure, "{what}: {line}");
        let hsts = answer
            .get(header::STRICT_TRANSPORT_SECURITY)
            .map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(hsts.as_deref(), secure.then_some("max-age=31536000"), "{what}");
        // The sign-in form's cookie, the language cookie and an error answer follow suit.
        let (_, form, _) = send(&router, Method::GET, "/signin", peer, headers, Body::empty()).await;
        assert_eq!(
            set_cookie(&form, "dwa_signin").unwrap().ends_with("; Secure"),
            secure,
            "{what}"
        );
        let (_, lang, _) = send(&router, Method::GET, "/lang?to=en&next=/", peer, headers, Body::empty()).await;
        assert_eq!(
            set_cookie(&lang, "dwa_lang").unwrap().ends_with("; Secure"),
            secure,
            "{what}"
        );
        let (status, missing, _) = send(&router, Method::GET, "/api/nothing", peer, headers, Body::empty()).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(
            missing.contains_key(header::STRICT_TRANSPORT_SECURITY),
            secure,
            "{what}"
        );
    }
}

/// Read one whole answer (the server closes, or `Connection: close`).
async fn raw(bind: SocketAddr, request: Vec<u8>) -> String {
    let mut stream = tokio::net::TcpStream::connect(bind).await.unwrap();
    // The server may answer and close before reading everything; a failed write is fine.
    let _ = stream.write_all(&request).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), stream.read_to_end(&mut answer)).await;
    String::from_utf8_lossy(&answer).into_owned()
}

/// What hyper itself refuses (a 70 KB path, too many or too large headers, a malformed
/// `Content-Length` or request line), and the host's own bounds, over a real socket: each in
/// the JSON error shape with the security headers. Then a graceful shutdown.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_http_librarys_refusals_are_in_the_error_shape() {
    let (_db, _store, state) = seeded(5).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let bind = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(dwa_api::serve_on(listener, state, async {
        let _ = stopped.await;
    }));
    let get = |target: &str, extra: &str| {
        format!("GET {target} HTTP/1.1\r\nHost: x\r\n{extra}Connection: close\r\n\r\n").into_bytes()
    };
    let many_headers: String = (0..300).map(|i| format!("X-H{i}: v\r\n")).collect();
    let some_headers: String = (0..150).map(|i| format!("X-H{i}: v\r\n")).collect();
    let big_header = format!("X-Big: {}\r\n", "a".repeat(100 * 1024));
    let huge_header = format!("X-Big: {}\r\n", "a".repeat(600 * 1024));
    let post = |length: &str| {
        format!(
            "POST /api/applications HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n{{}}"
        )
        .into_bytes()
    };
    // (what, request, status, code)
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        (
            "a 70 KB path (hyper)",
            get(&format!("/{}", "a".repeat(70 * 1024)), ""),
            414,
            "uri_too_long",
        ),
        (
            "a 9 KB path (the host)",
            get(&format!("/{}", "a".repeat(9 * 1024)), ""),
            414,
            "uri_too_long",
        ),
        (
            "300 header fields (hyper)",
            get("/healthz", &many_headers),
            431,
            "headers_too_large",
        ),
        (
            "150 header fields (the host)",
            get("/healthz", &some_headers),
            431,
            "headers_too_large",
        ),
        (
            "a 100 KiB header (the host)",
            get("/healthz", &big_header),
            431,
            "headers_too_large",
        ),
        (
            "a 600 KiB header (hyper)",
            get("/healthz", &huge_header),
            431,
            "headers_too_large",
        ),
        ("Content-Length: -5", post("-5"), 400, "bad_request"),
        ("Content-Length: abc", post("abc"), 400, "bad_request"),
        (
            "two Content-Lengths",
            post("2\r\nContent-Length: 3"),
            400,
            "bad_request",
        ),
        (
            "a tab in the target",
            get("/lang?next=/\t/evil.example", ""),
            400,
            "bad_request",
        ),
        (
            "a redirect with a control character",
            get("/lang?next=/%0A/evil.example", ""),
            303,
            "",
        ),
    ];
    for (what, request, status, code) in cases {
        let answer = raw(bind, request).await;
        assert!(
            answer.starts_with(&format!("HTTP/1.1 {status} ")),
            "{what}: {answer:.300}"
        );
        let lower = answer.to_ascii_lowercase();
        for header in [
            "x-content-type-options: nosniff",
            "x-frame-options: deny",
            "content-security-policy: default-src 'self'",
            "referrer-policy: no-referrer",
        ] {
            assert!(lower.contains(header), "{what}: {header} missing in {answer:.600}");
        }
        if status == 303 {
            assert!(lower.contains("\r\nlocation: /\r\n"), "{what}: {answer:.600}");
            continue;
        }
        assert!(
            lower.contains("content-type: application/json"),
            "{what}: {answer:.600}"
        );
        let body = &answer[answer.find("\r\n\r\n").unwrap() + 4..];
        let value: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{what}: {e}: {body}"));
        assert_eq!(value["error"]["code"], code, "{what}: {body}");
        assert!(!value["error"]["message"].as_str().unwrap().is_empty(), "{what}");
    }
    // A good request still works (and after every refusal above).
    assert!(raw(bind, get("/healthz", "")).await.starts_with("HTTP/1.1 200 "));
    // Graceful shutdown drains: a request whose body is half sent when the signal comes is
    // still answered; then the server stops accepting and returns.
    let mut in_flight = tokio::net::TcpStream::connect(bind).await.unwrap();
    let head = "POST /signin HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n\
                Content-Length: 10\r\nConnection: close\r\n\r\ncsrf=";
    in_flight.write_all(head.as_bytes()).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    stop.send(()).unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    in_flight.write_all(b"x&a=b").await.unwrap();
    let mut answer = String::new();
    in_flight.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 403 "), "{answer:.300}");
    tokio::time::timeout(std::time::Duration::from_secs(10), server)
        .await
        .expect("serve_on returns after the shutdown signal")
        .unwrap()
        .unwrap();
    assert!(tokio::net::TcpStream::connect(bind).await.is_err());
}

/// The smaller items: a refused web withdrawal says so and changes nothing; a url-encoded
/// import names `text/csv` (415); `kpi_target: 1e999` is a 400 naming `kpi_target`.
#[tokio::test]
async fn refusals_say_what_happened() {
    let (_db, store, _) = seeded(60).await;
    // In 2027-Q1, so the pages' next quarter (2027-Q2) has no seeded applications.
    let state = AppState::new(store.clone(), common::policies(), Some(Date::new(2027, 2, 1).unwrap()));
    let router = dwa_api::router(state).0;
    // Two employees apply for 2027-Q2 through the API (so each has a decision to show).
    let rows = sqlx::query(
        "SELECT e.nip FROM employees e WHERE e.region = '3216' AND e.supervisor_nip IS NOT NULL \
         AND NOT EXISTS (SELECT 1 FROM applications a WHERE a.nip = e.nip AND a.quarter = '2027-Q2') \
         ORDER BY e.nip LIMIT 2",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    assert_eq!(rows.len(), 2, "two employees without a 2027-Q2 application");
    let mut ids = Vec::new();
    for row in &rows {
        let nip: String = row.get(0);
        let auth = format!("Bearer {}", token(&store, Role::Employee, "3216", Some(&nip)).await);
        let body = json!({
            "nip": nip, "quarter": "2027-Q2", "requested_remote_days": 1, "location_kind": "registered_home",
            "work_plan": "Menyusun rancangan peraturan bupati", "kpi_baseline": 70.0, "kpi_target": 90.0
        });
        let headers = [("authorization", auth.as_str()), ("content-type", "application/json")];
        let (status, _, answer) = send(
            &router,
            Method::POST,
            "/api/applications",
            "192.0.2.4:1",
            &headers,
            body.to_string(),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
        let value: Value = serde_json::from_str(&answer).unwrap();
        ids.push(value["application"]["id"].as_str().unwrap().to_owned());
    }
    let (me, mine, theirs): (String, String, String) = (rows[0].get(0), ids[0].clone(), ids[1].clone());
    let status_of = |id: String| {
        let store = store.clone();
        async move {
            sqlx::query("SELECT status FROM applications WHERE id = $1")
                .bind(id)
                .fetch_one(store.pool())
                .await
                .unwrap()
                .get::<String, _>(0)
        }
    };
    // Withdraw someone else's application on the pages: refused, nothing changed.
    let employee = token(&store, Role::Employee, "3216", Some(&me)).await;
    let (status, _, session) = signin(&router, "192.0.2.5:1", &[], &employee).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let cookies = format!("{session}; dwa_lang=en");
    let (status, _, page) = send(
        &router,
        Method::GET,
        "/employee",
        "192.0.2.5:1",
        &[("cookie", &cookies)],
        Body::empty(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page:.3000}");
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let withdraw = |id: String, confirm: &'static str| {
        let (router, cookies, csrf) = (router.clone(), cookies.clone(), csrf.clone());
        async move {
            let headers = [
                ("cookie", cookies.as_str()),
                ("content-type", "application/x-www-form-urlencoded"),
            ];
            send(
                &router,
                Method::POST,
                "/employee/withdraw",
                "192.0.2.5:1",
                &headers,
                format!("csrf={csrf}&application={id}{confirm}"),
            )
            .await
        }
    };
    for id in [theirs.clone(), "no-such-application".to_owned()] {
        let (status, headers, body) = withdraw(id, "&confirm=yes").await;
        assert_eq!(status, StatusCode::CONFLICT, "{body:.300}");
        assert!(!headers.contains_key(header::LOCATION));
        assert!(
            body.contains("Withdrawal refused") && !body.contains("Application withdrawn"),
            "{body:.2000}"
        );
    }
    assert_eq!(status_of(theirs).await, "submitted");
    // One's own only once confirmed: unconfirmed, 422 and nothing changes.
    let (status, _, body) = withdraw(mine.clone(), "").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body:.300}");
    assert!(body.contains("not confirmed"), "{body:.2000}");
    assert_eq!(status_of(mine.clone()).await, "submitted");
    // Confirmed, it goes through.
    let (status, headers, _) = withdraw(mine.clone(), "&confirm=yes").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/employee?done=withdrawn");
    assert_eq!(status_of(mine).await, "withdrawn");

    // HR's import posted url-encoded: 415 naming text/csv.
    let hr = format!("Bearer {}", token(&store, Role::Hr, "3216", None).await);
    for uri in ["/api/employees/import", "/api/units/import", "/api/positions/import"] {
        let headers = [
            ("authorization", hr.as_str()),
            ("content-type", "application/x-www-form-urlencoded"),
        ];
        let (status, _, body) = send(
            &router,
            Method::POST,
            uri,
            "192.0.2.6:1",
            &headers,
            "nipBaru%2Cnama%0A1%2Cx",
        )
        .await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{uri}: {body}");
        let value: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(value["error"]["code"], "unsupported_media_type", "{uri}");
        assert!(
            value["error"]["message"].as_str().unwrap().contains("text/csv"),
            "{uri}: {body}"
        );
    }

    // And on the pages: the import form posted url-encoded is a 415 page naming text/csv.
    let hr_token = hr.trim_start_matches("Bearer ").to_owned();
    let (status, _, session) = signin(&router, "192.0.2.6:1", &[], &hr_token).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let headers = [
        ("cookie", session.as_str()),
        ("content-type", "application/x-www-form-urlencoded"),
    ];
    let (status, answer, body) = send(
        &router,
        Method::POST,
        "/hr/import",
        "192.0.2.6:1",
        &headers,
        "kind=employees&file=nipBaru%2Cnama",
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{body:.2000}");
    assert!(answer[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
    assert!(
        body.contains("text/csv") && body.contains("multipart/form-data"),
        "{body:.3000}"
    );

    // A number too large for a double: 400 naming the field.
    let other: String = rows[1].get(0);
    let employee = format!("Bearer {}", token(&store, Role::Employee, "3216", Some(&other)).await);
    let body = json!({
        "nip": other, "quarter": "2027-Q2", "requested_remote_days": 1, "location_kind": "registered_home",
        "work_plan": "Menyusun rancangan peraturan bupati", "kpi_baseline": 70.0, "kpi_target": 0
    })
    .to_string()
    .replace("\"kpi_target\":0", "\"kpi_target\":1e999");
    assert!(body.contains("1e999"));
    let headers = [
        ("authorization", employee.as_str()),
        ("content-type", "application/json"),
    ];
    let (status, _, answer) = send(
        &router,
        Method::POST,
        "/api/applications",
        "192.0.2.7:1",
        &headers,
        body,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    let value: Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(value["error"]["field"], "kpi_target", "{answer}");
}
