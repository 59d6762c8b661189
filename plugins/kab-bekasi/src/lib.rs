//! Rule plugin of Kabupaten Bekasi (BPS code 3216): the province baseline plus Bekasi's own rules —
//! its public-service agencies (parameter `excluded_agencies`) are excluded, at most
//! `max_remote_days` (2) days anywhere a week, and from `head_of_agency_approval_from_days` (2)
//! days on the head of the agency must approve too.

use dwa_sdk::prelude::*;

/// Reason code: the agency is one of Bekasi's excluded public-service agencies.
pub const EXCLUDED_AGENCY: &str = "EXCLUDED_AGENCY";
/// Reason code: the head of agency's approval for 2 days anywhere.
pub const HEAD_OF_AGENCY_APPROVAL: &str = "HEAD_OF_AGENCY_APPROVAL";

/// Bekasi's rules.
pub struct KabBekasi;

/// Bekasi's ceiling on days anywhere (parameter `max_remote_days`, 2 when unset).
fn bekasi_cap(params: &Params) -> Result<u8, PolicyError> {
    Ok(params.integer_or("max_remote_days", 2, 0..=5)? as u8)
}

fn is_excluded(employee: &Employee, excluded: &[String]) -> bool {
    excluded.iter().any(|a| a.eq_ignore_ascii_case(&employee.agency))
}

fn excluded_agency_gate(employee: &Employee, excluded: &[String]) -> Reason {
    if is_excluded(employee, excluded) {
        Reason::fail(
            EXCLUDED_AGENCY,
            format!(
                "Perangkat daerah {} adalah unit layanan publik yang dikecualikan",
                employee.agency
            ),
            format!("Agency {} is an excluded public-service agency", employee.agency),
        )
        .remedy(
            "Pegawai pada perangkat daerah layanan publik tidak dapat mengikuti MKD",
            "Staff of public-service agencies cannot take part in the DWA",
        )
    } else {
        Reason::pass(
            EXCLUDED_AGENCY,
            format!("Perangkat daerah {} tidak dikecualikan", employee.agency),
            format!("Agency {} is not excluded", employee.agency),
        )
    }
}

/// Bekasi's gates on top of the baseline, once for `evaluate` (explained) and `decide`.
fn assess(
    employee: &Employee,
    application: &Application,
    params: &Params,
    today: Date,
    mode: Mode,
) -> Result<Assessment, PolicyError> {
    let mut assessment = assess_baseline(employee, application, params, today, mode)?;
    assessment.cap(bekasi_cap(params)?);
    let excluded = params.text_list("excluded_agencies")?;
    assessment.gate(EXCLUDED_AGENCY, !is_excluded(employee, excluded), || {
        excluded_agency_gate(employee, excluded)
    });
    let head_from = params.integer_or("head_of_agency_approval_from_days", 2, 1..=5)? as u8;
    if application.requested_remote_days.min(assessment.max_remote_days) >= head_from {
        assessment.require(Approver::HeadOfAgency);
        assessment.gate(
            HEAD_OF_AGENCY_APPROVAL,
            baseline::approval_passes(application, Approver::HeadOfAgency),
            || baseline::approval_gate(application, Approver::HeadOfAgency, HEAD_OF_AGENCY_APPROVAL),
        );
    }
    Ok(assessment)
}

impl Policy for KabBekasi {
    fn info() -> PluginInfo {
        PluginInfo::new("3216", "Kabupaten Bekasi", env!("CARGO_PKG_VERSION"))
    }

    fn evaluate(
        employee: &Employee,
        application: &Application,
        params: &Params,
        today: Date,
    ) -> Result<Eligibility, PolicyError> {
        Ok(assess(employee, application, params, today, Mode::Explain)?.finish())
    }

    fn decide(
        employee: &Employee,
        application: &Application,
        params: &Params,
        today: Date,
    ) -> Result<Verdict, PolicyError> {
        Ok(assess(employee, application, params, today, Mode::Decide)?.verdict())
    }

    fn allocate(request: &AllocationRequest, params: &Params) -> Result<Vec<Grant>, PolicyError> {
        let cap = bekasi_cap(params)?;
        standard_allocation(
            request,
            &params.clone().with("max_remote_days", ParamValue::Integer(cap.into())),
        )
    }
}

dwa_sdk::export_policy!(KabBekasi);

