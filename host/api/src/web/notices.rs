//! The notifications page: what changed for the signed-in person — approved, rejected with
//! the approver's note, granted with the days, waitlisted with the unit's figures, a team
//! member's withdrawal — newest first, in the page's language. Opening the page marks them
//! read; the header shows the unread count on every page (`session.rs`).

use super::format;
use super::i18n::Lang;
use super::page::{PageError, Shell, render};
use super::session::WebUser;
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use dwa_workflow::Notification;
use serde_json::Value;

/// The most notifications the page shows.
const SHOWN: u32 = 100;

/// One notification as shown.
pub struct NoticeView {
    kind: String,
    at: String,
    when: String,
    text: String,
    unread: bool,
    application: Option<String>,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    shell: Shell,
    items: Vec<NoticeView>,
}

/// A notification in words.
pub fn describe(n: &Notification, lang: Lang) -> String {
    let d = &n.detail;
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let quarter = d["quarter"]
        .as_str()
        .and_then(|q| q.parse().ok())
        .map(|q| format::quarter(q, lang))
        .unwrap_or_default();
    let days = d["remote_days"].as_u64().unwrap_or(0);
    let weekdays: Vec<&str> = d["weekdays"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|w| serde_json::from_value(w.clone()).ok())
        .map(|w| format::weekday(w, lang))
        .collect();
    let reason = d["reasons"]
        .as_array()
        .and_then(|r| r.first())
        .and_then(|r| serde_json::from_value::<dwa_sdk::Reason>(r.clone()).ok())
        .map(|r| format!(" {}", lang.pick(&r.message)))
        .unwrap_or_default();
    let note = d["note"].as_str().map(|n| format!(" «{n}»")).unwrap_or_default();
    let by = text(&d["by"]);
    match (n.kind.as_str(), lang) {
        ("approved", Lang::Id) => format!("Pengajuan {quarter} Anda disetujui (NIP {by}).{note}"),
        ("approved", Lang::En) => format!("Your application for {quarter} was approved (NIP {by}).{note}"),
        ("rejected", Lang::Id) => format!("Pengajuan {quarter} Anda ditolak (NIP {by}).{note}"),
        ("rejected", Lang::En) => format!("Your application for {quarter} was rejected (NIP {by}).{note}"),
        ("granted", Lang::Id) => format!(
            "Anda mendapat {days} hari bekerja dari mana saja per minggu pada {quarter}: {}.{reason}",
            weekdays.join(", ")
        ),
        ("granted", Lang::En) => format!(
            "You were granted {} anywhere a week in {quarter}: {}.{reason}",
            super::i18n::count(days, "day", "days", "hari", lang),
            weekdays.join(", ")
        ),
        ("waitlisted", Lang::Id) => format!("Anda masuk daftar tunggu untuk {quarter}.{reason}"),
        ("waitlisted", Lang::En) => format!("You are on the waitlist for {quarter}.{reason}"),
        ("moved", Lang::Id) => format!(
            "Jadwal Anda pada {quarter} berubah: {days} hari per minggu, {}.",
            weekdays.join(", ")
        ),
        ("moved", Lang::En) => format!(
            "Your roster for {quarter} changed: {}, {}.",
            super::i18n::days_a_week(days, lang),
            weekdays.join(", ")
        ),
        ("team_withdrawn", Lang::Id) => format!("NIP {} menarik pengajuannya untuk {quarter}.", text(&d["applicant"])),
        ("team_withdrawn", Lang::En) => format!(
            "NIP {} withdrew their application for {quarter}.",
            text(&d["applicant"])
        ),
        (other, _) => other.replace('_', " "),
    }
}

/// `GET /notifications`: the signed-in person's notifications, newest first; opening the page
/// marks them read.
pub async fn show(State(state): State<AppState>, user: WebUser) -> Result<Response, PageError> {
    let lang = user.lang;
    let Some(nip) = user.caller.nip.clone() else {
        return Err(PageError::forbidden(lang));
    };
    let notices = dwa_workflow::notifications::open(&state.store, &nip, SHOWN)
        .await
        .map_err(|e| PageError::from(e).in_lang(lang))?;
    let items = notices
        .iter()
        .map(|n| NoticeView {
            kind: n.kind.clone(),
            at: n.at.clone(),
            when: format::timestamp(&n.at, lang),
            text: describe(n, lang),
            unread: !n.read,
            application: n.application_id.clone(),
        })
        .collect();
    let mut shell = user.shell("/notifications");
    shell.unread = Some(0);
    Ok(render(&NotificationsPage { shell, items }))
}
