//! A decision in plain words for the pages: the answer to "may I work from anywhere next
//! quarter?", every reason in the page's language, and for each failed gate what would change
//! it; and an application's state as a person reads it.

use super::format;
use super::i18n::{Lang, Text};
use dwa_sdk::{Approval, Approver, Eligibility, LocationKind, Quarter};
use dwa_workflow::{ApplicationState, ApplicationStatus};

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
    /// An approval gate whose approval has not been given yet: shown as waiting, not passed.
    pub pending: bool,
}

/// A decision as shown.
pub struct AnswerView {
    /// The headline's colour: `good`, `wait` or `bad`.
    pub tone: &'static str,
    /// `Ya.` / `Belum.`
    pub verdict: &'static str,
    /// The answer in a sentence.
    pub headline: String,
    /// Failed gates first, then the passed ones.
    pub reasons: Vec<ReasonView>,
}

/// Put an evaluation's outcome in words, to the employee ("Anda dapat …").
pub fn answer(eligibility: &Eligibility, quarter: Quarter, lang: Lang) -> AnswerView {
    answer_about(eligibility, quarter, lang, None)
}

/// Put an evaluation's outcome in words: to the employee (`who` = `None`: "Anda dapat …"), or
/// about them to their supervisor or HR (`Some(name)`: "Siti Aminah dapat …").
pub fn answer_about(eligibility: &Eligibility, quarter: Quarter, lang: Lang, who: Option<&str>) -> AnswerView {
    let t = lang.text();
    let q = format::quarter(quarter, lang);
    let days = eligibility.max_remote_days;
    let failed = eligibility.reasons.iter().filter(|r| !r.passed).count();
    let conditions = super::i18n::count(failed as u64, "condition", "conditions", "syarat", lang);
    let pattern = format::pattern_explained(days, lang);
    let office = format::pattern_explained(0, lang);
    let headline = match (eligibility.eligible, lang, who) {
        (true, Lang::Id, who) => format!(
            "{} dapat bekerja dari mana saja hingga {days} hari per minggu ({pattern}) pada {q}.",
            who.unwrap_or("Anda")
        ),
        (true, Lang::En, who) => format!(
            "{} may work from anywhere up to {} ({pattern}) in {q}.",
            who.unwrap_or("You"),
            super::i18n::days_a_week(days, lang),
        ),
        (false, Lang::Id, who) => format!(
            "Untuk {q} {} bekerja di kantor ({office}): {conditions} belum terpenuhi.",
            who.unwrap_or("Anda")
        ),
        (false, Lang::En, None) => format!("For {q} you work in the office ({office}): {conditions} not met."),
        (false, Lang::En, Some(name)) => {
            format!("For {q} {name} works in the office ({office}): {conditions} not met.")
        }
    };
    let mut reasons: Vec<ReasonView> = eligibility
        .reasons
        .iter()
        .map(|r| ReasonView {
            code: r.code.clone(),
            passed: r.passed,
            message: lang.pick(&r.message),
            pending: false,
            remedy: r.remedy.as_ref().filter(|_| !r.passed).map(|m| lang.pick(m)),
        })
        .collect();
    reasons.sort_by_key(|r| r.passed);
    AnswerView {
        tone: if eligibility.eligible { "good" } else { "bad" },
        verdict: if eligibility.eligible {
            t.answer_yes
        } else {
            t.answer_not_yet
        },
        headline,
        reasons,
    }
}

