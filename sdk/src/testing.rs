//! Sample data for tests: an employee and an application that pass every baseline gate, to be
//! changed one field at a time (a passing and a failing case per gate).

use crate::date::{Date, Quarter};
use crate::types::{
    Application, Approval, Approver, Employee, EmploymentType, Expectation, LocationKind, PositionKind, PositionStatus,
    Potential, SkpAssessment, TaskCategory,
};

/// The evaluation date of the samples: the first working day of 2027-Q1.
pub fn today() -> Date {
    Date {
        year: 2027,
        month: 1,
        day: 4,
    }
}

/// A PNS data analyst in box 9 (Sangat Baik, high potential), five years of service, clean record.
pub fn employee() -> Employee {
    Employee {
        nip: "198503122010012003".into(),
        name: "Siti Rahmawati".into(),
        employment_type: EmploymentType::Pns,
        region: "32".into(),
        agency: "BAPPEDA".into(),
        unit: "BAPPEDA-DATA".into(),
        position_kind: PositionKind::Fungsional,
        echelon: None,
        public_service: false,
        task_category: TaskCategory::DataAnalysis,
        service_months: 60,
        ratings: vec![SkpAssessment {
            year: 2026,
            work_result: Expectation::Above,
            work_behaviour: Expectation::Above,
        }],
        potential: Potential::High,
        penalties: vec![],
        unexcused_absence_days: 0,
        previous_review: None,
        position_code: String::new(),
        position_status: PositionStatus::Unlisted,
    }
}

/// A 2027-Q1 application for 2 days anywhere, target above baseline, approved by the supervisor.
pub fn application() -> Application {
    Application {
        id: "app-0001".into(),
        quarter: Quarter { year: 2027, number: 1 },
        requested_remote_days: 2,
        location_kind: LocationKind::RegisteredHome,
        work_plan: "Analisis data kepegawaian triwulan I".into(),
        kpi_baseline: 70.0,
        kpi_target: 80.0,
        approvals: vec![Approval {
            approver: Approver::Supervisor,
            by_nip: "197901012005011001".into(),
            approved: true,
        }],
    }
}

/// One gate case: change the samples so that `gate` passes or fails, and nothing else changes.
#[derive(Clone, Copy)]
pub struct GateCase {
    /// The reason code under test.
    pub gate: &'static str,
    /// What the case shows.
    pub label: &'static str,
    /// Whether the gate passes.
    pub passes: bool,
    /// Applies the change to the samples.
    pub apply: fn(&mut Employee, &mut Application),
}

impl std::fmt::Debug for GateCase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}: {})",
            self.label,
            self.gate,
            if self.passes { "pass" } else { "fail" }
        )
    }
}

