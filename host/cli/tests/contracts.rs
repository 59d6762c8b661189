//! Contract versions and the two ways of asking a plugin: the current plugins export
//! `dwa:policy@0.2.0`, whose `decide` must give exactly the outcome of `evaluate`; a plugin
//! built against the frozen 0.1.0 contract (`tests/fixtures/contract-v0-1-0`) still loads, answers
//! like the current province plugin, and gets `decide` emulated from its `evaluate`. A warm
//! (reused) instance answers like fresh ones and recovers after a trap. All through the real
//! compiled components (built by `scripts/build-plugins.sh`).

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
fn the_current_plugins_export_0_2_0_and_decide_agrees_with_evaluate() {
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
        assert_eq!(plugin.contract(), "0.2.0");
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
fn a_plugin_of_the_previous_contract_still_loads_and_answers_the_same() {
    let engine = PolicyEngine::new(Limits::default()).unwrap();
    let old = load(&engine, "target/wasm32-wasip2/plugin/dwa_fixture_contract_v0_1_0.wasm");
    let current = load(&engine, "rules/jabar.wasm");
    assert_eq!(old.contract(), "0.1.0");
    assert_eq!(old.info().contract, "0.1.0");
    let params = params("32-jabar.toml");
    let items = inputs(&testing::baseline_gate_cases(), |_| {});
    for (e, a) in &items {
        let input = input(e, a, &params);
        let old_answer = engine.evaluate(&old, &input).unwrap().value;
        assert_eq!(old_answer, engine.evaluate(&current, &input).unwrap().value);
        // 0.1.0 has no `decide`: the host emulates it from `evaluate`.
        assert_eq!(engine.decide(&old, &input).unwrap().value, Verdict::from(&old_answer));
    }
    let refs: Vec<_> = items.iter().map(|(e, a)| (e, a)).collect();
    let batch = engine.decide_batch(&old, &refs, &params, testing::today()).unwrap();
    assert_eq!(batch.value.len(), items.len());
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
        // The same work, give or take the guest allocator's state, which a warm instance keeps.
        assert!(
            reused.fuel_used.abs_diff(fresh.fuel_used) * 20 < fresh.fuel_used,
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
