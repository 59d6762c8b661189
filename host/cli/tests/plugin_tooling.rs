//! `dwa plugin new/build/test` as a regency's developer uses them, with the real binary: a
//! plugin scaffolded in a temporary folder outside the workspace builds and passes
//! `dwa plugin test` with no edits; a broken worked example then fails it, naming the example;
//! a compile error fails `dwa plugin build` with its file and line. `dwa plugin new` refuses a
//! folder in use, an unknown region, a name that does not fit its code and an empty name, and
//! then writes nothing.
//!
//! The scaffold compiles for wasm32-wasip2 into a target folder of its own under this build's
//! target (`CARGO_TARGET_TMPDIR/plugin-scaffold`), so a rerun only recompiles the crate and its
//! vendored SDK.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

/// Bound on a build or test of the scaffold: the first one compiles the SDK's dependencies
/// (wit-bindgen, serde, toml) for the host and for wasm32-wasip2.
const BUILD_BOUND: Duration = Duration::from_secs(20 * 60);
/// Bound on a command that compiles nothing.
const QUICK_BOUND: Duration = Duration::from_secs(60);

fn scaffold_target_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("plugin-scaffold")
}

/// Run the real `dwa` in `cwd`, killed (with what it started) if it outlives `bound`.
fn dwa(args: &[&str], cwd: &Path, bound: Duration) -> Output {
    use std::os::unix::process::CommandExt;
    let child = Command::new(env!("CARGO_BIN_EXE_dwa"))
        .args(args)
        .current_dir(cwd)
        .env("CARGO_TARGET_DIR", scaffold_target_dir())
        // The compiled-plugin cache stays private to the test.
        .env("DWA_COMPILE_CACHE", "off")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .expect("start dwa");
    let group = child.id();
    let (done, wait) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(child.wait_with_output());
    });
    match wait.recv_timeout(bound) {
        Ok(output) => output.expect("dwa ran"),
        Err(_) => {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{group}")])
                .status();
            panic!("dwa {args:?} did not finish within {} s", bound.as_secs());
        }
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A temporary folder that is not inside this workspace.
fn outside_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap();
    assert!(
        !dir.path().canonicalize().unwrap().starts_with(&workspace),
        "{} is inside the workspace",
        dir.path().display()
    );
    dir
}

fn scaffold(parent: &Path) -> PathBuf {
    let out = dwa(
        &[
            "plugin",
            "new",
            "kota-bandung",
            "--region",
            "3273",
            "--name",
            "Kota Bandung",
        ],
        parent,
        QUICK_BOUND,
    );
    assert!(out.status.success(), "plugin new: {}", text(&out.stderr));
    parent.join("kota-bandung")
}

