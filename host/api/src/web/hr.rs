//! Regional HR's page: import units and employees from CSV (the row-by-row report of the
//! workflow's import), run the quarter's allocation for the region (a progress bar while the
//! server works, then each unit's outcome), the roster of a unit, and the reports with their
//! server-drawn SVG charts; every table exports as CSV and XLSX ([`super::export`]).

use super::charts;
use super::format;
use super::page::{PageError, Shell, render};
use super::session::WebUser;
use crate::{ApiError, AppState, Role};
use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::response::Response;
use dwa_sdk::Quarter;
use dwa_workflow::import::ImportOutcome;
use dwa_workflow::reads;
use std::collections::HashMap;

/// One rejected row of an import report.
pub struct RejectRow {
    line: usize,
    key: String,
    field: String,
    problem: String,
}

/// An import's outcome as shown.
pub struct ImportView {
    what: &'static str,
    imported: usize,
    written: bool,
    rejected: Vec<RejectRow>,
}

/// One unit's allocation outcome.
pub struct AllocationRow {
    unit: String,
    evaluated: String,
    eligible: String,
    granted: String,
    /// Why the unit could not be allocated (it keeps its previous roster), if so.
    failure: Option<String>,
}

/// An application awaiting an approval, as HR's lists show it.
pub struct WaitingRow {
    id: String,
    nip: String,
    name: String,
    unit: String,
    state: &'static str,
    /// How long it has waited, in words (`3 hari` / `1 day`).
    waited: String,
    hr_decides: bool,
}

/// Someone without a supervisor on record.
pub struct UnsupervisedRow {
    nip: String,
    name: String,
    unit: String,
    recorded: String,
}

/// Someone a run moves (or would move), in words.
pub struct MoveRow {
    unit: String,
    nip: String,
    from: String,
    to: String,
}

/// An application the rules failed for in the allocation.
pub struct SetAsideRow {
    unit: String,
    nip: String,
    failure: String,
}

/// A unit in the roster selector.
pub struct UnitOption {
    code: String,
    label: String,
    selected: bool,
}

/// An agency of the region with its recorded head.
pub struct AgencyRow {
    agency: String,
    head: String,
}

/// A line of a unit's roster.
pub struct RosterRow {
    nip: String,
    days: String,
    weekdays: String,
}

/// A line of the participation table.
pub struct ParticipationLine {
    unit: String,
    headcount: String,
    applications: String,
    eligible: String,
    granted: String,
    rate: String,
}

#[derive(Template)]
#[template(path = "hr.html")]
struct HrPage {
    shell: Shell,
    quarter: String,
    import: Option<ImportView>,
    allocation: Vec<AllocationRow>,
    allocated: bool,
    units: Vec<UnitOption>,
    unit: String,
    roster: Vec<RosterRow>,
    participation: Vec<ParticipationLine>,
    participation_chart: String,
    reasons_chart: String,
    savings_chart: String,
    savings_total: String,
    agencies: Vec<AgencyRow>,
    /// Applications HR decides in the place of a supervisor not on record.
    hr_decides: Vec<WaitingRow>,
    /// Applications waiting for an approval longer than the region's limit.
    waiting: Vec<WaitingRow>,
    /// The region's limit, in days.
    waiting_days: i64,
    /// Staff without a supervisor on record.
    unsupervised: Vec<UnsupervisedRow>,
    /// Grants that rules activated since no longer allow: (unit, NIP, the flag in words).
    flagged: Vec<(String, String, String)>,
    /// Applications set aside in the allocation just run.
    set_aside: Vec<SetAsideRow>,
    /// The people the run moved, or would move (a preview).
    moves: Vec<MoveRow>,
    /// Whether `allocation` and `moves` are a preview (nothing written).
    previewed: bool,
    /// A decision HR just made in a supervisor's place.
    decided: bool,
    /// The head form's outcome: saved, or the problem.
    head_saved: bool,
    head_error: Option<String>,
}

fn err(lang: super::i18n::Lang) -> impl Fn(ApiError) -> PageError {
    move |e| PageError::from(e).in_lang(lang)
}

