//! Browser sessions. A person signs in with a one-time sign-in code (the link `dwa token create
//! --link` prints, or one HR issues) or with an API token; the server keeps the session (only the
//! sha256 of its id is stored) and the browser holds its id in an HttpOnly, SameSite=Strict
//! cookie. Every session has a CSRF token that each form posts back; the sign-in form itself is
//! protected by a double-submit cookie. Sessions expire after [`SESSION_SECONDS`] and end on
//! sign-out. Failed sign-ins are throttled per client address with the API's failed
//! authentications. Cookies are `Secure` when the request came over HTTPS (or as
//! [`crate::SecureCookies`] says); redirects go through [`crate::redirect`].

use super::i18n::Lang;
use super::page::{PageError, Shell};
use crate::redirect::see_other;
use crate::{AppState, Caller, Client, Role};
use askama::Template;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use dwa_workflow::{TokenGrant, WebSession, WorkflowError, access};
use std::collections::HashMap;

/// How long a session lasts after sign-in: a working day.
pub const SESSION_SECONDS: i64 = 8 * 3600;
/// How long a sign-in code (link) may wait before its first and only use.
pub const SIGNIN_CODE_SECONDS: i64 = 24 * 3600;

const SESSION_COOKIE: &str = "dwa_session";
const PRE_CSRF_COOKIE: &str = "dwa_signin";
/// The language cookie.
pub const LANG_COOKIE: &str = "dwa_lang";

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// A value of the request's `Cookie` headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, whole site, `Secure` when `secure`;
/// `max_age` 0 deletes it.
fn set_cookie(name: &str, value: &str, max_age: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    ))
    .unwrap_or(HeaderValue::from_static("dwa_invalid=; Max-Age=0"))
}

/// The language of the request: the `dwa_lang` cookie, Bahasa Indonesia unless it says `en`.
pub fn lang_of(headers: &HeaderMap) -> Lang {
    if cookie(headers, LANG_COOKIE) == Some("en") {
        Lang::En
    } else {
        Lang::Id
    }
}

/// A signed-in person: the same grant an API token carries, the session's CSRF token and the
/// language. A request without a live session is sent to the sign-in page.
pub struct WebUser {
    /// Who, in which role and region.
    pub caller: Caller,
    /// The token every form of this session carries.
    pub csrf: String,
    /// The pages' language.
    pub lang: Lang,
    /// How many of the person's notifications are unread (none for a role without a NIP).
    pub unread: Option<u64>,
    /// The region's name (`Kabupaten Bekasi`) when its rules are serving.
    pub region_name: Option<String>,
    session_id: String,
}

impl FromRequestParts<AppState> for WebUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<WebUser, Response> {
        let lang = lang_of(&parts.headers);
        let to_signin = || see_other("/signin", "/signin");
        let Some(id) = cookie(&parts.headers, SESSION_COOKIE).filter(|id| id.len() <= 100) else {
            return Err(to_signin());
        };
        let session = match access::session(&state.store, id, now()).await {
            Ok(Some(session)) => session,
            Ok(None) => return Err(to_signin()),
            Err(e) => return Err(PageError::from(e).into_response()),
        };
        let role = Role::from_code(&session.grant.role).ok_or_else(to_signin)?;
        // The session's id is a secret like a token: the access line gets the role alone.
        crate::access_log::note_caller(&parts.extensions, role.code(), None);
        let unread = match &session.grant.nip {
            Some(nip) => match dwa_workflow::notifications::unread(&state.store, nip).await {
                Ok(n) => Some(n),
                Err(e) => return Err(PageError::from(e).into_response()),
            },
            None => None,
        };
        let region_name = dwa_workflow::rules::region_name(&state.policies, &session.grant.region);
        Ok(WebUser {
            region_name,
            caller: Caller {
                role,
                region: session.grant.region,
                nip: session.grant.nip,
                token_id: session.token_id,
            },
            csrf: session.csrf,
            lang,
            unread,
            session_id: id.to_owned(),
        })
    }
}

/// Compare two secrets by their digests, so the time taken says nothing about a prefix.
fn same_secret(a: &str, b: &str) -> bool {
    use sha2::Digest;
    sha2::Sha256::digest(a.as_bytes()) == sha2::Sha256::digest(b.as_bytes())
}

impl WebUser {
    /// Refuse (403 page) unless the person has `role`.
    pub fn require(&self, role: Role) -> Result<(), PageError> {
        if self.caller.role == role {
            Ok(())
        } else {
            Err(PageError::forbidden(self.lang))
        }
    }

    /// Refuse a form (403 page) whose `csrf` field is missing or not this session's token.
    pub fn check_csrf(&self, form: &HashMap<String, String>) -> Result<(), PageError> {
        match form.get("csrf") {
            Some(token) if same_secret(token, &self.csrf) => Ok(()),
            _ => Err(PageError::csrf(self.lang)),
        }
    }

    /// The shell every page of this person is drawn in.
    pub fn shell(&self, path: &str) -> Shell {
        let mut shell = Shell::new(self.lang, path, Some((self.caller.clone(), self.csrf.clone())));
        shell.who = super::page::who(&self.caller, self.region_name.as_deref(), self.lang);
        shell.unread = self.unread;
        shell
    }
}

/// The start page of a role.
pub fn home(role: Role) -> &'static str {
    match role {
        Role::Employee => "/employee",
        Role::Supervisor => "/supervisor",
        Role::Hr => "/hr",
        Role::PolicyAdmin => "/policy",
        Role::ProvincialAdmin => "/province",
    }
}

