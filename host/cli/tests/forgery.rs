//! Signatures that cannot be forged (issue #18, item 1). A small-order ed25519 public key — the
//! all-zero key, the identity — has no secret behind it: under the plain check, R = identity and
//! s = 0 "verify" for any message. Here:
//!
//! - every such key is refused at registration, over the API and through the real `dwa`
//!   binary, with a message that says why, and the database is unchanged;
//! - a weak key already in the database (registered before the fix, or written there by hand)
//!   with a signature forged "by" it, held back and presented on every path — start-up of a
//!   rules folder, the file drop, an upload over the API, and a replica told to activate a
//!   stored version — is refused each time, audited, and what serves is unchanged.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use dwa_api::{AppState, Role};
use dwa_policy::PolicySet;
use dwa_store::Store;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::Arc;
use tower::ServiceExt;

const BEKASI: &str = "3216-kab-bekasi.toml";

/// Small-order points (and the all-zero encoding): no secret key lies behind any of them.
const WEAK_KEYS: [&str; 5] = [
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0100000000000000000000000000000000000000000000000000000000000000",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
];

/// The identity point as a "public key": with it, R = identity and s = 0 satisfy the plain
/// verification equation for every message.
const IDENTITY: &str = "0100000000000000000000000000000000000000000000000000000000000000";

/// A key's id as the host computes it (first 16 hex digits of the sha256 of its bytes).
fn key_id(hex_key: &str) -> String {
    hex::encode(Sha256::digest(hex::decode(hex_key).unwrap()))[..16].to_owned()
}

/// The signature file an attacker writes without any secret: R = identity, s = 0, "by" the
/// identity key, with the right hashes so only the cryptography can refuse it.
fn forged_signature(manifest: &[u8], plugin: &[u8]) -> String {
    let mut signature = [0u8; 64];
    signature[0] = 1;
    format!(
        "format = \"dwa-plugin-signature-v1\"\nkey = \"{}\"\nmanifest_sha256 = \"{}\"\nplugin_sha256 = \"{}\"\n\
         signature = \"{}\"\n",
        key_id(IDENTITY),
        hex::encode(Sha256::digest(manifest)),
        hex::encode(Sha256::digest(plugin)),
        hex::encode(signature)
    )
}

/// The weak key written straight into the database with the requirement, as a database from
/// before the fix (or a hand edit) would hold it.
async fn plant_weak_key(store: &Store) {
    sqlx::query("INSERT INTO region_keys (region, key_id, public_key, added_at, added_by) VALUES ($1, $2, $3, $4, $5)")
        .bind("3216")
        .bind(key_id(IDENTITY))
        .bind(format!("dwa-ed25519 {IDENTITY}"))
        .bind("2026-01-01T00:00:00Z")
        .bind("before the fix")
        .execute(store.pool())
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO region_signing (region, required, changed_at, changed_by) VALUES ($1, 1, $2, $3) \
         ON CONFLICT (region) DO UPDATE SET required = 1",
    )
    .bind("3216")
    .bind("2026-01-01T00:00:00Z")
    .bind("before the fix")
    .execute(store.pool())
    .await
    .unwrap();
}

/// A rules folder of its own (province and Bekasi), loaded with the database's trust and its
/// changes recorded.
async fn host(
    store: &Store,
) -> (
    tempfile::TempDir,
    Arc<PolicySet>,
    Vec<String>,
    tokio::task::JoinHandle<()>,
) {
    let dir = tempfile::tempdir().unwrap();
    for file in ["jabar.wasm", "kab_bekasi.wasm", "32-jabar.toml", BEKASI] {
        std::fs::copy(common::rules_dir().join(file), dir.path().join(file)).unwrap();
    }
    let (set, errors) = load(store, dir.path()).await;
    let history = dwa_workflow::record_policy_changes(store.clone(), &set);
    // The start-up loads are recorded by a task of their own: let it finish, so what the test
    // counts and fingerprints afterwards is its own doing.
    let store_for_wait = store.clone();
    common::wait_for("the start-up versions are recorded", || {
        let store = store_for_wait.clone();
        async move { store.audit("3216").await.unwrap().iter().any(|e| e.action == "load") }
    })
    .await;
    (dir, set, errors, history)
}