/// Paired passing and failing cases for every baseline gate, at the boundaries, under the
/// province's parameters (`rules/32-jabar.toml`: among them `light_penalty_lookback_months = 6`
/// and `max_rating_age_years = 1`).
pub fn baseline_gate_cases() -> Vec<GateCase> {
    use crate::baseline::codes::*;
    use crate::types::{Penalty, PenaltyLevel, QuarterReview};
    fn date(y: u16, m: u8, d: u8) -> Date {
        Date::new(y, m, d).expect("valid sample date")
    }
    vec![
        GateCase {
            gate: PUBLIC_SERVICE,
            label: "back-office analyst",
            passes: true,
            apply: |_, _| {},
        },
        GateCase {
            gate: PUBLIC_SERVICE,
            label: "front-desk role",
            passes: false,
            apply: |e, _| e.public_service = true,
        },
        GateCase {
            gate: EMPLOYMENT_TYPE,
            label: "PPPK",
            passes: true,
            apply: |e, _| e.employment_type = EmploymentType::Pppk,
        },
        GateCase {
            gate: EMPLOYMENT_TYPE,
            label: "CPNS",
            passes: false,
            apply: |e, _| e.employment_type = EmploymentType::Cpns,
        },
        GateCase {
            gate: SERVICE_LENGTH,
            label: "12 months",
            passes: true,
            apply: |e, _| e.service_months = 12,
        },
        GateCase {
            gate: SERVICE_LENGTH,
            label: "11 months",
            passes: false,
            apply: |e, _| e.service_months = 11,
        },
        GateCase {
            gate: DISCIPLINE,
            label: "moderate penalty ended 13 months ago",
            passes: true,
            apply: |e, _| {
                e.penalties.push(Penalty {
                    level: PenaltyLevel::Moderate,
                    start: date(2025, 6, 1),
                    end: Some(date(2025, 12, 3)),
                })
            },
        },
        GateCase {
            gate: DISCIPLINE,
            label: "moderate penalty ended 6 months ago",
            passes: false,
            apply: |e, _| {
                e.penalties.push(Penalty {
                    level: PenaltyLevel::Moderate,
                    start: date(2026, 1, 1),
                    end: Some(date(2026, 6, 30)),
                })
            },
        },
        GateCase {
            gate: DISCIPLINE,
            label: "light penalty still in force",
            passes: false,
            apply: |e, _| {
                e.penalties.push(Penalty {
                    level: PenaltyLevel::Light,
                    start: date(2026, 12, 1),
                    end: Some(date(2027, 2, 28)),
                })
            },
        },
        GateCase {
            gate: DISCIPLINE,
            label: "light reprimand given last month (light penalties count for 6 months)",
            passes: false,
            apply: |e, _| {
                e.penalties.push(Penalty {
                    level: PenaltyLevel::Light,
                    start: date(2026, 12, 1),
                    end: None,
                })
            },
        },
        GateCase {
            gate: DISCIPLINE,
            label: "light reprimand given seven months ago",
            passes: true,
            apply: |e, _| {
                e.penalties.push(Penalty {
                    level: PenaltyLevel::Light,
                    start: date(2026, 6, 1),
                    end: None,
                })
            },
        },
        GateCase {
            gate: RATING,
            label: "latest rating from 2025, too old for 2027",
            passes: false,
            apply: |e, _| e.ratings[0].year = 2025,
        },
        GateCase {
            gate: RATING,
            label: "rated Baik, high potential",
            passes: true,
            apply: |e, _| {
                e.ratings[0] = SkpAssessment {
                    year: 2026,
                    work_result: Expectation::Meets,
                    work_behaviour: Expectation::Meets,
                }
            },
        },
        GateCase {
            gate: RATING,
            label: "rated Butuh Perbaikan, high potential (box 6)",
            passes: false,
            apply: |e, _| {
                e.ratings[0] = SkpAssessment {
                    year: 2026,
                    work_result: Expectation::Above,
                    work_behaviour: Expectation::Below,
                }
            },
        },
        GateCase {
            gate: ABSENCE,
            label: "2 days absent",
            passes: true,
            apply: |e, _| e.unexcused_absence_days = 2,
        },
        GateCase {
            gate: ABSENCE,
            label: "3 days absent",
            passes: false,
            apply: |e, _| e.unexcused_absence_days = 3,
        },
        GateCase {
            gate: KPI_TARGET,
            label: "target just above baseline",
            passes: true,
            apply: |_, a| a.kpi_target = 70.5,
        },
        GateCase {
            gate: KPI_TARGET,
            label: "target equal to baseline",
            passes: false,
            apply: |_, a| a.kpi_target = 70.0,
        },
        GateCase {
            gate: SUPERVISOR_APPROVAL,
            label: "approval pending",
            passes: true,
            apply: |_, a| a.approvals.clear(),
        },
        GateCase {
            gate: SUPERVISOR_APPROVAL,
            label: "rejected by supervisor",
            passes: false,
            apply: |_, a| {
                if let Some(approval) = a.approvals.first_mut() {
                    approval.approved = false;
                }
            },
        },
        GateCase {
            gate: TALENT_BOX,
            label: "box 4 (Sangat Baik, low potential)",
            passes: true,
            apply: |e, _| e.potential = Potential::Low,
        },
        GateCase {
            gate: TALENT_BOX,
            label: "box 2 (Baik, low potential)",
            passes: false,
            apply: |e, _| {
                e.potential = Potential::Low;
                e.ratings[0] = SkpAssessment {
                    year: 2026,
                    work_result: Expectation::Meets,
                    work_behaviour: Expectation::Meets,
                };
            },
        },
        GateCase {
            gate: PREVIOUS_REVIEW,
            label: "KPI achieved last quarter",
            passes: true,
            apply: |e, _| {
                e.previous_review = Some(QuarterReview {
                    quarter: Quarter { year: 2026, number: 4 },
                    granted_remote_days: 1,
                    kpi_achieved: true,
                })
            },
        },
        GateCase {
            gate: PREVIOUS_REVIEW,
            label: "KPI missed after a 1-4 pattern",
            passes: false,
            apply: |e, _| {
                e.previous_review = Some(QuarterReview {
                    quarter: Quarter { year: 2026, number: 4 },
                    granted_remote_days: 1,
                    kpi_achieved: false,
                })
            },
        },
    ]
}

/// Check that `P::decide` gives exactly the outcome of `P::evaluate` for every gate case of
/// `cases` and for each of them combined with every other (two changes at once), with each
/// requested pattern 0–5; returns how many inputs were compared. Panics on the first
/// disagreement, naming the cases.
pub fn assert_decide_agrees_with_evaluate<P: crate::Policy>(
    cases: &[GateCase],
    params: &crate::Params,
    prepare: fn(&mut Employee),
) -> usize {
    let mut compared = 0;
    for (i, first) in cases.iter().enumerate() {
        for second in cases[i..].iter() {
            for requested in 0..=5 {
                let (mut e, mut a) = (employee(), application());
                prepare(&mut e);
                (first.apply)(&mut e, &mut a);
                (second.apply)(&mut e, &mut a);
                a.requested_remote_days = requested;
                let explained = P::evaluate(&e, &a, params, today()).map(|x| crate::Verdict::from(&x));
                let decided = P::decide(&e, &a, params, today());
                assert_eq!(decided, explained, "{first:?} + {second:?}, {requested} days requested");
                compared += 1;
            }
        }
    }
    let items: Vec<_> = cases
        .iter()
        .map(|c| {
            let (mut e, mut a) = (employee(), application());
            prepare(&mut e);
            (c.apply)(&mut e, &mut a);
            (e, a)
        })
        .collect();
    let batch = P::decide_batch(&items, params, today());
    for ((e, a), decided) in items.iter().zip(batch) {
        assert_eq!(
            decided,
            P::decide(e, a, params, today()),
            "decide-batch agrees with decide"
        );
    }
    compared
}
