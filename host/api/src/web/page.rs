//! What every page shares: the shell (language, the English/Indonesian switch, who is signed in,
//! the sign-out form with its CSRF token, the role's navigation), rendering a template into an
//! HTML response that is never cached, and error pages (refused, CSRF, not found, invalid).

use super::i18n::{Lang, Text};
use crate::{ApiError, Caller, Role};
use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

/// One link of the navigation.
pub struct NavLink {
    /// Where.
    pub href: &'static str,
    /// Its label.
    pub label: &'static str,
    /// Whether it is the page shown.
    pub current: bool,
}

/// The frame of every page.
pub struct Shell {
    /// The words in the page's language.
    pub t: &'static Text,
    /// `id` or `en`, for the `lang` attribute.
    pub lang: &'static str,
    /// The link that switches language and comes back here.
    pub switch_href: String,
    /// The signed-in person's role label, region and NIP (empty when signed out).
    pub who: String,
    /// Whether someone is signed in.
    pub signed_in: bool,
    /// The CSRF token forms carry.
    pub csrf: String,
    /// The role's pages.
    pub nav: Vec<NavLink>,
    /// Unread notifications of the signed-in person (none for a role without a NIP).
    pub unread: Option<u64>,
}

impl Shell {
    /// The shell of `path` in `lang`, for `session` (the caller and their CSRF token) if signed in.
    pub fn new(lang: Lang, path: &str, session: Option<(Caller, String)>) -> Shell {
        let t = lang.text();
        let switch_href = format!("/lang?to={}&next={}", lang.other().code(), encode(path));
        let (who, csrf, nav, signed_in) = match session {
            Some((caller, csrf)) => {
                let role = role_label(caller.role, t);
                let who = who(&caller, None, lang);
                let href = super::session::home(caller.role);
                let nav = vec![NavLink {
                    href,
                    label: role,
                    current: path.starts_with(href),
                }];
                (who, csrf, nav, true)
            }
            None => (String::new(), String::new(), Vec::new(), false),
        };
        Shell {
            t,
            lang: lang.code(),
            switch_href,
            who,
            signed_in,
            csrf,
            nav,
            unread: None,
        }
    }
}

/// Who is signed in, as the header says it: the role, the region (by name when known, else
/// `Wilayah 3216`) and the NIP.
pub fn who(caller: &Caller, region_name: Option<&str>, lang: Lang) -> String {
    let t = lang.text();
    let role = role_label(caller.role, t);
    let region = match region_name {
        Some(name) => name.to_owned(),
        None => format!("{} {}", t.region, caller.region),
    };
    match &caller.nip {
        Some(nip) => format!("{role} · {region} · NIP {nip}"),
        None => format!("{role} · {region}"),
    }
}

/// A role's name in the page's language.
pub fn role_label(role: Role, t: &'static Text) -> &'static str {
    match role {
        Role::Employee => t.role_employee,
        Role::Supervisor => t.role_supervisor,
        Role::Hr => t.role_hr,
        Role::PolicyAdmin => t.role_policy_admin,
        Role::ProvincialAdmin => t.role_provincial_admin,
    }
}

/// Percent-encode a local path for a query parameter.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Render a template as a private (never cached) HTML answer.
pub fn render<T: Template>(template: &T) -> Response {
    match template.render() {
        Ok(html) => {
            let mut response = Html(html).into_response();
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(e) => ApiError::internal(&format!("template failed: {e}")).into_response(),
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    shell: Shell,
    title: &'static str,
    message: String,
}

/// A page that could not be shown: its status and a message, drawn as an HTML page.
#[derive(Debug)]
pub struct PageError {
    status: StatusCode,
    lang: Lang,
    title: Option<&'static str>,
    message: String,
}

impl PageError {
    /// A page with `status` and `message`.
    pub fn new(status: StatusCode, lang: Lang, message: impl Into<String>) -> PageError {
        PageError {
            status,
            lang,
            title: None,
            message: message.into(),
        }
    }

    /// 403: the page belongs to another role or person.
    pub fn forbidden(lang: Lang) -> PageError {
        let t = lang.text();
        PageError {
            title: Some(t.forbidden_title),
            ..PageError::new(StatusCode::FORBIDDEN, lang, t.forbidden_body)
        }
    }

    /// 403: a form without this session's CSRF token.
    pub fn csrf(lang: Lang) -> PageError {
        let t = lang.text();
        PageError {
            title: Some(t.csrf_title),
            ..PageError::new(StatusCode::FORBIDDEN, lang, t.csrf_body)
        }
    }

    /// A workflow error in `lang`: a refused field or a guard as 422 with its label and what is
    /// wrong in the page's language; anything else as the API says it.
    pub fn workflow(e: dwa_workflow::WorkflowError, lang: Lang) -> PageError {
        match super::i18n::workflow_message(&e, lang) {
            Some(message) => PageError::new(StatusCode::UNPROCESSABLE_ENTITY, lang, message),
            None => PageError::from(e).in_lang(lang),
        }
    }

    /// A refused field of a form, in `lang`.
    pub fn invalid(field: &str, problem: dwa_workflow::Problem, lang: Lang) -> PageError {
        PageError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            lang,
            super::i18n::invalid_message(field, &problem, lang),
        )
    }

    /// The same error in `lang`.
    pub fn in_lang(mut self, lang: Lang) -> PageError {
        self.lang = lang;
        self
    }
}

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> PageError {
        // ApiError's messages never show internals (a 500 says only that it failed).
        PageError::new(e.status, Lang::Id, e.message)
    }
}

impl From<dwa_workflow::WorkflowError> for PageError {
    fn from(e: dwa_workflow::WorkflowError) -> PageError {
        PageError::from(ApiError::from(e))
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let t = self.lang.text();
        let title = self.title.unwrap_or(match self.status {
            StatusCode::NOT_FOUND => t.not_found_title,
            StatusCode::FORBIDDEN => t.forbidden_title,
            _ => t.error_title,
        });
        let page = ErrorPage {
            shell: Shell::new(self.lang, "/", None),
            title,
            message: self.message,
        };
        (self.status, render(&page)).into_response()
    }
}
