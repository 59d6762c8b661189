//! Token expiry and revocation (issue 18), on SQLite and PostgreSQL, across two replicas on one
//! PostgreSQL schema, and through the real `dwa` binary:
//! - an expired token answers 401 "expired" (distinct from unknown), also when it expires while
//!   cached, and so does a token from before expiry existed once 90 days old;
//! - `GET /api/tokens` and `DELETE /api/tokens/{id}` for the provincial admin and a region's HR
//!   (403 outside the role or region, 404 for an unknown id, 409 twice), audited; a revoked token
//!   is refused at once, and the browser sessions signed in with it end;
//! - a token deleted or revoked by hand in the database is refused within the cache's lifetime;
//! - revoked through replica A's API, or by the CLI, a token is refused by replica B well within
//!   the cache's lifetime (the notification), also after B's listener lost its connection;
//! - `dwa token create --expires-in`, `list` and `revoke` on SQLite, with a server running that
//!   refuses the revoked token within a second (it polls the revocation mark).

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use dwa_api::{AppState, Role, new_token};
use dwa_store::{NewToken, Store, TokenGrant, token_id, unix_now};
use dwa_workflow::tokens::TokenCache;
use http_body_util::BodyExt;
use serde_json::Value;
use std::process::{Command, Output};
use std::time::{Duration, Instant};
use tower::ServiceExt;

/// Longest a test waits for what must happen (a bounded poll, never a sleep taken as proof).
const DEADLINE: Duration = Duration::from_secs(15);

