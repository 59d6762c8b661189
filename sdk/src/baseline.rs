//! The province baseline rules (Pergub Jabar MKD), as gates a plugin can call, keep, drop or
//! adjust. [`baseline_assessment`] runs them all; a regency plugin adds its own gates to the
//! returned [`Assessment`] and calls [`Assessment::finish`].

use crate::date::Date;
use crate::params::Params;
pub use crate::position::{position_gate, position_passes};
use crate::talent::{SkpRating, latest_assessment, performance_level, skp_rating, talent_box};
use crate::types::{
    Application, Approver, Eligibility, Employee, EmploymentType, Expectation, Penalty, PenaltyLevel, PolicyError,
    Reason, SkpAssessment, TaskCategory, Verdict,
};

/// Reason codes of the baseline gates, stable across versions.
pub mod codes {
    /// Role serves the public face to face.
    pub const PUBLIC_SERVICE: &str = "PUBLIC_SERVICE";
    /// Candidate civil servant (CPNS).
    pub const EMPLOYMENT_TYPE: &str = "EMPLOYMENT_TYPE";
    /// Months of service.
    pub const SERVICE_LENGTH: &str = "SERVICE_LENGTH";
    /// Disciplinary penalties.
    pub const DISCIPLINE: &str = "DISCIPLINE";
    /// Latest SKP rating.
    pub const RATING: &str = "RATING";
    /// Unexcused absence days.
    pub const ABSENCE: &str = "ABSENCE";
    /// KPI target above baseline.
    pub const KPI_TARGET: &str = "KPI_TARGET";
    /// Supervisor approval.
    pub const SUPERVISOR_APPROVAL: &str = "SUPERVISOR_APPROVAL";
    /// Talent box allows days anywhere.
    pub const TALENT_BOX: &str = "TALENT_BOX";
    /// Previous quarter's KPI review.
    pub const PREVIOUS_REVIEW: &str = "PREVIOUS_REVIEW";
    /// The position is one the region's catalogue marks as qualifying (on by `position_gate`).
    pub const POSITION: &str = "POSITION";
    /// The pattern that can be granted (informative).
    pub const PATTERN: &str = "PATTERN";
}

/// A pattern written days anywhere – days in office, e.g. `3-2`.
pub fn pattern(remote_days: u8) -> String {
    format!("{}-{}", remote_days, 5u8.saturating_sub(remote_days))
}

/// The baseline's parameters, read once from the region's manifest.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BaselineParams {
    /// Ceiling on days anywhere per week (`max_remote_days`, default 4).
    pub max_remote_days: u8,
    /// Minimum months since appointment (`min_service_months`, default 12).
    pub min_service_months: u32,
    /// How far back a moderate or severe penalty disqualifies (`penalty_lookback_months`, default 12).
    pub penalty_lookback_months: u32,
    /// How far back a light penalty (a reprimand or a written statement of dissatisfaction,
    /// PP 94/2021, which has no end date) disqualifies, counted from its start or its end
    /// (`light_penalty_lookback_months`, default 0: a light penalty disqualifies only while it
    /// has an end date still to come). The province's manifest sets 6.
    pub light_penalty_lookback_months: u32,
    /// Lowest acceptable latest rating (`min_rating`, default `baik`).
    pub min_rating: SkpRating,
    /// How many calendar years old the latest SKP rating may be (`max_rating_age_years`; unset:
    /// any age). With 1, for an evaluation in 2027 the latest rating must be from 2026 or 2027;
    /// with none that recent the rating gate fails.
    pub max_rating_age_years: Option<u16>,
    /// Most unexcused absence days allowed in 12 months (`max_unexcused_absence_days`, default 2).
    pub max_unexcused_absence_days: u32,
    /// Days taken off the previous grant after a missed KPI (`kpi_miss_reduction_days`, default 1).
    pub kpi_miss_reduction_days: u8,
    /// Whether the position must be one the region's catalogue marks as qualifying
    /// (`position_gate`, default false: a region without a catalogue decides as before).
    pub position_gate: bool,
}

