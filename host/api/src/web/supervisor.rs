//! The supervisor's page: the approval queue (each direct report awaiting this supervisor, with
//! the reasons of their decision), approve or reject with a note, and the team's week — who is
//! in the office each weekday and the daily office share against the region's minimum.

use super::decision::{AnswerView, location_label, state_label};
use super::format;
use super::i18n::Lang;
use super::page::{PageError, Shell, render};
use super::session::WebUser;
use crate::redirect::see_other;
use crate::{ApiError, AppState, Role};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use dwa_sdk::{Approval, Approver, Quarter};
use dwa_workflow::{self as workflow, ApplicationState, TeamMember, reads};
use std::collections::HashMap;

/// One application awaiting this supervisor (as direct supervisor, or as head of the agency).
pub struct QueueItem {
    id: String,
    /// `supervisor` or `head_of_agency`: the approval this item asks for.
    approver: &'static str,
    /// Shown above the item when it asks for the head-of-agency approval.
    as_head: bool,
    reasons_id: String,
    name: String,
    nip: String,
    requested: String,
    location: &'static str,
    kpi: String,
    work_plan: String,
    answer: AnswerView,
}

/// A report's line in the team table.
pub struct MemberRow {
    name: String,
    nip: String,
    state: &'static str,
    state_class: &'static str,
    /// The flag rules activated since put on the member's grant, in words.
    flag: Option<String>,
}

/// One weekday of the team's week.
pub struct WeekRow {
    day: &'static str,
    in_office: Vec<String>,
    away: Vec<String>,
    share: String,
    below: bool,
}

#[derive(Template)]
#[template(path = "supervisor.html")]
struct SupervisorPage {
    shell: Shell,
    quarter: String,
    queue: Vec<QueueItem>,
    team: Vec<MemberRow>,
    week: Vec<WeekRow>,
    minimum: String,
    flash: Option<&'static str>,
}

/// `GET /supervisor`.
pub async fn show(
    State(state): State<AppState>,
    user: WebUser,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    user.require(Role::Supervisor)?;
    let lang = user.lang;
    let t = lang.text();
    let err = |e: ApiError| PageError::from(e).in_lang(lang);
    let nip = user.caller.nip.clone().unwrap_or_default();
    let quarter = state.today().quarter().next();
    let members = reads::team(&state.store, &nip, quarter)
        .await
        .map_err(|e| err(e.into()))?;
    let mut queue = Vec::new();
    let mut team = Vec::new();
    let mut places = Vec::new();
    for member in &members {
        let (label, class, flag) = match &member.application_id {
            None => ("—", "muted", None),
            Some(id) => {
                let (status, item) = queue_entry(&state, member, id, Approver::Supervisor, quarter, lang)
                    .await
                    .map_err(err)?;
                queue.extend(item);
                let (label, class) = state_label(status.state, t);
                // The flag comes with the state: one read of the application's standing.
                let flag = status
                    .flag
                    .as_ref()
                    .map(|f| workflow::policy_change::flag_text(f, lang == Lang::Id));
                (label, class, flag)
            }
        };
        team.push(MemberRow {
            name: member.name.clone(),
            nip: member.nip.clone(),
            state: label,
            state_class: class,
            flag,
        });
        let place = reads::roster_entry(&state.store, &member.nip, quarter)
            .await
            .map_err(|e| err(e.into()))?;
        places.push((member.name.clone(), place.map(|p| p.weekdays).unwrap_or_default()));
    }
    // The head of an agency also gives the head-of-agency approval, to everyone of it.
    let applicants = reads::headed_agency_applicants(&state.store, &nip, quarter)
        .await
        .map_err(|e| err(e.into()))?;
    for member in &applicants {
        let Some(id) = &member.application_id else { continue };
        let (_, item) = queue_entry(&state, member, id, Approver::HeadOfAgency, quarter, lang)
            .await
            .map_err(err)?;
        queue.extend(item);
    }
    let minimum = workflow::rules::team_week_minimum(&state.policies, &user.caller.region);
    let week = format::WEEKDAYS
        .iter()
        .map(|day| {
            let (away, in_office): (Vec<_>, Vec<_>) = places.iter().partition(|(_, days)| days.contains(day));
            let share = if places.is_empty() {
                1.0
            } else {
                in_office.len() as f64 / places.len() as f64
            };
            WeekRow {
                day: format::weekday(*day, lang),
                in_office: in_office.into_iter().map(|(n, _)| n.clone()).collect(),
                away: away.into_iter().map(|(n, _)| n.clone()).collect(),
                share: format::percent(share, lang),
                below: share + 1e-9 < minimum,
            }
        })
        .collect();
    let page = SupervisorPage {
        shell: user.shell("/supervisor"),
        quarter: format::quarter(quarter, lang),
        queue,
        team,
        week,
        minimum: format::percent(minimum, lang),
        flash: query.get("done").map(|_| t.decided),
    };
    Ok(render(&page))
}

