//! Contract versions and the two ways of asking a plugin: the current plugins export
//! `dwa:policy@0.3.0`, whose `decide` must give exactly the outcome of `evaluate`; plugins built
//! against the frozen 0.1.0 and 0.2.0 contracts (`tests/fixtures/contract-v0-1-0`, `-v0-2-0`)
//! still load and answer exactly like the current province plugin (0.1.0 gets `decide`
//! emulated from its `evaluate`). A warm (reused) instance answers like fresh ones, keeps its
//! configuration, and recovers after a trap. Differentially (as Cedar checks its engine): the
//! native rules, the compiled plugin's `evaluate` and its `decide` agree on generated cases. All
//! through the real compiled components (built by `scripts/build-plugins.sh`).

mod common;

use dwa_engine::{Limits, Plugin, PolicyEngine};
use dwa_policy::{PolicySet, RulesError};
use dwa_sdk::manifest::Manifest;
use dwa_sdk::testing::{self, GateCase};
use dwa_sdk::{Application, Employee, EvaluationInput, ParamValue, Params, Verdict};
use std::path::Path;
use std::sync::Arc;

fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .parent()
        .unwrap()
}

fn load(engine: &PolicyEngine, relative: &str) -> Arc<Plugin> {
    let path = workspace().join(relative);
    let bytes =
        std::fs::read(&path).unwrap_or_else(|e| panic!("{} ({e}): run scripts/build-plugins.sh first", path.display()));
    Arc::new(
        engine
            .load(&bytes, relative)
            .unwrap_or_else(|e| panic!("{relative}: {e}")),
    )
}

fn params(manifest: &str) -> Params {
    Manifest::parse(&std::fs::read_to_string(workspace().join("rules").join(manifest)).unwrap())
        .unwrap()
        .parameters
}

/// Every gate case alone and with every other, as inputs (`prepare` first).
fn inputs(cases: &[GateCase], prepare: fn(&mut Employee)) -> Vec<(Employee, Application)> {
    let mut out = Vec::new();
    for (i, first) in cases.iter().enumerate() {
        for second in &cases[i..] {
            let (mut e, mut a) = (testing::employee(), testing::application());
            prepare(&mut e);
            (first.apply)(&mut e, &mut a);
            (second.apply)(&mut e, &mut a);
            a.requested_remote_days = (i % 6) as u8;
            out.push((e, a));
        }
    }
    out
}

fn input(e: &Employee, a: &Application, params: &Params) -> EvaluationInput {
    EvaluationInput {
        employee: e.clone(),
        application: a.clone(),
        params: params.clone(),
        today: testing::today(),
    }
}

#[test]
fn the_current_plugins_export_0_3_0_and_decide_agrees_with_evaluate() {
    let engine = PolicyEngine::new(Limits::default()).unwrap();
    let bekasi_cases: Vec<GateCase> = testing::baseline_gate_cases()
        .into_iter()
        .chain(dwa_plugin_kab_bekasi::bekasi_gate_cases())
        .collect();
    for (wasm, manifest, items) in [
        (
            "rules/jabar.wasm",
            "32-jabar.toml",
            inputs(&testing::baseline_gate_cases(), |_| {}),
        ),
        (
            "rules/kab_bekasi.wasm",
            "3216-kab-bekasi.toml",
            inputs(&bekasi_cases, dwa_plugin_kab_bekasi::to_bekasi),
        ),
    ] {
        let plugin = load(&engine, wasm);
        assert_eq!(plugin.contract(), "0.3.0");
        let params = params(manifest);
        let (mut eligible, mut not) = (0, 0);
        for (e, a) in &items {
            let explained = engine.evaluate(&plugin, &input(e, a, &params)).unwrap();
            let decided = engine.decide(&plugin, &input(e, a, &params)).unwrap();
            assert_eq!(decided.value, Verdict::from(&explained.value), "{wasm}: {e:?} {a:?}");
            assert!(
                decided.fuel_used * 2 < explained.fuel_used,
                "{wasm}: decide ({}) should cost well under evaluate ({})",
                decided.fuel_used,
                explained.fuel_used
            );
            if decided.value.eligible {
                eligible += 1
            } else {
                not += 1
            }
        }
        assert!(eligible > 10 && not > 10, "{wasm}: {eligible} eligible, {not} not");
        let refs: Vec<_> = items.iter().map(|(e, a)| (e, a)).collect();
        let batch = engine.decide_batch(&plugin, &refs, &params, testing::today()).unwrap();
        assert_eq!(batch.value.len(), items.len());
        for ((e, a), verdict) in items.iter().zip(batch.value) {
            assert_eq!(
                verdict.unwrap(),
                engine.decide(&plugin, &input(e, a, &params)).unwrap().value,
                "{wasm}: decide-batch agrees with decide"
            );
        }
    }
}

