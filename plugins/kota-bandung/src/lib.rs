//! The DWA rule plugin of Kota Bandung (BPS code 3273): the province's baseline rules as the SDK
//! ships them — every gate, the pattern by talent box capped by `max_remote_days` (3 in
//! Bandung's manifest), the standard allocator with the quarterly rotation — plus Bandung's own
//! rule: the KPI target must be at least `min_kpi_raise_percent` above the baseline (the
//! province asks only that it be above). Scaffolded with `dwa plugin new` and written from the
//! SDK guide (`sdk/README.md`) alone.
//!
//! Numbers belong in the manifest (`3273-kota-bandung.toml`, read through `params`), not here: a
//! parameter change needs no rebuild. Code is for rules the parameters cannot express.

use dwa_sdk::prelude::*;

/// Reason code of Bandung's KPI rule: the target is at least `min_kpi_raise_percent` above the
/// baseline.
pub const KPI_RAISE: &str = "KPI_RAISE";

/// Kota Bandung's rules.
pub struct KotaBandung;

impl Policy for KotaBandung {
    fn info() -> PluginInfo {
        PluginInfo::new("3273", "Kota Bandung", env!("CARGO_PKG_VERSION"))
    }

    /// The decision with its reasons, for people (every gate, in Bahasa Indonesia and English).
    fn evaluate(
        employee: &Employee,
        application: &Application,
        params: &Params,
        today: Date,
    ) -> Result<Eligibility, PolicyError> {
        Ok(assess(employee, application, params, today, Mode::Explain)?.finish())
    }

    /// The same outcome without the messages, several times cheaper (allocation runs).
    fn decide(
        employee: &Employee,
        application: &Application,
        params: &Params,
        today: Date,
    ) -> Result<Verdict, PolicyError> {
        Ok(assess(employee, application, params, today, Mode::Decide)?.verdict())
    }

    // `allocate` is the SDK's standard allocator (`standard_allocation`), with the quarterly
    // rotation the manifest turns on.
}

/// The smallest percentage rise of the KPI target over the baseline (parameter
/// `min_kpi_raise_percent`, 10 when unset).
fn min_raise_percent(params: &Params) -> Result<i64, PolicyError> {
    params.integer_or("min_kpi_raise_percent", 10, 0..=100)
}

/// Whether the target is at least `percent` above the baseline. Compared as target × 100 ≥
/// baseline × (100 + percent): whole KPI values multiply exactly, where baseline × 1.10 would
/// round (70 × 1.1 = 77.00000000000001) and refuse a target of exactly 77.
pub fn raise_passes(application: &Application, percent: i64) -> bool {
    application.kpi_target * 100.0 >= application.kpi_baseline * (100 + percent) as f64
}

/// The reason for [`raise_passes`], with the target needed as the remedy.
pub fn raise_gate(application: &Application, percent: i64) -> Reason {
    let needed = application.kpi_baseline * (100 + percent) as f64 / 100.0;
    let target = application.kpi_target;
    if raise_passes(application, percent) {
        Reason::pass(
            KPI_RAISE,
            format!("Target IKU {target} sedikitnya {percent}% di atas baseline"),
            format!("The KPI target {target} is at least {percent}% above the baseline"),
        )
    } else {
        Reason::fail(
            KPI_RAISE,
            format!("Target IKU {target} kurang dari {needed:.1} ({percent}% di atas baseline)"),
            format!("The KPI target {target} is below {needed:.1} ({percent}% above the baseline)"),
        )
        .remedy(
            format!("Naikkan target IKU menjadi sedikitnya {needed:.1}"),
            format!("Raise the KPI target to at least {needed:.1}"),
        )
    }
}

