//! Rules written in JavaScript (issue #23), with the real `dwa` binary and Node.js:
//!
//! - the JavaScript SDK's own tests (`node --test sdk-js/test/`);
//! - its province baseline and standard allocator decide exactly as the Rust SDK's on 12,000
//!   generated cases and 600 generated units (every reason's texts compared), through a
//!   JavaScript plugin's interface as the host calls it (`sdk-js/tools/differential.js`);
//! - `dwa plugin new --lang js` scaffolds a project outside the workspace that `dwa plugin build`
//!   builds (npm install, then componentize-js) with no edits, `dwa plugin test` passes (the
//!   worked examples in the sandbox, then `npm test`), `dwa check` accepts, and the host serves:
//!   `dwa eval` beside the province's rules decides an application with it, and `dwa plugin diff`
//!   reports a parameter change.
//!
//! npm packages come from the cache `scripts/test.sh` fills (`target/npm-cache`, see
//! [`npm_env`]); without it npm fetches them from the registry.

mod common;

use dwa_sdk::allocator::standard_allocation;
use dwa_sdk::baseline::{decide_baseline, evaluate_baseline};
use dwa_sdk::params::{ParamValue, Params};
use dwa_sdk::{
    AllocationRequest, Application, Approval, Approver, Candidate, Date, Eligibility, Employee, EmploymentType,
    Expectation, LocationKind, Penalty, PenaltyLevel, PositionKind, PositionStatus, Potential, PreviousOutcome,
    Quarter, QuarterReview, Reason, SkpAssessment, TaskCategory, Verdict,
};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Bound on a build (the first one installs the npm packages) or a test of the scaffold.
const BUILD_BOUND: Duration = Duration::from_secs(10 * 60);
/// Bound on a command that builds nothing.
const QUICK_BOUND: Duration = Duration::from_secs(120);

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// npm's settings for every command here: the package cache `scripts/test.sh` fills, preferred
/// to the registry, and no audit, funding or update messages.
fn npm_env(command: &mut Command) -> &mut Command {
    command
        .env("npm_config_cache", common::root().join("target/npm-cache"))
        .env("npm_config_prefer_offline", "true")
        .env("npm_config_audit", "false")
        .env("npm_config_fund", "false")
        .env("npm_config_update_notifier", "false")
}

/// Run `command` in its own process group, killed (with what it started) if it outlives `bound`.
fn run_bounded(mut command: Command, bound: Duration) -> Output {
    use std::os::unix::process::CommandExt;
    let what = format!("{command:?}");
    let child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("start {what}: {e}"));
    let group = child.id();
    let (done, wait) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(child.wait_with_output());
    });
    match wait.recv_timeout(bound) {
        Ok(output) => output.expect("the command ran"),
        Err(_) => {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{group}")])
                .status();
            panic!("{what} did not finish within {} s", bound.as_secs());
        }
    }
}

/// The real `dwa` in `cwd`, with npm's settings and the compiled-plugin cache in `cwd/compiled`
/// (private to the test): a 12 MB JavaScript component takes seconds to compile, and every
/// command after the first finds it there, as on a host.
fn dwa(args: &[&str], cwd: &Path, bound: Duration) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dwa"));
    command
        .args(args)
        .current_dir(cwd)
        .env("DWA_COMPILE_CACHE", compile_cache(cwd));
    npm_env(&mut command);
    run_bounded(command, bound)
}

/// `dir/compiled`, created private to this user (the host refuses a cache others can write).
fn compile_cache(dir: &Path) -> PathBuf {
    use std::os::unix::fs::DirBuilderExt;
    let cache = dir.join("compiled");
    if !cache.is_dir() {
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&cache)
            .expect("the compile cache");
    }
    cache
}

fn node(args: &[&str], cwd: &Path) -> Output {
    let mut command = Command::new("node");
    command.args(args).current_dir(cwd);
    run_bounded(command, QUICK_BOUND)
}

fn sdk_js() -> PathBuf {
    common::root().join("sdk-js")
}

#[test]
fn the_javascript_sdk_passes_its_own_tests() {
    let out = node(&["--test", "test/"], &sdk_js());
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "node --test:\n{stdout}\n{}", text(&out.stderr));
    assert!(stdout.contains("\n# fail 0"), "{stdout}");
}

/// A small deterministic generator (xorshift64*): the same cases on every run.
struct Cases(u64);

