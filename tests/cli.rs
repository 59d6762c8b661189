//! End to end: the real `dwa` binary, the real compiled plugins in `rules/` and a real SQLite
//! file — seed, allocate, evaluate from JSON files, and check manifests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn dwa(args: &[&str], db: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dwa"))
        .args(args)
        .env("DWA_DATABASE", format!("sqlite://{}", db.display()))
        .env("DWA_RULES", root().join("rules"))
        .output()
        .expect("run dwa")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn write_json<T: serde::Serialize>(dir: &Path, name: &str, value: &T) -> String {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(value).unwrap()).unwrap();
    path.display().to_string()
}

#[test]
fn seed_then_allocate_a_quarter() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("dwa.db");
    let out = dwa(&["seed", "--employees", "400", "--quarter", "2027-Q1"], &db);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("400 employees"), "{}", text(&out.stdout));
    let again = dwa(&["seed", "--employees", "400"], &db);
    assert!(!again.status.success(), "seeding twice is refused");
    assert!(
        text(&again.stderr).contains("already has employees"),
        "{}",
        text(&again.stderr)
    );

    let out = dwa(&["allocate", "--all", "--quarter", "2027-Q1"], &db);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("2027-Q1:") && stdout.contains("applications evaluated"),
        "{stdout}"
    );

    let out = dwa(&["allocate", "--region", "3216", "--quarter", "2027-Q1", "--json"], &db);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let units: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!units.is_empty());
    for unit in &units {
        assert_eq!(unit["region"], "3216");
        let headcount = unit["headcount"].as_u64().unwrap();
        for away in unit["away_by_weekday"].as_array().unwrap() {
            assert!(away.as_u64().unwrap() * 2 <= headcount, "{unit}");
        }
    }
    let out = dwa(&["allocate", "--unit", "no-such-unit", "--quarter", "2027-Q1"], &db);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("no-such-unit"), "{}", text(&out.stderr));
}

#[test]
fn eval_prints_a_decision_with_reasons_in_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("dwa.db");
    let mut employee = dwa_sdk::testing::employee();
    dwa_plugin_kab_bekasi::to_bekasi(&mut employee);
    let mut application = dwa_sdk::testing::application();
    application.requested_remote_days = 4;
    let e = write_json(dir.path(), "employee.json", &employee);
    let a = write_json(dir.path(), "application.json", &application);

    let out = dwa(
        &[
            "eval",
            "--region",
            "3216",
            "--employee",
            &e,
            "--application",
            &a,
            "--date",
            "2027-01-04",
            "--json",
        ],
        &db,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let decision: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(decision["outcome"]["eligible"], true);
    assert_eq!(decision["outcome"]["max_remote_days"], 2, "Bekasi caps at 2-3");
    assert_eq!(
        decision["outcome"]["approvals_required"],
        serde_json::json!(["supervisor", "head_of_agency"])
    );
    assert_eq!(decision["plugin"]["sha256"].as_str().unwrap().len(), 64);
    assert!(decision["decision_id"].as_str().unwrap().starts_with("dec-"));
    assert!(decision["fuel_used"].as_u64().unwrap() > 0);

    employee.employment_type = dwa_sdk::EmploymentType::Cpns;
    let e = write_json(dir.path(), "cpns.json", &employee);
    let out = dwa(
        &[
            "eval",
            "--region",
            "3216",
            "--employee",
            &e,
            "--application",
            &a,
            "--date",
            "2027-01-04",
        ],
        &db,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    assert!(table.contains("NOT ELIGIBLE"), "{table}");
    assert!(table.contains("FAIL EMPLOYMENT_TYPE"), "{table}");
    assert!(
        table.contains("Still a candidate civil servant") && table.contains("Masih berstatus CPNS"),
        "{table}"
    );

    employee.nip = "19850312201001300".into();
    let e = write_json(dir.path(), "bad.json", &employee);
    let out = dwa(
        &[
            "eval",
            "--region",
            "3216",
            "--employee",
            &e,
            "--application",
            &a,
            "--date",
            "2027-01-04",
        ],
        &db,
    );
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("employee.nip"), "{}", text(&out.stderr));
    let out = dwa(
        &[
            "eval",
            "--region",
            "32",
            "--employee",
            &a,
            "--application",
            &a,
            "--date",
            "2027-01-04",
        ],
        &db,
    );
    assert!(!out.status.success(), "an application is not an employee");
    let out = dwa(
        &[
            "eval",
            "--region",
            "32",
            "--employee",
            &e,
            "--application",
            &a,
            "--date",
            "2027-02-30",
        ],
        &db,
    );
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("2027-02-30"), "{}", text(&out.stderr));
}

