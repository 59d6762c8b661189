//! The regional policy admin's page: the live status of the region's rules (version serving,
//! last attempt and its error), every version with its sha256, the audit trail, and a candidate
//! manifest to dry-run (which decisions of the quarter would flip, per unit, and the parameter
//! diff), upload as a version, activate now or from a date, or roll back — the workflow's policy
//! lifecycle, as the API runs it.

use super::page::{PageError, Shell, render};
use super::session::WebUser;
use crate::redirect::see_other;
use crate::{ApiError, AppState, Role};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use dwa_workflow::input::{TextRule, check_id, check_text};
use dwa_workflow::signing::SignatureState;
use dwa_workflow::{reads, rules};
use std::collections::HashMap;

/// A stored version as shown.
pub struct VersionRow {
    id: String,
    plugin: String,
    sha256: String,
    manifest_sha256: String,
    created: String,
    serving: bool,
    /// `unsigned`, or the key that signed it and whether the region registers that key.
    signature: String,
    /// Whether the signature state needs attention (unsigned where signatures are required, or
    /// signed by a key the region does not register).
    signature_bad: bool,
}

/// A unit's flips in a dry run.
pub struct FlipRow {
    unit: String,
    evaluated: usize,
    became_ineligible: usize,
    became_eligible: usize,
    pattern_changed: usize,
    /// People granted and days a week, before → after (the unit allocated under both).
    allocation: String,
}

/// A class of explored inputs whose outcome changes (`dwa plugin diff`), as shown.
pub struct ClassRow {
    dimension: String,
    value: String,
    /// The change's code (`becomes ineligible`, …), for scripts and tests.
    change_code: String,
    change: String,
    count: String,
    example: String,
}

/// A dry run as shown: the stored applications that flip, per unit, the parameter diff, and
/// the inputs along every gate's boundary whose outcome changes.
pub struct DryRunView {
    summary: String,
    diff: String,
    units: Vec<FlipRow>,
    inputs_summary: String,
    classes: Vec<ClassRow>,
}

#[derive(Template)]
#[template(path = "policy.html")]
struct PolicyPage {
    shell: Shell,
    region: String,
    status_version: String,
    status_sha256: String,
    status_since: String,
    last_attempt: String,
    last_error: Option<String>,
    versions: Vec<VersionRow>,
    signatures_required: String,
    audit: Vec<(String, String, String, String)>,
    /// The version the rollback button activates (its id) and how the button names it; `None`
    /// when there is no earlier version to go back to.
    rollback: Option<(String, String)>,
    manifest: String,
    dry_run: Option<DryRunView>,
    error: Option<String>,
    flash: Option<String>,
}