#[test]
fn plugins_of_the_previous_contracts_still_load_and_answer_the_same() {
    let engine = PolicyEngine::new(Limits::default()).unwrap();
    let current = load(&engine, "rules/jabar.wasm");
    assert_eq!(current.contract(), "0.3.0");
    let params = params("32-jabar.toml");
    let items = inputs(&testing::baseline_gate_cases(), |_| {});
    let refs: Vec<_> = items.iter().map(|(e, a)| (e, a)).collect();
    let current_batch = engine
        .decide_batch(&current, &refs, &params, testing::today())
        .unwrap()
        .value;
    for version in ["0.1.0", "0.2.0"] {
        let file = format!(
            "target/wasm32-wasip2/plugin/dwa_fixture_contract_v{}.wasm",
            version.replace('.', "_")
        );
        let old = load(&engine, &file);
        assert_eq!(old.contract(), version);
        assert_eq!(old.info().contract, version);
        for (e, a) in &items {
            let input = input(e, a, &params);
            let old_answer = engine.evaluate(&old, &input).unwrap().value;
            assert_eq!(
                old_answer,
                engine.evaluate(&current, &input).unwrap().value,
                "{version}"
            );
            // 0.1.0 has no `decide`: the host emulates it from `evaluate`.
            let old_verdict = engine.decide(&old, &input).unwrap().value;
            assert_eq!(old_verdict, Verdict::from(&old_answer), "{version}");
            assert_eq!(old_verdict, engine.decide(&current, &input).unwrap().value, "{version}");
        }
        let batch = engine.decide_batch(&old, &refs, &params, testing::today()).unwrap();
        assert_eq!(batch.value.len(), items.len());
        for (old, new) in batch.value.iter().zip(&current_batch) {
            assert_eq!(old.as_ref().unwrap(), new.as_ref().unwrap(), "{version}: decide-batch");
        }
        // The same allocation, through each contract's shape of `allocate`.
        let request = allocation_request();
        let today = testing::today();
        let old_grants = engine.allocate(&old, &request, &params, today).unwrap().value;
        let new_grants = engine.allocate(&current, &request, &params, today).unwrap().value;
        let days = |grants: &[dwa_sdk::Grant]| -> Vec<(String, Vec<dwa_sdk::Weekday>)> {
            grants.iter().map(|g| (g.nip.clone(), g.weekdays.clone())).collect()
        };
        assert_eq!(days(&old_grants), days(&new_grants), "{version}: allocate");
    }
}

/// A unit of 6 (3 may be away a day) and four candidates of distinct priorities, so every
/// contract's allocator serves them in the same order.
fn allocation_request() -> dwa_sdk::AllocationRequest {
    let candidates = (0..4)
        .map(|i| dwa_sdk::Candidate {
            application_id: format!("app-{i}"),
            nip: format!("19850312201001200{i}"),
            requested_remote_days: 4,
            max_remote_days: 4,
            priority: 9000 - i,
            service_months: 100,
            previous_quarter: dwa_sdk::PreviousOutcome::None,
        })
        .collect();
    dwa_sdk::AllocationRequest {
        unit: "U1".into(),
        quarter: dwa_sdk::Quarter { year: 2027, number: 1 },
        headcount: 6,
        candidates,
    }
}

#[test]
fn a_warm_instance_answers_like_fresh_ones_and_recovers_after_a_trap() {
    let engine = PolicyEngine::new(Limits {
        fuel: 20_000_000,
        ..Limits::default()
    })
    .unwrap();
    let jabar = load(&engine, "rules/jabar.wasm");
    let params = params("32-jabar.toml");
    let items = inputs(&testing::baseline_gate_cases(), |_| {});
    let mut warm = engine.warm_instance(jabar.clone(), testing::today());
    for (e, a) in items.iter().cycle().take(items.len() * 3) {
        let fresh = engine.evaluate(&jabar, &input(e, a, &params)).unwrap();
        let reused = warm.evaluate(e, a, &params).unwrap();
        assert_eq!(reused.value, fresh.value);
        // The same work less `configure` and reading the parameters (a warm instance keeps
        // both; a fresh one is configured first), give or take the guest allocator's state.
        assert!(
            reused.fuel_used < fresh.fuel_used && reused.fuel_used * 2 > fresh.fuel_used,
            "{reused:?} {fresh:?}"
        );
        assert_eq!(warm.decide(e, a, &params).unwrap().value, Verdict::from(&fresh.value));
    }

    let hostile = load(&engine, "target/wasm32-wasip2/plugin/dwa_fixture_hostile.wasm");
    let mode = |m: &str| Params::default().with("mode", ParamValue::Text(m.into()));
    let (e, a) = (testing::employee(), testing::application());
    let mut warm = engine.warm_instance(hostile, testing::today());
    let ok = warm.evaluate(&e, &a, &mode("ok")).unwrap().value;
    for bad in ["panic", "loop", "alloc"] {
        let error = warm.evaluate(&e, &a, &mode(bad)).unwrap_err().to_string();
        assert!(error.contains("hostile"), "{bad}: {error}");
        assert_eq!(
            warm.evaluate(&e, &a, &mode("ok")).unwrap().value,
            ok,
            "after `{bad}` the next call gets a sound instance"
        );
    }
}

