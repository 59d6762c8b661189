//! The employee's page: "Bisakah saya bekerja dari mana saja triwulan depan?" — the current
//! decision with every reason and what would change each failed one, a what-if panel evaluated
//! by the region's plugin without submitting, the application form, the application's state, and
//! the weekly roster with its iCalendar download. Everything goes through the workflow, as the
//! API's handlers do.

use super::decision::{AnswerView, LOCATIONS, answer, application_answer, location_label, state_label};
use super::format;
use super::page::{PageError, Shell, render};
use super::session::WebUser;
use crate::redirect::see_other;
use crate::{AppState, Role};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use dwa_sdk::{LocationKind, Quarter};
use dwa_workflow::{
    self as workflow, ApplicationEvent, Draft, Notification, Problem, StoredApplication, WorkflowError, reads,
};
use std::collections::HashMap;

/// The form's values as typed (kept as text, so a bad value is shown back as it was).
pub struct FormValues {
    days: String,
    baseline: String,
    target: String,
    location: String,
    work_plan: String,
}

impl FormValues {
    fn from(form: &HashMap<String, String>) -> FormValues {
        let get = |k: &str, default: &str| form.get(k).cloned().unwrap_or_else(|| default.to_owned());
        FormValues {
            days: get("days", "1"),
            baseline: get("baseline", "70"),
            target: get("target", "80"),
            location: get("location", "registered_home"),
            work_plan: get("work_plan", ""),
        }
    }
}

/// One `<option>` of the location select.
pub struct LocationOption {
    code: &'static str,
    label: &'static str,
    selected: bool,
}

/// The application as shown.
pub struct ApplicationView {
    id: String,
    state: &'static str,
    state_class: &'static str,
    requested: String,
    location: &'static str,
    kpi: String,
    work_plan: String,
    granted: Option<String>,
    notes: Vec<String>,
    live: bool,
    /// What happened to it, oldest first, in words with when.
    history: Vec<String>,
    /// The flag rules activated since put on the grant, in words.
    flag: Option<String>,
}

/// One weekday of the roster.
pub struct RosterDay {
    day: &'static str,
    away: bool,
}

#[derive(Template)]
#[template(path = "employee.html")]
struct EmployeePage {
    shell: Shell,
    name: String,
    nip: String,
    quarter: String,
    starts: String,
    answer: AnswerView,
    from_application: bool,
    application: Option<ApplicationView>,
    whatif: Option<AnswerView>,
    whatif_error: Option<String>,
    form: FormValues,
    locations: Vec<LocationOption>,
    apply_errors: Vec<String>,
    roster: Vec<RosterDay>,
    flash: Option<&'static str>,
    cap: u8,
}

fn number(form: &HashMap<String, String>, field: &str) -> Result<f64, WorkflowError> {
    let text = form.get(field).map_or("", |v| v.trim()).replace(',', ".");
    text.parse::<f64>().map_err(|_| WorkflowError::Invalid {
        field: field.into(),
        problem: Problem::NotANumber(form.get(field).map_or("", |v| v.trim()).to_owned()),
    })
}

/// A draft from the form's fields (`days`, `baseline`, `target`, `location`, `work_plan`).
fn draft(nip: &str, quarter: Quarter, form: &HashMap<String, String>) -> Result<Draft, WorkflowError> {
    let days = form.get("days").map_or("", |v| v.trim());
    let requested_remote_days = days.parse::<u8>().map_err(|_| WorkflowError::Invalid {
        field: "requested_remote_days".into(),
        problem: Problem::NotDays(days.to_owned()),
    })?;
    let location = form.get("location").map_or("", String::as_str);
    let location_kind = LOCATIONS
        .iter()
        .find(|(_, code)| *code == location)
        .map(|(kind, _)| *kind)
        .ok_or_else(|| WorkflowError::Invalid {
            field: "location_kind".into(),
            problem: Problem::ChooseLocation,
        })?;
    Ok(Draft {
        nip: nip.to_owned(),
        quarter,
        requested_remote_days,
        location_kind,
        work_plan: form.get("work_plan").cloned().unwrap_or_default(),
        kpi_baseline: number(form, "kpi_baseline").or_else(|_| number(form, "baseline"))?,
        kpi_target: number(form, "kpi_target").or_else(|_| number(form, "target"))?,
    })
}

/// A field error as a person reads it: the field's label, then the problem.
fn field_error(e: &WorkflowError, lang: super::i18n::Lang) -> String {
    // Only conflicts remain (a second application): their message names no internals.
    super::i18n::workflow_message(e, lang).unwrap_or_else(|| e.to_string())
}