async fn load(store: &Store, dir: &Path) -> (Arc<PolicySet>, Vec<String>) {
    let trust = dwa_workflow::signing::StoreTrust::source(store.clone());
    let path = dir.to_owned();
    let engine = Arc::new(dwa_engine::PolicyEngine::new(dwa_engine::Limits::default()).unwrap());
    let (set, errors) = dwa_engine::run_blocking(move || PolicySet::load_dir_trusting(engine, &path, Some(trust)))
        .await
        .unwrap()
        .unwrap();
    (Arc::new(set), errors.iter().map(ToString::to_string).collect())
}

/// Bekasi's manifest without "RSUD" among its excluded agencies: the change an attacker with a
/// stolen policy-admin token wants live.
fn weakened(rules: &Path) -> String {
    let manifest = std::fs::read_to_string(rules.join(BEKASI)).unwrap();
    let edited = manifest.replace("excluded_agencies = [\"RSUD\", ", "excluded_agencies = [");
    assert_ne!(edited, manifest, "the manifest's excluded agencies changed shape");
    edited
}

async fn call(router: &axum::Router, method: &str, uri: &str, token: &str, body: Value) -> (StatusCode, Value) {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

/// How many policy versions are stored.
async fn versions(store: &Store) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM policy_versions")
        .fetch_one(store.pool())
        .await
        .unwrap()
}

