//! The two regional plugins, compiled to WebAssembly and run by the host, gate by gate: every
//! gate passes and fails as intended, with reasons in both languages, and the component gives
//! exactly what the same rules give natively.

mod common;

use dwa_plugin_jabar::Jabar;
use dwa_plugin_kab_bekasi::{KabBekasi, bekasi_gate_cases, to_bekasi};
use dwa_sdk::testing::{self, GateCase};
use dwa_sdk::{Employee, Policy};

fn check_case(policies: &dwa_policy::PolicySet, case: &GateCase, bekasi: bool) {
    let (mut employee, mut application) = (testing::employee(), testing::application());
    if bekasi {
        to_bekasi(&mut employee);
    }
    (case.apply)(&mut employee, &mut application);
    let decision = policies
        .evaluate(&employee, &application, testing::today())
        .unwrap_or_else(|e| panic!("{case:?}: {e}"));
    let out = &decision.eligibility;
    let reason = out
        .reason(case.gate)
        .unwrap_or_else(|| panic!("{case:?}: no reason {}", case.gate));
    assert_eq!(reason.passed, case.passes, "{case:?}");
    assert_eq!(out.eligible, case.passes, "{case:?}: failed {:?}", out.failed_codes());
    if !case.passes {
        assert_eq!(out.failed_codes(), vec![case.gate], "{case:?}: only this gate fails");
        let remedy = reason.remedy.as_ref().unwrap_or_else(|| panic!("{case:?}: no remedy"));
        assert!(!remedy.id.is_empty() && !remedy.en.is_empty() && remedy.id != remedy.en);
        assert_eq!(out.max_remote_days, 0, "{case:?}: ineligible means office only");
    }
    for r in &out.reasons {
        assert!(!r.message.id.is_empty() && !r.message.en.is_empty(), "{case:?}: {r:?}");
        assert_ne!(
            r.message.id, r.message.en,
            "{case:?}: both languages, not one twice: {r:?}"
        );
    }
    let params = &decision.input.params;
    let native = if bekasi {
        KabBekasi::evaluate(&employee, &application, params, testing::today())
    } else {
        Jabar::evaluate(&employee, &application, params, testing::today())
    }
    .unwrap();
    assert_eq!(&native, out, "{case:?}: component and native rules agree");
    assert_eq!(decision.plugin.region, if bekasi { "3216" } else { "32" });
}

#[test]
fn province_gates_pass_and_fail_through_the_component() {
    let policies = common::policies();
    let cases = testing::baseline_gate_cases();
    assert!(cases.iter().any(|c| c.passes) && cases.iter().any(|c| !c.passes));
    for case in &cases {
        check_case(&policies, case, false);
    }
}

#[test]
fn bekasi_gates_pass_and_fail_through_the_component() {
    let policies = common::policies();
    for case in testing::baseline_gate_cases().iter().chain(&bekasi_gate_cases()) {
        check_case(&policies, case, true);
    }
}

#[test]
fn pattern_by_talent_box_and_regional_caps() {
    let policies = common::policies();
    let mut application = testing::application();
    application.requested_remote_days = 4;
    let cases: [(dwa_sdk::Potential, dwa_sdk::Expectation, u8, u8); 4] = [
        // (potential, work result and behaviour, province days, Bekasi days)
        (dwa_sdk::Potential::High, dwa_sdk::Expectation::Above, 4, 2), // box 9
        (dwa_sdk::Potential::High, dwa_sdk::Expectation::Meets, 3, 2), // box 8
        (dwa_sdk::Potential::Medium, dwa_sdk::Expectation::Meets, 1, 1), // box 5
        (dwa_sdk::Potential::Low, dwa_sdk::Expectation::Meets, 0, 0),  // box 2
    ];
    for (potential, level, province_days, bekasi_days) in cases {
        let mut employee: Employee = testing::employee();
        employee.potential = potential;
        employee.ratings[0].work_result = level;
        employee.ratings[0].work_behaviour = level;
        let province = policies.evaluate(&employee, &application, testing::today()).unwrap();
        assert_eq!(
            province.eligibility.max_remote_days, province_days,
            "{potential:?}/{level:?} in the province"
        );
        to_bekasi(&mut employee);
        let bekasi = policies.evaluate(&employee, &application, testing::today()).unwrap();
        assert_eq!(
            bekasi.eligibility.max_remote_days, bekasi_days,
            "{potential:?}/{level:?} in Bekasi"
        );
    }
}

