//! The web application `dwa serve` answers at `/`: server-rendered HTML (askama templates in
//! `host/api/templates/`, checked at compile time) for every role, on the same workflow calls
//! as the API, never the store — no second path to the data. Bahasa Indonesia by default with an
//! English switch; sessions with CSRF tokens ([`session`]); one small vendored script
//! (`host/api/static/app.js`) that only enhances pages that work without it; the host's strict
//! Content-Security-Policy (no inline script or style) applies to every page.

mod charts;
mod decision;
mod employee;
mod export;
pub(crate) mod format;
mod hr;
mod i18n;
mod ics;
pub(crate) mod notices;
mod page;
mod policy;
mod province;
pub(crate) mod session;
mod supervisor;

use crate::AppState;
use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

pub use session::{SESSION_SECONDS, SIGNIN_CODE_SECONDS, issue_code, signin_link};

/// The pages and their static files.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(session::root))
        .route("/signin", get(session::signin_form).post(session::signin))
        .route("/signout", post(session::signout))
        .route("/lang", get(session::switch_lang))
        .route("/static/app.css", get(css))
        .route("/static/app.js", get(js))
        .route("/employee", get(employee::show))
        .route("/employee/apply", post(employee::apply))
        .route("/employee/withdraw", post(employee::withdraw))
        .route("/employee/roster.ics", get(employee::roster_ics))
        .route("/supervisor", get(supervisor::show))
        .route("/supervisor/decide", post(supervisor::decide))
        .route("/hr", get(hr::show))
        .route("/hr/import", post(hr::import))
        .route("/hr/allocate", post(hr::allocate))
        .route("/hr/agency-head", post(hr::agency_head))
        .route("/hr/export/{file}", get(export::export))
        .route("/policy", get(policy::show))
        .route("/policy/candidate", post(policy::candidate))
        .route("/policy/activate", post(policy::activate))
        .route("/province", get(province::show))
        .route("/notifications", get(notices::show))
}

fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    response
}

async fn css() -> Response {
    asset(include_str!("../static/app.css"), "text/css; charset=utf-8")
}

async fn js() -> Response {
    asset(include_str!("../static/app.js"), "text/javascript; charset=utf-8")
}