impl BaselineParams {
    /// [`BaselineParams::from_params`], read once per configuration inside a plugin: a warm
    /// instance decides many applications under the parameters `configure` gave it, and
    /// looking every one of them up by name again cost a quarter of a decision (profiled). Off
    /// the sandbox (native tests, the host) it reads them every time.
    pub fn of(params: &Params) -> Result<BaselineParams, PolicyError> {
        #[cfg(target_arch = "wasm32")]
        if let Some(generation) = crate::guest::configuration_of(params) {
            thread_local! {
                static READ: std::cell::Cell<Option<(u64, BaselineParams)>> = const { std::cell::Cell::new(None) };
            }
            if let Some((read_in, read)) = READ.get()
                && read_in == generation
            {
                return Ok(read);
            }
            let read = Self::from_params(params)?;
            READ.set(Some((generation, read)));
            return Ok(read);
        }
        Self::from_params(params)
    }

    /// Read and range-check the baseline parameters.
    pub fn from_params(params: &Params) -> Result<BaselineParams, PolicyError> {
        let min_rating = params.text_or("min_rating", "baik")?;
        Ok(BaselineParams {
            max_remote_days: params.integer_or("max_remote_days", 4, 0..=5)? as u8,
            min_service_months: params.integer_or("min_service_months", 12, 0..=600)? as u32,
            penalty_lookback_months: params.integer_or("penalty_lookback_months", 12, 0..=120)? as u32,
            light_penalty_lookback_months: params.integer_or("light_penalty_lookback_months", 0, 0..=120)? as u32,
            max_rating_age_years: match params.get("max_rating_age_years") {
                None => None,
                Some(_) => Some(params.integer_or("max_rating_age_years", 0, 0..=50)? as u16),
            },
            min_rating: SkpRating::from_code(min_rating).ok_or_else(|| {
                PolicyError::new(
                    "BAD_PARAMETER",
                    format!("parameter `min_rating` = `{min_rating}` is not a rating code"),
                )
            })?,
            max_unexcused_absence_days: params.integer_or("max_unexcused_absence_days", 2, 0..=365)? as u32,
            kpi_miss_reduction_days: params.integer_or("kpi_miss_reduction_days", 1, 0..=5)? as u8,
            position_gate: params.flag_or("position_gate", false)?,
        })
    }
}

/// Whether an assessment builds the bilingual reasons ([`Mode::Explain`], for `evaluate`) or
/// only records which gates failed ([`Mode::Decide`], for `decide`: the same outcome, several
/// times cheaper, because formatting messages is most of an evaluation's work).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Build every reason with its messages and remedy.
    Explain,
    /// Record only the codes of failed gates.
    Decide,
}

/// A decision being built: gates so far, the pattern ceiling, approvals and priority.
///
/// One code path serves both `evaluate` and `decide`: add gates with [`Assessment::gate`]
/// (the message is built only when explaining), then close with [`Assessment::finish`] or
/// [`Assessment::verdict`].
#[derive(Clone, Debug, PartialEq)]
pub struct Assessment {
    /// Explaining or only deciding.
    pub mode: Mode,
    /// Gates in the order they were checked (explaining only).
    pub reasons: Vec<Reason>,
    /// Codes of the gates that failed, in order.
    pub failed: Vec<String>,
    /// Largest days anywhere allowed so far (before gates are applied).
    pub max_remote_days: u8,
    /// Requested days anywhere.
    pub requested_remote_days: u8,
    /// Approvals required.
    pub approvals_required: Vec<Approver>,
    /// Quota priority.
    pub priority: i32,
}

impl Assessment {
    /// An assessment with no gate yet.
    pub fn new(mode: Mode, max_remote_days: u8, requested_remote_days: u8, priority: i32) -> Assessment {
        Assessment {
            mode,
            reasons: Vec::with_capacity(if mode == Mode::Explain { 12 } else { 0 }),
            failed: Vec::new(),
            max_remote_days,
            requested_remote_days,
            approvals_required: Vec::new(),
            priority,
        }
    }

    /// Lower the ceiling to `days` (never raises it).
    pub fn cap(&mut self, days: u8) {
        self.max_remote_days = self.max_remote_days.min(days);
    }

    /// Require one more approval (once).
    pub fn require(&mut self, approver: Approver) {
        if !self.approvals_required.contains(&approver) {
            self.approvals_required.push(approver);
        }
    }