#[test]
fn a_scaffolded_plugin_builds_and_passes_its_tests_with_no_edits() {
    let tmp = outside_workspace();
    let dir = scaffold(tmp.path());
    let cargo_toml = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    assert!(
        cargo_toml.contains("\n[workspace]\n"),
        "a workspace of its own:\n{cargo_toml}"
    );
    assert!(cargo_toml.contains("path = \"vendor/dwa-sdk\""), "{cargo_toml}");
    let sdk_toml = std::fs::read_to_string(dir.join("vendor/dwa-sdk/Cargo.toml")).unwrap();
    assert!(
        !sdk_toml.contains("workspace"),
        "the vendored SDK stands alone:\n{sdk_toml}"
    );
    for file in [
        "src/lib.rs",
        "3273-kota-bandung.toml",
        "README.md",
        ".gitignore",
        "vendor/dwa-sdk/src/lib.rs",
    ] {
        assert!(dir.join(file).is_file(), "{file} is missing");
    }

    // Built in the crate's folder, as its README says (DIR defaults to ".").
    let built = dwa(&["plugin", "build"], &dir, BUILD_BOUND);
    let stdout = text(&built.stdout);
    assert!(
        built.status.success(),
        "plugin build:\n{stdout}\n{}",
        text(&built.stderr)
    );
    let component = std::fs::read(dir.join("kota_bandung.wasm")).expect("the component beside the manifest");
    let sha256 = hex::encode(Sha256::digest(&component));
    assert!(stdout.contains(&format!("sha256:    {sha256}")), "{stdout}");
    assert!(
        stdout.contains(&dir.join("kota_bandung.wasm").display().to_string()),
        "{stdout}"
    );

    // Tested from elsewhere, naming the folder.
    let tested = dwa(&["plugin", "test", "kota-bandung"], tmp.path(), BUILD_BOUND);
    let stdout = text(&tested.stdout);
    assert!(
        tested.status.success(),
        "plugin test:\n{stdout}\n{}",
        text(&tested.stderr)
    );
    assert!(stdout.contains("region 3273 — plugin Kota Bandung 0.1.0"), "{stdout}");
    assert_eq!(
        stdout.matches("\n  ok    ").count(),
        18,
        "17 examples and the allocation:\n{stdout}"
    );
    assert_eq!(stdout.matches("decide agrees with evaluate").count(), 17, "{stdout}");
    assert!(
        stdout.contains("  ok    box 9 analyst gets 4-1\n        eligible 4-1, approvals [\"supervisor\"]; fuel "),
        "{stdout}"
    );
    assert!(stdout.contains("SUPERVISOR_APPROVAL FAILED"), "{stdout}");
    assert!(
        stdout.contains("every reason code the plugin reports is failed by at least one"),
        "{stdout}"
    );
    assert!(
        stdout.contains("native tests: the crate has tests; running cargo test"),
        "{stdout}"
    );
    assert!(
        stdout.contains("test result: ok. 3 passed"),
        "the crate's own tests ran:\n{stdout}"
    );
    assert!(
        stdout.contains("all 17 worked examples pass, and the allocation check"),
        "{stdout}"
    );

    // `dwa plugin diff`: identical candidates differ nowhere; one parameter changed in a copy
    // (service required from 12 to 24 months) shows exactly the months in between.
    let manifest_path = dir.join("3273-kota-bandung.toml");
    let manifest_arg = manifest_path.display().to_string();
    let same = dwa(
        &["plugin", "diff", &manifest_arg, &manifest_arg],
        tmp.path(),
        BUILD_BOUND,
    );
    let stdout = text(&same.stdout);
    assert!(
        same.status.success(),
        "plugin diff:
{stdout}
{}",
        text(&same.stderr)
    );
    assert!(stdout.contains(": 0 change, in 0 classes"), "{stdout}");
    let candidate = tmp.path().join("candidate");
    std::fs::create_dir(&candidate).unwrap();
    std::fs::copy(dir.join("kota_bandung.wasm"), candidate.join("kota_bandung.wasm")).unwrap();
    let original = std::fs::read_to_string(&manifest_path).unwrap();
    let longer = original.replace("min_service_months = 12 ", "min_service_months = 24 ");
    assert_ne!(longer, original);
    std::fs::write(candidate.join("3273-kota-bandung.toml"), longer).unwrap();
    let changed = dwa(
        &["plugin", "diff", &manifest_arg, "candidate/3273-kota-bandung.toml"],
        tmp.path(),
        BUILD_BOUND,
    );
    let stdout = text(&changed.stdout);
    assert!(
        changed.status.success(),
        "plugin diff:
{stdout}
{}",
        text(&changed.stderr)
    );
    for months in [12, 13, 23] {
        assert!(
            stdout.contains(&format!("  service_months = {months}: becomes ineligible")),
            "{months} months:
{stdout}"
        );
    }
    for unchanged in ["service_months = 11:", "service_months = 24:", "service_months = 60:"] {
        assert!(
            !stdout.contains(unchanged),
            "{unchanged}
{stdout}"
        );
    }
    assert!(stdout.contains("→ not eligible (SERVICE_LENGTH)"), "{stdout}");
    let json = dwa(
        &[
            "plugin",
            "diff",
            &manifest_arg,
            "candidate/3273-kota-bandung.toml",
            "--json",
        ],
        tmp.path(),
        BUILD_BOUND,
    );
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert!(
        report["changed"].as_u64().unwrap() > 0 && report["explored"].as_u64().unwrap() > 1000,
        "{report}"
    );
    assert!(
        report["classes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["dimension"] == "service_months"
                && c["example"]["employee"]["service_months"]
                    .as_u64()
                    .is_some_and(|m| (12..24).contains(&m))),
        "only people with 12 to 23 months of service change:
{report:#}"
    );

    // One worked example now expects what the rules do not give: named, and the command fails.
    let manifest = std::fs::read_to_string(&manifest_path).unwrap();
    let right = "expect = { eligible = true, max_remote_days = 4, failed = [], approvals_required = [\"supervisor\"] }";
    assert_eq!(manifest.matches(right).count(), 1, "the box 9 example's expectation");
    std::fs::write(
        &manifest_path,
        manifest.replace(right, &right.replace("max_remote_days = 4", "max_remote_days = 3")),
    )
    .unwrap();
    let broken = dwa(
        &["plugin", "test", "kota-bandung", "--no-cargo-test"],
        tmp.path(),
        BUILD_BOUND,
    );
    let (stdout, stderr) = (text(&broken.stdout), text(&broken.stderr));
    assert!(
        !broken.status.success(),
        "a failing example fails the command:\n{stdout}"
    );
    assert!(
        stdout.contains("  FAIL  box 9 analyst gets 4-1: expected max_remote_days = 3, got 4"),
        "{stdout}"
    );
    assert!(stderr.contains("1 of 18 worked examples failed"), "{stderr}");

    // A compile error: the build fails and cargo's message says where.
    let lib = dir.join("src/lib.rs");
    let mut source = std::fs::read_to_string(&lib).unwrap();
    source.push_str("\npub fn broken() -> u8 {\n    \"not a number\"\n}\n");
    let line = source.lines().count() - 1;
    std::fs::write(&lib, source).unwrap();
    let failed = dwa(&["plugin", "build", "kota-bandung"], tmp.path(), BUILD_BOUND);
    let stderr = text(&failed.stderr);
    assert!(!failed.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!("src/lib.rs:{line}:")),
        "the error's location:\n{stderr}"
    );
    assert!(stderr.contains("the plugin did not build"), "{stderr}");
}