async fn page(
    state: &AppState,
    user: &WebUser,
    query: &HashMap<String, String>,
    import: Option<ImportView>,
    allocation: Vec<AllocationRow>,
    set_aside: Vec<SetAsideRow>,
) -> Result<HrPage, PageError> {
    let lang = user.lang;
    let t = lang.text();
    let fail = err(lang);
    let region = user.caller.region.clone();
    let quarter = state.today().quarter().next();
    let unit_rows = reads::units(&state.store, &region).await.map_err(|e| fail(e.into()))?;
    let unit = query
        .get("unit")
        .filter(|u| unit_rows.iter().any(|r| &r.code == *u))
        .cloned()
        .or_else(|| unit_rows.first().map(|u| u.code.clone()))
        .unwrap_or_default();
    let roster = if unit.is_empty() {
        Vec::new()
    } else {
        reads::roster(&state.store, &unit, quarter)
            .await
            .map_err(|e| fail(e.into()))?
            .into_iter()
            .map(|e| RosterRow {
                nip: e.nip,
                days: format::pattern(e.remote_days),
                weekdays: e
                    .weekdays
                    .iter()
                    .map(|d| format::weekday(*d, lang))
                    .collect::<Vec<_>>()
                    .join(", "),
            })
            .collect()
    };
    let reports = super::export::Reports::load(state, &region, quarter)
        .await
        .map_err(&fail)?;
    let participation = reports
        .participation
        .units
        .iter()
        .map(|row| ParticipationLine {
            unit: row.unit.clone().unwrap_or_default(),
            headcount: format::thousands(row.headcount),
            applications: format::thousands(row.applications),
            eligible: format::thousands(row.eligible),
            granted: format::thousands(row.granted),
            rate: format::percent(row.participation_rate, lang),
        })
        .collect();
    let history = super::export::savings_history(state, &region, quarter)
        .await
        .map_err(&fail)?;
    let mut agency_codes: Vec<String> = unit_rows.iter().map(|u| u.agency.clone()).collect();
    agency_codes.sort();
    agency_codes.dedup();
    let heads = reads::agency_heads(&state.store, &region)
        .await
        .map_err(|e| fail(e.into()))?;
    let agencies = agency_codes
        .into_iter()
        .map(|agency| AgencyRow {
            head: heads.get(&agency).cloned().unwrap_or_else(|| "—".into()),
            agency,
        })
        .collect();
    let flagged = dwa_workflow::policy_change::flags_of_region(&state.store, &region, quarter)
        .await
        .map_err(|e| fail(e.into()))?
        .into_iter()
        .map(|f| {
            let text = dwa_workflow::policy_change::flag_text(&f, lang == super::i18n::Lang::Id);
            (f.unit, f.nip, text)
        })
        .collect();
    let attention = dwa_workflow::approvers::attention(&state.store, &state.policies, &region, quarter, state.today())
        .await
        .map_err(|e| fail(e.into()))?;
    let waiting_row = |w: &dwa_workflow::approvers::Waiting| WaitingRow {
        id: w.application.id.clone(),
        nip: w.application.nip.clone(),
        name: w.application.name.clone(),
        unit: w.application.unit.clone(),
        state: super::decision::state_label(w.state, t).0,
        waited: super::i18n::count(w.days.max(0) as u64, "day", "days", "hari", lang),
        hr_decides: w.hr_decides,
    };
    Ok(HrPage {
        hr_decides: attention.hr_decides.iter().map(waiting_row).collect(),
        waiting: attention.waiting.iter().map(waiting_row).collect(),
        waiting_days: attention.waiting_days,
        unsupervised: attention
            .without_supervisor
            .into_iter()
            .map(|m| UnsupervisedRow {
                nip: m.nip,
                name: m.name,
                unit: m.unit,
                recorded: m.supervisor_nip.unwrap_or_else(|| "—".into()),
            })
            .collect(),
        set_aside,
        flagged,
        moves: Vec::new(),
        previewed: false,
        decided: query.get("done").is_some_and(|d| d == "decided"),
        shell: user.shell("/hr"),
        quarter: format::quarter(quarter, lang),
        import,
        allocated: !allocation.is_empty(),
        allocation,
        units: unit_rows
            .iter()
            .map(|u| UnitOption {
                code: u.code.clone(),
                label: format!("{} — {}", u.code, u.name),
                selected: u.code == unit,
            })
            .collect(),
        unit,
        roster,
        participation,
        participation_chart: charts::participation(&reports.participation, lang),
        reasons_chart: charts::reasons(&reports.reasons, lang),
        savings_chart: charts::savings(&history, lang),
        savings_total: format!("{}: {}", t.savings_total, format::rupiah(reports.savings.total.total)),
        agencies,
        head_saved: false,
        head_error: None,
    })
}

