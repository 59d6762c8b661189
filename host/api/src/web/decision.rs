//! A decision in plain words for the pages: the answer to "may I work from anywhere next
//! quarter?", every reason in the page's language, and for each failed gate what would change
//! it; and an application's state as a person reads it.

use super::format;
use super::i18n::{Lang, Text};
use dwa_sdk::{Eligibility, LocationKind, Quarter};
use dwa_workflow::ApplicationState;

/// One reason as shown.
pub struct ReasonView {
    /// Stable code, e.g. `RATING`.
    pub code: String,
    /// Whether the gate passed.
    pub passed: bool,
    /// What was checked and found.
    pub message: String,
    /// For a failed gate: what would make it pass.
    pub remedy: Option<String>,
}

/// A decision as shown.
pub struct AnswerView {
    /// Every gate passed.
    pub eligible: bool,
    /// `Ya.` / `Belum.`
    pub verdict: &'static str,
    /// The answer in a sentence.
    pub headline: String,
    /// Failed gates first, then the passed ones.
    pub reasons: Vec<ReasonView>,
}

/// Put an evaluation's outcome in words.
pub fn answer(eligibility: &Eligibility, quarter: Quarter, lang: Lang) -> AnswerView {
    let t = lang.text();
    let q = format::quarter(quarter, lang);
    let days = eligibility.max_remote_days;
    let failed = eligibility.reasons.iter().filter(|r| !r.passed).count();
    let headline = match (eligibility.eligible, lang) {
        (true, Lang::Id) => format!(
            "Anda dapat bekerja dari mana saja hingga {days} hari per minggu (pola {}) pada {q}.",
            format::pattern(days)
        ),
        (true, Lang::En) => format!(
            "You may work from anywhere up to {days} days a week (pattern {}) in {q}.",
            format::pattern(days)
        ),
        (false, Lang::Id) => format!("Untuk {q} Anda bekerja di kantor (pola 0-5): {failed} syarat belum terpenuhi."),
        (false, Lang::En) => format!("For {q} you work in the office (pattern 0-5): {failed} condition(s) not met."),
    };
    let mut reasons: Vec<ReasonView> = eligibility
        .reasons
        .iter()
        .map(|r| ReasonView {
            code: r.code.clone(),
            passed: r.passed,
            message: lang.pick(&r.message),
            remedy: r.remedy.as_ref().filter(|_| !r.passed).map(|m| lang.pick(m)),
        })
        .collect();
    reasons.sort_by_key(|r| r.passed);
    AnswerView {
        eligible: eligibility.eligible,
        verdict: if eligibility.eligible {
            t.answer_yes
        } else {
            t.answer_not_yet
        },
        headline,
        reasons,
    }
}

/// An application's state in words, with a CSS class for its badge.
pub fn state_label(state: ApplicationState, t: &'static Text) -> (&'static str, &'static str) {
    match state {
        ApplicationState::Withdrawn => (t.st_withdrawn, "muted"),
        ApplicationState::NotEligible => (t.st_not_eligible, "bad"),
        ApplicationState::Rejected => (t.st_rejected, "bad"),
        ApplicationState::AwaitingSupervisor => (t.st_awaiting_supervisor, "wait"),
        ApplicationState::AwaitingHeadOfAgency => (t.st_awaiting_head, "wait"),
        ApplicationState::Approved => (t.st_approved, "wait"),
        ApplicationState::Granted => (t.st_granted, "good"),
        ApplicationState::NotGranted => (t.st_not_granted, "bad"),
    }
}

/// The location kinds in form order, with their codes.
pub const LOCATIONS: [(LocationKind, &str); 3] = [
    (LocationKind::RegisteredHome, "registered_home"),
    (LocationKind::OtherOffice, "other_office"),
    (LocationKind::OtherPlaceInProvince, "other_place_in_province"),
];

/// A location kind's label.
pub fn location_label(kind: LocationKind, t: &'static Text) -> &'static str {
    match kind {
        LocationKind::RegisteredHome => t.loc_registered_home,
        LocationKind::OtherOffice => t.loc_other_office,
        LocationKind::OtherPlaceInProvince => t.loc_other_place,
    }
}