    /// Add a gate that `passed` or not; `explain` builds its reason, and is called only when
    /// explaining. The reason's code and outcome must be `code` and `passed`.
    pub fn gate(&mut self, code: &str, passed: bool, explain: impl FnOnce() -> Reason) {
        match self.mode {
            Mode::Explain => {
                let reason = explain();
                debug_assert!(reason.code == code && reason.passed == passed, "{reason:?}");
                self.push(reason);
            }
            Mode::Decide if !passed => self.failed.push(code.to_owned()),
            Mode::Decide => {}
        }
    }

    /// Add a gate whose reason is already built (it counts in both modes).
    pub fn push(&mut self, reason: Reason) {
        if !reason.passed {
            self.failed.push(reason.code.clone());
        }
        if self.mode == Mode::Explain {
            self.reasons.push(reason);
        }
    }

    /// True when no gate failed so far.
    pub fn passing(&self) -> bool {
        self.failed.is_empty()
    }

    /// Close the decision: eligible when every gate passed; an ineligible decision allows 0 days.
    /// Appends the informative `PATTERN` reason. (In [`Mode::Decide`] there are no reasons: use
    /// [`Assessment::verdict`].)
    pub fn finish(mut self) -> Eligibility {
        let eligible = self.passing();
        let max_remote_days = if eligible { self.max_remote_days } else { 0 };
        if eligible {
            let (allowed, requested) = (pattern(max_remote_days), pattern(self.requested_remote_days));
            self.reasons.push(if self.requested_remote_days > max_remote_days {
                Reason::pass(
                    codes::PATTERN,
                    format!("Pola yang diminta {requested} melebihi batas; paling banyak {allowed} dapat diberikan"),
                    format!("Requested pattern {requested} exceeds the limit; at most {allowed} can be granted"),
                )
            } else {
                Reason::pass(
                    codes::PATTERN,
                    format!("Pola yang diminta {requested} dalam batas {allowed}"),
                    format!("Requested pattern {requested} is within the limit {allowed}"),
                )
            });
        }
        Eligibility {
            eligible,
            max_remote_days,
            approvals_required: self.approvals_required,
            priority: self.priority,
            reasons: self.reasons,
        }
    }

    /// Close the decision as a [`Verdict`]: the same outcome as [`Assessment::finish`], in
    /// either mode.
    pub fn verdict(self) -> Verdict {
        let eligible = self.passing();
        Verdict {
            eligible,
            max_remote_days: if eligible { self.max_remote_days } else { 0 },
            approvals_required: self.approvals_required,
            priority: self.priority,
            failed: self.failed,
        }
    }
}

/// Whether the role has no direct face-to-face public service.
pub fn public_service_passes(employee: &Employee) -> bool {
    !(employee.public_service || employee.task_category == TaskCategory::PublicService)
}

/// No direct face-to-face public service.
pub fn public_service_gate(employee: &Employee) -> Reason {
    if !public_service_passes(employee) {
        Reason::fail(
            codes::PUBLIC_SERVICE,
            "Jabatan melayani publik secara langsung (tatap muka)",
            "The role serves the public face to face",
        )
        .remedy(
            "Hanya jabatan tanpa layanan publik langsung yang dapat bekerja dari mana saja",
            "Only roles without direct public service can work from anywhere",
        )
    } else {
        Reason::pass(
            codes::PUBLIC_SERVICE,
            "Jabatan tanpa layanan publik langsung",
            "Role has no direct public service",
        )
    }
}

/// Whether the employee is not a candidate civil servant.
pub fn employment_type_passes(employee: &Employee) -> bool {
    employee.employment_type != EmploymentType::Cpns
}

/// Not a candidate civil servant.
pub fn employment_type_gate(employee: &Employee) -> Reason {
    if !employment_type_passes(employee) {
        Reason::fail(
            codes::EMPLOYMENT_TYPE,
            "Masih berstatus CPNS",
            "Still a candidate civil servant (CPNS)",
        )
        .remedy(
            "Dapat mengajukan setelah diangkat menjadi PNS",
            "May apply after appointment as PNS",
        )
    } else {
        Reason::pass(
            codes::EMPLOYMENT_TYPE,
            "Status kepegawaian memenuhi syarat",
            "Employment type qualifies",
        )
    }
}

