//! `dwa plugin diff` on the real province rules: the deployed manifest against a copy whose
//! absence threshold is one day stricter reports exactly the people with that many days as the
//! class that changes (and, with a seeded database, the stored applications of the quarter
//! that change, each of them a person with that many days); a plugin file given alone runs
//! under the other side's manifest.

mod common;

use serde_json::Value;
use std::process::Command;

fn dwa(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_dwa"))
        .args(args)
        .env("DWA_COMPILE_CACHE", "off")
        .output()
        .expect("run dwa");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.success(), text(&out.stdout), text(&out.stderr))
}

#[test]
fn a_stricter_absence_threshold_changes_exactly_the_people_at_the_old_threshold() {
    let tmp = tempfile::tempdir().unwrap();
    let (old, new) = (tmp.path().join("old"), tmp.path().join("new"));
    for dir in [&old, &new] {
        std::fs::create_dir(dir).unwrap();
        std::fs::copy(common::rules_dir().join("jabar.wasm"), dir.join("jabar.wasm")).unwrap();
    }
    let manifest = std::fs::read_to_string(common::rules_dir().join("32-jabar.toml")).unwrap();
    std::fs::write(old.join("32-jabar.toml"), &manifest).unwrap();
    let stricter = manifest.replace("max_unexcused_absence_days = 2 ", "max_unexcused_absence_days = 1 ");
    assert_ne!(stricter, manifest);
    std::fs::write(new.join("32-jabar.toml"), &stricter).unwrap();
    let (old_m, new_m) = (
        old.join("32-jabar.toml").display().to_string(),
        new.join("32-jabar.toml").display().to_string(),
    );

    let db = tmp.path().join("dwa.db");
    let url = format!("sqlite://{}", db.display());
    let seeded = Command::new(env!("CARGO_BIN_EXE_dwa"))
        .args(["seed", "--employees", "400", "--quarter", "2027-Q1", "--database", &url])
        .env("DWA_RULES", common::rules_dir())
        .output()
        .unwrap();
    assert!(seeded.status.success(), "{}", String::from_utf8_lossy(&seeded.stderr));

    let (ok, stdout, stderr) = dwa(&[
        "plugin",
        "diff",
        &old_m,
        &new_m,
        "--database",
        &url,
        "--quarter",
        "2027-Q1",
    ]);
    assert!(ok, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("  unexcused_absence_days = 2: becomes ineligible"),
        "{stdout}"
    );
    for unchanged in ["unexcused_absence_days = 1:", "unexcused_absence_days = 3:"] {
        assert!(!stdout.contains(unchanged), "{unchanged}\n{stdout}");
    }

    let (ok, json, stderr) = dwa(&[
        "plugin",
        "diff",
        &old_m,
        &new_m,
        "--database",
        &url,
        "--quarter",
        "2027-Q1",
        "--json",
    ]);
    assert!(ok, "{stderr}");
    let report: Value = serde_json::from_str(&json).unwrap();
    let classes = report["classes"].as_array().unwrap();
    assert!(!classes.is_empty());
    for class in classes {
        assert_eq!(class["dimension"], "unexcused_absence_days", "{class}");
        assert_eq!(class["example"]["employee"]["unexcused_absence_days"], 2, "{class}");
        assert_eq!(class["value"], "2", "{class}");
        if class["change"] == "becomes ineligible" {
            assert_eq!(class["example"]["old"]["eligible"], true, "{class}");
        }
        assert!(
            class["example"]["new"]["failed"]
                .as_array()
                .unwrap()
                .contains(&Value::from("ABSENCE")),
            "{class}"
        );
    }
    // The stored applications: every one that changes is a person with 2 days of absence.
    let stored = &report["stored"];
    assert!(stored["evaluated"].as_u64().unwrap() > 0, "{stored}");
    for class in stored["classes"].as_array().unwrap() {
        assert_eq!(class["dimension"], "stored application");
        assert_eq!(class["example"]["employee"]["unexcused_absence_days"], 2, "{class}");
    }

    // The old plugin file alone runs under the new manifest's parameters: no difference.
    let plugin = old.join("jabar.wasm").display().to_string();
    let (ok, stdout, stderr) = dwa(&["plugin", "diff", &plugin, &new_m]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains(": 0 change, in 0 classes"), "{stdout}");
    // Two regions' rules are not a diff.
    let bekasi = common::rules_dir().join("3216-kab-bekasi.toml").display().to_string();
    let (ok, _, stderr) = dwa(&["plugin", "diff", &old_m, &bekasi]);
    assert!(!ok && stderr.contains("a diff compares one region's rules"), "{stderr}");
}
