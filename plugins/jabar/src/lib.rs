//! Rule plugin of the Province of West Java (Pemprov Jabar, BPS code 32): the province baseline
//! exactly as the SDK ships it — gates, pattern by talent box capped by `max_remote_days`, and
//! the standard allocator.

use dwa_sdk::prelude::*;

/// The province's rules.
pub struct Jabar;

impl Policy for Jabar {
    fn info() -> PluginInfo {
        PluginInfo::new("32", "Provinsi Jawa Barat", env!("CARGO_PKG_VERSION"))
    }

    // `evaluate` is the SDK's default (the baseline, explained); `decide` is the same gates
    // without building their messages.
    fn decide(
        employee: &Employee,
        application: &Application,
        params: &Params,
        today: Date,
    ) -> Result<Verdict, PolicyError> {
        baseline::decide_baseline(employee, application, params, today)
    }
}

dwa_sdk::export_policy!(Jabar);

#[cfg(test)]
mod tests {
    use super::*;
    use dwa_sdk::manifest::{Manifest, run_examples_natively};
    use dwa_sdk::testing;

    fn params() -> Params {
        Manifest::parse(include_str!("../../../rules/32-jabar.toml"))
            .unwrap()
            .parameters
    }

    #[test]
    fn every_gate_passes_and_fails_natively() {
        for case in testing::baseline_gate_cases() {
            let (mut e, mut a) = (testing::employee(), testing::application());
            (case.apply)(&mut e, &mut a);
            let out = Jabar::evaluate(&e, &a, &params(), testing::today()).unwrap();
            let reason = out.reason(case.gate).unwrap_or_else(|| panic!("{case:?}: no reason"));
            assert_eq!(reason.passed, case.passes, "{case:?}");
            assert_eq!(out.eligible, case.passes, "{case:?}: {:?}", out.failed_codes());
            if !case.passes {
                assert_eq!(out.failed_codes(), vec![case.gate], "{case:?}");
                assert!(
                    reason.remedy.is_some(),
                    "{case:?}: a failed gate says what would make it pass"
                );
            }
            for r in &out.reasons {
                assert!(!r.message.id.is_empty() && !r.message.en.is_empty() && r.message.id != r.message.en);
            }
        }
    }

    #[test]
    fn decide_gives_the_outcome_of_evaluate() {
        let compared =
            testing::assert_decide_agrees_with_evaluate::<Jabar>(&testing::baseline_gate_cases(), &params(), |_| {});
        assert!(compared > 1000, "{compared}");
    }

    #[test]
    fn pattern_follows_the_talent_box() {
        let p = params();
        let mut e = testing::employee();
        let mut a = testing::application();
        a.requested_remote_days = 4;
        assert_eq!(
            Jabar::evaluate(&e, &a, &p, testing::today()).unwrap().max_remote_days,
            4
        ); // box 9
        e.potential = Potential::Medium; // box 7
        assert_eq!(
            Jabar::evaluate(&e, &a, &p, testing::today()).unwrap().max_remote_days,
            3
        );
        e.potential = Potential::Low; // box 4
        assert_eq!(
            Jabar::evaluate(&e, &a, &p, testing::today()).unwrap().max_remote_days,
            1
        );
        let capped = p.clone().with("max_remote_days", ParamValue::Integer(2));
        e.potential = Potential::High;
        assert_eq!(
            Jabar::evaluate(&e, &a, &capped, testing::today())
                .unwrap()
                .max_remote_days,
            2
        );
    }

    #[test]
    fn manifest_examples_pass_natively() {
        let manifest = Manifest::parse(include_str!("../../../rules/32-jabar.toml")).unwrap();
        assert!(manifest.examples.len() >= 8);
        assert_eq!(run_examples_natively::<Jabar>(&manifest), Vec::<String>::new());
    }
}
