//! The reference rows: the SDK in plain Rust, no engine.
//!
//! - [`Sdk`] calls `<Jabar as Policy>::evaluate` — exactly what the Jabar plugin runs inside its
//!   component: parameters read per call, every gate with its bilingual reason and remedy.
//! - [`Lean`] computes only the outcome with the SDK's allocation-free helpers (talent box,
//!   rating matrix, latest assessment, latest approval), parameters read once: the floor any
//!   engine could reach for this rule.

use crate::{Case, Decider, Outcome};
use dwa_plugin_jabar::Jabar;
use dwa_sdk::baseline::{BaselineParams, employee_talent_box, remote_days_for_box};
use dwa_sdk::talent::{latest_assessment, skp_rating};
use dwa_sdk::{Approver, Date, Eligibility, EmploymentType, Params, PenaltyLevel, Policy, TaskCategory};

/// The SDK's decision (`Jabar::evaluate`), with every reason.
pub struct Sdk {
    params: Params,
    today: Date,
}

impl Sdk {
    /// A decider for `params` at `today`.
    pub fn new(params: &Params, today: Date) -> Sdk {
        Sdk {
            params: params.clone(),
            today,
        }
    }

    /// The full decision with its reasons (the runner counts failed gates with it).
    pub fn evaluate(&self, case: &Case) -> Eligibility {
        <Jabar as Policy>::evaluate(&case.employee, &case.application, &self.params, self.today)
            .expect("the SDK decides every synthetic case")
    }
}

impl Decider for Sdk {
    fn name(&self) -> String {
        "native: Jabar::evaluate (SDK, with reasons)".into()
    }

    fn decide(&mut self, case: &Case) -> Outcome {
        let e = self.evaluate(case);
        Outcome {
            eligible: e.eligible,
            remote_days: e.max_remote_days,
        }
    }
}

/// Outcome only, from the SDK's helpers; no strings, no allocation.
pub struct Lean {
    p: BaselineParams,
    today: Date,
    window_start: Date,
    /// Light penalties: the first day a last day still disqualifies (none: only in force).
    light_window_start: Option<Date>,
}

impl Lean {
    /// A decider for `params` at `today`.
    pub fn new(params: &Params, today: Date) -> Lean {
        let p = BaselineParams::from_params(params).expect("valid baseline parameters");
        let window_start = today.minus_months(p.penalty_lookback_months);
        let light_window_start =
            (p.light_penalty_lookback_months > 0).then(|| today.minus_months(p.light_penalty_lookback_months));
        Lean {
            p,
            today,
            window_start,
            light_window_start,
        }
    }
}

impl Decider for Lean {
    fn name(&self) -> String {
        "native lean (SDK helpers, outcome only)".into()
    }

    fn decide(&mut self, case: &Case) -> Outcome {
        let (e, a, p) = (&case.employee, &case.application, &self.p);
        let public_service = e.public_service || e.task_category == TaskCategory::PublicService;
        let discipline = e.penalties.iter().any(|pen| {
            let serious = pen.level != PenaltyLevel::Light;
            pen.start <= self.today
                && (match pen.end {
                    Some(end) => end >= self.today || (serious && end >= self.window_start),
                    None => serious,
                } || (!serious
                    && self
                        .light_window_start
                        .is_some_and(|from| pen.end.unwrap_or(pen.start) >= from)))
        });
        let rating_ok = latest_assessment(&e.ratings)
            .is_some_and(|r| skp_rating(r.work_result, r.work_behaviour).at_least(p.min_rating));
        let kpi_ok = a.kpi_target.is_finite() && a.kpi_baseline.is_finite() && a.kpi_target > a.kpi_baseline;
        let box_days = remote_days_for_box(employee_talent_box(e));
        let ceiling = match e.previous_review {
            Some(r) if !r.kpi_achieved => r.granted_remote_days.saturating_sub(p.kpi_miss_reduction_days),
            _ => 5,
        };
        let eligible = !public_service
            && e.employment_type != EmploymentType::Cpns
            && e.service_months >= p.min_service_months
            && !discipline
            && rating_ok
            && e.unexcused_absence_days <= p.max_unexcused_absence_days
            && kpi_ok
            && a.approval_by(Approver::Supervisor) != Some(false)
            && box_days > 0
            && ceiling > 0;
        Outcome {
            eligible,
            remote_days: if eligible {
                box_days.min(p.max_remote_days).min(ceiling)
            } else {
                0
            },
        }
    }
}