impl Cases {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// 0..n
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize].clone()
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn date(&mut self, from: Date, days: u64) -> Date {
        Date::from_days_since_epoch(from.days_since_epoch() + self.below(days) as i64)
    }
}

fn date(y: u16, m: u8, d: u8) -> Date {
    Date::new(y, m, d).expect("a real date")
}

/// One employee and application, every field drawn around the baseline's boundaries.
fn random_case(g: &mut Cases) -> (Employee, Application) {
    use Expectation::*;
    let mut e = dwa_sdk::testing::employee();
    e.employment_type = g.pick(&[
        EmploymentType::Pns,
        EmploymentType::Pns,
        EmploymentType::Cpns,
        EmploymentType::Pppk,
        EmploymentType::PppkParuhWaktu,
    ]);
    e.position_kind = g.pick(&[
        PositionKind::JptUtama,
        PositionKind::JptMadya,
        PositionKind::JptPratama,
        PositionKind::Administrator,
        PositionKind::Pengawas,
        PositionKind::Fungsional,
        PositionKind::Pelaksana,
    ]);
    e.echelon = g.chance(30).then(|| 1 + g.below(4) as u8);
    e.public_service = g.chance(10);
    e.task_category = g.pick(&[
        TaskCategory::Planning,
        TaskCategory::Finance,
        TaskCategory::Drafting,
        TaskCategory::SpeechWriting,
        TaskCategory::OnlineApproval,
        TaskCategory::DataEntry,
        TaskCategory::DataAnalysis,
        TaskCategory::DataAnalysis,
        TaskCategory::PublicService,
        TaskCategory::Other,
    ]);
    e.service_months = g.pick(&[0, 6, 11, 12, 13, 23, 24, 25, 60, 998, 999, 1000, 5000]);
    e.potential = g.pick(&[Potential::High, Potential::Medium, Potential::Low]);
    e.unexcused_absence_days = g.below(5) as u32;
    e.agency = g.pick(&["BAPPEDA", "DISDIK", "BPKAD", "SETDA"]).to_owned();
    e.position_code = g.pick(&["", "JF-ANALIS-KEBIJAKAN"]).to_owned();
    e.position_status = g.pick(&[
        PositionStatus::Eligible,
        PositionStatus::Excluded,
        PositionStatus::UnderReview,
        PositionStatus::Unlisted,
    ]);
    // Years that tie on purpose: which of two same-year ratings counts must agree too.
    e.ratings = (0..g.below(4))
        .map(|_| SkpAssessment {
            year: 2023 + g.below(5) as u16,
            work_result: g.pick(&[Above, Meets, Below]),
            work_behaviour: g.pick(&[Above, Meets, Below]),
        })
        .collect();
    e.penalties = (0..g.pick(&[0, 0, 1, 2]))
        .map(|_| {
            let start = g.date(date(2024, 1, 1), 1200);
            let end = g.chance(60).then(|| g.date(start, 500));
            Penalty {
                level: g.pick(&[PenaltyLevel::Light, PenaltyLevel::Moderate, PenaltyLevel::Severe]),
                start,
                end,
            }
        })
        .collect();
    e.previous_review = g.chance(50).then(|| QuarterReview {
        quarter: Quarter { year: 2026, number: 4 },
        granted_remote_days: g.below(6) as u8,
        kpi_achieved: g.chance(50),
    });
    let mut a = dwa_sdk::testing::application();
    a.quarter = Quarter {
        year: 2027,
        number: 1 + g.below(4) as u8,
    };
    // 6 asks for more days than a week has: both must refuse it alike.
    a.requested_remote_days = g.pick(&[0, 1, 2, 3, 4, 5, 5, 6]);
    a.location_kind = g.pick(&[
        LocationKind::OtherOffice,
        LocationKind::RegisteredHome,
        LocationKind::OtherPlaceInProvince,
    ]);
    a.kpi_baseline = g.pick(&[0.0, 50.0, 70.0, 70.25, 99.9, 1e22, -3.5]);
    a.kpi_target = a.kpi_baseline + g.pick(&[-1.0, 0.0, 0.5, 1e-7, 7.0, 30.0]);
    a.approvals = [Approver::Supervisor, Approver::HeadOfAgency]
        .into_iter()
        .flat_map(|approver| {
            let decisions = g.below(3);
            (0..decisions)
                .map(|_| Approval {
                    approver,
                    by_nip: "197901012005011001".into(),
                    approved: g.chance(70),
                })
                .collect::<Vec<_>>()
        })
        .collect();
    (e, a)
}