/// Whether the region's audit trail has a refusal that names the weak key.
async fn refusal_audited(store: &Store, actor: &str) -> bool {
    store
        .audit("3216")
        .await
        .unwrap()
        .iter()
        .any(|e| e.action == "reject" && e.actor.starts_with(actor) && e.detail.contains("weak (small-order)"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn weak_keys_are_refused_at_registration_and_change_nothing() {
    for db in common::TestDb::both().await {
        let store = Store::connect(&db.url).await.unwrap();
        store.upsert_region("32", "Provinsi Jawa Barat").await.unwrap();
        store.upsert_region("3216", "Kabupaten Bekasi").await.unwrap();
        let (_rules, policies, _, _history) = host(&store).await;
        let router = dwa_api::router(AppState::new(store.clone(), policies, None)).0;
        let province = common::token(&store, Role::ProvincialAdmin, "32").await;
        let before = common::database_fingerprint(&store).await;
        for weak in WEAK_KEYS {
            let (status, answer) = call(
                &router,
                "POST",
                "/api/regions/3216/keys",
                &province,
                json!({ "public_key": format!("dwa-ed25519 {weak}") }),
            )
            .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{weak}: {answer}");
            assert_eq!(answer["error"]["field"], "public_key", "{answer}");
            assert!(
                answer["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("weak (small-order)"),
                "{answer}"
            );
        }
        assert_eq!(
            common::database_fingerprint(&store).await,
            before,
            "a refused key changed the database"
        );

        // The same through the real binary.
        let keyfile = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(keyfile.path(), format!("dwa-ed25519 {}\n", WEAK_KEYS[0])).unwrap();
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_dwa"))
            .args(["region", "key", "add", "3216"])
            .arg(keyfile.path())
            .env("DWA_DATABASE", &db.url)
            .env("DWA_COMPILE_CACHE", "off")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "the CLI registered a weak key");
        assert!(stderr.contains("weak (small-order)"), "{stderr}");
        assert_eq!(
            common::database_fingerprint(&store).await,
            before,
            "the CLI's refusal changed the database"
        );
        drop(store);
        db.drop_schema().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_forged_signature_is_refused_on_upload_file_drop_and_start_up() {
    for db in common::TestDb::both().await {
        let store = Store::connect(&db.url).await.unwrap();
        store.upsert_region("32", "Provinsi Jawa Barat").await.unwrap();
        store.upsert_region("3216", "Kabupaten Bekasi").await.unwrap();
        let (rules, policies, errors, _history) = host(&store).await;
        assert!(errors.is_empty(), "{errors:?}");
        let serving = policies.region("3216").unwrap().reference.clone();
        plant_weak_key(&store).await;
        let plugin = std::fs::read(rules.path().join("kab_bekasi.wasm")).unwrap();
        let candidate = weakened(rules.path());
        let forged = forged_signature(candidate.as_bytes(), &plugin);

        // Upload over the API: 422 naming the signature, audited, nothing stored.
        let router = dwa_api::router(AppState::new(store.clone(), policies.clone(), None)).0;
        let author = common::token(&store, Role::PolicyAdmin, "3216").await;
        let stored = versions(&store).await;
        let audited = store.audit("3216").await.unwrap().len();
        let (status, answer) = call(
            &router,
            "POST",
            "/api/policies/3216/versions",
            &author,
            json!({ "manifest": candidate, "signature": forged }),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert_eq!(answer["error"]["field"], "signature", "{answer}");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(message.contains("weak (small-order)"), "{message}");
        assert!(
            !message.contains(&*rules.path().to_string_lossy()),
            "the answer shows the rules folder: {message}"
        );
        assert_eq!(
            store.audit("3216").await.unwrap().len(),
            audited + 1,
            "the refusal is not audited"
        );
        assert!(refusal_audited(&store, "").await);
        assert_eq!(versions(&store).await, stored, "the refused upload stored a version");

        // The file drop: the reload refuses, the last good version serves.
        std::fs::write(rules.path().join(BEKASI), &candidate).unwrap();
        std::fs::write(rules.path().join(format!("{BEKASI}.sig")), &forged).unwrap();
        let refused = policies.reload(&rules.path().join(BEKASI), "watch");
        let error = refused.expect_err("the file drop went live").to_string();
        assert!(error.contains("weak (small-order)"), "{error}");
        assert!(!error.contains(&*rules.path().to_string_lossy()), "{error}");
        assert_eq!(policies.region("3216").unwrap().reference, serving);
        let store_for_wait = store.clone();
        common::wait_for("the file drop's refusal is audited", || {
            let store = store_for_wait.clone();
            async move { refusal_audited(&store, "watch").await }
        })
        .await;

        // Start-up of a host with the forged files in its folder: Bekasi is not served at all
        // (its stored key is weak), the province still is; the refusal is audited.
        let (restarted, errors) = load(&store, rules.path()).await;
        assert!(errors.iter().any(|e| e.contains("weak (small-order)")), "{errors:?}");
        assert!(restarted.region("3216").is_err(), "a region with a weak key is served");
        assert!(restarted.region("32").is_ok());
        let _history = dwa_workflow::record_policy_changes(store.clone(), &restarted);
        let store_for_wait = store.clone();
        common::wait_for("the start-up refusal is audited", || {
            let store = store_for_wait.clone();
            async move { refusal_audited(&store, "startup").await }
        })
        .await;
        drop(store);
        db.drop_schema().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_replica_refuses_a_stored_version_with_a_forged_signature() {
    let db = common::TestDb::postgres().await;
    let store = Store::connect(&db.url).await.unwrap();
    store.upsert_region("32", "Provinsi Jawa Barat").await.unwrap();
    store.upsert_region("3216", "Kabupaten Bekasi").await.unwrap();
    let (rules, replica, errors, _history) = host(&store).await;
    assert!(errors.is_empty(), "{errors:?}");
    let replica_store = Store::connect(&db.url).await.unwrap();
    let _follow = dwa_workflow::follow_other_replicas(replica_store, replica.clone(), &db.url)
        .await
        .unwrap();
    let serving = replica.region("3216").unwrap().reference.clone();
    plant_weak_key(&store).await;

    // A version with a forged signature written into the database (a stolen database
    // credential, or an old version) and announced as activated.
    let plugin = std::fs::read(rules.path().join("kab_bekasi.wasm")).unwrap();
    let candidate = weakened(rules.path());
    let forged = forged_signature(candidate.as_bytes(), &plugin);
    let mut reference = serving.clone();
    reference.manifest_sha256 = hex::encode(Sha256::digest(candidate.as_bytes()));
    let version = store
        .record_version(&dwa_store::NewVersion {
            reference: &reference,
            manifest_path: Path::new(BEKASI),
            manifest_text: &candidate,
            plugin_file: "kab_bekasi.wasm",
            plugin_bytes: &plugin,
            signature: Some(&forged),
        })
        .await
        .unwrap();
    store.notify_policy_change(&version).await.unwrap();
    let store_for_wait = store.clone();
    common::wait_for("the replica's refusal is audited", || {
        let store = store_for_wait.clone();
        async move { refusal_audited(&store, dwa_workflow::REPLICA_SYNC).await }
    })
    .await;
    assert_eq!(
        replica.region("3216").unwrap().reference,
        serving,
        "the replica serves the forgery"
    );
    drop(store);
    db.drop_schema().await;
}