/// An application's life in words: submitted, then each recorded transition (`events`:
/// approved, rejected with the note, granted, waitlisted, withdrawn), oldest first.
fn history(stored: &StoredApplication, events: &[ApplicationEvent], lang: super::i18n::Lang) -> Vec<String> {
    let submitted = match lang {
        super::i18n::Lang::Id => "Pengajuan dikirim.",
        super::i18n::Lang::En => "Application submitted.",
    };
    let mut lines = vec![format!(
        "{} — {submitted}",
        format::timestamp(&stored.submitted_at, lang)
    )];
    for event in events {
        let as_notice = Notification {
            id: String::new(),
            nip: event.nip.clone(),
            application_id: Some(event.application_id.clone()),
            at: event.at.clone(),
            kind: event.event.clone(),
            detail: event.detail.clone(),
            read: true,
        };
        let text = match event.event.as_str() {
            "withdrawn" => match lang {
                super::i18n::Lang::Id => "Pengajuan ditarik.".to_owned(),
                super::i18n::Lang::En => "Application withdrawn.".to_owned(),
            },
            _ => super::notices::describe(&as_notice, lang),
        };
        lines.push(format!("{} — {text}", format::timestamp(&event.at, lang)));
    }
    lines
}

async fn page(
    state: &AppState,
    user: &WebUser,
    form: &HashMap<String, String>,
    apply_errors: Vec<String>,
) -> Result<EmployeePage, PageError> {
    let lang = user.lang;
    let t = lang.text();
    let nip = user.caller.nip.clone().unwrap_or_default();
    let err = |e: WorkflowError| PageError::from(e).in_lang(lang);
    let today = state.today();
    let quarter = today.quarter().next();
    let record = reads::employee(&state.store, &nip).await.map_err(err)?;
    let cap = workflow::region_cap(&state.policies, &record.region)
        .map_err(err)?
        .unwrap_or(5);
    let values = FormValues::from(form);

    // The current decision: the application's latest, else what the rules say of the record.
    let application_id = reads::live_application_id(&state.store, &nip, quarter)
        .await
        .map_err(err)?;
    let (current, application) = match &application_id {
        Some(id) => {
            let stored = reads::application(&state.store, id).await.map_err(err)?;
            let workflow::views::ApplicationDetail {
                stored,
                status,
                explained,
                history: events,
                ..
            } = workflow::views::detail(&state.store, &state.policies, stored)
                .await
                .map_err(err)?;
            let (label, class) = state_label(status.state, t);
            let notes = reads::approval_notes(&state.store, id).await.map_err(err)?;
            let a = &stored.application;
            let view = ApplicationView {
                id: id.clone(),
                state: label,
                state_class: class,
                requested: format!(
                    "{} ({} {})",
                    super::i18n::days_a_week(a.requested_remote_days, lang),
                    t.pattern,
                    format::pattern(a.requested_remote_days)
                ),
                location: location_label(a.location_kind, t),
                kpi: format!(
                    "{} → {}",
                    format::decimal(a.kpi_baseline, lang),
                    format::decimal(a.kpi_target, lang)
                ),
                work_plan: a.work_plan.clone(),
                granted: status.remote_days.map(|d| {
                    let days: Vec<&str> = status
                        .weekdays
                        .iter()
                        .flatten()
                        .map(|w| format::weekday(*w, lang))
                        .collect();
                    format!("{} — {}", super::i18n::days_a_week(d, lang), days.join(", "))
                }),
                notes: notes.into_iter().map(|(_, note)| note).collect(),
                live: stored.status == "submitted",
                flag: status
                    .flag
                    .as_ref()
                    .map(|f| workflow::policy_change::flag_text(f, lang == super::i18n::Lang::Id)),
                history: history(&stored, &events, lang),
            };
            let current = application_answer(
                &explained.rerun.eligibility,
                &status,
                &stored.application.approvals,
                quarter,
                lang,
            );
            (current, Some(view))
        }
        None => {
            let probe = Draft {
                nip: nip.clone(),
                quarter,
                requested_remote_days: 1,
                location_kind: LocationKind::RegisteredHome,
                work_plan: "—".into(),
                kpi_baseline: 70.0,
                kpi_target: 80.0,
            };
            let decision = workflow::what_if(&state.store, &state.policies, probe, today)
                .await
                .map_err(err)?;
            (answer(&decision.eligibility, quarter, lang), None)
        }
    };

    // The what-if panel, when its form was sent.
    let (whatif, whatif_error) = if form.contains_key("whatif") {
        match draft(&nip, quarter, form) {
            Ok(mut d) => {
                if d.work_plan.trim().is_empty() {
                    d.work_plan = "—".into();
                }
                match workflow::what_if(&state.store, &state.policies, d, today).await {
                    Ok(decision) => (Some(answer(&decision.eligibility, quarter, lang)), None),
                    Err(e @ WorkflowError::Invalid { .. }) => (None, Some(field_error(&e, lang))),
                    Err(e) => return Err(err(e)),
                }
            }
            Err(e) => (None, Some(field_error(&e, lang))),
        }
    } else {
        (None, None)
    };

    let roster = match reads::roster_entry(&state.store, &nip, quarter).await.map_err(err)? {
        Some(entry) => format::WEEKDAYS
            .iter()
            .map(|d| RosterDay {
                day: format::weekday(*d, lang),
                away: entry.weekdays.contains(d),
            })
            .collect(),
        None => Vec::new(),
    };
    let flash = match form.get("done").map(String::as_str) {
        Some("submitted") => Some(t.submitted),
        Some("withdrawn") => Some(t.withdrawn_msg),
        _ => None,
    };
    Ok(EmployeePage {
        shell: user.shell("/employee"),
        name: record.name,
        nip,
        quarter: format::quarter(quarter, lang),
        starts: format::date(quarter.start(), lang),
        answer: current,
        from_application: application.is_some(),
        application,
        whatif,
        whatif_error,
        locations: LOCATIONS
            .iter()
            .map(|(kind, code)| LocationOption {
                code,
                label: location_label(*kind, t),
                selected: values.location == *code,
            })
            .collect(),
        form: values,
        apply_errors,
        roster,
        flash,
        cap,
    })
}