/// A region's parameters: the province's, the defaults, and variations of each (a few out of
/// range, which both must refuse with the same error).
fn random_params(g: &mut Cases) -> Params {
    let drawn = [
        ("max_remote_days", ParamValue::Integer(g.pick(&[0, 2, 3, 4, 5, 9]))),
        ("min_service_months", ParamValue::Integer(g.pick(&[0, 12, 24]))),
        ("penalty_lookback_months", ParamValue::Integer(g.pick(&[0, 6, 12, 24]))),
        (
            "light_penalty_lookback_months",
            ParamValue::Integer(g.pick(&[0, 6, 12])),
        ),
        (
            "min_rating",
            ParamValue::Text(
                g.pick(&[
                    "sangat_baik",
                    "baik",
                    "butuh_perbaikan",
                    "kurang",
                    "sangat_kurang",
                    "good",
                ])
                .into(),
            ),
        ),
        ("max_rating_age_years", ParamValue::Integer(g.pick(&[0, 1, 2]))),
        ("max_unexcused_absence_days", ParamValue::Integer(g.pick(&[0, 2, 3]))),
        ("kpi_miss_reduction_days", ParamValue::Integer(g.pick(&[0, 1, 2]))),
        ("position_gate", ParamValue::Flag(g.chance(50))),
        (
            "min_office_share",
            g.pick(&[ParamValue::Number(0.5), ParamValue::Number(0.3), ParamValue::Integer(1)]),
        ),
        ("quarterly_rotation", ParamValue::Flag(g.chance(50))),
    ];
    let mut params = Params::default();
    for (name, value) in drawn {
        if g.chance(60) {
            params = params.with(name, value);
        }
    }
    params
}

fn kebab<T: serde::Serialize>(value: &T) -> Value {
    match serde_json::to_value(value).expect("an enum") {
        Value::String(s) => Value::String(s.replace('_', "-")),
        other => other,
    }
}

fn date_json(d: Date) -> Value {
    json!({"year": d.year, "month": d.month, "day": d.day})
}

fn quarter_json(q: Quarter) -> Value {
    json!({"year": q.year, "number": q.number})
}

fn approvers_json(approvers: &[Approver]) -> Value {
    json!({
        "supervisor": approvers.contains(&Approver::Supervisor),
        "headOfAgency": approvers.contains(&Approver::HeadOfAgency),
    })
}

/// The contract's `case` for an employee and an application, as componentize-js hands it to a
/// JavaScript plugin (the host's `case_to_wit`, in JSON).
fn case_json(e: &Employee, a: &Application) -> Value {
    let flags = |approved: bool| {
        let who: Vec<Approver> = [Approver::Supervisor, Approver::HeadOfAgency]
            .into_iter()
            .filter(|&x| a.approval_by(x) == Some(approved))
            .collect();
        approvers_json(&who)
    };
    json!({
        "employmentType": kebab(&e.employment_type),
        "positionKind": kebab(&e.position_kind),
        "echelon": e.echelon,
        "publicService": e.public_service,
        "taskCategory": kebab(&e.task_category),
        "serviceMonths": e.service_months,
        "potential": kebab(&e.potential),
        "unexcusedAbsenceDays": e.unexcused_absence_days,
        "previousReview": e.previous_review.map(|r| json!({
            "quarter": quarter_json(r.quarter),
            "grantedRemoteDays": r.granted_remote_days,
            "kpiAchieved": r.kpi_achieved,
        })),
        "positionCode": e.position_code,
        "positionStatus": kebab(&e.position_status),
        "agency": e.agency,
        "ratings": e.ratings.iter().map(|r| json!({
            "year": r.year, "workResult": kebab(&r.work_result), "workBehaviour": kebab(&r.work_behaviour),
        })).collect::<Vec<_>>(),
        "penalties": e.penalties.iter().map(|p| json!({
            "level": kebab(&p.level), "start": date_json(p.start), "end": p.end.map(date_json),
        })).collect::<Vec<_>>(),
        "quarter": quarter_json(a.quarter),
        "requestedRemoteDays": a.requested_remote_days,
        "locationKind": kebab(&a.location_kind),
        "kpiBaseline": a.kpi_baseline,
        "kpiTarget": a.kpi_target,
        "approved": flags(true),
        "rejected": flags(false),
    })
}