#[test]
fn check_accepts_the_deployed_manifests_and_rejects_a_failing_example() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("unused.db");
    for manifest in ["rules/32-jabar.toml", "rules/3216-kab-bekasi.toml"] {
        let out = dwa(&["check", root().join(manifest).to_str().unwrap()], &db);
        assert!(
            out.status.success(),
            "{manifest}: {}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
        assert!(
            text(&out.stdout).contains("worked examples pass"),
            "{}",
            text(&out.stdout)
        );
    }
    // A copy of Bekasi's rules whose first example expects 4 days: the plugin must fail it.
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    for file in ["32-jabar.toml", "jabar.wasm", "kab_bekasi.wasm"] {
        std::fs::copy(root().join("rules").join(file), rules.join(file)).unwrap();
    }
    let manifest = std::fs::read_to_string(root().join("rules/3216-kab-bekasi.toml")).unwrap();
    let broken = manifest.replacen(
        "eligible = true, max_remote_days = 2",
        "eligible = true, max_remote_days = 4",
        1,
    );
    assert_ne!(manifest, broken);
    std::fs::write(rules.join("3216-kab-bekasi.toml"), broken).unwrap();
    let out = dwa(&["check", rules.join("3216-kab-bekasi.toml").to_str().unwrap()], &db);
    assert!(!out.status.success());
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("FAIL") && stdout.contains("expected max_remote_days = 4, got 2"),
        "{stdout}"
    );
    let out = dwa(&["check", rules.join("missing.toml").to_str().unwrap()], &db);
    assert!(!out.status.success());
}

#[test]
fn help_explains_every_command() {
    let out = Command::new(env!("CARGO_BIN_EXE_dwa")).arg("--help").output().unwrap();
    let help = text(&out.stdout);
    for command in ["seed", "eval", "check", "allocate"] {
        assert!(help.contains(command), "{help}");
    }
}

/// `dwa token create` prints the token alone; `dwa serve` answers with it over real HTTP on
/// loopback and shuts down cleanly on SIGTERM.
/// Up to three eligible and three ineligible applications of `region` for 2027-Q1 with their
/// latest decision's eligibility, read from the database.
fn applications_of(db: &Path, region: &str) -> Vec<(String, bool)> {
    let url = format!("sqlite://{}", db.display());
    let region = region.to_owned();
    tokio::runtime::Runtime::new().unwrap().block_on(async move {
        let store = dwa_store::Store::connect(&url).await.unwrap();
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT a.id FROM applications a JOIN employees e ON e.nip = a.nip \
             WHERE e.region = $1 AND a.quarter = '2027-Q1' ORDER BY a.id",
        )
        .bind(&region)
        .fetch_all(store.pool())
        .await
        .unwrap();
        let mut picked: Vec<(String, bool)> = Vec::new();
        for id in ids {
            let eligible = store.latest_decision(&id).await.unwrap().decision.verdict.eligible;
            if picked.iter().filter(|p| p.1 == eligible).count() < 3 {
                picked.push((id, eligible));
            }
        }
        picked
    })
}

