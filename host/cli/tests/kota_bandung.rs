//! Kota Bandung (issue #10 item 7), the third region, made with `dwa plugin new` and the SDK
//! guide alone: deployed signed through the real `dwa` binary (refused unsigned, refused signed
//! with a key not registered for the region, served signed with its own key), its own rule
//! (`KPI_RAISE`) and its 3-day ceiling answered by the compiled plugin in the host's sandbox, and
//! the province's quarterly rotation over two quarters in a full Bandung unit.

mod common;

use dwa_engine::{Limits, PolicyEngine};
use dwa_policy::PolicySet;
use dwa_sdk::{Approval, Approver, Quarter, testing};
use dwa_store::{Store, UnitRow};
use dwa_workflow::allocate_unit;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

const MANIFEST: &str = "3273-kota-bandung.toml";
const PLUGIN: &str = "kota_bandung.wasm";
const Q1: Quarter = Quarter { year: 2027, number: 1 };

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The plugin crate's folder, with the component `scripts/build-plugins.sh` builds beside its
/// manifest.
fn bandung_dir() -> PathBuf {
    let dir = common::root().join("plugins/kota-bandung");
    assert!(
        dir.join(PLUGIN).exists(),
        "plugins/kota-bandung/{PLUGIN} is missing: run scripts/build-plugins.sh first"
    );
    dir
}

/// A rules folder with the province and Kota Bandung, as an operator deploys them (plugins
/// first, then manifests).
fn rules_folder(into: &Path) {
    let province = common::rules_dir();
    std::fs::copy(province.join("jabar.wasm"), into.join("jabar.wasm")).unwrap();
    std::fs::copy(bandung_dir().join(PLUGIN), into.join(PLUGIN)).unwrap();
    std::fs::copy(province.join("32-jabar.toml"), into.join("32-jabar.toml")).unwrap();
    std::fs::copy(bandung_dir().join(MANIFEST), into.join(MANIFEST)).unwrap();
}

fn dwa(dir: &Path, url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dwa"))
        .args(args)
        .current_dir(dir)
        .env("DWA_DATABASE", url)
        .env("DWA_RULES", dir.join("rules"))
        .env("DWA_COMPILE_CACHE", "off")
        .output()
        .expect("run dwa")
}

#[test]
fn kota_bandung_is_served_only_when_signed_with_its_registered_key() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path();
    std::fs::create_dir(base.join("rules")).unwrap();
    rules_folder(&base.join("rules"));
    let url = format!("sqlite://{}/dwa.db", base.display());
    let ok = |args: &[&str]| {
        let out = dwa(base, &url, args);
        assert!(out.status.success(), "dwa {args:?}: {}", text(&out.stderr));
        text(&out.stdout) + &text(&out.stderr)
    };
    let refused = |args: &[&str], why: &str| {
        let out = dwa(base, &url, args);
        let said = text(&out.stdout) + &text(&out.stderr);
        assert!(!out.status.success(), "dwa {args:?} was not refused: {said}");
        assert!(said.contains(why), "dwa {args:?}: expected {why:?} in: {said}");
    };
    let manifest = base.join("rules").join(MANIFEST).display().to_string();

    ok(&["init"]);
    ok(&["region", "add", "3273", "--name", "Kota Bandung"]);
    ok(&["key", "generate", "--out", "bandung.key"]);
    ok(&["key", "generate", "--out", "other.key"]);
    ok(&["region", "key", "add", "3273", "bandung.key.pub"]);
    ok(&["region", "require-signatures", "3273"]);

    // Unsigned, then signed with a key Bandung never registered: refused.
    refused(&["check", &manifest, "--database", &url], "signature");
    ok(&["plugin", "sign", &manifest, "--key", "other.key"]);
    refused(
        &["check", &manifest, "--database", &url],
        "not registered for region 3273",
    );

    // Signed with the region's key: every worked example passes in the sandbox.
    ok(&["plugin", "sign", &manifest, "--key", "bandung.key"]);
    let checked = ok(&["check", &manifest, "--database", &url]);
    assert!(
        checked.contains("ok    a KPI target 5% above the baseline is not enough in Bandung"),
        "Bandung's own rule is exercised: {checked}"
    );

    // Any change after signing — here one parameter — needs a new signature.
    let edited = std::fs::read_to_string(&manifest)
        .unwrap()
        .replace("min_kpi_raise_percent = 10", "min_kpi_raise_percent = 5");
    std::fs::write(&manifest, edited).unwrap();
    refused(&["check", &manifest, "--database", &url], "signature");
}