/// Whether the employee has served at least `min_service_months`.
pub fn service_length_passes(employee: &Employee, p: &BaselineParams) -> bool {
    employee.service_months >= p.min_service_months
}

/// At least `min_service_months` since appointment.
pub fn service_length_gate(employee: &Employee, p: &BaselineParams) -> Reason {
    let (months, min) = (employee.service_months, p.min_service_months);
    if service_length_passes(employee, p) {
        Reason::pass(
            codes::SERVICE_LENGTH,
            format!("Masa kerja {months} bulan (minimal {min})"),
            format!("{months} months of service (minimum {min})"),
        )
    } else {
        let wait = min - months;
        Reason::fail(
            codes::SERVICE_LENGTH,
            format!("Masa kerja {months} bulan, kurang dari {min} bulan"),
            format!("{months} months of service, fewer than {min}"),
        )
        .remedy(
            format!("Memenuhi syarat setelah {wait} bulan lagi"),
            format!("Qualifies after {wait} more months"),
        )
    }
}

/// The penalty that disqualifies (active, or moderate/severe within the look-back window) and
/// the date from which the employee qualifies again, if known.
fn disqualifying_penalty<'e>(
    employee: &'e Employee,
    today: Date,
    p: &BaselineParams,
) -> Option<(&'e Penalty, Option<Date>)> {
    let window_start = today.minus_months(p.penalty_lookback_months);
    let light_window_start = today.minus_months(p.light_penalty_lookback_months);
    let mut clear_from: Option<Date> = None;
    let mut found = None;
    for penalty in employee.penalties.iter().filter(|pen| pen.start <= today) {
        let serious = penalty.level != PenaltyLevel::Light;
        let active = match penalty.end {
            Some(end) => end >= today,
            None => serious,
        };
        // A light penalty counts from its end, or from its start when it has none.
        let last_day = penalty.end.unwrap_or(penalty.start);
        let recent = if serious {
            penalty.end.is_none_or(|end| end >= window_start)
        } else {
            p.light_penalty_lookback_months > 0 && last_day >= light_window_start
        };
        if active || recent {
            found = Some(penalty);
            let until = match penalty.end {
                Some(end) if serious => Some(end.plus_months(p.penalty_lookback_months).next_day()),
                None if serious => None,
                _ if p.light_penalty_lookback_months > 0 => {
                    Some(last_day.plus_months(p.light_penalty_lookback_months).next_day())
                }
                Some(end) => Some(end.next_day()),
                None => None,
            };
            clear_from = match (clear_from, until) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (None, b) => b,
                (a, None) => a,
            };
        }
    }
    found.map(|penalty| (penalty, clear_from))
}

/// Whether no penalty is active, none moderate or severe fell within the look-back window, and
/// none light within the light-penalty look-back window.
pub fn discipline_passes(employee: &Employee, today: Date, p: &BaselineParams) -> bool {
    disqualifying_penalty(employee, today, p).is_none()
}

