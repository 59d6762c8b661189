//! The plain Rust types of the plugin contract, shared by plugins and the host.
//!
//! They mirror the contract's types (`sdk/wit/v0.3.0/policy.wit`); fields a later contract added
//! have defaults, so older JSON and older plugins keep working. JSON names are snake_case.

use crate::date::{Date, Quarter};
use crate::params::Params;
use serde::{Deserialize, Serialize};

/// Employment type of a civil servant (ASN).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmploymentType {
    /// Permanent civil servant.
    Pns,
    /// Candidate civil servant (probation).
    Cpns,
    /// Contract government employee, full time.
    Pppk,
    /// Contract government employee, part time.
    PppkParuhWaktu,
}

/// Position kind (jenis jabatan).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PositionKind {
    /// JPT utama (highest executive).
    JptUtama,
    /// JPT madya.
    JptMadya,
    /// JPT pratama.
    JptPratama,
    /// Administrator (managerial).
    Administrator,
    /// Pengawas (supervisory).
    Pengawas,
    /// Functional (specialist) position.
    Fungsional,
    /// Executor (general staff).
    Pelaksana,
}

/// The kind of work a role does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskCategory {
    /// Planning.
    Planning,
    /// Finance.
    Finance,
    /// Drafting (konseptor).
    Drafting,
    /// Speech writing.
    SpeechWriting,
    /// Administrative approvals done online.
    OnlineApproval,
    /// Data entry.
    DataEntry,
    /// Data analysis.
    DataAnalysis,
    /// Face-to-face public service.
    PublicService,
    /// Anything else.
    Other,
}

/// Above / meets / below expectation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expectation {
    /// Di atas ekspektasi.
    Above,
    /// Sesuai ekspektasi.
    Meets,
    /// Di bawah ekspektasi.
    Below,
}

/// Potential, the X axis of the talent box.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Potential {
    /// Tinggi.
    High,
    /// Menengah.
    Medium,
    /// Rendah.
    Low,
}

/// One SKP assessment: the rating is derived from the pair by [`crate::talent::skp_rating`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkpAssessment {
    /// Assessment year.
    pub year: u16,
    /// Hasil kerja.
    pub work_result: Expectation,
    /// Perilaku kerja.
    pub work_behaviour: Expectation,
}

/// Disciplinary penalty level (PP 94/2021).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PenaltyLevel {
    /// Ringan.
    Light,
    /// Sedang.
    Moderate,
    /// Berat.
    Severe,
}

/// One disciplinary penalty.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Penalty {
    /// Level.
    pub level: PenaltyLevel,
    /// First day in force.
    pub start: Date,
    /// Last day in force; a light penalty may have none.
    #[serde(default)]
    pub end: Option<Date>,
}

/// The previous quarter's review.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuarterReview {
    /// The reviewed quarter.
    pub quarter: Quarter,
    /// Days anywhere per week granted in it.
    pub granted_remote_days: u8,
    /// Whether the KPI target was reached.
    pub kpi_achieved: bool,
}

/// Where an employee's position stands in the region's catalogue of positions that qualify.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PositionStatus {
    /// The catalogue marks the position as qualifying.
    Eligible,
    /// The catalogue marks it as not qualifying.
    Excluded,
    /// The region is still deciding.
    UnderReview,
    /// Not in the catalogue, or the region keeps none (what the host passes until it does).
    #[default]
    Unlisted,
}

/// One civil servant as the rules see them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Employee {
    /// 18-digit NIP.
    pub nip: String,
    /// Full name.
    pub name: String,
    /// Employment type.
    pub employment_type: EmploymentType,
    /// BPS code of the employing region.
    pub region: String,
    /// Agency (OPD) code.
    pub agency: String,
    /// Unit (unor) code.
    pub unit: String,
    /// Position kind.
    pub position_kind: PositionKind,
    /// Echelon 1..=4 for managerial positions.
    #[serde(default)]
    pub echelon: Option<u8>,
    /// Whether the role serves the public face to face.
    pub public_service: bool,
    /// Kind of work.
    pub task_category: TaskCategory,
    /// Months since CPNS appointment.
    pub service_months: u32,
    /// SKP assessments.
    #[serde(default)]
    pub ratings: Vec<SkpAssessment>,
    /// Talent potential.
    pub potential: Potential,
    /// Disciplinary penalties.
    #[serde(default)]
    pub penalties: Vec<Penalty>,
    /// Unexcused absence days in the 12 months before the evaluation date.
    #[serde(default)]
    pub unexcused_absence_days: u32,
    /// The previous quarter's review.
    #[serde(default)]
    pub previous_review: Option<QuarterReview>,
    /// Position (jabatan) code from the national position reference; empty when unknown.
    #[serde(default)]
    pub position_code: String,
    /// The position's status in the region's catalogue (contract 0.3.0; `Unlisted` before).
    #[serde(default)]
    pub position_status: PositionStatus,
}