fn reason_json(r: &Reason) -> Value {
    json!({
        "code": r.code,
        "passed": r.passed,
        "message": {"id": r.message.id, "en": r.message.en},
        "remedy": r.remedy.as_ref().map(|t| json!({"id": t.id, "en": t.en})),
    })
}

/// An answer as the contract's result: `{"ok": …}` or `{"err": {code, message}}`.
fn answer<T>(result: Result<T, dwa_sdk::PolicyError>, ok: impl FnOnce(T) -> Value) -> Value {
    match result {
        Ok(value) => json!({"ok": ok(value)}),
        Err(e) => json!({"err": {"code": e.code, "message": e.message}}),
    }
}

fn eligibility_json(e: Eligibility) -> Value {
    json!({
        "eligible": e.eligible,
        "maxRemoteDays": e.max_remote_days,
        "approvalsRequired": approvers_json(&e.approvals_required),
        "priority": e.priority,
        "reasons": e.reasons.iter().map(reason_json).collect::<Vec<_>>(),
    })
}

fn verdict_json(v: Verdict) -> Value {
    json!({
        "eligible": v.eligible,
        "maxRemoteDays": v.max_remote_days,
        "approvalsRequired": approvers_json(&v.approvals_required),
        "priority": v.priority,
        "failed": v.failed,
    })
}

fn params_json(params: &Params) -> Value {
    Value::Array(
        params
            .0
            .iter()
            .map(|(name, value)| {
                let value = match value {
                    ParamValue::Flag(b) => json!({"tag": "flag", "val": b}),
                    // A BigInt in JavaScript: carried as text.
                    ParamValue::Integer(i) => json!({"tag": "integer", "val": i.to_string()}),
                    ParamValue::Number(x) => json!({"tag": "number", "val": x}),
                    ParamValue::Text(t) => json!({"tag": "text", "val": t}),
                    ParamValue::TextList(l) => json!({"tag": "text-list", "val": l}),
                };
                json!({"name": name, "value": value})
            })
            .collect(),
    )
}

/// One unit's allocation request, in the contract's shape and the SDK's.
fn random_allocation(g: &mut Cases, unit: usize) -> (Value, AllocationRequest) {
    let headcount = 1 + g.below(12) as u32;
    let count = g.below(headcount as u64 + 2) as usize; // now and then more than the headcount
    let candidates: Vec<Candidate> = (0..count)
        .map(|i| Candidate {
            application_id: format!("app-{}", g.below(1000)),
            // Now and then the same NIP twice: both must refuse the request alike.
            nip: format!("1985031220100120{:02}", if g.chance(3) { 0 } else { i }),
            requested_remote_days: g.below(6) as u8,
            max_remote_days: g.below(6) as u8,
            priority: g.pick(&[1000, 4060, 9060, 9061]),
            service_months: g.pick(&[12, 60, 61]),
            previous_quarter: g.pick(&[
                PreviousOutcome::None,
                PreviousOutcome::Granted(2),
                PreviousOutcome::UnitFull,
            ]),
        })
        .collect();
    let request = AllocationRequest {
        unit: format!("UNIT-{unit}"),
        quarter: Quarter { year: 2027, number: 1 },
        headcount,
        candidates,
    };
    let json = json!({
        "unit": request.unit,
        "quarter": quarter_json(request.quarter),
        "headcount": request.headcount,
        "candidates": request.candidates.iter().map(|c| json!({
            "applicationId": c.application_id,
            "nip": c.nip,
            "requestedRemoteDays": c.requested_remote_days,
            "maxRemoteDays": c.max_remote_days,
            "priority": c.priority,
            "serviceMonths": c.service_months,
            "previousQuarter": match c.previous_quarter {
                PreviousOutcome::None => json!({"tag": "none"}),
                PreviousOutcome::Granted(d) => json!({"tag": "granted", "val": d}),
                PreviousOutcome::UnitFull => json!({"tag": "unit-full"}),
            },
        })).collect::<Vec<_>>(),
    });
    (json, request)
}