async fn page(
    state: &AppState,
    user: &WebUser,
    manifest: Option<String>,
    dry_run: Option<DryRunView>,
    error: Option<String>,
    flash: Option<String>,
) -> Result<PolicyPage, PageError> {
    let lang = user.lang;
    let fail = |e: ApiError| PageError::from(e).in_lang(lang);
    let region = user.caller.region.clone();
    let status = rules::region_status(&state.policies, &region);
    let active = status.as_ref().and_then(|s| s.active.clone());
    let attempt = status.as_ref().and_then(|s| s.last_attempt.clone());
    let serving = active.as_ref().map(|a| (a.sha256.clone(), a.manifest_sha256.clone()));
    let signing = dwa_workflow::signing::region_signing(&state.store, &region)
        .await
        .map_err(|e| fail(e.into()))?;
    let t = lang.text();
    let signature_state = |text: Option<&str>| -> (String, bool) {
        match dwa_workflow::signing::signature_state(&signing, text) {
            SignatureState::Unsigned => (t.unsigned.to_owned(), signing.required),
            SignatureState::Signed { key, registered } => {
                let word = if registered {
                    t.key_registered
                } else {
                    t.key_not_registered
                };
                (format!("{} {key} ({word})", t.signed_by), !registered)
            }
            SignatureState::Unreadable(e) => (e, true),
        }
    };
    let versions = reads::versions(&state.store, &region)
        .await
        .map_err(|e| fail(e.into()))?
        .into_iter()
        .rev()
        .map(|v| {
            let (signature, signature_bad) = signature_state(v.signature.as_deref());
            VersionRow {
                signature,
                signature_bad,
                serving: serving.as_ref() == Some(&(v.plugin_sha256.clone(), v.manifest_sha256.clone())),
                id: v.id,
                plugin: format!("{} {}", v.plugin_name, v.plugin_version),
                sha256: v.plugin_sha256,
                manifest_sha256: v.manifest_sha256,
                created: super::format::timestamp(&v.created_at, lang),
            }
        })
        .collect();
    let audit = reads::audit(&state.store, &region)
        .await
        .map_err(|e| fail(e.into()))?
        .into_iter()
        .rev()
        .take(20)
        .map(|a| {
            (
                super::format::timestamp(&a.at, lang),
                super::i18n::audit_action(&a.action, lang),
                a.actor,
                a.detail,
            )
        })
        .collect();
    // The rollback rule names its target before the button is pressed (and the form sends it
    // back, so a stale page never rolls back to something it did not show).
    let rollback = match dwa_workflow::rollback_target(&state.store, &state.policies, &region).await {
        Ok(target) => Some((target.version.clone(), rollback_label(&target, lang))),
        Err(dwa_workflow::WorkflowError::Conflict(_) | dwa_workflow::WorkflowError::Rules(_)) => None,
        Err(e) => return Err(fail(e.into())),
    };
    let current_text = rules::manifest_text(&state.policies, &region);
    Ok(PolicyPage {
        shell: user.shell("/policy"),
        status_version: active
            .as_ref()
            .map(|a| format!("{} {}", a.plugin_name, a.plugin_version))
            .unwrap_or_else(|| "—".into()),
        status_sha256: active.as_ref().map(|a| a.sha256.clone()).unwrap_or_default(),
        status_since: active
            .as_ref()
            .map(|a| {
                format!(
                    "{} ({})",
                    super::format::timestamp(&a.activated_at, lang),
                    a.activated_by
                )
            })
            .unwrap_or_default(),
        last_attempt: attempt
            .as_ref()
            .map(|a| {
                format!(
                    "{} · {} · {}",
                    super::format::timestamp(&a.at, lang),
                    a.by,
                    if a.ok { "OK" } else { "✗" }
                )
            })
            .unwrap_or_else(|| "—".into()),
        last_error: attempt.and_then(|a| a.error),
        region: match rules::region_name(&state.policies, &region) {
            Some(name) => format!("{name} ({region})"),
            None => region,
        },
        versions,
        signatures_required: if signing.required { t.yes } else { t.no }.to_owned(),
        audit,
        rollback,
        manifest: manifest.unwrap_or(current_text),
        dry_run,
        error,
        flash,
    })
}

/// How the rollback button names its target: the version id, the plugin and when it was last
/// live (`versi ver_… · kabupaten-bekasi 1.2.0 · aktif terakhir 7 Desember 2026 …`).
fn rollback_label(target: &dwa_workflow::RollbackTarget, lang: super::i18n::Lang) -> String {
    let t = lang.text();
    let mut label = format!(
        "{} {} · {} {}",
        t.rollback_to, target.version, target.plugin_name, target.plugin_version
    );
    if !target.activated_at.is_empty() {
        label.push_str(&format!(
            " · {} {}",
            t.rollback_was_live,
            super::format::timestamp(&target.activated_at, lang)
        ));
    }
    label
}

/// `GET /policy`.
pub async fn show(
    State(state): State<AppState>,
    user: WebUser,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    user.require(Role::PolicyAdmin)?;
    let flash = query.get("done").map(|d| match d.as_str() {
        "activated" => user.lang.text().policy_activated.to_owned(),
        "scheduled" => user.lang.text().policy_scheduled.to_owned(),
        _ => user.lang.text().policy_rolled_back.to_owned(),
    });
    Ok(render(&page(&state, &user, None, None, None, flash).await?))
}