#[test]
fn plugin_new_refuses_and_writes_nothing() {
    let tmp = outside_workspace();
    let refused = |args: &[&str], why: &str| {
        let out = dwa(args, tmp.path(), QUICK_BOUND);
        let stderr = text(&out.stderr);
        assert!(!out.status.success(), "{args:?} was accepted");
        assert!(
            stderr.contains(why) && stderr.contains("nothing was written"),
            "{args:?}: {stderr}"
        );
    };

    // A folder in use, even by one file.
    std::fs::create_dir(tmp.path().join("used")).unwrap();
    std::fs::write(tmp.path().join("used/notes.txt"), "mine").unwrap();
    refused(
        &["plugin", "new", "used", "--region", "3273", "--name", "Kota Bandung"],
        "is not empty",
    );
    let left: Vec<_> = std::fs::read_dir(tmp.path().join("used")).unwrap().collect();
    assert_eq!(left.len(), 1, "the folder is as it was");

    // Not a regency or city of West Java, as `dwa region add` sees it.
    for region in ["3200", "3270", "3301", "33", "3", "32011", "32a1", ""] {
        refused(
            &["plugin", "new", "fresh", "--region", region, "--name", "Kota Bandung"],
            "code: ",
        );
    }
    // A name that does not fit its code (Kabupaten Bandung is 3204, Kota Bandung 3273).
    refused(
        &["plugin", "new", "fresh", "--region", "3204", "--name", "Kota Bandung"],
        "so its name is `Kabupaten",
    );
    // No name.
    for name in ["", "   "] {
        refused(
            &["plugin", "new", "fresh", "--region", "3273", "--name", name],
            "name is empty",
        );
    }
    assert!(!tmp.path().join("fresh").exists(), "nothing was written");

    // A repository made with `git init` first is still an empty folder.
    std::fs::create_dir_all(tmp.path().join("repo/.git")).unwrap();
    let out = dwa(
        &[
            "plugin",
            "new",
            "repo",
            "--region",
            "3216",
            "--name",
            "Kabupaten Bekasi",
        ],
        tmp.path(),
        QUICK_BOUND,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(tmp.path().join("repo/3216-kabupaten-bekasi.toml").is_file());

    // Testing before building says what to do.
    let out = dwa(&["plugin", "test", "repo"], tmp.path(), QUICK_BOUND);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("build it first with `dwa plugin build"),
        "{}",
        text(&out.stderr)
    );
}