#[test]
fn the_javascript_baseline_and_allocator_decide_as_the_rust_ones() {
    const GROUPS: usize = 60;
    const CASES_PER_GROUP: usize = 200;
    const UNITS_PER_GROUP: usize = 10;
    let mut g = Cases(0x00d1_ff23_5eed_0023);
    let todays = [
        date(2027, 1, 4),
        date(2027, 3, 31),
        date(2026, 12, 31),
        date(2028, 2, 29),
    ];
    let mut groups = Vec::new();
    for label in 0..GROUPS {
        // The first group decides under the province's own parameters.
        let params = match label {
            0 => {
                dwa_sdk::manifest::Manifest::parse(
                    &std::fs::read_to_string(common::root().join("rules/32-jabar.toml")).unwrap(),
                )
                .unwrap()
                .parameters
            }
            _ => random_params(&mut g),
        };
        let today = g.pick(&todays);
        let cases: Vec<Value> = (0..CASES_PER_GROUP)
            .map(|_| {
                let (e, a) = random_case(&mut g);
                json!({
                    "case": case_json(&e, &a),
                    "evaluate": answer(evaluate_baseline(&e, &a, &params, today), eligibility_json),
                    "decide": answer(decide_baseline(&e, &a, &params, today), verdict_json),
                })
            })
            .collect();
        let allocations: Vec<Value> = (0..UNITS_PER_GROUP)
            .map(|unit| {
                let (json, request) = random_allocation(&mut g, unit);
                let grants = standard_allocation(&request, &params).map(|grants| {
                    Value::Array(
                        grants
                            .iter()
                            .map(|grant| {
                                json!({
                                    "applicationId": grant.application_id,
                                    "nip": grant.nip,
                                    "remoteDays": grant.remote_days,
                                    "weekdays": grant.weekdays.iter().map(kebab).collect::<Vec<_>>(),
                                    "reasons": grant.reasons.iter().map(reason_json).collect::<Vec<_>>(),
                                })
                            })
                            .collect(),
                    )
                });
                json!({"request": json, "grants": answer(grants, |v| v)})
            })
            .collect();
        groups.push(json!({
            "label": label,
            "params": params_json(&params),
            "today": date_json(today),
            "configure": {"ok": null},
            "cases": cases,
            "allocations": allocations,
        }));
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cases.json");
    std::fs::write(&file, serde_json::to_vec(&json!({"groups": groups})).unwrap()).unwrap();
    let started = Instant::now();
    let out = node(&["tools/differential.js", file.to_str().unwrap()], &sdk_js());
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    let expected = GROUPS * (CASES_PER_GROUP + UNITS_PER_GROUP);
    assert!(
        stdout.contains(&format!(
            "differential: {expected} inputs compared with the Rust SDK, 0 differences"
        )),
        "{stdout}"
    );
    eprintln!("{} (node: {:.1} s)", stdout.trim(), started.elapsed().as_secs_f64());
}

/// A temporary folder that is not inside this workspace (a regency's own repository).
fn outside_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    let workspace = common::root().canonicalize().unwrap();
    assert!(!dir.path().canonicalize().unwrap().starts_with(&workspace));
    dir
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(bytes))
}