#[test]
fn token_create_and_serve_over_http() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("dwa.db");
    assert!(dwa(&["seed", "--employees", "200"], &db).status.success());
    // Allocated as scripts/start.sh does: every region at once.
    let out = dwa(&["allocate", "--all", "--quarter", "2027-Q1"], &db);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let applications = applications_of(&db, "3216");
    assert!(
        applications.iter().any(|a| a.1) && applications.iter().any(|a| !a.1),
        "{applications:?}"
    );
    let out = dwa(&["token", "create", "--role", "hr", "--region", "3216"], &db);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let token = text(&out.stdout).trim().to_owned();
    assert!(
        token.starts_with("dwa_") && !token.contains(char::is_whitespace),
        "{token}"
    );
    let refused = dwa(&["token", "create", "--role", "employee", "--region", "3216"], &db);
    assert!(!refused.status.success() && text(&refused.stderr).contains("--nip"));
    let refused = dwa(&["token", "create", "--role", "hr", "--region", "9999"], &db);
    assert!(!refused.status.success() && text(&refused.stderr).contains("unknown region"));
    let sample = dwa(
        &["token", "create", "--role", "employee", "--region", "3216", "--sample"],
        &db,
    );
    assert!(sample.status.success(), "{}", text(&sample.stderr));

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let bind = format!("127.0.0.1:{port}");
    let mut server = Command::new(env!("CARGO_BIN_EXE_dwa"))
        .args(["serve", "--bind", &bind, "--today", "2026-12-01"])
        .env("DWA_DATABASE", format!("sqlite://{}", db.display()))
        .env("DWA_RULES", root().join("rules"))
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let send = |method: &str, path: &str| -> Option<String> {
        let mut stream = std::net::TcpStream::connect(&bind).ok()?;
        stream.set_read_timeout(Some(std::time::Duration::from_secs(10))).ok()?;
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
        .ok()?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer).ok()?;
        Some(answer)
    };
    let get = |path: &str| send("GET", path);
    // Bounded wait for the server to come up: 100 tries, 100 ms apart.
    let health = (0..100).find_map(|_| {
        get("/healthz").or_else(|| {
            std::thread::sleep(std::time::Duration::from_millis(100));
            None
        })
    });
    let health = health.expect("dwa serve did not answer within 10 s");
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    let report = get("/api/reports/participation?quarter=2027-Q1").unwrap();
    assert!(
        report.starts_with("HTTP/1.1 200") && report.contains("\"regions\""),
        "{report}"
    );
    let other = get("/api/reports/participation?quarter=2027-Q1&region=32").unwrap();
    assert!(other.starts_with("HTTP/1.1 403"), "{other}");

    // What `allocate --all` decided answers: the application with its decision and reasons,
    // the decision by its id, and its replay.
    for (application, eligible) in &applications {
        let answer = get(&format!("/api/applications/{application}")).unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        let body: serde_json::Value = serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap();
        let decision = &body["decision"];
        assert_eq!(decision["eligible"], *eligible, "{body}");
        assert_eq!(decision["reproduced"], true, "{body}");
        assert!(!decision["reasons"].as_array().unwrap().is_empty(), "{body}");
        let id = decision["id"].as_str().unwrap();
        let answer = get(&format!("/api/decisions/{id}")).unwrap();
        assert!(
            answer.starts_with("HTTP/1.1 200") && answer.contains(application.as_str()),
            "{answer}"
        );
        let answer = send("POST", &format!("/api/decisions/{id}/replay")).unwrap();
        assert!(
            answer.starts_with("HTTP/1.1 200") && answer.contains("\"unchanged\":true"),
            "{answer}"
        );
    }

    // SIGHUP (logrotate's postrotate, a closed terminal) does not end the server.
    let hangup = Command::new("kill")
        .args(["-HUP", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(hangup.success());
    let answer = get("/healthz").unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "after SIGHUP: {answer}");
    assert!(server.try_wait().unwrap().is_none(), "SIGHUP ended the server");

    let kill = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = server.wait().unwrap();
    assert!(status.success(), "graceful shutdown exits 0, got {status}");
}