/// Issue a one-time sign-in code for `grant`, valid for [`SIGNIN_CODE_SECONDS`]; only its
/// sha256 is stored. [`signin_link`] turns it into a link.
pub async fn issue_code(store: &dwa_workflow::Store, grant: &TokenGrant) -> Result<String, WorkflowError> {
    let code = crate::new_token().replacen("dwa_", "masuk_", 1);
    let now = now();
    access::keep_signin_code(store, &code, grant, now, now + SIGNIN_CODE_SECONDS).await?;
    Ok(code)
}

/// The sign-in link of a code on the host at `base` (e.g. `http://127.0.0.1:8080`).
pub fn signin_link(base: &str, code: &str) -> String {
    format!("{}/signin?code={code}", base.trim_end_matches('/'))
}

#[derive(Template)]
#[template(path = "signin.html")]
struct SigninPage {
    shell: Shell,
    code: String,
    failed: bool,
}

fn signin_page(lang: Lang, code: &str, failed: bool, secure: bool) -> Response {
    let pre = crate::new_token();
    let mut shell = Shell::new(lang, "/signin", None);
    shell.csrf = pre.clone();
    let page = SigninPage {
        shell,
        code: code.chars().take(300).collect(),
        failed,
    };
    let status = if failed {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::OK
    };
    let mut response = (status, super::page::render(&page)).into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, set_cookie(PRE_CSRF_COOKIE, &pre, 3600, secure));
    response
}

/// `GET /signin[?code=…]`: the sign-in form, with the code of a sign-in link filled in (a link
/// only fills the form, so a mail scanner following it does not use the code up).
pub async fn signin_form(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let secure = client.secure(state.secure_cookies);
    signin_page(
        lang_of(&headers),
        query.get("code").map_or("", String::as_str),
        false,
        secure,
    )
}

/// `POST /signin`: a sign-in code or an API token → a new session and the role's start page.
pub async fn signin(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let lang = lang_of(&headers);
    let posted = form.get("csrf").map_or("", String::as_str);
    match cookie(&headers, PRE_CSRF_COOKIE) {
        Some(expected) if !posted.is_empty() && same_secret(posted, expected) => {}
        _ => return Err(PageError::csrf(lang)),
    }
    let secure = client.secure(state.secure_cookies);
    let key = crate::AuthThrottle::key_of(client.ip);
    if state.auth_throttle.blocked(key).is_some() {
        return Err(PageError::new(
            StatusCode::TOO_MANY_REQUESTS,
            lang,
            "too many failed sign-ins from this address; wait a minute",
        ));
    }
    let code = form.get("code").map_or("", |c| c.trim());
    let signed_in = if code.is_empty() || code.len() > 256 {
        None
    } else {
        access::sign_in(&state.store, code, now())
            .await
            .map_err(crate::ApiError::from)?
    };
    let Some(access::SignIn { grant, token_id }) = signed_in.filter(|s| Role::from_code(&s.grant.role).is_some())
    else {
        let failures = state.auth_throttle.failed(key);
        tracing::warn!(%client, failures, "web sign-in failed");
        return Ok(signin_page(lang, "", true, secure));
    };
    let role = Role::from_code(&grant.role).unwrap_or(Role::Employee);
    let id = crate::new_token();
    let session = WebSession {
        grant,
        csrf: crate::new_token(),
        expires_at: now() + SESSION_SECONDS,
        // Signed in with an API token: revoking the token ends the session too.
        token_id,
    };
    access::open_session(&state.store, &id, &session, now())
        .await
        .map_err(crate::ApiError::from)?;
    let mut response = see_other(home(role), home(role));
    let headers = response.headers_mut();
    headers.append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, &id, SESSION_SECONDS, secure),
    );
    headers.append(header::SET_COOKIE, set_cookie(PRE_CSRF_COOKIE, "", 0, secure));
    Ok(response)
}

/// `POST /signout`: end the session (the CSRF token is required like on every form).
pub async fn signout(
    State(state): State<AppState>,
    client: Client,
    user: WebUser,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    user.check_csrf(&form)?;
    access::end_session(&state.store, &user.session_id)
        .await
        .map_err(crate::ApiError::from)?;
    let mut response = see_other("/signin", "/signin");
    let secure = client.secure(state.secure_cookies);
    response
        .headers_mut()
        .append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, "", 0, secure));
    Ok(response)
}

/// `GET /lang?to=en&next=/employee`: switch the pages' language (a cookie) and go back. Only
/// same-origin paths are followed ([`crate::redirect`]); anything else goes to `/` (which sends
/// a signed-in person to their role's start page), so the switch cannot send anyone elsewhere.
pub async fn switch_lang(
    State(state): State<AppState>,
    client: Client,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let to = if query.get("to").map(String::as_str) == Some("en") {
        "en"
    } else {
        "id"
    };
    let mut response = see_other(query.get("next").map_or("/", String::as_str), "/");
    let secure = if client.secure(state.secure_cookies) {
        "; Secure"
    } else {
        ""
    };
    response.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_str(&format!(
            "{LANG_COOKIE}={to}; Path=/; SameSite=Strict; Max-Age=31536000{secure}"
        ))
        .unwrap_or(HeaderValue::from_static("dwa_lang=id; Path=/")),
    );
    response
}

/// `GET /`: the role's start page, or the sign-in page.
pub async fn root(State(state): State<AppState>, parts: axum::http::request::Parts) -> Response {
    let mut parts = parts;
    match WebUser::from_request_parts(&mut parts, &state).await {
        Ok(user) => see_other(home(user.caller.role), "/signin"),
        Err(response) => response,
    }
}