/// The state of `member`'s application `id`, and its queue item when it awaits `approver`'s
/// decision (with the reasons of its latest decision, explained again).
async fn queue_entry(
    state: &AppState,
    member: &TeamMember,
    id: &str,
    approver: Approver,
    quarter: Quarter,
    lang: Lang,
) -> Result<(workflow::ApplicationStatus, Option<QueueItem>), ApiError> {
    let workflow::views::Standing { stored, latest, status } = workflow::views::standing(&state.store, id).await?;
    let (awaited, code) = match approver {
        Approver::Supervisor => (ApplicationState::AwaitingSupervisor, "supervisor"),
        Approver::HeadOfAgency => (ApplicationState::AwaitingHeadOfAgency, "head_of_agency"),
    };
    if status.state != awaited {
        return Ok((status, None));
    }
    let explained = workflow::explain_decision(&state.store, &state.policies, latest).await?;
    let t = lang.text();
    let a = &stored.application;
    let item = QueueItem {
        approver: code,
        as_head: approver == Approver::HeadOfAgency,
        id: id.to_owned(),
        reasons_id: format!("reasons-{id}"),
        name: member.name.clone(),
        nip: member.nip.clone(),
        requested: format!(
            "{} ({})",
            super::i18n::days_a_week(a.requested_remote_days, lang),
            format::pattern(a.requested_remote_days)
        ),
        location: location_label(a.location_kind, t),
        kpi: format!(
            "{} → {}",
            format::decimal(a.kpi_baseline, lang),
            format::decimal(a.kpi_target, lang)
        ),
        work_plan: a.work_plan.clone(),
        answer: super::decision::answer_about(&explained.rerun.eligibility, quarter, lang, Some(&member.name)),
    };
    Ok((status, Some(item)))
}

/// `POST /supervisor/decide`: approve or reject one report's application, with a note; the
/// application is re-evaluated with the approval (the API's approval, the same checks).
pub async fn decide(
    State(state): State<AppState>,
    user: WebUser,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    if user.caller.role != Role::Hr {
        user.require(Role::Supervisor)?;
    }
    user.check_csrf(&form)?;
    let lang = user.lang;
    let err = |e: ApiError| PageError::from(e).in_lang(lang);
    let id = form.get("application").map_or("", String::as_str);
    dwa_workflow::input::check_id("application", id).map_err(|e| PageError::workflow(e, lang))?;
    let approved = match form.get("decision").map(String::as_str) {
        Some("approve") => true,
        Some("reject") => false,
        _ => {
            let problem = match lang {
                super::i18n::Lang::Id => "pilih Setujui atau Tolak",
                super::i18n::Lang::En => "choose Approve or Reject",
            };
            return Err(PageError::invalid("decision", problem.into(), lang));
        }
    };
    let note = form.get("note").map(String::as_str);
    // The guard first (a rejection needs a note), so a refusal reads nothing and names the note.
    dwa_workflow::guards::check_decision_note(approved, note).map_err(|g| guard_error(g, lang))?;
    let stored = reads::application(&state.store, id).await.map_err(|e| err(e.into()))?;
    let employee = reads::employee(&state.store, &stored.nip)
        .await
        .map_err(|e| err(e.into()))?;
    let approver = match form.get("approver").map_or("supervisor", String::as_str) {
        "supervisor" => Approver::Supervisor,
        "head_of_agency" => Approver::HeadOfAgency,
        _ => {
            let problem = match lang {
                super::i18n::Lang::Id => "pilih sebagai atasan langsung atau kepala OPD",
                super::i18n::Lang::En => "approve as the supervisor or the head of agency",
            };
            return Err(PageError::invalid("approver", problem.into(), lang));
        }
    };
    // The approver on record; without one, the region's HR (workflow::approvers).
    let approvers = workflow::approvers::approvers_of(&state.store, &employee)
        .await
        .map_err(|e| err(e.into()))?;
    let decider = workflow::approvers::Decider {
        nip: user.caller.nip.as_deref(),
        region_hr: user.caller.role == Role::Hr && user.caller.region == employee.region,
    };
    if !workflow::approvers::may_decide(&approvers, &employee, approver, decider) {
        return Err(PageError::forbidden(lang));
    }
    let nip = user
        .caller
        .nip
        .clone()
        .unwrap_or_else(|| format!("HR {}", employee.region));
    let approval = Approval {
        approver,
        by_nip: nip,
        approved,
    };
    let actor = format!("{} (web)", user.caller.actor());
    workflow::decide_approval(&state.store, &state.policies, id, approval, note, state.today(), &actor)
        .await
        .map_err(|e| PageError::workflow(e, lang))?;
    Ok(if user.caller.role == Role::Hr {
        see_other("/hr?done=decided", "/hr")
    } else {
        see_other("/supervisor?done=1", "/supervisor")
    })
}

/// A guard's refusal as the page shows it: 422, in the page's language.
fn guard_error(guard: dwa_workflow::Guard, lang: super::i18n::Lang) -> PageError {
    PageError::new(
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        lang,
        super::i18n::guard_message(&guard, lang),
    )
}