/// No active penalty, no moderate or severe penalty within the look-back window, and no light
/// penalty within the light-penalty look-back window.
pub fn discipline_gate(employee: &Employee, today: Date, p: &BaselineParams) -> Reason {
    match disqualifying_penalty(employee, today, p) {
        None if p.light_penalty_lookback_months > 0 => Reason::pass(
            codes::DISCIPLINE,
            format!(
                "Tidak ada hukuman disiplin aktif, sedang/berat dalam {} bulan terakhir, atau ringan dalam {} bulan terakhir",
                p.penalty_lookback_months, p.light_penalty_lookback_months
            ),
            format!(
                "No active penalty, no moderate or severe penalty in the last {} months and no light one in the last {} months",
                p.penalty_lookback_months, p.light_penalty_lookback_months
            ),
        ),
        None => Reason::pass(
            codes::DISCIPLINE,
            format!(
                "Tidak ada hukuman disiplin aktif atau sedang/berat dalam {} bulan terakhir",
                p.penalty_lookback_months
            ),
            format!(
                "No active penalty and no moderate or severe penalty in the last {} months",
                p.penalty_lookback_months
            ),
        ),
        Some((penalty, clear_from)) => {
            let level = match penalty.level {
                PenaltyLevel::Light => ("ringan", "light"),
                PenaltyLevel::Moderate => ("sedang", "moderate"),
                PenaltyLevel::Severe => ("berat", "severe"),
            };
            let reason = Reason::fail(
                codes::DISCIPLINE,
                format!("Hukuman disiplin {} sejak {}", level.0, penalty.start),
                format!("{} disciplinary penalty since {}", capitalise(level.1), penalty.start),
            );
            match clear_from {
                Some(date) => reason.remedy(
                    format!("Memenuhi syarat mulai {date} bila tidak ada hukuman baru"),
                    format!("Qualifies from {date} if no new penalty is imposed"),
                ),
                None => reason.remedy(
                    "Memenuhi syarat setelah hukuman berakhir dan masa tunggu terlewati",
                    "Qualifies once the penalty ends and the waiting period has passed",
                ),
            }
        }
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// The latest SKP rating, if it is recent enough (`max_rating_age_years`).
fn recent_assessment<'e>(employee: &'e Employee, today: Date, p: &BaselineParams) -> Option<&'e SkpAssessment> {
    latest_assessment(&employee.ratings).filter(|a| p.max_rating_age_years.is_none_or(|age| a.year + age >= today.year))
}

/// Whether the latest SKP rating is recent enough and at least `min_rating`.
pub fn rating_passes(employee: &Employee, today: Date, p: &BaselineParams) -> bool {
    recent_assessment(employee, today, p)
        .is_some_and(|a| skp_rating(a.work_result, a.work_behaviour).at_least(p.min_rating))
}

/// Latest SKP rating recent enough (`max_rating_age_years`) and at least `min_rating`.
pub fn rating_gate(employee: &Employee, today: Date, p: &BaselineParams) -> Reason {
    let min = p.min_rating.label();
    let latest = latest_assessment(&employee.ratings);
    match (latest, recent_assessment(employee, today, p)) {
        (None, _) => Reason::fail(
            codes::RATING,
            "Belum ada predikat kinerja SKP",
            "No SKP performance rating on record",
        )
        .remedy(
            format!("Perlu predikat minimal {min}"),
            format!("Needs a rating of at least {min}"),
        ),
        (Some(old), None) => {
            let since = today.year.saturating_sub(p.max_rating_age_years.unwrap_or(0));
            Reason::fail(
                codes::RATING,
                format!(
                    "Predikat kinerja terakhir dari {}, belum ada penilaian {since} atau sesudahnya",
                    old.year
                ),
                format!(
                    "Latest performance rating is from {}; none from {since} or later",
                    old.year
                ),
            )
            .remedy(
                format!("Perlu penilaian SKP {since} atau sesudahnya dengan predikat minimal {min}"),
                format!("Needs an SKP assessment from {since} or later rated at least {min}"),
            )
        }
        (Some(_), Some(a)) => {
            let rating = skp_rating(a.work_result, a.work_behaviour);
            let label = rating.label();
            if rating.at_least(p.min_rating) {
                Reason::pass(
                    codes::RATING,
                    format!("Predikat kinerja {} {label} (minimal {min})", a.year),
                    format!("{} performance rating {label} (minimum {min})", a.year),
                )
            } else {
                Reason::fail(
                    codes::RATING,
                    format!("Predikat kinerja {} {label}, di bawah {min}", a.year),
                    format!("{} performance rating {label}, below {min}", a.year),
                )
                .remedy(
                    format!("Perlu predikat minimal {min} pada penilaian berikutnya"),
                    format!("Needs a rating of at least {min} in the next assessment"),
                )
            }
        }
    }
}

/// Whether unexcused absences in 12 months are at most `max_unexcused_absence_days`.
pub fn absence_passes(employee: &Employee, p: &BaselineParams) -> bool {
    employee.unexcused_absence_days <= p.max_unexcused_absence_days
}

