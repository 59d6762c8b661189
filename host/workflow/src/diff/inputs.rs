//! The inputs `dwa plugin diff` explores: one worked example's employee and application (a
//! person who passes) varied along every gate's boundaries — service months, absence days,
//! penalties by level and date, the latest rating's year, employment type, position kind,
//! public service, agency, approvals, KPI target against baseline, requested days and the
//! previous review — each variation crossed with every rating (work result × behaviour), every
//! potential (so every talent box) and every requested pattern. The boundaries come from the
//! numbers in both manifests' parameters as well as fixed values, so a threshold moved by one
//! is always straddled. Built on the SDK's plain types only: the contract may change, these stay.

use dwa_sdk::{
    Application, Approval, Approver, Date, Employee, EmploymentType, Expectation, ParamValue, Params, Penalty,
    PenaltyLevel, PositionKind, Potential, QuarterReview, SkpAssessment, TaskCategory,
};
use std::collections::BTreeSet;

/// One explored input and the class it belongs to: the gate dimension varied and its value.
#[derive(Clone, Debug)]
pub struct Probe {
    /// What was varied from the passing example (`service_months`, `penalty`, …).
    pub dimension: &'static str,
    /// Its value, as a person reads it (`11`, `moderate, ended 11 months ago`, …).
    pub value: String,
    /// The employee.
    pub employee: Employee,
    /// The application.
    pub application: Application,
}

const EXPECTATIONS: [Expectation; 3] = [Expectation::Above, Expectation::Meets, Expectation::Below];
const POTENTIALS: [Potential; 3] = [Potential::High, Potential::Medium, Potential::Low];

/// The integers in both manifests' parameters whose name contains one of `words`, each with its
/// neighbours (the boundary straddled), within `0..=max`.
fn boundaries(params: &[&Params], words: &[&str], fixed: &[i64], max: i64) -> Vec<i64> {
    let mut values: BTreeSet<i64> = fixed.iter().copied().collect();
    for p in params {
        for (name, value) in &p.0 {
            if let ParamValue::Integer(n) = value
                && words.iter().any(|w| name.contains(w))
            {
                values.extend([n - 1, *n, n + 1]);
            }
        }
    }
    values.into_iter().filter(|v| (0..=max).contains(v)).collect()
}

/// Every text of the manifests' text-list parameters (agencies excluded or piloted, …).
fn listed_texts(params: &[&Params]) -> BTreeSet<String> {
    params
        .iter()
        .flat_map(|p| p.0.values())
        .flat_map(|v| match v {
            ParamValue::TextList(items) => items.clone(),
            ParamValue::Text(t) => vec![t.clone()],
            _ => Vec::new(),
        })
        .filter(|t| !t.is_empty() && t.len() <= 100)
        .collect()
}