/// Load the province and Bandung on a thread of their own (plugins run during validation, and
/// the engine refuses calls on an async worker).
fn bandung_policies() -> (tempfile::TempDir, Arc<PolicySet>) {
    let dir = tempfile::tempdir().unwrap();
    rules_folder(dir.path());
    let path = dir.path().to_owned();
    let set = std::thread::spawn(move || {
        let engine = Arc::new(PolicyEngine::new(Limits::default()).expect("engine"));
        let (set, errors) = PolicySet::load_dir(engine, &path).expect("rules folder");
        assert!(errors.is_empty(), "rules failed to load: {errors:#?}");
        Arc::new(set)
    })
    .join()
    .unwrap();
    (dir, set)
}

#[tokio::test(flavor = "multi_thread")]
async fn kota_bandung_decides_its_own_rule_and_rotates_a_full_unit_over_two_quarters() {
    let (_rules, policies) = bandung_policies();

    // Bandung's own rule and ceiling, from the compiled plugin in the sandbox.
    let (employee, mut application) = (testing::employee(), testing::application());
    let mut employee = employee;
    employee.region = "3273".into();
    application.requested_remote_days = 4;
    let today = testing::today();
    let decide = |application: dwa_sdk::Application| {
        let (policies, employee) = (policies.clone(), employee.clone());
        common::off_runtime(move || policies.evaluate(&employee, &application, today).unwrap().eligibility)
    };
    let served = decide(application.clone());
    assert_eq!((served.eligible, served.max_remote_days), (true, 3), "{served:?}");
    application.kpi_baseline = 70.0;
    application.kpi_target = 73.5;
    let refused = decide(application.clone());
    assert_eq!(refused.failed_codes(), ["KPI_RAISE"], "{refused:?}");
    application.kpi_target = 77.0;
    assert!(decide(application).eligible, "exactly 10% above the baseline passes");

    for db in common::TestDb::both().await {
        rotation_on(&policies, &db).await;
        db.drop_schema().await;
    }
}

/// A Bandung unit of 3 where 1 may be away a day (5 days a week in all); all three, of equal
/// priority and service, ask for 3 days. Q1: the NIP breaks the tie (3, 2, 0 — the last with
/// `QUOTA_FULL`); Q2: the rotation serves last quarter's unserved first (3), then the NIP order.
async fn rotation_on(policies: &Arc<PolicySet>, db: &common::TestDb) {
    let store = Store::connect(&db.url).await.unwrap();
    store.upsert_region("32", "Provinsi Jawa Barat").await.unwrap();
    let unit = UnitRow {
        code: "3273-BAPPELITBANG-DATA".into(),
        region: "3273".into(),
        agency: "BAPPELITBANG".into(),
        name: "Subbidang Data dan Informasi".into(),
    };
    let appointed = dwa_sdk::Date::new(2015, 1, 1).unwrap();
    let staff = common::equal_staff(&store, "Kota Bandung", &unit, "199001012015011", appointed, 3).await;
    let nips: Vec<&str> = staff.iter().map(|e| e.nip.as_str()).collect();

    let mut days_by_quarter = Vec::new();
    for quarter in [Q1, Q1.next()] {
        for (i, nip) in nips.iter().enumerate() {
            let mut application = testing::application();
            application.id = format!("app-bandung-{quarter}-{i}");
            application.quarter = quarter;
            application.requested_remote_days = 3;
            application.approvals = vec![Approval {
                approver: Approver::Supervisor,
                by_nip: "197901012005011001".into(),
                approved: true,
            }];
            store.insert_application(nip, &application).await.unwrap();
        }
        allocate_unit(&store, policies, &unit.code, quarter, quarter.start())
            .await
            .unwrap();
        let roster: HashMap<String, (u8, Vec<String>)> = store
            .roster(&unit.code, quarter)
            .await
            .unwrap()
            .into_iter()
            .map(|e| {
                (
                    e.nip,
                    (e.remote_days, e.reasons.iter().map(|r| r.code.clone()).collect()),
                )
            })
            .collect();
        days_by_quarter.push(roster);
    }
    let (q1, q2) = (&days_by_quarter[0], &days_by_quarter[1]);
    let days = |roster: &HashMap<String, (u8, Vec<String>)>| -> Vec<u8> { nips.iter().map(|n| roster[*n].0).collect() };
    assert_eq!(days(q1), [3, 2, 0], "{}: Q1 by NIP", db.label);
    assert_eq!(q1[nips[2]].1, ["QUOTA_FULL"], "{}", db.label);
    assert_eq!(q1[nips[1]].1, ["QUOTA_FULL"], "granted fewer days than allowed");
    assert_eq!(days(q2), [2, 0, 3], "{}: Q2 serves Q1's unserved first", db.label);
}