/// The region's gates, one code path for `evaluate` and `decide`: the province baseline, then
/// Bandung's KPI rule.
fn assess(
    employee: &Employee,
    application: &Application,
    params: &Params,
    today: Date,
    mode: Mode,
) -> Result<Assessment, PolicyError> {
    let mut assessment = assess_baseline(employee, application, params, today, mode)?;
    let percent = min_raise_percent(params)?;
    assessment.gate(KPI_RAISE, raise_passes(application, percent), || {
        raise_gate(application, percent)
    });
    Ok(assessment)
}

dwa_sdk::export_policy!(KotaBandung);

#[cfg(test)]
mod tests {
    use super::*;
    use dwa_sdk::manifest::{Manifest, run_examples_natively};
    use dwa_sdk::testing;

    fn manifest() -> Manifest {
        Manifest::parse(include_str!("../3273-kota-bandung.toml")).expect("the manifest parses")
    }

    fn with_kpi(baseline: f64, target: f64) -> Application {
        let mut application = testing::application();
        application.kpi_baseline = baseline;
        application.kpi_target = target;
        application
    }

    #[test]
    fn the_manifest_examples_pass_natively() {
        assert_eq!(run_examples_natively::<KotaBandung>(&manifest()), Vec::<String>::new());
    }

    #[test]
    fn the_kpi_raise_holds_at_its_boundary_and_fails_just_below() {
        let params = manifest().parameters;
        let employee = testing::employee();
        for (baseline, target, passes) in [
            (70.0, 77.0, true),
            (70.0, 76.9, false),
            (80.0, 88.0, true),
            (80.0, 87.99, false),
        ] {
            let out = KotaBandung::evaluate(&employee, &with_kpi(baseline, target), &params, testing::today()).unwrap();
            let reason = out.reason(KPI_RAISE).expect("the KPI_RAISE reason");
            assert_eq!((reason.passed, out.eligible), (passes, passes), "{baseline} → {target}");
            assert_eq!(reason.remedy.is_some(), !passes);
        }
        // A region may lower the bar to the province's (any rise) by parameter alone.
        let lenient = params.clone().with("min_kpi_raise_percent", ParamValue::Integer(0));
        let out = KotaBandung::evaluate(&employee, &with_kpi(70.0, 70.5), &lenient, testing::today()).unwrap();
        assert!(out.eligible, "{:?}", out.failed_codes());
    }

    #[test]
    fn the_pattern_is_capped_at_three_days() {
        let params = manifest().parameters;
        let mut application = testing::application();
        application.requested_remote_days = 4;
        let out = KotaBandung::evaluate(&testing::employee(), &application, &params, testing::today()).unwrap();
        assert_eq!((out.eligible, out.max_remote_days), (true, 3));
    }

    /// Every province gate still passes and fails where the SDK's boundary cases put it (the
    /// KPI cases also meet Bandung's own rule, so only the gate's own reason is compared).
    #[test]
    fn every_baseline_gate_passes_and_fails() {
        let params = manifest().parameters;
        for case in testing::baseline_gate_cases() {
            let (mut employee, mut application) = (testing::employee(), testing::application());
            (case.apply)(&mut employee, &mut application);
            let out = KotaBandung::evaluate(&employee, &application, &params, testing::today()).unwrap();
            let reason = out.reason(case.gate).unwrap_or_else(|| panic!("{case:?}: no reason"));
            assert_eq!(reason.passed, case.passes, "{case:?}");
        }
    }

    #[test]
    fn decide_gives_the_outcome_of_evaluate() {
        let params = manifest().parameters;
        testing::assert_decide_agrees_with_evaluate::<KotaBandung>(&testing::baseline_gate_cases(), &params, |_| {});
        for (baseline, target) in [(70.0, 77.0), (70.0, 76.9)] {
            let application = with_kpi(baseline, target);
            let evaluated =
                KotaBandung::evaluate(&testing::employee(), &application, &params, testing::today()).unwrap();
            let decided = KotaBandung::decide(&testing::employee(), &application, &params, testing::today()).unwrap();
            assert_eq!(Verdict::from(&evaluated), decided);
        }
    }
}