/// Where the employee works on days away.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LocationKind {
    /// Another government office.
    OtherOffice,
    /// The registered home address.
    RegisteredHome,
    /// Another place inside the province.
    OtherPlaceInProvince,
}

/// Who may have to approve an application.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Approver {
    /// The direct supervisor (atasan langsung).
    Supervisor,
    /// The head of the agency (kepala OPD).
    HeadOfAgency,
}

/// One approval decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    /// Who decided, by role.
    pub approver: Approver,
    /// NIP of the person who decided.
    pub by_nip: String,
    /// Approved or rejected.
    pub approved: bool,
}

/// An application to work anywhere for one quarter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Application {
    /// Application id.
    pub id: String,
    /// The quarter applied for.
    pub quarter: Quarter,
    /// Requested days anywhere per week.
    pub requested_remote_days: u8,
    /// Where the days away are spent.
    pub location_kind: LocationKind,
    /// The work plan.
    pub work_plan: String,
    /// KPI baseline.
    pub kpi_baseline: f64,
    /// KPI target for the quarter; must exceed the baseline.
    pub kpi_target: f64,
    /// Approvals so far.
    #[serde(default)]
    pub approvals: Vec<Approval>,
}

impl Application {
    /// The recorded decision of `approver`, if any (the latest one wins).
    pub fn approval_by(&self, approver: Approver) -> Option<bool> {
        self.approvals
            .iter()
            .rev()
            .find(|a| a.approver == approver)
            .map(|a| a.approved)
    }
}

/// A text in Bahasa Indonesia and English.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    /// Bahasa Indonesia.
    pub id: String,
    /// English.
    pub en: String,
}

impl Text {
    /// Both languages at once.
    pub fn new(id: impl Into<String>, en: impl Into<String>) -> Text {
        Text {
            id: id.into(),
            en: en.into(),
        }
    }
}

/// One gate or consideration behind a decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    /// Stable code, e.g. `RATING`.
    pub code: String,
    /// Whether the gate passed.
    pub passed: bool,
    /// What was checked and found.
    pub message: Text,
    /// For a failed gate: what would make it pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remedy: Option<Text>,
}

impl Reason {
    /// A passed gate.
    pub fn pass(code: &str, id: impl Into<String>, en: impl Into<String>) -> Reason {
        Reason {
            code: code.to_owned(),
            passed: true,
            message: Text::new(id, en),
            remedy: None,
        }
    }

    /// A failed gate; add what would make it pass with [`Reason::remedy`].
    pub fn fail(code: &str, id: impl Into<String>, en: impl Into<String>) -> Reason {
        Reason {
            code: code.to_owned(),
            passed: false,
            message: Text::new(id, en),
            remedy: None,
        }
    }

    /// Pass or fail by `passed`, same message.
    pub fn check(code: &str, passed: bool, id: impl Into<String>, en: impl Into<String>) -> Reason {
        Reason {
            code: code.to_owned(),
            passed,
            message: Text::new(id, en),
            remedy: None,
        }
    }

    /// Attach what would make a failed gate pass (ignored on a passed gate).
    pub fn remedy(mut self, id: impl Into<String>, en: impl Into<String>) -> Reason {
        if !self.passed {
            self.remedy = Some(Text::new(id, en));
        }
        self
    }
}

/// The result of evaluating one application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Eligibility {
    /// True when every gate passed.
    pub eligible: bool,
    /// Largest days anywhere per week allowed (0 = office only).
    pub max_remote_days: u8,
    /// Approvals needed before allocation.
    pub approvals_required: Vec<Approver>,
    /// Higher is served first when the quota is short.
    pub priority: i32,
    /// Every gate with its outcome.
    pub reasons: Vec<Reason>,
}

impl Eligibility {
    /// Codes of the failed gates, in order.
    pub fn failed_codes(&self) -> Vec<&str> {
        self.reasons
            .iter()
            .filter(|r| !r.passed)
            .map(|r| r.code.as_str())
            .collect()
    }