/// The variations of the passing example, before they are crossed with the rating, potential
/// and requested-days grid.
fn variations(
    employee: &Employee,
    application: &Application,
    params: &[&Params],
    today: Date,
) -> Vec<(&'static str, String, Employee, Application)> {
    let mut out = vec![(
        "example",
        "as in the worked example".to_owned(),
        employee.clone(),
        application.clone(),
    )];
    let mut person = |dimension: &'static str, value: String, change: &dyn Fn(&mut Employee)| {
        let mut e = employee.clone();
        change(&mut e);
        out.push((dimension, value, e, application.clone()));
    };
    for months in boundaries(params, &["month"], &[0, 6, 11, 12, 13, 23, 24, 25, 36, 60], 480) {
        person("service_months", months.to_string(), &|e| {
            e.service_months = months as u32
        });
    }
    for days in boundaries(params, &["absence"], &[0, 1, 2, 3, 4, 5, 10, 12], 365) {
        person("unexcused_absence_days", days.to_string(), &|e| {
            e.unexcused_absence_days = days as u32
        });
    }
    let months = boundaries(params, &["penalty", "lookback"], &[1, 3, 5, 6, 7, 11, 12, 13, 24], 120);
    for m in &months {
        let start = today.minus_months(*m as u32);
        person("penalty", format!("light, started {m} months ago"), &|e| {
            e.penalties = vec![Penalty {
                level: PenaltyLevel::Light,
                start,
                end: None,
            }]
        });
    }
    for level in [PenaltyLevel::Moderate, PenaltyLevel::Severe] {
        let name = format!("{level:?}").to_lowercase();
        let active_start = today.minus_months(3);
        person("penalty", format!("{name}, active (ends in 3 months)"), &|e| {
            e.penalties = vec![Penalty {
                level,
                start: active_start,
                end: Some(today.plus_months(3)),
            }]
        });
        for m in &months {
            let end = today.minus_months(*m as u32);
            person("penalty", format!("{name}, ended {m} months ago"), &|e| {
                e.penalties = vec![Penalty {
                    level,
                    start: end.minus_months(6),
                    end: Some(end),
                }]
            });
        }
    }
    for age in 0..=3u16 {
        person(
            "rating_year",
            format!("{} ({age} years before)", today.year - age),
            &|e| {
                for r in &mut e.ratings {
                    r.year = today.year - age;
                }
            },
        );
    }
    person("rating_year", "no rating".into(), &|e| e.ratings.clear());
    for kind in [
        EmploymentType::Pns,
        EmploymentType::Cpns,
        EmploymentType::Pppk,
        EmploymentType::PppkParuhWaktu,
    ] {
        person("employment_type", format!("{kind:?}"), &|e| e.employment_type = kind);
    }
    for kind in [
        PositionKind::JptPratama,
        PositionKind::Administrator,
        PositionKind::Pengawas,
        PositionKind::Fungsional,
        PositionKind::Pelaksana,
    ] {
        person("position_kind", format!("{kind:?}"), &|e| e.position_kind = kind);
    }
    person("public_service", "face-to-face public service".into(), &|e| {
        e.public_service = true;
        e.task_category = TaskCategory::PublicService;
    });
    for agency in listed_texts(params) {
        person("agency", agency.clone(), &|e| e.agency = agency.clone());
    }
    let previous = today.quarter().previous();
    person("previous_review", "none".into(), &|e| e.previous_review = None);
    for days in 1..=4u8 {
        for achieved in [true, false] {
            let value = format!(
                "{previous}: {days} days, KPI {}",
                if achieved { "met" } else { "missed" }
            );
            person("previous_review", value, &|e| {
                e.previous_review = Some(QuarterReview {
                    quarter: previous,
                    granted_remote_days: days,
                    kpi_achieved: achieved,
                })
            });
        }
    }
    person(
        "previous_review",
        format!("{}: 4 days, KPI missed", previous.previous()),
        &|e| {
            e.previous_review = Some(QuarterReview {
                quarter: previous.previous(),
                granted_remote_days: 4,
                kpi_achieved: false,
            })
        },
    );
    let mut apply = |dimension: &'static str, value: &str, change: &dyn Fn(&mut Application)| {
        let mut a = application.clone();
        change(&mut a);
        out.push((dimension, value.to_owned(), employee.clone(), a));
    };
    let approval = |approver, approved| Approval {
        approver,
        by_nip: "197001012000011001".into(),
        approved,
    };
    apply("approvals", "none", &|a| a.approvals.clear());
    apply("approvals", "supervisor approved", &|a| {
        a.approvals = vec![approval(Approver::Supervisor, true)]
    });
    apply("approvals", "supervisor rejected", &|a| {
        a.approvals = vec![approval(Approver::Supervisor, false)]
    });
    apply("approvals", "supervisor and head of agency approved", &|a| {
        a.approvals = vec![
            approval(Approver::Supervisor, true),
            approval(Approver::HeadOfAgency, true),
        ]
    });
    apply("approvals", "supervisor approved, head of agency rejected", &|a| {
        a.approvals = vec![
            approval(Approver::Supervisor, true),
            approval(Approver::HeadOfAgency, false),
        ]
    });
    for (value, delta) in [
        ("target below baseline", -5.0),
        ("target equal to baseline", 0.0),
        ("target 0.01 above baseline", 0.01),
        ("target 10 above baseline", 10.0),
    ] {
        apply("kpi_target", value, &|a| a.kpi_target = a.kpi_baseline + delta);
    }
    out
}

/// Every probe: each variation crossed with every rating, potential and requested pattern.
pub fn probes(employee: &Employee, application: &Application, params: &[&Params], today: Date) -> Vec<Probe> {
    let mut out = Vec::new();
    for (dimension, value, employee, application) in variations(employee, application, params, today) {
        for work_result in EXPECTATIONS {
            for work_behaviour in EXPECTATIONS {
                for potential in POTENTIALS {
                    for days in 1..=4u8 {
                        let mut e = employee.clone();
                        // The latest rating takes the grid's predikat; its year stays the
                        // variation's (a person without ratings keeps none).
                        if let Some(latest) = e.ratings.iter_mut().max_by_key(|r| r.year) {
                            *latest = SkpAssessment {
                                year: latest.year,
                                work_result,
                                work_behaviour,
                            };
                        }
                        e.potential = potential;
                        let mut a = application.clone();
                        a.requested_remote_days = days;
                        out.push(Probe {
                            dimension,
                            value: value.clone(),
                            employee: e,
                            application: a,
                        });
                    }
                }
            }
        }
    }
    out
}