/// `GET /employee[?whatif=1&days=…&target=…]`: the page, with the what-if panel's answer when
/// its form was sent (a GET: nothing changes).
pub async fn show(
    State(state): State<AppState>,
    user: WebUser,
    Query(form): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    user.require(Role::Employee)?;
    Ok(render(&page(&state, &user, &form, Vec::new()).await?))
}

/// `POST /employee/apply`: submit the application (evaluated at once); a refused field is shown
/// on the form, with the values as typed, and nothing is stored.
pub async fn apply(
    State(state): State<AppState>,
    user: WebUser,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    user.require(Role::Employee)?;
    user.check_csrf(&form)?;
    let nip = user.caller.nip.clone().unwrap_or_default();
    let quarter = state.today().quarter().next();
    let result = match draft(&nip, quarter, &form) {
        Ok(d) => workflow::submit_application(&state.store, &state.policies, d, state.today())
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(see_other("/employee?done=submitted", "/employee")),
        Err(e @ (WorkflowError::Invalid { .. } | WorkflowError::Conflict(_) | WorkflowError::Guard(_))) => {
            let errors = vec![field_error(&e, user.lang)];
            let page = page(&state, &user, &form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(PageError::from(e).in_lang(user.lang)),
    }
}

/// `POST /employee/withdraw`: withdraw one's own live application, once confirmed (the form's
/// `confirm=yes` checkbox; without it 422 and nothing changes). Any other application
/// (someone else's, one already closed, a made-up id) is refused (409) and nothing changes.
pub async fn withdraw(
    State(state): State<AppState>,
    user: WebUser,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    user.require(Role::Employee)?;
    user.check_csrf(&form)?;
    let nip = user.caller.nip.clone().unwrap_or_default();
    let quarter = state.today().quarter().next();
    let id = reads::live_application_id(&state.store, &nip, quarter)
        .await
        .map_err(|e| PageError::from(e).in_lang(user.lang))?;
    let Some(id) = id.filter(|id| form.get("application") == Some(id)) else {
        return Err(PageError::new(
            StatusCode::CONFLICT,
            user.lang,
            user.lang.text().withdraw_refused,
        ));
    };
    // Withdrawing releases granted days to others at once: only when confirmed.
    if form.get("confirm").map(String::as_str) != Some("yes") {
        return Err(PageError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            user.lang,
            user.lang.text().withdraw_unconfirmed,
        ));
    }
    let actor = format!("{} (web)", user.caller.actor());
    workflow::withdraw(&state.store, &state.policies, &id, state.today(), &actor)
        .await
        .map_err(|e| PageError::from(e).in_lang(user.lang))?;
    Ok(see_other("/employee?done=withdrawn", "/employee"))
}

/// `GET /employee/roster.ics`: the weekly days away of the next quarter as recurring all-day
/// events, for any calendar application.
pub async fn roster_ics(State(state): State<AppState>, user: WebUser) -> Result<Response, PageError> {
    user.require(Role::Employee)?;
    let nip = user.caller.nip.clone().unwrap_or_default();
    let quarter = state.today().quarter().next();
    let entry = reads::roster_entry(&state.store, &nip, quarter)
        .await
        .map_err(|e| PageError::from(e).in_lang(user.lang))?
        .ok_or_else(|| PageError::new(StatusCode::NOT_FOUND, user.lang, user.lang.text().roster_none))?;
    let body = super::ics::calendar(&nip, quarter, &entry.weekdays, user.lang);
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!("attachment; filename=\"dwa-{quarter}.ics\""))
            .unwrap_or(HeaderValue::from_static("attachment")),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