/// Stage `text` with the region's plugin file beside it and dry-run it for the next quarter.
async fn dry_run(state: &AppState, user: &WebUser, text: &str) -> Result<DryRunView, ApiError> {
    let region = &user.caller.region;
    let staged = crate::candidate::stage(state, region, text, "manifest", "manifest")?;
    let fail = |e| crate::candidate::error(e, "manifest", "plugin");
    // Loaded and validated once, then replayed on the quarter's applications and explored
    // along every gate's boundary.
    let candidate = dwa_workflow::load_candidate(&state.policies, &staged.path)
        .await
        .map_err(fail)?;
    let quarter = state.today().quarter().next();
    let by = format!("{} (web)", user.caller.actor());
    let run = dwa_workflow::dry_run_loaded(
        &state.store,
        &state.policies,
        candidate.clone(),
        quarter,
        state.today(),
        &by,
    )
    .await
    .map_err(fail)?;
    let explored = dwa_workflow::diff::explore_candidate(&state.policies, candidate.clone())
        .await
        .map_err(fail)?;
    let diff = rules::candidate_diff(&state.policies, region, &candidate.manifest)?;
    let t = user.lang.text();
    Ok(DryRunView {
        summary: format!(
            "{}: {} · {}: {} · {}: {} · {}: {} · {}: {} → {} · {}: {} → {}",
            t.evaluated,
            run.evaluated,
            t.became_ineligible,
            run.became_ineligible,
            t.became_eligible,
            run.became_eligible,
            t.pattern_changed,
            run.pattern_changed,
            t.people_granted,
            run.granted_before,
            run.granted_after,
            t.days_granted,
            run.days_before,
            run.days_after
        ),
        diff,
        units: run
            .units
            .into_iter()
            .filter(|u| {
                u.became_eligible + u.became_ineligible + u.pattern_changed > 0
                    || u.granted_before != u.granted_after
                    || u.days_before != u.days_after
            })
            .map(|u| FlipRow {
                allocation: format!(
                    "{} → {} · {} → {}",
                    u.granted_before, u.granted_after, u.days_before, u.days_after
                ),
                unit: u.unit,
                evaluated: u.evaluated,
                became_ineligible: u.became_ineligible,
                became_eligible: u.became_eligible,
                pattern_changed: u.pattern_changed,
            })
            .collect(),
        inputs_summary: format!(
            "{} {} · {} {}",
            super::format::decimal(explored.explored as f64, user.lang),
            t.inputs_explored,
            super::format::decimal(explored.changed as f64, user.lang),
            t.inputs_changed
        ),
        classes: explored
            .classes
            .into_iter()
            .map(|c| ClassRow {
                example: format!(
                    "{} → {}",
                    outcome_words(t, &c.example.old),
                    outcome_words(t, &c.example.new)
                ),
                count: format!("{} / {}", c.count, c.of),
                change: change_words(t, &c.change).to_owned(),
                change_code: c.change,
                dimension: c.dimension,
                value: c.value,
            })
            .collect(),
    })
}

/// How an outcome changed (the diff's English code), in the page's language.
fn change_words(t: &super::i18n::Text, code: &str) -> &'static str {
    match code {
        "becomes ineligible" => t.became_ineligible,
        "becomes eligible" => t.became_eligible,
        "fewer days" => t.fewer_days,
        "more days" => t.more_days,
        "other failed gates" => t.other_gates,
        "other approvals required" => t.other_approvals,
        _ => t.refusal_changed,
    }
}

/// One side of an example: `memenuhi syarat 2-3`, `tidak memenuhi syarat (RATING)`, ….
fn outcome_words(t: &super::i18n::Text, outcome: &dwa_workflow::diff::Outcome) -> String {
    if outcome.refused.is_some() {
        return t.outcome_refused.to_owned();
    }
    let pattern = dwa_sdk::baseline::pattern(outcome.max_remote_days);
    match (outcome.eligible, outcome.failed.is_empty()) {
        (true, _) => format!("{} {pattern}", t.outcome_eligible),
        (false, true) => format!("{} {pattern}", t.outcome_not_eligible),
        (false, false) => format!("{} ({})", t.outcome_not_eligible, outcome.failed.join(", ")),
    }
}