#[test]
fn a_javascript_plugin_is_scaffolded_built_tested_checked_and_served() {
    let tmp = outside_workspace();
    let out = dwa(
        &[
            "plugin",
            "new",
            "kota-cimahi",
            "--region",
            "3277",
            "--name",
            "Kota Cimahi",
            "--lang",
            "js",
        ],
        tmp.path(),
        QUICK_BOUND,
    );
    assert!(out.status.success(), "plugin new: {}", text(&out.stderr));
    let dir = tmp.path().join("kota-cimahi");
    for file in [
        "package.json",
        "src/plugin.js",
        "test/plugin.test.js",
        "3277-kota-cimahi.toml",
        "README.md",
        ".gitignore",
        "vendor/dwa-sdk/index.js",
        "vendor/dwa-sdk/build.js",
    ] {
        assert!(dir.join(file).is_file(), "{file} is missing");
    }
    assert!(!dir.join("vendor/dwa-sdk/test").exists() && !dir.join("vendor/dwa-sdk/node_modules").exists());
    assert_eq!(
        std::fs::read(dir.join("vendor/dwa-sdk/wit/policy.wit")).unwrap(),
        std::fs::read(common::root().join("sdk/wit/v0.3.0/policy.wit")).unwrap(),
        "the contract's WIT, vendored unchanged"
    );
    // The toolchain the scaffold pins is the one the SDK is tested with (scripts/test.sh).
    let pins = |path: &Path| -> Value {
        let package: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        package["devDependencies"].clone()
    };
    let (scaffold, sdk) = (pins(&dir.join("package.json")), pins(&sdk_js().join("package.json")));
    for (name, version) in scaffold.as_object().unwrap() {
        assert_eq!(
            &sdk[name], version,
            "{name}: the scaffold pins what sdk-js is tested with"
        );
    }

    // Built in the project's folder: npm install (from the cache) on the first build, then
    // componentize-js.
    let started = Instant::now();
    let built = dwa(&["plugin", "build"], &dir, BUILD_BOUND);
    let stdout = text(&built.stdout);
    assert!(
        built.status.success(),
        "plugin build:\n{stdout}\n{}",
        text(&built.stderr)
    );
    let build_time = started.elapsed();
    assert!(
        stdout.contains("installing them with npm install (@dwa/sdk file:vendor/dwa-sdk, @bytecodealliance/componentize-js 0.23.0, rolldown 1.3.4)"),
        "{stdout}"
    );
    let component = std::fs::read(dir.join("kota_cimahi.wasm")).expect("the component beside the manifest");
    assert!(
        stdout.contains(&format!("sha256:    {}", sha256_hex(&component))),
        "{stdout}"
    );

    // The worked examples in the sandbox, then npm test.
    let started = Instant::now();
    let tested = dwa(&["plugin", "test", "kota-cimahi"], tmp.path(), BUILD_BOUND);
    let stdout = text(&tested.stdout);
    assert!(
        tested.status.success(),
        "plugin test:\n{stdout}\n{}",
        text(&tested.stderr)
    );
    assert!(stdout.contains("region 3277 — plugin Kota Cimahi 0.1.0"), "{stdout}");
    assert_eq!(
        stdout.matches("\n  ok    ").count(),
        18,
        "17 examples and the allocation:\n{stdout}"
    );
    assert_eq!(stdout.matches("decide agrees with evaluate").count(), 17, "{stdout}");
    assert!(stdout.contains("SUPERVISOR_APPROVAL FAILED"), "{stdout}");
    assert!(
        stdout.contains("native tests: the project has tests; running npm test"),
        "{stdout}"
    );
    assert!(
        stdout.contains("# pass 4") && stdout.contains("# fail 0"),
        "npm test ran:\n{stdout}"
    );
    assert!(
        stdout.contains("all 17 worked examples pass, and the allocation check"),
        "{stdout}"
    );
    let test_time = started.elapsed();

    // dwa check: the host's validation, with the fuel each example used.
    let manifest = dir.join("3277-kota-cimahi.toml");
    let started = Instant::now();
    let checked = dwa(
        &["check", manifest.to_str().unwrap(), "--json"],
        tmp.path(),
        QUICK_BOUND,
    );
    let check_time = started.elapsed();
    assert!(checked.status.success(), "check: {}", text(&checked.stderr));
    let report: Value = serde_json::from_slice(&checked.stdout).expect("JSON");
    let mut fuel: Vec<u64> = report["examples"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["fuel_used"].as_u64())
        .collect();
    fuel.sort_unstable();
    assert!(!fuel.is_empty() && fuel.iter().all(|f| *f > 0), "{report:#}");

    // Served by the host beside the province's rules: `dwa eval` decides with it.
    let rules = tmp.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    let province = common::rules_dir();
    std::fs::copy(province.join("jabar.wasm"), rules.join("jabar.wasm")).unwrap();
    std::fs::copy(dir.join("kota_cimahi.wasm"), rules.join("kota_cimahi.wasm")).unwrap();
    std::fs::copy(province.join("32-jabar.toml"), rules.join("32-jabar.toml")).unwrap();
    std::fs::copy(&manifest, rules.join("3277-kota-cimahi.toml")).unwrap();
    let mut employee = dwa_sdk::testing::employee();
    employee.region = "3277".into();
    let mut application = dwa_sdk::testing::application();
    application.requested_remote_days = 4;
    let eval = |employee: &Employee| -> Value {
        std::fs::write(tmp.path().join("e.json"), serde_json::to_vec(employee).unwrap()).unwrap();
        std::fs::write(tmp.path().join("a.json"), serde_json::to_vec(&application).unwrap()).unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_dwa"));
        command
            .args([
                "eval",
                "--region",
                "3277",
                "--employee",
                "e.json",
                "--application",
                "a.json",
            ])
            .args(["--date", "2027-01-04", "--json"])
            .current_dir(tmp.path())
            .env(
                "DWA_DATABASE",
                format!("sqlite://{}", tmp.path().join("dwa.db").display()),
            )
            .env("DWA_RULES", &rules)
            .env("DWA_COMPILE_CACHE", compile_cache(tmp.path()));
        let out = run_bounded(command, QUICK_BOUND);
        assert!(out.status.success(), "eval: {}", text(&out.stderr));
        serde_json::from_slice(&out.stdout).expect("JSON")
    };
    let started = Instant::now();
    let decision = eval(&employee);
    let eval_time = started.elapsed();
    assert_eq!(decision["plugin"]["name"], "Kota Cimahi", "{decision:#}");
    assert_eq!(decision["plugin"]["version"], "0.1.0", "{decision:#}");
    assert_eq!(decision["outcome"]["eligible"], true, "{decision:#}");
    assert_eq!(decision["outcome"]["max_remote_days"], 4, "{decision:#}");
    assert_eq!(decision["outcome"]["approvals_required"], json!(["supervisor"]));
    let reasons = decision["outcome"]["reasons"].as_array().unwrap();
    assert!(reasons.iter().all(|r| r["passed"] == true), "{decision:#}");
    assert!(
        reasons
            .iter()
            .any(|r| r["code"] == "TALENT_BOX" && r["message"]["en"] == "Talent box 9: pattern up to 4-1"),
        "{decision:#}"
    );
    let fuel_per_evaluate = decision["fuel_used"].as_u64().unwrap();
    employee.employment_type = EmploymentType::Cpns;
    let refused = eval(&employee);
    assert_eq!(refused["outcome"]["eligible"], false, "{refused:#}");
    let failed: Vec<&Value> = refused["outcome"]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["passed"] == false)
        .collect();
    assert_eq!(failed.len(), 1, "{refused:#}");
    assert_eq!(failed[0]["code"], "EMPLOYMENT_TYPE");
    assert_eq!(failed[0]["message"]["id"], "Masih berstatus CPNS");
    assert_eq!(failed[0]["remedy"]["en"], "May apply after appointment as PNS");

    // dwa plugin diff: a parameter changed in a copy (12 → 24 months of service) shows exactly
    // the months in between.
    let candidate = tmp.path().join("candidate");
    std::fs::create_dir(&candidate).unwrap();
    std::fs::copy(dir.join("kota_cimahi.wasm"), candidate.join("kota_cimahi.wasm")).unwrap();
    let original = std::fs::read_to_string(&manifest).unwrap();
    let longer = original.replace("min_service_months = 12 ", "min_service_months = 24 ");
    assert_ne!(longer, original);
    std::fs::write(candidate.join("3277-kota-cimahi.toml"), longer).unwrap();
    let diff_started = Instant::now();
    let diff = dwa(
        &[
            "plugin",
            "diff",
            manifest.to_str().unwrap(),
            "candidate/3277-kota-cimahi.toml",
        ],
        tmp.path(),
        BUILD_BOUND,
    );
    let stdout = text(&diff.stdout);
    assert!(diff.status.success(), "plugin diff:\n{stdout}\n{}", text(&diff.stderr));
    for months in [12, 13, 23] {
        assert!(
            stdout.contains(&format!("  service_months = {months}: becomes ineligible")),
            "{months} months:\n{stdout}"
        );
    }
    assert!(!stdout.contains("service_months = 24:"), "{stdout}");
    eprintln!(
        "JavaScript plugin: component {} KiB; fuel per worked example {}..{} (median {}), of one evaluate through \
         dwa eval {fuel_per_evaluate}; dwa plugin build (npm install + componentize) {:.1} s, plugin test (compiles \
         the component, then npm test) {:.1} s, check {:.1} s, eval {:.1} s, plugin diff {:.1} s",
        component.len().div_ceil(1024),
        fuel[0],
        fuel[fuel.len() - 1],
        fuel[fuel.len() / 2],
        build_time.as_secs_f64(),
        test_time.as_secs_f64(),
        check_time.as_secs_f64(),
        eval_time.as_secs_f64(),
        diff_started.elapsed().as_secs_f64(),
    );
}