/// At most `max_unexcused_absence_days` in 12 months.
pub fn absence_gate(employee: &Employee, p: &BaselineParams) -> Reason {
    let (days, max) = (employee.unexcused_absence_days, p.max_unexcused_absence_days);
    if absence_passes(employee, p) {
        Reason::pass(
            codes::ABSENCE,
            format!("{days} hari alpa dalam 12 bulan (maksimal {max})"),
            format!("{days} unexcused absence days in 12 months (maximum {max})"),
        )
    } else {
        Reason::fail(
            codes::ABSENCE,
            format!("{days} hari alpa dalam 12 bulan, lebih dari {max}"),
            format!("{days} unexcused absence days in 12 months, more than {max}"),
        )
        .remedy(
            format!("Paling banyak {max} hari alpa dalam 12 bulan terakhir"),
            format!("No more than {max} unexcused absence days over the last 12 months"),
        )
    }
}

/// Whether the KPI target is above the baseline (both finite).
pub fn kpi_target_passes(application: &Application) -> bool {
    let (base, target) = (application.kpi_baseline, application.kpi_target);
    target.is_finite() && base.is_finite() && target > base
}

/// The KPI target must be above the baseline.
pub fn kpi_target_gate(application: &Application) -> Reason {
    let (base, target) = (application.kpi_baseline, application.kpi_target);
    if kpi_target_passes(application) {
        Reason::pass(
            codes::KPI_TARGET,
            format!("Target IKU {target} di atas baseline {base}"),
            format!("KPI target {target} is above the baseline {base}"),
        )
    } else {
        Reason::fail(
            codes::KPI_TARGET,
            format!("Target IKU {target} tidak di atas baseline {base}"),
            format!("KPI target {target} is not above the baseline {base}"),
        )
        .remedy(
            format!("Tetapkan target IKU lebih dari {base}"),
            format!("Set a KPI target higher than {base}"),
        )
    }
}

/// Whether `approver` has not rejected the application (pending counts as passing).
pub fn approval_passes(application: &Application, approver: Approver) -> bool {
    application.approval_by(approver) != Some(false)
}

/// An approval by `approver`: fails only when that approver rejected; pending passes (the
/// application then waits for it before allocation).
pub fn approval_gate(application: &Application, approver: Approver, code: &str) -> Reason {
    let (id, en) = match approver {
        Approver::Supervisor => ("atasan langsung", "direct supervisor"),
        Approver::HeadOfAgency => ("kepala perangkat daerah", "head of agency"),
    };
    match application.approval_by(approver) {
        Some(true) => Reason::pass(code, format!("Disetujui {id}"), format!("Approved by the {en}")),
        None => Reason::pass(
            code,
            format!("Menunggu persetujuan {id}"),
            format!("Awaiting approval by the {en}"),
        ),
        Some(false) => Reason::fail(code, format!("Ditolak {id}"), format!("Rejected by the {en}")).remedy(
            format!("Ajukan kembali dengan rencana kerja yang disepakati {id}"),
            format!("Apply again with a work plan agreed with the {en}"),
        ),
    }
}

/// Days anywhere by talent box: 9 → 4, 7–8 → 3, 4–6 → 1, otherwise 0.
pub fn remote_days_for_box(talent_box: u8) -> u8 {
    match talent_box {
        9 => 4,
        7 | 8 => 3,
        4..=6 => 1,
        _ => 0,
    }
}

/// The employee's talent box (performance read from the latest rating; none counts as below).
pub fn employee_talent_box(employee: &Employee) -> u8 {
    let performance = latest_assessment(&employee.ratings)
        .map(|a| performance_level(skp_rating(a.work_result, a.work_behaviour)))
        .unwrap_or(Expectation::Below);
    talent_box(performance, employee.potential)
}

/// The talent-box gate: fails when the box allows no day anywhere.
pub fn talent_box_gate(talent_box: u8) -> Reason {
    let days = remote_days_for_box(talent_box);
    let allowed = pattern(days);
    if days > 0 {
        Reason::pass(
            codes::TALENT_BOX,
            format!("Kotak talenta {talent_box}: pola hingga {allowed}"),
            format!("Talent box {talent_box}: pattern up to {allowed}"),
        )
    } else {
        Reason::fail(
            codes::TALENT_BOX,
            format!("Kotak talenta {talent_box}: hanya bekerja di kantor ({allowed})"),
            format!("Talent box {talent_box}: office only ({allowed})"),
        )
        .remedy(
            "Perlu kotak talenta 4 atau lebih tinggi",
            "Needs talent box 4 or higher",
        )
    }
}