/// `GET /hr[?unit=…]`.
pub async fn show(
    State(state): State<AppState>,
    user: WebUser,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    user.require(Role::Hr)?;
    Ok(render(
        &page(&state, &user, &query, None, Vec::new(), Vec::new()).await?,
    ))
}

/// `POST /hr/import` (multipart: `csrf`, `kind` = units | employees, `file`): the workflow's
/// import, all or nothing, and its row-by-row report. Another kind of body (a url-encoded form,
/// a bare CSV) is refused with 415 naming what is read.
pub async fn import(
    State(state): State<AppState>,
    user: WebUser,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, PageError> {
    user.require(Role::Hr)?;
    let Ok(mut multipart) = multipart else {
        return Err(PageError::new(
            axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            user.lang,
            user.lang.text().import_form_refused,
        ));
    };
    let lang = user.lang;
    let fail = err(lang);
    let mut fields: HashMap<String, String> = HashMap::new();
    let mut file = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| fail(ApiError::invalid("file", e.body_text())))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        let bytes = field
            .bytes()
            .await
            .map_err(|e| fail(ApiError::invalid(&name, e.body_text())))?;
        if name == "file" {
            file = bytes.to_vec();
        } else {
            fields.insert(name, String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    // The CSRF token is checked before the file is looked at.
    user.check_csrf(&fields)?;
    let region = user.caller.region.clone();
    let (what, outcome): (&'static str, ImportOutcome) = match fields.get("kind").map(String::as_str) {
        Some("units") => (
            lang.text().import_units,
            dwa_workflow::import::import_units(&state.store, &region, &file)
                .await
                .map_err(|e| fail(e.into()))?,
        ),
        Some("employees") => (
            lang.text().import_employees,
            dwa_workflow::import::import_employees(&state.store, &region, &file, false)
                .await
                .map_err(|e| fail(e.into()))?,
        ),
        _ => {
            let problem = match lang {
                super::i18n::Lang::Id => "pilih Unit organisasi atau Pegawai",
                super::i18n::Lang::En => "choose Organisational units or Employees",
            };
            return Err(PageError::invalid("kind", problem.into(), lang));
        }
    };
    let view = ImportView {
        what,
        imported: outcome.imported,
        written: outcome.written,
        rejected: outcome
            .rejected
            .iter()
            .map(|r| RejectRow {
                line: r.line,
                key: r.nip.clone().or_else(|| r.unit.clone()).unwrap_or_default(),
                field: match (r.field.as_str(), lang) {
                    (dwa_workflow::import::FILE_FIELD, super::i18n::Lang::Id) => "berkas".to_owned(),
                    (dwa_workflow::import::ROW_FIELD, super::i18n::Lang::Id) => "baris".to_owned(),
                    _ => r.field.clone(),
                },
                problem: super::i18n::import_problem_text(&r.kind, lang),
            })
            .collect(),
    };
    let refused = outcome.refused();
    let page = page(&state, &user, &HashMap::new(), Some(view), Vec::new(), Vec::new()).await?;
    let status = if refused {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    Ok(axum::response::IntoResponse::into_response((status, render(&page))))
}

/// `POST /hr/agency-head` (`csrf`, `agency`, `nip`): record who heads an agency of the region,
/// as `dwa region head` and the API do; a refusal is shown by the form and changes nothing.
pub async fn agency_head(
    State(state): State<AppState>,
    user: WebUser,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    user.require(Role::Hr)?;
    user.check_csrf(&form)?;
    let region = user.caller.region.clone();
    let agency = form.get("agency").map_or("", |a| a.trim());
    let nip = form.get("nip").map_or("", |n| n.trim());
    let result = dwa_workflow::onboarding::set_agency_head(&state.store, &region, agency, nip).await;
    let mut page = page(&state, &user, &HashMap::new(), None, Vec::new(), Vec::new()).await?;
    let status = match result {
        Ok(()) => {
            page.head_saved = true;
            axum::http::StatusCode::OK
        }
        Err(e) => {
            page.head_error =
                Some(super::i18n::workflow_message(&e, user.lang).unwrap_or_else(|| ApiError::from(e).message));
            axum::http::StatusCode::UNPROCESSABLE_ENTITY
        }
    };
    Ok(axum::response::IntoResponse::into_response((status, render(&page))))
}

/// `POST /hr/allocate`: evaluate and allocate the next quarter for every unit of the region,
/// unit by unit as the API does (each unit one transaction, concurrent runs take turns).
pub async fn allocate(
    State(state): State<AppState>,
    user: WebUser,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    user.require(Role::Hr)?;
    user.check_csrf(&form)?;
    let lang = user.lang;
    let fail = err(lang);
    let preview = form.contains_key("preview");
    // A run replaces the quarter's rosters: only when confirmed (a preview writes nothing).
    if !preview && form.get("confirm").map(String::as_str) != Some("yes") {
        return Err(PageError::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            lang,
            lang.text().allocate_unconfirmed,
        ));
    }
    let region = user.caller.region.clone();
    dwa_workflow::rules::require_rules(&state.policies, &region).map_err(|e| fail(e.into()))?;
    let quarter: Quarter = state.today().quarter().next();
    let units = reads::units(&state.store, &region).await.map_err(|e| fail(e.into()))?;
    let mut rows = Vec::with_capacity(units.len());
    let mut set_aside = Vec::new();
    let mut moves = Vec::new();
    let days = |n: u8, w: &[dwa_sdk::Weekday]| {
        let names: Vec<&str> = w.iter().map(|d| format::weekday(*d, lang)).collect();
        format!("{n} ({})", names.join(", "))
    };
    for unit in units {
        let lock = state.unit_lock(&unit.code);
        let _turn = lock.lock().await;
        let (code, today) = (&unit.code, state.today());
        let run = if preview {
            dwa_workflow::preview_unit(&state.store, &state.policies, code, quarter, today).await
        } else {
            dwa_workflow::allocate_unit(&state.store, &state.policies, code, quarter, today).await
        };
        // A unit the rules fail for keeps its previous roster; the other units go on.
        match run {
            Ok(outcome) => {
                moves.extend(outcome.moved.iter().map(|m| MoveRow {
                    unit: m.unit.clone(),
                    nip: m.nip.clone(),
                    from: days(m.from_days, &m.from_weekdays),
                    to: days(m.to_days, &m.to_weekdays),
                }));
                set_aside.extend(outcome.set_aside.iter().map(|s| SetAsideRow {
                    unit: s.unit.clone(),
                    nip: s.nip.clone(),
                    failure: s.failure.clone(),
                }));
                rows.push(AllocationRow {
                    unit: unit.code,
                    evaluated: outcome.evaluated.to_string(),
                    eligible: outcome.eligible.to_string(),
                    granted: outcome.granted.to_string(),
                    failure: None,
                });
            }
            Err(e @ (dwa_workflow::WorkflowError::Rules(_) | dwa_workflow::WorkflowError::Conflict(_))) => {
                rows.push(AllocationRow {
                    unit: unit.code,
                    evaluated: "—".into(),
                    eligible: "—".into(),
                    granted: "—".into(),
                    failure: Some(e.to_string()),
                });
            }
            Err(e) => return Err(fail(e.into())),
        }
    }
    Ok(render(
        &page(&state, &user, &HashMap::new(), None, rows, set_aside).await?,
    ))
}