#[test]
fn an_unknown_region_is_refused_by_name() {
    let policies = common::policies();
    let mut employee = testing::employee();
    employee.region = "3273".into();
    let err = policies
        .evaluate(&employee, &testing::application(), testing::today())
        .unwrap_err();
    assert!(err.to_string().contains("3273"), "{err}");
}

#[test]
fn batch_evaluation_matches_single_calls() {
    let policies = common::policies();
    let items: Vec<_> = testing::baseline_gate_cases()
        .iter()
        .map(|case| {
            let (mut e, mut a) = (testing::employee(), testing::application());
            to_bekasi(&mut e);
            (case.apply)(&mut e, &mut a);
            (e, a)
        })
        .collect();
    let batch = policies.evaluate_batch("3216", &items, testing::today()).unwrap();
    assert_eq!(batch.len(), items.len());
    for ((e, a), result) in items.iter().zip(batch) {
        let single = policies.evaluate(e, a, testing::today()).unwrap();
        assert_eq!(result.unwrap().eligibility, single.eligibility);
    }
}

/// The province lowers its guardrail to 3 days: the province plugin still says 4 for a box-9
/// employee, and the host cuts it to 3, says so in the reasons and reports the violation.
#[test]
fn province_guardrails_bind_every_plugin_output() {
    use dwa_engine::{Limits, PolicyEngine};
    let dir = tempfile::tempdir().unwrap();
    let rules = common::rules_dir();
    for file in ["jabar.wasm", "kab_bekasi.wasm", "3216-kab-bekasi.toml"] {
        std::fs::copy(rules.join(file), dir.path().join(file)).unwrap();
    }
    let manifest = std::fs::read_to_string(rules.join("32-jabar.toml")).unwrap();
    let head = &manifest[..manifest.find("[[examples.cases]]").unwrap()];
    let lowered = head.replace("[guardrails]\nmax_remote_days = 4", "[guardrails]\nmax_remote_days = 3");
    assert_ne!(lowered, head);
    let only_example = "[[examples.cases]]\nname = \"box 7 gets 3-2\"\nemployee = { potential = \"medium\" }\n\
                        expect = { eligible = true, max_remote_days = 3, failed = [] }\n";
    std::fs::write(dir.path().join("32-jabar.toml"), format!("{lowered}{only_example}")).unwrap();

    let engine = std::sync::Arc::new(PolicyEngine::new(Limits::default()).unwrap());
    let (policies, errors) = dwa_policy::PolicySet::load_dir(engine, dir.path()).unwrap();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(policies.guardrails().max_remote_days, Some(3));
    let mut application = testing::application();
    application.requested_remote_days = 4;
    let decision = policies
        .evaluate(&testing::employee(), &application, testing::today())
        .unwrap();
    assert_eq!(decision.eligibility.max_remote_days, 3);
    assert!(decision.eligibility.reason("PROVINCE_GUARDRAIL").is_some());
    assert_eq!(decision.violations.len(), 1);
    assert_eq!(decision.violations[0].rule, "max_remote_days");
    assert_eq!(decision.violations[0].plugin.region, "32");

    let mut employee = testing::employee();
    to_bekasi(&mut employee);
    let bekasi = policies.evaluate(&employee, &application, testing::today()).unwrap();
    assert_eq!(
        (bekasi.eligibility.max_remote_days, bekasi.violations.len()),
        (2, 0),
        "Bekasi is already below"
    );
}