/// The ceiling the previous quarter's review puts on the pattern: `None` without a review, 5
/// after an achieved KPI, the previous grant less `kpi_miss_reduction_days` after a miss.
pub fn previous_review_ceiling(employee: &Employee, p: &BaselineParams) -> Option<u8> {
    let review = employee.previous_review?;
    Some(if review.kpi_achieved {
        5
    } else {
        review.granted_remote_days.saturating_sub(p.kpi_miss_reduction_days)
    })
}

/// After a missed KPI the next pattern is the previous grant less `kpi_miss_reduction_days`;
/// returns the reason and the resulting ceiling.
pub fn previous_review_gate(employee: &Employee, p: &BaselineParams) -> Option<(Reason, u8)> {
    let review = employee.previous_review?;
    let q = review.quarter;
    if review.kpi_achieved {
        return Some((
            Reason::pass(
                codes::PREVIOUS_REVIEW,
                format!("Target IKU triwulan {q} tercapai"),
                format!("KPI target of {q} achieved"),
            ),
            5,
        ));
    }
    let ceiling = review.granted_remote_days.saturating_sub(p.kpi_miss_reduction_days);
    let reason = Reason::check(
        codes::PREVIOUS_REVIEW,
        ceiling > 0,
        format!(
            "Target IKU triwulan {q} tidak tercapai: pola diturunkan menjadi paling banyak {}",
            pattern(ceiling)
        ),
        format!(
            "KPI target of {q} missed: pattern lowered to at most {}",
            pattern(ceiling)
        ),
    )
    .remedy(
        "Capai target IKU pada triwulan berjalan untuk mengajukan kembali",
        "Reach the KPI target in the current quarter to apply again",
    );
    Some((reason, ceiling))
}

/// Every baseline gate for one application, in the province's order, with its reasons.
pub fn baseline_assessment(
    employee: &Employee,
    application: &Application,
    params: &Params,
    today: Date,
) -> Result<Assessment, PolicyError> {
    assess_baseline(employee, application, params, today, Mode::Explain)
}

/// Every baseline gate for one application, in the province's order, explained or not.
pub fn assess_baseline(
    employee: &Employee,
    application: &Application,
    params: &Params,
    today: Date,
    mode: Mode,
) -> Result<Assessment, PolicyError> {
    let p = BaselineParams::of(params)?;
    if application.requested_remote_days > 5 {
        return Err(PolicyError::new(
            "BAD_INPUT",
            format!(
                "requested {} days anywhere; a week has 5 working days",
                application.requested_remote_days
            ),
        ));
    }
    let talent = employee_talent_box(employee);
    let mut a = Assessment::new(
        mode,
        remote_days_for_box(talent).min(p.max_remote_days),
        application.requested_remote_days,
        talent as i32 * 1000 + employee.service_months.min(999) as i32,
    );
    a.require(Approver::Supervisor);
    a.gate(codes::PUBLIC_SERVICE, public_service_passes(employee), || {
        public_service_gate(employee)
    });
    if p.position_gate {
        a.gate(codes::POSITION, position_passes(employee), || position_gate(employee));
    }
    a.gate(codes::EMPLOYMENT_TYPE, employment_type_passes(employee), || {
        employment_type_gate(employee)
    });
    a.gate(codes::SERVICE_LENGTH, service_length_passes(employee, &p), || {
        service_length_gate(employee, &p)
    });
    a.gate(codes::DISCIPLINE, discipline_passes(employee, today, &p), || {
        discipline_gate(employee, today, &p)
    });
    a.gate(codes::RATING, rating_passes(employee, today, &p), || {
        rating_gate(employee, today, &p)
    });
    a.gate(codes::ABSENCE, absence_passes(employee, &p), || {
        absence_gate(employee, &p)
    });
    a.gate(codes::KPI_TARGET, kpi_target_passes(application), || {
        kpi_target_gate(application)
    });
    a.gate(
        codes::SUPERVISOR_APPROVAL,
        approval_passes(application, Approver::Supervisor),
        || approval_gate(application, Approver::Supervisor, codes::SUPERVISOR_APPROVAL),
    );
    a.gate(codes::TALENT_BOX, remote_days_for_box(talent) > 0, || {
        talent_box_gate(talent)
    });
    if let Some(ceiling) = previous_review_ceiling(employee, &p) {
        a.cap(ceiling);
        a.gate(codes::PREVIOUS_REVIEW, ceiling > 0, || {
            previous_review_gate(employee, &p)
                .expect("a ceiling implies a review")
                .0
        });
    }
    Ok(a)
}