/// The answer about a submitted application, as its state stands: the headline says what the
/// employee has (days granted, a place on the waitlist, an approval awaited, …), never "yes"
/// before the days are granted, and an approval gate whose approval is still awaited is shown
/// waiting, not passed.
pub fn application_answer(
    eligibility: &Eligibility,
    status: &ApplicationStatus,
    approvals: &[Approval],
    quarter: Quarter,
    lang: Lang,
) -> AnswerView {
    use ApplicationState::*;
    let t = lang.text();
    let mut view = answer(eligibility, quarter, lang);
    let given = |who: Approver| approvals.iter().any(|a| a.approver == who && a.approved);
    let awaiting = matches!(status.state, AwaitingSupervisor | AwaitingHeadOfAgency);
    for r in view
        .reasons
        .iter_mut()
        .filter(|r| r.passed && r.code.ends_with("_APPROVAL"))
    {
        r.pending = if r.code.starts_with("SUPERVISOR") {
            !given(Approver::Supervisor)
        } else if r.code.starts_with("HEAD_OF_AGENCY") {
            !given(Approver::HeadOfAgency)
        } else {
            awaiting
        };
    }
    // Waiting gates sort between the failed and the passed ones.
    view.reasons.sort_by_key(|r| (r.passed, !r.pending));
    let q = format::quarter(quarter, lang);
    let days = eligibility.max_remote_days;
    let id = lang == Lang::Id;
    let (verdict, tone, headline) = match status.state {
        Granted => {
            let granted = status.remote_days.unwrap_or(0);
            let weekdays: Vec<&str> = status
                .weekdays
                .iter()
                .flatten()
                .map(|w| format::weekday(*w, lang))
                .collect();
            let headline = if id {
                format!(
                    "Anda bekerja dari mana saja {granted} hari per minggu ({}) pada {q}.",
                    weekdays.join(", ")
                )
            } else {
                format!(
                    "You work from anywhere {} ({}) in {q}.",
                    super::i18n::days_a_week(granted, lang),
                    weekdays.join(", ")
                )
            };
            (t.answer_yes, "good", headline)
        }
        Waitlisted => {
            let why = status
                .allocation_reasons
                .first()
                .map(|r| format!(" {}", lang.pick(&r.message)))
                .unwrap_or_default();
            let headline = if id {
                format!(
                    "Anda memenuhi syarat dan disetujui, tetapi kuota unit pada {q} sedang penuh: Anda di daftar                      tunggu dan mendapat hari begitu ada yang dilepas.{why}"
                )
            } else {
                format!(
                    "You are eligible and approved, but the unit's quota for {q} is full: you are on the waitlist                      and get days as soon as some are released.{why}"
                )
            };
            (t.answer_not_yet, "wait", headline)
        }
        AwaitingSupervisor | AwaitingHeadOfAgency => {
            let who = if status.state == AwaitingSupervisor {
                t.st_awaiting_supervisor
            } else {
                t.st_awaiting_head
            };
            let headline = if id {
                format!("Anda memenuhi syarat hingga {days} hari per minggu pada {q}. {who}.")
            } else {
                format!(
                    "You are eligible for up to {} in {q}. {who}.",
                    super::i18n::days_a_week(days, lang)
                )
            };
            (t.answer_waiting, "wait", headline)
        }
        Approved => {
            let headline = if id {
                format!("Pengajuan Anda disetujui dan menunggu alokasi unit untuk {q}.")
            } else {
                format!("Your application is approved and waits for the unit's allocation for {q}.")
            };
            (t.answer_waiting, "wait", headline)
        }
        Rejected => {
            let headline = if id {
                format!("Pengajuan Anda untuk {q} ditolak oleh atasan; catatannya ada di bawah.")
            } else {
                format!("Your application for {q} was rejected by the approver; the note is below.")
            };
            (t.answer_no, "bad", headline)
        }
        SetAside => {
            let headline = if id {
                format!(
                    "Aturan wilayah gagal memproses pengajuan Anda pada alokasi {q}; bagian kepegawaian melihatnya,                      dan pengajuan diproses lagi pada perubahan berikutnya di unit Anda."
                )
            } else {
                format!(
                    "The region's rules failed on your application in the allocation for {q}; HR can see it, and it                      is processed again at your unit's next change."
                )
            };
            (t.answer_waiting, "bad", headline)
        }
        NotEligible | Withdrawn => return view,
    };
    view.verdict = verdict;
    view.tone = tone;
    view.headline = headline;
    view
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
        ApplicationState::Waitlisted => (t.st_waitlisted, "wait"),
        ApplicationState::SetAside => (t.st_set_aside, "bad"),
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