#[test]
fn the_province_plugin_may_serve_a_regency_under_its_own_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let rules = workspace().join("rules");
    for file in ["jabar.wasm", "kab_bekasi.wasm", "32-jabar.toml"] {
        std::fs::copy(rules.join(file), dir.path().join(file)).unwrap();
    }
    let province = std::fs::read_to_string(rules.join("32-jabar.toml")).unwrap();
    let bogor = province.replacen("region = \"32\"", "region = \"3201\"", 1);
    assert_ne!(bogor, province);
    std::fs::write(dir.path().join("3201-kab-bogor.toml"), &bogor).unwrap();
    // Bekasi's plugin is for Bekasi only.
    let wrong = bogor.replacen("region = \"3201\"", "region = \"3202\"", 1).replacen(
        "plugin = \"jabar.wasm\"",
        "plugin = \"kab_bekasi.wasm\"",
        1,
    );
    std::fs::write(dir.path().join("3202-kab-sukabumi.toml"), &wrong).unwrap();

    let engine = Arc::new(PolicyEngine::new(Limits::default()).unwrap());
    let (set, errors) = PolicySet::load_dir(engine, dir.path()).unwrap();
    assert!(set.region("3201").is_ok(), "{errors:#?}");
    assert!(set.region("3202").is_err());
    assert!(
        errors
            .iter()
            .any(|e| matches!(e, RulesError::RegionMismatch { manifest_region, .. } if manifest_region == "3202")),
        "{errors:#?}"
    );
    let mut employee = testing::employee();
    employee.region = "3201".into();
    let decision = set
        .evaluate(&employee, &testing::application(), testing::today())
        .unwrap();
    assert_eq!(decision.plugin.region, "3201");
    assert!(decision.eligibility.eligible);
}

/// A small deterministic generator (xorshift64*), so a failing case can be replayed.
struct Gen(u64);

impl Gen {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % below
    }

    fn pick<T: Copy>(&mut self, from: &[T]) -> T {
        from[self.next(from.len() as u64) as usize]
    }
}

/// One generated case around every gate's boundaries: each field keeps the sample's passing
/// value two times in three, so both outcomes come up often.
fn generated_case(g: &mut Gen) -> (Employee, Application) {
    use dwa_sdk::*;
    let today = testing::today();
    let (mut e, mut a) = (testing::employee(), testing::application());
    let expectations = [Expectation::Above, Expectation::Meets, Expectation::Below];
    let change = |g: &mut Gen| g.next(3) == 0;
    if change(g) {
        e.employment_type = g.pick(&[EmploymentType::Pns, EmploymentType::Cpns, EmploymentType::Pppk]);
    }
    if change(g) {
        e.public_service = g.next(2) == 0;
        e.task_category = g.pick(&[TaskCategory::Planning, TaskCategory::PublicService]);
    }
    if change(g) {
        e.service_months = g.pick(&[0, 11, 12, 13, 60, 240]);
    }
    if change(g) {
        e.potential = g.pick(&[Potential::High, Potential::Medium, Potential::Low]);
    }
    if change(g) {
        e.ratings = (0..g.next(3))
            .map(|_| SkpAssessment {
                year: today.year - g.next(4) as u16,
                work_result: g.pick(&expectations),
                work_behaviour: g.pick(&expectations),
            })
            .collect();
    }
    if change(g) {
        e.penalties = (0..1 + g.next(2))
            .map(|_| {
                let start = today.minus_months(g.next(30) as u32);
                Penalty {
                    level: g.pick(&[PenaltyLevel::Light, PenaltyLevel::Moderate, PenaltyLevel::Severe]),
                    start,
                    end: g.pick(&[None, Some(start.plus_months(6)), Some(start.plus_months(12))]),
                }
            })
            .collect();
    }
    if change(g) {
        e.unexcused_absence_days = g.pick(&[0, 2, 3, 10]);
    }
    if change(g) {
        e.previous_review = Some(QuarterReview {
            quarter: Quarter { year: 2026, number: 4 },
            granted_remote_days: g.next(5) as u8,
            kpi_achieved: g.next(2) == 0,
        });
    }
    e.agency = g.pick(&["BAPPEDA", "BAPPEDA", "RSUD", "dinkes"]).into();
    e.position_code = g.pick(&["", "JF-PERENCANA"]).into();
    e.position_status = g.pick(&[
        PositionStatus::Eligible,
        PositionStatus::Eligible,
        PositionStatus::Excluded,
        PositionStatus::UnderReview,
        PositionStatus::Unlisted,
    ]);
    a.requested_remote_days = g.next(6) as u8;
    if change(g) {
        a.kpi_target = a.kpi_baseline + g.pick(&[-1.0, 0.0, 5.0]);
    }
    if change(g) {
        a.approvals.clear();
        for approver in [Approver::Supervisor, Approver::HeadOfAgency] {
            for _ in 0..g.next(3) {
                a.approvals.push(Approval {
                    approver,
                    by_nip: "197001011995031001".into(),
                    approved: g.next(3) != 0,
                });
            }
        }
    } else if g.next(2) == 0 {
        a.approvals.push(Approval {
            approver: Approver::HeadOfAgency,
            by_nip: "197001011995031001".into(),
            approved: true,
        });
    }
    (e, a)
}

