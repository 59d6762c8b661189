//! Side-by-side benchmark of the province baseline rule (Pergub Jabar MKD) in peer rule engines.
//!
//! Every engine implements the same decision — all baseline gates of
//! [`dwa_sdk::baseline::evaluate_baseline`] plus the pattern by talent box capped by
//! `max_remote_days` and the previous quarter's review — behind one trait, [`Decider`], so the
//! runner can check every engine against the SDK on the same cases before it times them.
//!
//! A decider's [`Decider::decide`] includes building that engine's input from the Rust [`Case`]
//! and decoding its output into an [`Outcome`]: that is what a host using the engine would pay.

pub mod cases;
pub mod cedar;
pub mod native;
pub mod ours;
pub mod rego;
pub mod rhai;
pub mod zen;

use dwa_sdk::talent::{latest_assessment, skp_rating};
use dwa_sdk::{Application, Approver, Date, Employee, Expectation, Params, PenaltyLevel, Potential, TaskCategory};

/// One synthetic decision to make: an employee and their application.
#[derive(Clone, Debug)]
pub struct Case {
    /// The applicant.
    pub employee: Employee,
    /// The application.
    pub application: Application,
}

/// What every engine must agree on: eligibility and the largest days anywhere allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Outcome {
    /// True when every gate passed.
    pub eligible: bool,
    /// Largest days anywhere per week; 0 when ineligible (as [`dwa_sdk::Eligibility::max_remote_days`]).
    pub remote_days: u8,
}

/// A rule engine loaded with the baseline rule, ready to decide cases.
pub trait Decider {
    /// The row label in the results table.
    fn name(&self) -> String;

    /// Decide one case: build the engine's input from `case`, evaluate, decode the outcome.
    fn decide(&mut self, case: &Case) -> Outcome;

    /// Decide many cases, appending to `out` in order (engines with a batch API override this).
    fn decide_batch(&mut self, cases: &[Case], out: &mut Vec<Outcome>) {
        for case in cases {
            out.push(self.decide(case));
        }
    }
}

/// The baseline's parameters as plain numbers, read once from the manifest, plus the values
/// derived from the fixed evaluation date. Every peer engine receives these unchanged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleParams {
    /// `max_remote_days`.
    pub max_remote_days: i64,
    /// `min_service_months`.
    pub min_service_months: i64,
    /// `min_rating` as a rank: 0 = Sangat Baik … 4 = Sangat Kurang (a rating passes when its
    /// rank is at most this).
    pub min_rating_rank: i64,
    /// `max_unexcused_absence_days`.
    pub max_unexcused_absence_days: i64,
    /// `kpi_miss_reduction_days`.
    pub kpi_miss_reduction_days: i64,
    /// The evaluation date, as days since 1970-01-01.
    pub today: i64,
    /// `today` less `penalty_lookback_months`, as days since 1970-01-01: a moderate or severe
    /// penalty that ended on or after this day still disqualifies.
    pub window_start: i64,
    /// `today` less `light_penalty_lookback_months`, as days since 1970-01-01: a light penalty
    /// whose last day (its end, or its start when it has none) is on or after this day still
    /// disqualifies. `i64::MAX` when the look-back is 0 (a light penalty counts only in force).
    pub light_window_start: i64,
}

impl RuleParams {
    /// Read the parameters exactly as the SDK does (same defaults and range checks).
    pub fn new(params: &Params, today: Date) -> RuleParams {
        let p = dwa_sdk::baseline::BaselineParams::from_params(params).expect("valid baseline parameters");
        RuleParams {
            max_remote_days: i64::from(p.max_remote_days),
            min_service_months: i64::from(p.min_service_months),
            min_rating_rank: p.min_rating as i64,
            max_unexcused_absence_days: i64::from(p.max_unexcused_absence_days),
            kpi_miss_reduction_days: i64::from(p.kpi_miss_reduction_days),
            today: today.days_since_epoch(),
            window_start: today.minus_months(p.penalty_lookback_months).days_since_epoch(),
            light_window_start: match p.light_penalty_lookback_months {
                0 => i64::MAX,
                months => today.minus_months(months).days_since_epoch(),
            },
        }
    }
}

/// Record look-ups shared by every peer engine's input builder: the latest SKP assessment (the
/// highest year, the last listed winning a tie) and the latest decision of the direct
/// supervisor. They select records; every threshold, matrix and gate stays in the engine.
#[derive(Clone, Copy, Debug)]
pub struct Lookups {
    /// Work result and work behaviour of the latest assessment, if any.
    pub rating: Option<(Expectation, Expectation)>,
    /// `"approved"`, `"rejected"` or `"pending"`.
    pub supervisor: &'static str,
}

impl Lookups {
    /// Look the records up in `case`.
    pub fn of(case: &Case) -> Lookups {
        Lookups {
            rating: latest_assessment(&case.employee.ratings).map(|a| (a.work_result, a.work_behaviour)),
            supervisor: match case.application.approval_by(Approver::Supervisor) {
                Some(true) => "approved",
                Some(false) => "rejected",
                None => "pending",
            },
        }
    }
}

/// The snake_case name of an expectation, as in the JSON contract.
pub fn expectation_code(e: Expectation) -> &'static str {
    match e {
        Expectation::Above => "above",
        Expectation::Meets => "meets",
        Expectation::Below => "below",
    }
}

/// The snake_case name of a potential.
pub fn potential_code(p: Potential) -> &'static str {
    match p {
        Potential::High => "high",
        Potential::Medium => "medium",
        Potential::Low => "low",
    }
}

/// The snake_case name of a penalty level.
pub fn penalty_code(l: PenaltyLevel) -> &'static str {
    match l {
        PenaltyLevel::Light => "light",
        PenaltyLevel::Moderate => "moderate",
        PenaltyLevel::Severe => "severe",
    }
}

/// The snake_case name of an employment type.
pub fn employment_code(t: dwa_sdk::EmploymentType) -> &'static str {
    match t {
        dwa_sdk::EmploymentType::Pns => "pns",
        dwa_sdk::EmploymentType::Cpns => "cpns",
        dwa_sdk::EmploymentType::Pppk => "pppk",
        dwa_sdk::EmploymentType::PppkParuhWaktu => "pppk_paruh_waktu",
    }
}

/// The snake_case name of a task category.
pub fn task_code(t: TaskCategory) -> &'static str {
    match t {
        TaskCategory::Planning => "planning",
        TaskCategory::Finance => "finance",
        TaskCategory::Drafting => "drafting",
        TaskCategory::SpeechWriting => "speech_writing",
        TaskCategory::OnlineApproval => "online_approval",
        TaskCategory::DataEntry => "data_entry",
        TaskCategory::DataAnalysis => "data_analysis",
        TaskCategory::PublicService => "public_service",
        TaskCategory::Other => "other",
    }
}

/// The SKP rating rank of a latest assessment (0 = Sangat Baik … 4 = Sangat Kurang); used only
/// by the runner's coverage report, never by a peer engine.
pub fn rating_rank(work_result: Expectation, work_behaviour: Expectation) -> u8 {
    skp_rating(work_result, work_behaviour) as u8
}