/// Paired cases for Bekasi's own gates (the baseline's come from `dwa_sdk::testing`). The samples
/// are moved to Bekasi (region 3216, agency BAPPEDA) first with [`to_bekasi`].
pub fn bekasi_gate_cases() -> Vec<dwa_sdk::testing::GateCase> {
    use dwa_sdk::testing::GateCase;
    vec![
        GateCase {
            gate: EXCLUDED_AGENCY,
            label: "planning agency",
            passes: true,
            apply: |_, _| {},
        },
        GateCase {
            gate: EXCLUDED_AGENCY,
            label: "regional hospital",
            passes: false,
            apply: |e, _| e.agency = "RSUD".into(),
        },
        GateCase {
            gate: HEAD_OF_AGENCY_APPROVAL,
            label: "2 days approved by head of agency",
            passes: true,
            apply: |_, a| {
                a.approvals.push(Approval {
                    approver: Approver::HeadOfAgency,
                    by_nip: "197001011995031001".into(),
                    approved: true,
                })
            },
        },
        GateCase {
            gate: HEAD_OF_AGENCY_APPROVAL,
            label: "2 days rejected by head of agency",
            passes: false,
            apply: |_, a| {
                a.approvals.push(Approval {
                    approver: Approver::HeadOfAgency,
                    by_nip: "197001011995031001".into(),
                    approved: false,
                })
            },
        },
    ]
}

/// Move a sample employee into Kabupaten Bekasi.
pub fn to_bekasi(employee: &mut Employee) {
    employee.region = "3216".into();
    employee.agency = "BAPPEDA".into();
    employee.unit = "BAPPEDA-PERENCANAAN".into();
}

#[cfg(test)]
mod tests {
    use super::*;
    use dwa_sdk::manifest::{Manifest, run_examples_natively};
    use dwa_sdk::testing;

    fn manifest() -> Manifest {
        Manifest::parse(include_str!("../../../rules/3216-kab-bekasi.toml")).unwrap()
    }

    #[test]
    fn every_gate_passes_and_fails_natively() {
        let params = manifest().parameters;
        for case in testing::baseline_gate_cases().into_iter().chain(bekasi_gate_cases()) {
            let (mut e, mut a) = (testing::employee(), testing::application());
            to_bekasi(&mut e);
            (case.apply)(&mut e, &mut a);
            let out = KabBekasi::evaluate(&e, &a, &params, testing::today()).unwrap();
            let reason = out.reason(case.gate).unwrap_or_else(|| panic!("{case:?}: no reason"));
            assert_eq!(reason.passed, case.passes, "{case:?}");
            assert_eq!(out.eligible, case.passes, "{case:?}: {:?}", out.failed_codes());
            if !case.passes {
                assert_eq!(out.failed_codes(), vec![case.gate], "{case:?}");
                assert!(reason.remedy.is_some());
            }
            assert!(out.max_remote_days <= 2, "{case:?}: Bekasi never above 2 days");
        }
    }

    #[test]
    fn decide_gives_the_outcome_of_evaluate() {
        let mut cases = dwa_sdk::testing::baseline_gate_cases();
        cases.extend(bekasi_gate_cases());
        let params = manifest().parameters;
        let compared = dwa_sdk::testing::assert_decide_agrees_with_evaluate::<KabBekasi>(&cases, &params, to_bekasi);
        assert!(compared > 1000, "{compared}");
    }

    #[test]
    fn two_days_need_the_head_of_agency_one_day_does_not() {
        let params = manifest().parameters;
        let mut e = testing::employee();
        to_bekasi(&mut e);
        let mut a = testing::application();
        a.requested_remote_days = 4;
        let out = KabBekasi::evaluate(&e, &a, &params, testing::today()).unwrap();
        assert_eq!(out.max_remote_days, 2);
        assert_eq!(
            out.approvals_required,
            vec![Approver::Supervisor, Approver::HeadOfAgency]
        );
        a.requested_remote_days = 1;
        let out = KabBekasi::evaluate(&e, &a, &params, testing::today()).unwrap();
        assert_eq!(out.approvals_required, vec![Approver::Supervisor]);
    }

    #[test]
    fn manifest_examples_pass_natively() {
        let manifest = manifest();
        assert!(manifest.examples.len() >= 8);
        assert_eq!(run_examples_natively::<KabBekasi>(&manifest), Vec::<String>::new());
    }
}
