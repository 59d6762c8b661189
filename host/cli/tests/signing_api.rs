//! Signed deployment over the API's router and across replicas: the provincial admin registers
//! a region's key and requires signatures (`/api/regions/{code}/keys`, `/signing`); then an
//! upload without a signature or signed with another key, and the activation or rollback of a
//! stored version that is not signed, are refused (422 naming `signature`), audited and shown in
//! `GET /api/policies`, with the database otherwise unchanged; a version signed with the
//! registered key is stored and served. On PostgreSQL, a replica verifies the stored version it
//! is told to activate, and refuses an unsigned one.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use dwa_api::{AppState, Role};
use dwa_policy::PolicySet;
use dwa_policy::signing::SecretKey;
use dwa_store::Store;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::path::Path;
use std::sync::Arc;
use tower::ServiceExt;

const BEKASI: &str = "3216-kab-bekasi.toml";

/// A private rules folder loaded with the database's trust, its changes recorded.
async fn host(store: &Store) -> (tempfile::TempDir, Arc<PolicySet>, tokio::task::JoinHandle<()>) {
    let dir = tempfile::tempdir().unwrap();
    for file in ["jabar.wasm", "kab_bekasi.wasm", "32-jabar.toml", BEKASI] {
        std::fs::copy(common::rules_dir().join(file), dir.path().join(file)).unwrap();
    }
    let trust = dwa_workflow::signing::StoreTrust::source(store.clone());
    let path = dir.path().to_owned();
    let engine = Arc::new(dwa_engine::PolicyEngine::new(dwa_engine::Limits::default()).unwrap());
    let (set, errors) = dwa_engine::run_blocking(move || PolicySet::load_dir_trusting(engine, &path, Some(trust)))
        .await
        .unwrap()
        .unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    let set = Arc::new(set);
    let history = dwa_workflow::record_policy_changes(store.clone(), &set);
    (dir, set, history)
}