/// A regency manifest whose worked example the plugin fails is left out; the others load.
#[test]
fn a_region_failing_its_worked_examples_is_not_activated() {
    use dwa_engine::{Limits, PolicyEngine};
    let dir = tempfile::tempdir().unwrap();
    let rules = common::rules_dir();
    for file in ["jabar.wasm", "kab_bekasi.wasm", "32-jabar.toml"] {
        std::fs::copy(rules.join(file), dir.path().join(file)).unwrap();
    }
    let manifest = std::fs::read_to_string(rules.join("3216-kab-bekasi.toml")).unwrap();
    std::fs::write(
        dir.path().join("3216-kab-bekasi.toml"),
        manifest.replace("failed = [\"EXCLUDED_AGENCY\"]", "failed = []"),
    )
    .unwrap();
    let engine = std::sync::Arc::new(PolicyEngine::new(Limits::default()).unwrap());
    let (policies, errors) = dwa_policy::PolicySet::load_dir(engine, dir.path()).unwrap();
    assert_eq!(policies.regions(), vec!["32".to_string()]);
    assert_eq!(errors.len(), 1);
    let message = errors[0].to_string();
    assert!(
        message.contains("regional hospital staff are excluded") && message.contains("Kabupaten Bekasi 0.1.0"),
        "{message}"
    );
}

/// A warm instance keeps its configuration between calls and is configured again when a call
/// brings other parameters; what the rules derive from the parameters (the SDK reads the
/// baseline's once per configuration) follows every change, back and forth, single and batch.
#[test]
fn a_warm_instance_follows_its_parameters_when_they_change() {
    use dwa_sdk::ParamValue;
    let engine = dwa_engine::PolicyEngine::new(dwa_engine::Limits::default()).unwrap();
    let bytes = std::fs::read(common::rules_dir().join("jabar.wasm")).unwrap();
    let plugin = std::sync::Arc::new(engine.load(&bytes, "jabar.wasm").unwrap());
    let manifest = dwa_sdk::manifest::Manifest::parse(
        &std::fs::read_to_string(common::rules_dir().join("32-jabar.toml")).unwrap(),
    )
    .unwrap();
    let four = manifest.parameters.clone();
    let one = four.clone().with("max_remote_days", ParamValue::Integer(1));
    let strict = four.clone().with("min_service_months", ParamValue::Integer(600));
    let employee = testing::employee();
    let mut application = testing::application();
    application.requested_remote_days = 4;
    let mut warm = engine.warm_instance(plugin.clone(), testing::today());
    let days = |warm: &mut dwa_engine::WarmInstance<'_>, params: &dwa_sdk::Params| {
        let verdict = warm.decide(&employee, &application, params).unwrap().value;
        (verdict.eligible, verdict.max_remote_days, verdict.failed)
    };
    assert_eq!(days(&mut warm, &four), (true, 4, vec![]));
    assert_eq!(days(&mut warm, &four), (true, 4, vec![]), "the same parameters again");
    assert_eq!(days(&mut warm, &one), (true, 1, vec![]), "a lower ceiling");
    let (eligible, _, failed) = days(&mut warm, &strict);
    assert_eq!(
        (eligible, failed),
        (false, vec!["SERVICE_LENGTH".to_owned()]),
        "a longer service minimum"
    );
    assert_eq!(days(&mut warm, &four), (true, 4, vec![]), "back to the manifest's");
    let explained = warm.evaluate(&employee, &application, &one).unwrap().value;
    assert_eq!(explained.max_remote_days, 1);
    for (params, expected) in [(&one, 1), (&four, 4)] {
        let batch = engine
            .decide_batch(&plugin, &[(&employee, &application)], params, testing::today())
            .unwrap()
            .value;
        assert_eq!(batch[0].as_ref().unwrap().max_remote_days, expected);
    }
}