/// `dwa policy upload`, `activate` (now and from a date), `--rollback` and `versions` against a
/// rules folder and a database.
#[test]
fn policy_versions_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("dwa.db");
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    for file in ["jabar.wasm", "kab_bekasi.wasm", "32-jabar.toml", "3216-kab-bekasi.toml"] {
        std::fs::copy(root().join("rules").join(file), rules.join(file)).unwrap();
    }
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_dwa"))
            .args(args)
            .env("DWA_DATABASE", format!("sqlite://{}", db.display()))
            .env("DWA_RULES", &rules)
            .output()
            .unwrap()
    };
    assert!(run(&["seed", "--employees", "50"]).status.success());
    let original = std::fs::read_to_string(rules.join("3216-kab-bekasi.toml")).unwrap();
    let candidate = dir.path().join("candidate.toml");
    std::fs::write(
        &candidate,
        original.replace(
            "excluded_agencies = [\"RSUD\"",
            "excluded_agencies = [\"SETDA\", \"RSUD\"",
        ),
    )
    .unwrap();
    let out = run(&["policy", "upload", "--region", "3216", candidate.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let version = text(&out.stdout).trim().to_owned();
    assert!(version.starts_with("ver-"), "{version}");
    assert_eq!(
        std::fs::read_to_string(rules.join("3216-kab-bekasi.toml")).unwrap(),
        original,
        "upload does not activate"
    );

    let out = run(&[
        "policy",
        "activate",
        "--region",
        "3216",
        "--version",
        &version,
        "--from",
        "2099-01-01",
    ]);
    assert!(
        out.status.success() && text(&out.stdout).contains("scheduled"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(rules.join("3216-kab-bekasi.toml")).unwrap(),
        original
    );

    let out = run(&["policy", "activate", "--region", "3216", "--version", &version]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        std::fs::read_to_string(rules.join("3216-kab-bekasi.toml"))
            .unwrap()
            .contains("\"SETDA\"")
    );

    let out = run(&["policy", "activate", "--region", "3216", "--rollback"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(rules.join("3216-kab-bekasi.toml")).unwrap(),
        original,
        "rolled back"
    );

    let out = run(&["policy", "versions", "--region", "3216"]);
    let listing = text(&out.stdout);
    assert!(
        listing.contains(&version) && listing.contains("rollback") && listing.contains("upload"),
        "{listing}"
    );
}

/// A fresh deployment: `dwa serve` on an empty rules folder (not yet created) starts, serves no
/// region and says it is not ready; the province's rules, then Bekasi's, dropped into the folder
/// go live by hot reload without a restart.
#[test]
fn serve_starts_on_an_empty_rules_folder_and_takes_the_rules_dropped_in() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("dwa.db");
    let rules = dir.path().join("rules");
    let out = dwa(&["init"], &db);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let admin = text(&out.stdout).trim().to_owned();
    assert!(
        dwa(&["region", "add", "3216", "--name", "Kabupaten Bekasi"], &db)
            .status
            .success()
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let bind = format!("127.0.0.1:{port}");
    let log = dir.path().join("serve.log");
    let mut server = Command::new(env!("CARGO_BIN_EXE_dwa"))
        .args(["serve", "--bind", &bind, "--today", "2026-12-01"])
        .env("DWA_DATABASE", format!("sqlite://{}", db.display()))
        .env("DWA_RULES", &rules)
        .env("DWA_COMPILE_CACHE", "off")
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let get = |path: &str| -> Option<(u16, String)> {
        let mut stream = std::net::TcpStream::connect(&bind).ok()?;
        stream.set_read_timeout(Some(std::time::Duration::from_secs(10))).ok()?;
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {admin}\r\nConnection: close\r\n\r\n"
        )
        .ok()?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer).ok()?;
        let status = answer.split(' ').nth(1)?.parse().ok()?;
        Some((status, answer.split_once("\r\n\r\n")?.1.to_owned()))
    };
    // Bounded waits: 300 tries, 100 ms apart.
    let wait = |what: &str, done: &dyn Fn() -> bool, server: &mut std::process::Child| {
        for _ in 0..300 {
            if let Some(status) = server.try_wait().unwrap() {
                panic!(
                    "dwa serve exited with {status}: {}",
                    std::fs::read_to_string(&log).unwrap()
                );
            }
            if done() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("{what}: not within 30 s: {}", std::fs::read_to_string(&log).unwrap());
    };
    wait("the server answers", &|| get("/healthz").is_some(), &mut server);
    assert!(rules.is_dir(), "the rules folder was not created");
    let (status, body) = get("/readyz").unwrap();
    assert_eq!(status, 503, "no rules yet, yet ready: {body}");

    for (plugin, manifest) in [
        ("jabar.wasm", "32-jabar.toml"),
        ("kab_bekasi.wasm", "3216-kab-bekasi.toml"),
    ] {
        std::fs::copy(root().join("rules").join(plugin), rules.join(plugin)).unwrap();
        std::fs::copy(root().join("rules").join(manifest), rules.join(manifest)).unwrap();
        wait(
            &format!("{manifest} goes live"),
            &|| {
                get("/api/policies").is_some_and(|(status, body)| {
                    status == 200
                        && serde_json::from_str::<serde_json::Value>(&body).is_ok_and(|all| {
                            all.as_array().is_some_and(|all| {
                                all.iter().any(|s| s["manifest"] == manifest && s["active"].is_object())
                            })
                        })
                })
            },
            &mut server,
        );
    }
    wait(
        "ready once the rules are in",
        &|| get("/readyz").is_some_and(|(s, _)| s == 200),
        &mut server,
    );
    let _ = Command::new("kill").args(["-TERM", &server.id().to_string()]).status();
    assert!(server.wait().unwrap().success());
}