/// `POST /policy/candidate` (`action` = dry-run | upload): dry-run the candidate manifest, or
/// validate and store it as a version (not active yet).
pub async fn candidate(
    State(state): State<AppState>,
    user: WebUser,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    user.require(Role::PolicyAdmin)?;
    user.check_csrf(&form)?;
    let text = form.get("manifest").cloned().unwrap_or_default().replace("\r\n", "\n");
    let checked = check_text("manifest", &text, TextRule::MANIFEST).map_err(ApiError::from);
    let region = user.caller.region.clone();
    let (dry, error, flash) = match (checked, form.get("action").map(String::as_str)) {
        (Err(e), _) => (None, Some(e.message), None),
        (Ok(()), Some("upload")) => {
            let by = format!("{} (web)", user.caller.actor());
            // A region that requires signatures needs the `.sig` text beside the manifest.
            let signature = form.get("signature").filter(|s| !s.trim().is_empty()).cloned();
            match dwa_workflow::upload_version(&state.store, &state.policies, &region, &text, None, signature, &by)
                .await
            {
                Ok(version) => (
                    None,
                    None,
                    Some(format!("{}: {version}", user.lang.text().policy_uploaded)),
                ),
                Err(e) => (None, Some(ApiError::from(e).message), None),
            }
        }
        (Ok(()), _) => match dry_run(&state, &user, &text).await {
            Ok(view) => (Some(view), None, None),
            Err(e) => (None, Some(e.message), None),
        },
    };
    let status = if error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    let page = page(&state, &user, Some(text), dry, error, flash).await?;
    Ok((status, render(&page)).into_response())
}

/// `POST /policy/activate` (`version`, optional `from` date; or `rollback`): activate a stored
/// version now or schedule it, or roll back to the latest version other than the one serving.
pub async fn activate(
    State(state): State<AppState>,
    user: WebUser,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    user.require(Role::PolicyAdmin)?;
    user.check_csrf(&form)?;
    let lang = user.lang;
    let fail = |e: ApiError| PageError::from(e).in_lang(lang);
    let region = user.caller.region.clone();
    let by = format!("{} (web)", user.caller.actor());
    if form.contains_key("rollback") {
        let target = dwa_workflow::rollback_target(&state.store, &state.policies, &region)
            .await
            .map_err(|e| fail(e.into()))?;
        // The page named a version: roll back to that one or not at all (a second press of a
        // stale page must not go further than what it showed).
        if let Some(shown) = form.get("target").filter(|t| !t.is_empty())
            && *shown != target.version
        {
            return Err(fail(ApiError::conflict(format!(
                "the page showed version {shown}, but a rollback now goes to {}: reload the page",
                target.version
            ))));
        }
        let by = format!("{by} (rollback to {})", target.version);
        dwa_workflow::activate_version(&state.store, &state.policies, &region, &target.version, &by)
            .await
            .map_err(|e| fail(e.into()))?;
        return Ok(see_other("/policy?done=rolled-back", "/policy"));
    }
    let version = form.get("version").map_or("", String::as_str);
    check_id("version", version).map_err(|e| PageError::workflow(e, lang))?;
    let stored = reads::version(&state.store, version)
        .await
        .map_err(|e| fail(e.into()))?;
    if stored.summary.region != region {
        return Err(PageError::forbidden(lang));
    }
    let from = match form.get("from").map(|f| f.trim()).filter(|f| !f.is_empty()) {
        Some(text) => Some(text.parse::<dwa_sdk::Date>().map_err(|_| {
            let problem = match lang {
                super::i18n::Lang::Id => format!("“{text}” bukan tanggal; tulis seperti 2027-04-01"),
                super::i18n::Lang::En => format!("“{text}” is not a date; write it like 2027-04-01"),
            };
            PageError::invalid("from", problem.into(), lang)
        })?),
        None => None,
    };
    // The same scheduling as the API's and the CLI's: a past date is refused, in the page's
    // language.
    let scheduled = dwa_workflow::schedule_activation(&state.store, &region, version, from, state.today(), &by)
        .await
        .map_err(|e| PageError::workflow(e, lang))?;
    match scheduled {
        dwa_workflow::Scheduled::Later { .. } => Ok(see_other("/policy?done=scheduled", "/policy")),
        dwa_workflow::Scheduled::Now => {
            dwa_workflow::activate_version(&state.store, &state.policies, &region, version, &by)
                .await
                .map_err(|e| fail(e.into()))?;
            Ok(see_other("/policy?done=activated", "/policy"))
        }
    }
}