/// The province baseline outcome without its messages (what `decide` answers).
pub fn decide_baseline(
    employee: &Employee,
    application: &Application,
    params: &Params,
    today: Date,
) -> Result<Verdict, PolicyError> {
    Ok(assess_baseline(employee, application, params, today, Mode::Decide)?.verdict())
}

/// The province baseline decision.
pub fn evaluate_baseline(
    employee: &Employee,
    application: &Application,
    params: &Params,
    today: Date,
) -> Result<Eligibility, PolicyError> {
    Ok(baseline_assessment(employee, application, params, today)?.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::ParamValue;
    use crate::testing;

    fn failed(employee: &Employee, params: &Params) -> Vec<String> {
        let application = testing::application();
        let explained = evaluate_baseline(employee, &application, params, testing::today()).unwrap();
        let decided = decide_baseline(employee, &application, params, testing::today()).unwrap();
        assert_eq!(decided, Verdict::from(&explained), "decide agrees with evaluate");
        decided.failed
    }

    fn light_reprimand(start: Date) -> Employee {
        let mut e = testing::employee();
        e.penalties.push(Penalty {
            level: PenaltyLevel::Light,
            start,
            end: None,
        });
        e
    }

    #[test]
    fn light_penalties_count_for_their_look_back_window() {
        let six = Params::default().with("light_penalty_lookback_months", ParamValue::Integer(6));
        let last_month = light_reprimand(Date::new(2026, 12, 1).unwrap());
        assert_eq!(failed(&last_month, &six), ["DISCIPLINE"]);
        // The window is counted from the start: 2026-07-04 is 6 months before 2027-01-04.
        assert_eq!(
            failed(&light_reprimand(Date::new(2026, 7, 4).unwrap()), &six),
            ["DISCIPLINE"]
        );
        assert!(failed(&light_reprimand(Date::new(2026, 7, 3).unwrap()), &six).is_empty());
        // Unset: a light penalty without an end date does not count (the earlier behaviour).
        assert!(failed(&last_month, &Params::default()).is_empty());
        let reason = discipline_gate(
            &last_month,
            testing::today(),
            &BaselineParams::from_params(&six).unwrap(),
        );
        assert_eq!(
            reason.remedy.unwrap().en,
            "Qualifies from 2027-06-02 if no new penalty is imposed"
        );
    }

    #[test]
    fn the_latest_rating_must_be_recent_when_the_region_says_so() {
        let one = Params::default().with("max_rating_age_years", ParamValue::Integer(1));
        let mut old = testing::employee();
        old.ratings[0].year = 2025;
        assert_eq!(failed(&old, &one), ["RATING"]);
        assert!(failed(&old, &Params::default()).is_empty(), "unset: any age");
        assert!(
            failed(&testing::employee(), &one).is_empty(),
            "2026 is recent enough for 2027"
        );
        let reason = rating_gate(&old, testing::today(), &BaselineParams::from_params(&one).unwrap());
        assert!(!reason.passed);
        assert_eq!(
            reason.message.en,
            "Latest performance rating is from 2025; none from 2026 or later"
        );
        assert!(reason.remedy.unwrap().en.contains("2026 or later"));
        let zero = Params::default().with("max_rating_age_years", ParamValue::Integer(0));
        assert_eq!(
            failed(&testing::employee(), &zero),
            ["RATING"],
            "0: this year's rating only"
        );
        let bad = Params::default().with("max_rating_age_years", ParamValue::Integer(-1));
        assert!(BaselineParams::from_params(&bad).is_err());
    }
}