    /// The reason with `code`, if present.
    pub fn reason(&self, code: &str) -> Option<&Reason> {
        self.reasons.iter().find(|r| r.code == code)
    }
}

/// The outcome of an evaluation without its messages (contract 0.2.0's `verdict`): what
/// allocation, dry runs and national runs need. For the same input it says exactly what
/// [`Eligibility`] says, with the codes of the failed gates instead of the reasons.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// True when every gate passed.
    pub eligible: bool,
    /// Largest days anywhere per week allowed (0 = office only).
    pub max_remote_days: u8,
    /// Approvals needed before allocation.
    pub approvals_required: Vec<Approver>,
    /// Higher is served first when the quota is short.
    pub priority: i32,
    /// Codes of the failed gates, in the order they were checked.
    pub failed: Vec<String>,
}

impl From<&Eligibility> for Verdict {
    fn from(e: &Eligibility) -> Verdict {
        Verdict {
            eligible: e.eligible,
            max_remote_days: e.max_remote_days,
            approvals_required: e.approvals_required.clone(),
            priority: e.priority,
            failed: e.failed_codes().into_iter().map(str::to_owned).collect(),
        }
    }
}

impl From<Eligibility> for Verdict {
    fn from(e: Eligibility) -> Verdict {
        Verdict::from(&e)
    }
}

/// Day of the working week.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Weekday {
    /// Senin.
    Monday,
    /// Selasa.
    Tuesday,
    /// Rabu.
    Wednesday,
    /// Kamis.
    Thursday,
    /// Jumat.
    Friday,
}

impl Weekday {
    /// Monday to Friday, in order.
    pub const ALL: [Weekday; 5] = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
    ];

    /// 0 for Monday … 4 for Friday.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// How a candidate's application for the previous quarter ended.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PreviousOutcome {
    /// No application was allocated in the previous quarter.
    #[default]
    None,
    /// Granted this many days anywhere per week.
    Granted(u8),
    /// Eligible and approved, but granted no day because the unit was full.
    UnitFull,
}

/// One eligible, approved application competing for a unit's quota.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    /// Application id.
    pub application_id: String,
    /// NIP of the applicant.
    pub nip: String,
    /// Requested days anywhere.
    pub requested_remote_days: u8,
    /// Largest days anywhere the evaluation allowed.
    pub max_remote_days: u8,
    /// Priority from the evaluation.
    pub priority: i32,
    /// Months since CPNS appointment (a tie-break: longer service first).
    #[serde(default)]
    pub service_months: u32,
    /// The previous quarter's outcome (the quarterly rotation).
    #[serde(default)]
    pub previous_quarter: PreviousOutcome,
}

/// One unit's quota request for a quarter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllocationRequest {
    /// Unit code.
    pub unit: String,
    /// Quarter.
    pub quarter: Quarter,
    /// Everyone in the unit.
    pub headcount: u32,
    /// Eligible, approved applications.
    pub candidates: Vec<Candidate>,
}

/// The pattern granted to one application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// Application id.
    pub application_id: String,
    /// NIP of the applicant.
    pub nip: String,
    /// Days anywhere per week granted.
    pub remote_days: u8,
    /// The weekdays away, `remote_days` of them.
    pub weekdays: Vec<Weekday>,
    /// Why fewer days were granted than the candidate may have (e.g. `QUOTA_FULL` with the
    /// unit's figures); empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<Reason>,
}

/// Describes a plugin.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginInfo {
    /// BPS code of the region.
    pub region: String,
    /// Human name.
    pub name: String,
    /// Plugin version.
    pub version: String,
    /// Contract version built against.
    pub contract: String,
}

/// A plugin refusing a request it cannot decide.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyError {
    /// Stable code, e.g. `BAD_PARAMETER`.
    pub code: String,
    /// What went wrong.
    pub message: String,
}

impl PolicyError {
    /// A new error.
    pub fn new(code: &str, message: impl Into<String>) -> PolicyError {
        PolicyError {
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for PolicyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for PolicyError {}

/// Everything one evaluation sees.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EvaluationInput {
    /// The employee.
    pub employee: Employee,
    /// The application.
    pub application: Application,
    /// The region's parameters.
    pub params: Params,
    /// The evaluation date.
    pub today: Date,
}