async fn call(router: &axum::Router, method: &str, uri: &str, token: &str, body: Option<Value>) -> (StatusCode, Value) {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(body.map(|b| Body::from(b.to_string())).unwrap_or_else(Body::empty))
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

/// Bekasi's manifest with one parameter changed.
fn edited(rules: &Path, agency: &str) -> String {
    let manifest = std::fs::read_to_string(rules.join(BEKASI)).unwrap();
    let edited = manifest.replace(
        "excluded_agencies = [\"RSUD\"",
        &format!("excluded_agencies = [\"{agency}\", \"RSUD\""),
    );
    assert_ne!(edited, manifest);
    edited
}

fn bekasi_status(policies: &PolicySet) -> dwa_policy::PolicyStatus {
    policies.status().into_iter().find(|s| s.manifest == BEKASI).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_api_refuses_unsigned_uploads_activations_and_rollbacks_and_serves_signed_ones() {
    for db in common::TestDb::both().await {
        let store = Store::connect(&db.url).await.unwrap();
        store.upsert_region("32", "Provinsi Jawa Barat").await.unwrap();
        store.upsert_region("3216", "Kabupaten Bekasi").await.unwrap();
        let (rules, policies, _history) = host(&store).await;
        let router = dwa_api::router(AppState::new(store.clone(), policies.clone(), None)).0;
        let province = common::token(&store, Role::ProvincialAdmin, "32").await;
        let author = common::token(&store, Role::PolicyAdmin, "3216").await;
        let (key, other) = (SecretKey::generate().unwrap(), SecretKey::generate().unwrap());
        let plugin = std::fs::read(rules.path().join("kab_bekasi.wasm")).unwrap();

        // Before the requirement: an unsigned version is stored (it will be refused later).
        let unsigned = edited(rules.path(), "DISHUB");
        let (status, answer) = call(
            &router,
            "POST",
            "/api/policies/3216/versions",
            &author,
            Some(json!({ "manifest": unsigned })),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
        let unsigned_version = answer["version"].as_str().unwrap().to_owned();

        // Keys and the requirement: the provincial admin's alone; a bad key names its field.
        let keys = "/api/regions/3216/keys";
        let public = json!({ "public_key": key.public().to_text() });
        assert_eq!(
            call(&router, "POST", keys, &author, Some(public.clone())).await.0,
            StatusCode::FORBIDDEN
        );
        let (status, answer) = call(
            &router,
            "POST",
            keys,
            &province,
            Some(json!({"public_key": "dwa-ed25519 00"})),
        )
        .await;
        assert_eq!(
            (status, answer["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("public_key"))
        );
        let signing = "/api/regions/3216/signing";
        let (status, answer) = call(&router, "PUT", signing, &province, Some(json!({"required": true}))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "no key yet: {answer}");
        let (status, answer) = call(&router, "POST", keys, &province, Some(public.clone())).await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
        assert_eq!(answer["key_id"], key.public().id());
        assert_eq!(
            call(&router, "POST", keys, &province, Some(public)).await.0,
            StatusCode::CONFLICT
        );
        let (status, answer) = call(&router, "PUT", signing, &province, Some(json!({"required": true}))).await;
        assert_eq!(
            (status, answer["required"].as_bool()),
            (StatusCode::OK, Some(true)),
            "{answer}"
        );
        let (status, answer) = call(&router, "GET", signing, &author, None).await;
        assert_eq!(
            (status, answer["keys"].as_array().map(Vec::len)),
            (StatusCode::OK, Some(1))
        );
        let only = format!("{keys}/{}", key.public().id());
        assert_eq!(
            call(&router, "DELETE", &only, &province, None).await.0,
            StatusCode::CONFLICT
        );

        // Refused: unsigned, signed with another key, signed for other content; each audited,
        // in the status, and nothing else in the database changed.
        let candidate = edited(rules.path(), "SETDA");
        let serving = policies.region("3216").unwrap().reference.clone();
        for (signature, why) in [
            (None, "requires signed rules and there is no signature"),
            (
                Some(other.sign(candidate.as_bytes(), &plugin)),
                "is not registered for region 3216",
            ),
            (
                Some(key.sign(unsigned.as_bytes(), &plugin)),
                "the manifest changed since it was signed",
            ),
        ] {
            let before = common::database_fingerprint(&store).await;
            let audited = store.audit("3216").await.unwrap().len();
            let (status, answer) = call(
                &router,
                "POST",
                "/api/policies/3216/versions",
                &author,
                Some(json!({ "manifest": candidate, "signature": signature })),
            )
            .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{why}: {answer}");
            assert_eq!(answer["error"]["field"], "signature", "{answer}");
            assert!(
                answer["error"]["message"].as_str().unwrap().contains(why),
                "{why}: {answer}"
            );
            let audit = store.audit("3216").await.unwrap();
            assert_eq!(audit.len(), audited + 1, "{why}: not audited");
            assert!(
                audit[0].action == "reject" && audit[0].detail.contains(why),
                "{:?}",
                audit[0]
            );
            // Only the audit trail grew: removing the new entry gives the same fingerprint.
            sqlx::query(&format!(
                "DELETE FROM policy_audit WHERE detail = '{}'",
                audit[0].detail.replace('\'', "''")
            ))
            .execute(store.pool())
            .await
            .unwrap();
            assert_eq!(
                common::database_fingerprint(&store).await,
                before,
                "{why}: the database changed"
            );
            store.record_audit(&audit[0]).await.unwrap();
            let (status, answer) = call(&router, "GET", "/api/policies", &author, None).await;
            assert_eq!(status, StatusCode::OK);
            let entry = answer
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["manifest"] == BEKASI)
                .unwrap();
            assert!(
                entry["last_attempt"]["error"].as_str().unwrap().contains(why),
                "{entry}"
            );
            assert_eq!(entry["active"]["manifest_sha256"], serving.manifest_sha256.as_str());
        }

        // Activating or rolling back to the unsigned stored version: refused, audited, in the status.
        for (uri, body) in [
            ("/api/policies/3216/activate", json!({ "version": unsigned_version })),
            ("/api/policies/3216/rollback", json!({ "version": unsigned_version })),
        ] {
            let (status, answer) = call(&router, "POST", uri, &author, Some(body)).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{uri}: {answer}");
            assert_eq!(answer["error"]["field"], "signature", "{answer}");
            assert!(last_error(&policies).contains("there is no signature"), "{uri}");
            assert_eq!(
                policies.region("3216").unwrap().reference,
                serving,
                "{uri}: the served version changed"
            );
            common::wait_for("the refusal is audited", || {
                let store = store.clone();
                async move {
                    store.audit("3216").await.unwrap().iter().any(|a| {
                        a.action == "reject"
                            && a.detail.contains("there is no signature")
                            && a.actor.contains("policy-admin")
                    })
                }
            })
            .await;
        }

        // Signed with the registered key: stored, then activated and served.
        let (status, answer) = call(
            &router,
            "POST",
            "/api/policies/3216/versions",
            &author,
            Some(json!({ "manifest": candidate, "signature": key.sign(candidate.as_bytes(), &plugin) })),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
        let signed_version = answer["version"].as_str().unwrap().to_owned();
        // The version list shows each version's signature (the web's policy page reads it).
        let (status, listed) = call(&router, "GET", "/api/policies/3216/versions", &author, None).await;
        assert_eq!(status, StatusCode::OK, "{listed}");
        let entry = listed
            .as_array()
            .unwrap_or_else(|| panic!("{listed}"))
            .iter()
            .find(|v| v["id"] == signed_version.as_str())
            .unwrap_or_else(|| panic!("{listed}"))
            .clone();
        assert!(
            entry["signature"]
                .as_str()
                .unwrap_or_default()
                .contains(&key.public().id()),
            "{entry}"
        );
        let (status, answer) = call(
            &router,
            "POST",
            "/api/policies/3216/activate",
            &author,
            Some(json!({ "version": signed_version })),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        assert_ne!(policies.region("3216").unwrap().reference, serving);
        assert!(rules.path().join(format!("{BEKASI}.sig")).exists());
        assert!(bekasi_status(&policies).last_attempt.unwrap().ok);
        drop(store);
        db.drop_schema().await;
    }
}

fn last_error(policies: &PolicySet) -> String {
    bekasi_status(policies)
        .last_attempt
        .and_then(|a| a.error)
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_replica_refuses_an_unsigned_stored_version_and_follows_a_signed_one() {
    let db = common::TestDb::postgres().await;
    let store = Store::connect(&db.url).await.unwrap();
    store.upsert_region("32", "Provinsi Jawa Barat").await.unwrap();
    store.upsert_region("3216", "Kabupaten Bekasi").await.unwrap();
    let key = SecretKey::generate().unwrap();
    dwa_workflow::signing::add_region_key(&store, "3216", &key.public().to_text(), "test")
        .await
        .unwrap();
    let (sign_a, a, _history_a) = {
        // Replica A starts before the requirement, so its unsigned start-up rules load.
        host(&store).await
    };
    dwa_workflow::signing::require_signatures(&store, "3216", true, "test")
        .await
        .unwrap();
    // Replica B: signs its own start-up copy, as a deployment requiring signatures would.
    let b_store = Store::connect(&db.url).await.unwrap();
    let b_dir = tempfile::tempdir().unwrap();
    for file in ["jabar.wasm", "kab_bekasi.wasm", "32-jabar.toml", BEKASI] {
        std::fs::copy(common::rules_dir().join(file), b_dir.path().join(file)).unwrap();
    }
    let manifest = std::fs::read(b_dir.path().join(BEKASI)).unwrap();
    let plugin = std::fs::read(b_dir.path().join("kab_bekasi.wasm")).unwrap();
    std::fs::write(b_dir.path().join(format!("{BEKASI}.sig")), key.sign(&manifest, &plugin)).unwrap();
    let trust = dwa_workflow::signing::StoreTrust::source(b_store.clone());
    let path = b_dir.path().to_owned();
    let engine = Arc::new(dwa_engine::PolicyEngine::new(dwa_engine::Limits::default()).unwrap());
    let (b, errors) = dwa_engine::run_blocking(move || PolicySet::load_dir_trusting(engine, &path, Some(trust)))
        .await
        .unwrap()
        .unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    let b = Arc::new(b);
    let _history_b = dwa_workflow::record_policy_changes(b_store.clone(), &b);
    let _follow_b = dwa_workflow::follow_other_replicas(b_store.clone(), b.clone(), &db.url)
        .await
        .unwrap();
    let serving = b.region("3216").unwrap().reference.clone();

    // An unsigned version in the database (stored before the requirement, or written there by
    // hand), announced as activated: B verifies it and refuses; audited, in B's status.
    let unsigned = edited(sign_a.path(), "DISHUB");
    let mut reference = serving.clone();
    reference.manifest_sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(unsigned.as_bytes()));
    let version = store
        .record_version(&dwa_store::NewVersion {
            reference: &reference,
            manifest_path: Path::new(BEKASI),
            manifest_text: &unsigned,
            plugin_file: "kab_bekasi.wasm",
            plugin_bytes: &plugin,
            signature: None,
        })
        .await
        .unwrap();
    store.notify_policy_change(&version).await.unwrap();
    common::wait_for("replica B refuses the unsigned version", || {
        let b = b.clone();
        async move { last_error(&b).contains("requires signed rules and there is no signature") }
    })
    .await;
    assert_eq!(
        b.region("3216").unwrap().reference,
        serving,
        "B serves the unsigned version"
    );
    common::wait_for("B's refusal is audited", || {
        let store = store.clone();
        async move {
            store.audit("3216").await.unwrap().iter().any(|e| {
                e.action == "reject"
                    && e.actor.starts_with(dwa_workflow::REPLICA_SYNC)
                    && e.detail.contains("no signature")
            })
        }
    })
    .await;

    // A signed version activated on A: A checks it, B follows and serves it.
    let signed = edited(sign_a.path(), "SETDA");
    let signature = key.sign(signed.as_bytes(), &plugin);
    let uploaded = dwa_workflow::upload_version(&store, &a, "3216", &signed, None, Some(signature), "test")
        .await
        .unwrap();
    dwa_workflow::activate_version(&store, &a, "3216", &uploaded, "test")
        .await
        .unwrap();
    common::wait_for("replica B follows the signed version", || {
        let b = b.clone();
        let expected = a.region("3216").unwrap().reference.clone();
        async move { b.region("3216").unwrap().reference == expected }
    })
    .await;
    assert!(b_dir.path().join(format!("{BEKASI}.sig")).exists());
    drop((store, b_store));
    db.drop_schema().await;
}