#[test]
fn native_rules_and_the_compiled_plugins_evaluate_and_decide_agree_on_generated_cases() {
    use dwa_plugin_jabar::Jabar;
    use dwa_plugin_kab_bekasi::KabBekasi;
    use dwa_sdk::Policy;
    type Native = (
        fn(&Employee, &Application, &Params, dwa_sdk::Date) -> Result<dwa_sdk::Eligibility, dwa_sdk::PolicyError>,
        fn(&Employee, &Application, &Params, dwa_sdk::Date) -> Result<Verdict, dwa_sdk::PolicyError>,
    );
    let engine = PolicyEngine::new(Limits::default()).unwrap();
    let plugins: [(&str, &str, Native); 2] = [
        ("rules/jabar.wasm", "32-jabar.toml", (Jabar::evaluate, Jabar::decide)),
        (
            "rules/kab_bekasi.wasm",
            "3216-kab-bekasi.toml",
            (KabBekasi::evaluate, KabBekasi::decide),
        ),
    ];
    let today = testing::today();
    for (wasm, manifest, (native_evaluate, native_decide)) in plugins {
        let plugin = load(&engine, wasm);
        for gated in [false, true] {
            let params = params(manifest).with("position_gate", ParamValue::Flag(gated));
            let mut g = Gen(0x9E37_79B9_7F4A_7C15 ^ gated as u64);
            let cases: Vec<_> = (0..400).map(|_| generated_case(&mut g)).collect();
            let mut warm = engine.warm_instance(plugin.clone(), today);
            let (mut eligible, mut failed_codes) = (0, std::collections::BTreeSet::new());
            for (e, a) in &cases {
                let native = native_evaluate(e, a, &params, today).unwrap();
                let explained = warm.evaluate(e, a, &params).unwrap().value;
                assert_eq!(explained, native, "{wasm}: evaluate: {e:?} {a:?}");
                let decided = warm.decide(e, a, &params).unwrap().value;
                assert_eq!(decided, Verdict::from(&native), "{wasm}: decide: {e:?} {a:?}");
                assert_eq!(
                    native_decide(e, a, &params, today).unwrap(),
                    decided,
                    "{wasm}: native decide"
                );
                eligible += decided.eligible as usize;
                failed_codes.extend(decided.failed);
            }
            let refs: Vec<_> = cases.iter().map(|(e, a)| (e, a)).collect();
            let batch = engine.decide_batch(&plugin, &refs, &params, today).unwrap().value;
            for ((e, a), verdict) in cases.iter().zip(batch) {
                assert_eq!(
                    verdict.unwrap(),
                    native_decide(e, a, &params, today).unwrap(),
                    "{wasm}: batch"
                );
            }
            // The generator reaches both outcomes and most gates.
            assert!(eligible > 5 && eligible < 395, "{wasm}: {eligible} of 400 eligible");
            assert!(failed_codes.len() >= 8, "{wasm}: {failed_codes:?}");
            assert_eq!(failed_codes.contains("POSITION"), gated, "{wasm}: {failed_codes:?}");
        }
    }
}