async fn call(router: &Router, method: Method, uri: &str, token: &str) -> (StatusCode, Value) {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

fn message(body: &Value) -> &str {
    body["error"]["message"].as_str().unwrap_or_default()
}

fn grant(role: Role, region: &str, nip: Option<&str>) -> TokenGrant {
    TokenGrant {
        role: role.code().into(),
        region: region.into(),
        nip: nip.map(Into::into),
    }
}

/// A new token of `role` in `region`, expiring at `expires_at` (Unix seconds).
async fn token_until(store: &Store, role: Role, region: &str, expires_at: i64) -> String {
    let token = new_token();
    let terms = NewToken {
        expires_at,
        label: Some("test".into()),
        created_by: Some("tokens.rs".into()),
    };
    store
        .insert_token_with(&token, &grant(role, region, None), &terms)
        .await
        .unwrap();
    token
}

async fn token(store: &Store, role: Role, region: &str) -> String {
    token_until(store, role, region, unix_now() + 3600).await
}

/// Poll `GET /api/tokens` with `token` until it is refused (401); the time it took.
async fn until_refused(router: &Router, token: &str, what: &str) -> (Duration, Value) {
    let started = Instant::now();
    loop {
        let (status, body) = call(router, Method::GET, "/api/tokens", token).await;
        if status == StatusCode::UNAUTHORIZED {
            return (started.elapsed(), body);
        }
        assert!(
            started.elapsed() < DEADLINE,
            "{what}: still answered {status} after {DEADLINE:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn router(store: &Store) -> (Router, AppState) {
    let state = AppState::new(store.clone(), common::policies(), None);
    (dwa_api::router(state.clone()).0, state)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn tokens_expire_and_are_revoked_on_both_backends() {
    for db in common::TestDb::both().await {
        let label = db.label;
        let store = Store::connect(&db.url).await.unwrap();
        let (api, _) = router(&store);
        let admin = token(&store, Role::ProvincialAdmin, "32").await;
        let hr = token(&store, Role::Hr, "3216").await;
        let other_hr = token(&store, Role::Hr, "3201").await;
        let employee = {
            let t = new_token();
            store
                .insert_token(&t, &grant(Role::Employee, "3216", Some("198807152012011004")))
                .await
                .unwrap();
            t
        };

        // Expiry: already expired, unknown, and expiring while cached.
        let (status, body) = call(&api, Method::GET, "/api/tokens", &admin).await;
        assert_eq!(status, StatusCode::OK, "{label}: {body}");
        let expired = token_until(&store, Role::Hr, "3216", unix_now() - 10).await;
        let (status, body) = call(&api, Method::GET, "/api/tokens", &expired).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{label}");
        assert!(message(&body).contains("expired"), "{label}: {body}");
        let (status, body) = call(&api, Method::GET, "/api/tokens", &new_token()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{label}");
        assert_eq!(message(&body), "unknown token", "{label}: distinct from expired");
        let brief = token_until(&store, Role::Hr, "3216", unix_now() + 2).await;
        assert_eq!(
            call(&api, Method::GET, "/api/tokens", &brief).await.0,
            StatusCode::OK,
            "{label}"
        );
        let (waited, body) = until_refused(&api, &brief, "a token expiring while cached").await;
        assert!(message(&body).contains("expired"), "{label}: {body}");
        assert!(
            waited < Duration::from_secs(3),
            "{label}: expiry seen from the cache, not after {waited:?}"
        );
        // A token from before expiry existed (NULL) expires 90 days after its creation.
        let legacy = token(&store, Role::Hr, "3216").await;
        sqlx::query(
            "UPDATE api_tokens SET expires_at = NULL, created_at = '2026-01-01T00:00:00.000000Z' WHERE id = $1",
        )
        .bind(token_id(&legacy))
        .execute(store.pool())
        .await
        .unwrap();
        let (status, body) = call(&api, Method::GET, "/api/tokens", &legacy).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{label}");
        assert!(message(&body).contains("expired"), "{label}: {body}");

        // Lists: the admin sees every region; HR its own, without provincial-admin tokens.
        let (status, all) = call(&api, Method::GET, "/api/tokens", &admin).await;
        assert_eq!(status, StatusCode::OK, "{label}");
        let ids = |list: &Value| -> Vec<String> {
            list.as_array()
                .unwrap()
                .iter()
                .map(|t| t["id"].as_str().unwrap().to_owned())
                .collect()
        };
        assert!(
            ids(&all).contains(&token_id(&other_hr)) && ids(&all).contains(&token_id(&admin)),
            "{label}"
        );
        let text = all.to_string();
        for secret in [&admin, &hr, &employee] {
            assert!(!text.contains(secret.as_str()), "{label}: a list shows no token");
            assert!(!text.contains(&dwa_store::token_hash(secret)), "{label}: nor its hash");
        }
        let (status, mine) = call(&api, Method::GET, "/api/tokens", &hr).await;
        assert_eq!(status, StatusCode::OK, "{label}: {mine}");
        assert!(
            mine.as_array()
                .unwrap()
                .iter()
                .all(|t| t["region"] == "3216" && t["role"] != "provincial-admin")
        );
        assert!(ids(&mine).contains(&token_id(&employee)), "{label}");
        let states: Vec<&str> = mine
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["state"].as_str().unwrap())
            .collect();
        assert!(
            states.contains(&"expired") && states.contains(&"live"),
            "{label}: {states:?}"
        );
        let (status, body) = call(&api, Method::GET, "/api/tokens?region=3201", &hr).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("forbidden")),
            "{label}"
        );
        let (status, body) = call(&api, Method::GET, "/api/tokens?role=wizard", &admin).await;
        assert_eq!(
            (status, body["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("role"))
        );
        let (status, _) = call(&api, Method::GET, "/api/tokens?region=3201&role=hr", &admin).await;
        assert_eq!(status, StatusCode::OK, "{label}");

        // Revocation: outside the role or region 403, unknown 404, in the one error shape.
        let revoke = |id: String| format!("/api/tokens/{id}");
        for (caller, victim, why) in [
            (&employee, &hr, "an employee"),
            (&hr, &admin, "HR, a provincial-admin token"),
            (&hr, &other_hr, "HR, another region's token"),
        ] {
            let (status, body) = call(&api, Method::DELETE, &revoke(token_id(victim)), caller).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{label}: {why}: {body}");
            assert_eq!(body["error"]["code"], "forbidden", "{label}: {why}");
        }
        let (status, body) = call(&api, Method::DELETE, &revoke("0123456789abcdef".into()), &admin).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (StatusCode::NOT_FOUND, Some("not_found")),
            "{label}"
        );

        // A browser session signed in with the token ends with it.
        let session_id = new_token();
        let session = dwa_store::WebSession {
            grant: grant(Role::Employee, "3216", Some("198807152012011004")),
            csrf: new_token(),
            expires_at: unix_now() + 3600,
            token_id: Some(token_id(&employee)),
        };
        store.insert_session(&session_id, &session, unix_now()).await.unwrap();
        assert!(store.session(&session_id, unix_now()).await.unwrap().is_some());

        // HR revokes its region's employee token; the admin another region's HR token: each is
        // refused at once (the cache entry dropped), audited, and a second revocation is 409.
        assert_eq!(
            call(&api, Method::GET, "/api/tokens", &other_hr).await.0,
            StatusCode::OK
        );
        for (caller, victim, role) in [
            (&hr, &employee, "hr of region 3216"),
            (&admin, &other_hr, "provincial-admin of region 32"),
        ] {
            // The audit names the revoking token, not only its role.
            let by = &*format!("{role} (token {})", token_id(caller));
            let id = token_id(victim);
            let (status, body) = call(&api, Method::DELETE, &revoke(id.clone()), caller).await;
            assert_eq!(status, StatusCode::OK, "{label}: {body}");
            assert_eq!(
                (body["state"].as_str(), body["revoked_by"].as_str()),
                (Some("revoked"), Some(by))
            );
            let (status, body) = call(&api, Method::GET, "/api/tokens", victim).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{label}: refused at once");
            assert!(message(&body).contains("revoked"), "{label}: {body}");
            let audit = store.token_audit(&id).await.unwrap();
            assert_eq!(audit.len(), 1, "{label}");
            assert_eq!((audit[0].0.as_str(), audit[0].1.as_str()), ("revoke", by), "{label}");
            let (status, body) = call(&api, Method::DELETE, &revoke(id), &admin).await;
            assert_eq!(
                (status, body["error"]["code"].as_str()),
                (StatusCode::CONFLICT, Some("conflict"))
            );
        }
        assert!(
            store.session(&session_id, unix_now()).await.unwrap().is_none(),
            "{label}: session ended"
        );

        // By hand in the database: deleted, or revoked, while cached: refused within the TTL.
        for sql in [
            "DELETE FROM api_tokens WHERE id = $1",
            "UPDATE api_tokens SET revoked_at = 1, revoked_by = 'psql' WHERE id = $1",
        ] {
            let victim = token(&store, Role::Hr, "3216").await;
            assert_eq!(call(&api, Method::GET, "/api/tokens", &victim).await.0, StatusCode::OK);
            sqlx::query(sql)
                .bind(token_id(&victim))
                .execute(store.pool())
                .await
                .unwrap();
            let (waited, _) = until_refused(&api, &victim, sql).await;
            println!("{label}: `{sql}` refused after {waited:?}");
            assert!(
                waited <= TokenCache::TTL + Duration::from_secs(1),
                "{label}: {sql}: {waited:?}"
            );
        }
        store.pool().close().await;
        db.drop_schema().await;
    }
}

/// The name this test's listeners connect with, so that only they are cut off and counted.
fn listener_name() -> String {
    format!("dwa_tokens_test_{}", std::process::id())
}

/// How many of this test's listeners are connected (`kill`: cut them off, and say how many).
async fn token_listeners(store: &Store, kill: bool) -> usize {
    let what = if kill { "pg_terminate_backend(pid)" } else { "pid" };
    let rows = sqlx::query(&format!(
        "SELECT {what} FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'LISTEN%'"
    ))
    .bind(listener_name())
    .fetch_all(store.pool())
    .await
    .unwrap();
    rows.len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_revocation_on_one_replica_is_refused_by_the_other_at_once() {
    let db = common::TestDb::postgres().await;
    // Two replicas: each its own pool, cache and listener, as two machines would have.
    let mut replicas = Vec::new();
    for _ in 0..2 {
        let store = Store::connect(&db.url).await.unwrap();
        let (api, state) = router(&store);
        let url = format!("{}&application_name={}", db.url, listener_name());
        let listener = dwa_workflow::tokens::follow_token_revocations(&store, state.token_cache(), &url)
            .await
            .unwrap();
        replicas.push((api, state, listener));
    }
    let (a, b) = (&replicas[0], &replicas[1]);
    let store = a.1.store.clone();
    let admin = token(&store, Role::ProvincialAdmin, "32").await;
    let hr = token(&store, Role::Hr, "3216").await;

    // Works on both, and is cached on both.
    for (api, state, _) in &replicas {
        assert_eq!(call(api, Method::GET, "/api/tokens", &hr).await.0, StatusCode::OK);
        assert!(!state.token_cache().is_empty());
    }
    let (status, body) = call(&a.0, Method::DELETE, &format!("/api/tokens/{}", token_id(&hr)), &admin).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (lag, body) = until_refused(&b.0, &hr, "replica B after a revocation on A").await;
    println!("replica B refused the token revoked on A after {lag:?}");
    assert!(message(&body).contains("revoked"), "{body}");
    assert!(
        lag < TokenCache::TTL,
        "by the notification, not the cache's expiry: {lag:?}"
    );

    // Revoked by another process (the CLI's store), both replicas refuse it at once.
    let other = Store::connect(&db.url).await.unwrap();
    let victim = token(&store, Role::Hr, "3216").await;
    for (api, _, _) in &replicas {
        assert_eq!(call(api, Method::GET, "/api/tokens", &victim).await.0, StatusCode::OK);
    }
    dwa_workflow::tokens::revoke_token(&other, &TokenCache::default(), &token_id(&victim), "cli")
        .await
        .unwrap();
    for (api, _, _) in &replicas {
        let (lag, _) = until_refused(api, &victim, "a replica after a revocation by another process").await;
        assert!(lag < TokenCache::TTL, "{lag:?}");
    }

    // The listeners lose their connections: the caches are forgotten (a revocation may have
    // been missed), the listeners reconnect, and a later revocation still arrives at once.
    let victim = token(&store, Role::Hr, "3216").await;
    for (api, _, _) in &replicas {
        assert_eq!(call(api, Method::GET, "/api/tokens", &victim).await.0, StatusCode::OK);
    }
    assert_eq!(token_listeners(&store, true).await, 2, "both listeners are cut off");
    let started = Instant::now();
    while replicas.iter().any(|(_, state, _)| !state.token_cache().is_empty()) {
        assert!(
            started.elapsed() < DEADLINE,
            "the caches are forgotten when the channel is lost"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Wait for both listeners to be back, then cache the token again and revoke it.
    let started = Instant::now();
    loop {
        let listening = token_listeners(&store, false).await;
        if listening >= 2 {
            break;
        }
        assert!(started.elapsed() < DEADLINE, "the listeners reconnect");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for (api, _, _) in &replicas {
        assert_eq!(call(api, Method::GET, "/api/tokens", &victim).await.0, StatusCode::OK);
    }
    dwa_workflow::tokens::revoke_token(&other, &TokenCache::default(), &token_id(&victim), "cli")
        .await
        .unwrap();
    for (api, _, _) in &replicas {
        let (lag, _) = until_refused(api, &victim, "a replica after its listener reconnected").await;
        assert!(lag < TokenCache::TTL, "{lag:?}");
    }
    for (_, _, listener) in replicas {
        listener.abort();
    }
    db.drop_schema().await;
}

fn dwa(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dwa"))
        .args(args)
        .env("DWA_DATABASE", url)
        .env("DWA_COMPILE_CACHE", "off")
        .output()
        .expect("run dwa")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_cli_creates_lists_and_revokes_tokens_while_a_server_runs() {
    let db = common::TestDb::sqlite();
    let url = db.url.clone();
    let run = |args: &'static [&'static str]| {
        let url = url.clone();
        tokio::task::spawn_blocking(move || dwa(&url, args))
    };
    let ok = |out: Output, what: &str| -> (String, String) {
        assert!(out.status.success(), "{what}: {}", text(&out.stderr));
        (text(&out.stdout), text(&out.stderr))
    };
    let (admin, _) = ok(run(&["init"]).await.unwrap(), "init");
    let admin = admin.trim().to_owned();
    ok(
        run(&["region", "add", "3216", "--name", "Kabupaten Bekasi"])
            .await
            .unwrap(),
        "region add",
    );
    let (hr, stderr) = ok(
        run(&[
            "token",
            "create",
            "--role",
            "hr",
            "--region",
            "3216",
            "--expires-in",
            "30d",
            "--label",
            "BKPSDM",
        ])
        .await
        .unwrap(),
        "token create",
    );
    let hr = hr.trim().to_owned();
    let id = token_id(&hr);
    assert!(stderr.contains(&id), "the id is printed on stderr: {stderr}");
    for bad in [["--expires-in", "0d"], ["--expires-in", "forever"]] {
        let out = dwa(
            &url,
            &[&["token", "create", "--role", "hr", "--region", "3216"][..], &bad[..]].concat(),
        );
        assert!(!out.status.success());
        assert!(text(&out.stderr).contains("--expires-in"), "{}", text(&out.stderr));
    }

    // The list: ids, roles, expiry — never a token or a hash.
    let (list, _) = ok(run(&["token", "list"]).await.unwrap(), "token list");
    assert!(list.lines().next().unwrap().starts_with("ID"), "{list}");
    assert!(list.contains(&id) && list.contains(&token_id(&admin)), "{list}");
    for secret in [&admin, &hr] {
        assert!(!list.contains(secret.as_str()) && !list.contains(&dwa_store::token_hash(secret)));
    }
    let line = list.lines().find(|l| l.starts_with(&id)).unwrap();
    let thirty_days = dwa_store::unix_rfc3339(unix_now() + 30 * 86_400);
    assert!(
        line.contains(" hr ") && line.contains("3216") && line.ends_with("live"),
        "{line}"
    );
    assert!(
        line.contains(&thirty_days[..10]),
        "expires in 30 days ({thirty_days}): {line}"
    );
    let (regional, _) = ok(
        run(&["token", "list", "--region", "3216", "--role", "hr"])
            .await
            .unwrap(),
        "list --region",
    );
    assert!(
        regional.contains(&id) && !regional.contains(&token_id(&admin)),
        "{regional}"
    );

    // A server on the same SQLite file: the token works, is cached, then revoked by the CLI.
    let store = Store::connect(&url).await.unwrap();
    let (api, state) = router(&store);
    let poller = dwa_workflow::tokens::follow_token_revocations(&store, state.token_cache(), &url)
        .await
        .unwrap();
    assert_eq!(call(&api, Method::GET, "/api/tokens", &hr).await.0, StatusCode::OK);
    let revoke = {
        let (url, id) = (url.clone(), id.clone());
        tokio::task::spawn_blocking(move || dwa(&url, &["token", "revoke", &id]))
            .await
            .unwrap()
    };
    let (said, _) = ok(revoke, "token revoke");
    assert!(said.contains(&format!("revoked token {id}")), "{said}");
    let (waited, body) = until_refused(&api, &hr, "the server after `dwa token revoke` on SQLite").await;
    println!("sqlite: refused {waited:?} after `dwa token revoke`");
    assert!(message(&body).contains("revoked"), "{body}");
    assert!(
        waited < Duration::from_secs(2),
        "by the revocation mark, not the cache's expiry: {waited:?}"
    );
    let (list, _) = ok(run(&["token", "list", "--region", "3216"]).await.unwrap(), "list");
    assert!(
        list.lines().find(|l| l.starts_with(&id)).unwrap().ends_with("revoked"),
        "{list}"
    );
    let again = {
        let (url, id) = (url.clone(), id.clone());
        tokio::task::spawn_blocking(move || dwa(&url, &["token", "revoke", &id]))
            .await
            .unwrap()
    };
    assert!(
        !again.status.success() && text(&again.stderr).contains("already revoked"),
        "{}",
        text(&again.stderr)
    );
    let unknown = run(&["token", "revoke", "0123456789abcdef"]).await.unwrap();
    assert!(
        !unknown.status.success() && text(&unknown.stderr).contains("not found"),
        "{}",
        text(&unknown.stderr)
    );
    assert_eq!(store.token_audit(&id).await.unwrap()[0].1, "cli");
    poller.abort();
    store.pool().close().await;
}
