//! The API's one error type and its mapping from every lower layer, in one place: 4xx name the
//! field and the problem; 5xx never show internals (they are logged instead). Every message is
//! made public-safe on its way out ([`public_message`]): server paths become file names, control
//! and bidirectional characters are dropped, and the length is bounded.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use dwa_workflow::{RulesError, StoreError, WorkflowError};
use serde::Serialize;

/// An error answer: `{"error": {"code", "message", "field"}}`.
#[derive(Debug)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable machine code, e.g. `invalid_field`.
    pub code: &'static str,
    /// The offending field, when there is one.
    pub field: Option<String>,
    /// A message for people.
    pub message: String,
}

/// `Retry-After` of every 503: the host's shortages (a busy region, a full pool) last moments.
const RETRY_AFTER_SECONDS: u32 = 1;

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
}

impl ApiError {
    /// 422: a field is invalid.
    pub fn invalid(field: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid_field",
            field: Some(field.into()),
            message: message.into(),
        }
    }

    /// 400: the body or query cannot be read at all.
    pub fn bad_request(field: Option<String>, message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code: "bad_request",
            field,
            message: message.into(),
        }
    }

    /// 401: no valid token.
    pub fn unauthenticated(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::UNAUTHORIZED,
            code: "unauthenticated",
            field: None,
            message: message.into(),
        }
    }

    /// 403: outside the caller's role or region.
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::FORBIDDEN,
            code: "forbidden",
            field: None,
            message: message.into(),
        }
    }

    /// 404.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            code: "not_found",
            field: None,
            message: message.into(),
        }
    }

    /// 409.
    pub fn conflict(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::CONFLICT,
            code: "conflict",
            field: None,
            message: message.into(),
        }
    }

    /// 503: the host lacks a resource for now (a busy region, a full pool); answered with
    /// `Retry-After`. Logged as the host's fault.
    pub fn unavailable(message: impl Into<String>) -> ApiError {
        let message = message.into();
        tracing::warn!(%message, "answered 503: the host is short of a resource");
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: "host_busy",
            field: None,
            message,
        }
    }

    /// 413: the body is over [`super::MAX_BODY_BYTES`].
    pub fn payload_too_large() -> ApiError {
        ApiError {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            code: "payload_too_large",
            field: None,
            message: format!("the body is larger than {} MiB", super::MAX_BODY_BYTES >> 20),
        }
    }

    /// The answer for a status some layer produced without a JSON body (405 from the router,
    /// 408 from the timeout, 413 from the body limit, a rejection of axum's extractors, …).
    pub fn for_status(status: StatusCode) -> ApiError {
        let (code, message) = match status.as_u16() {
            400 => (
                "bad_request",
                "the request cannot be read (its path, query or headers are malformed)",
            ),
            401 => ("unauthenticated", "authentication is required"),
            403 => ("forbidden", "not allowed"),
            404 => ("no_route", "no such route; see /openapi.json"),
            405 => (
                "method_not_allowed",
                "this route does not answer this method; see the Allow header",
            ),
            408 => ("request_timeout", "the request took longer than the server allows"),
            409 => ("conflict", "the request conflicts with the current state"),
            413 => return ApiError::payload_too_large(),
            414 => ("uri_too_long", "the URI is too long"),
            415 => (
                "unsupported_media_type",
                "this endpoint does not read that content type",
            ),
            422 => ("invalid_field", "the request is invalid"),
            429 => ("too_many_requests", "too many requests; retry later"),
            431 => ("headers_too_large", "the request's headers are too large"),
            502 => ("bad_gateway", "an upstream component failed"),
            503 => ("unavailable", "the service is unavailable; retry later"),
            504 => ("gateway_timeout", "an upstream component timed out"),
            s if s >= 500 => ("internal", "internal error; the details are in the server log"),
            _ => ("error", "the request was refused"),
        };
        ApiError {
            status,
            code,
            field: None,
            message: message.into(),
        }
    }

    /// 422 for a candidate version (upload, dry run) the rules refuse: the manifest or its
    /// plugin is invalid, names another region's plugin, or fails validation. Names the field
    /// and shows only file names, never the server's staging paths. Other errors map as usual.
    pub fn candidate(e: RulesError, manifest_field: &str, plugin_field: &str) -> ApiError {
        match e {
            RulesError::Manifest { path, reason } => {
                ApiError::invalid(manifest_field, format!("{}: {reason}", file_name(&path)))
            }
            RulesError::PluginFile { path, reason } => ApiError::invalid(
                plugin_field,
                format!("cannot read the plugin {}: {reason}", file_name(&path)),
            ),
            RulesError::Load(e) => ApiError::invalid(plugin_field, e.to_string()),
            RulesError::RegionMismatch {
                manifest_region,
                plugin_region,
                ..
            } => ApiError::invalid(
                plugin_field,
                format!(
                    "the plugin is for region {plugin_region}, the manifest for region {manifest_region}: a plugin \
                     serves its own region (the province's may also serve a regency or city of the province)"
                ),
            ),
            RulesError::Signature {
                error: error @ dwa_workflow::signing::SigningError::Trust { .. },
                ..
            } => ApiError::internal(&error),
            RulesError::Signature { error, .. } => ApiError::invalid("signature", format!("refused: {error}")),
            RulesError::Validation { plugin, failures, .. } => ApiError::invalid(
                manifest_field,
                format!("plugin {plugin} fails validation: {}", failures.join("; ")),
            ),
            other => other.into(),
        }
    }

    /// 500: logged in full, answered without details.
    pub(crate) fn internal(detail: &dyn std::fmt::Display) -> ApiError {
        tracing::error!(error = %detail, "internal error");
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            field: None,
            message: "internal error; the details are in the server log".into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let message = public_message(&self.message);
        let body = Body {
            error: Inner {
                code: self.code,
                message: &message,
                field: self.field.as_deref(),
            },
        };
        let mut response = (self.status, Json(body)).into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, RETRY_AFTER_SECONDS.into());
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer realm=\"dwa\""),
            );
        }
        response
    }
}

/// Longest message sent to a client, in characters.
const MAX_MESSAGE_CHARS: usize = 4000;

/// A message made safe to show a client: every absolute server path is replaced by its file
/// name (routes such as `/api/…` and `/openapi.json` are kept), control and bidirectional
/// characters are dropped, and it is cut to [`MAX_MESSAGE_CHARS`].
pub fn public_message(message: &str) -> String {
    tidy(&without_paths(&toml_in_words(message)), MAX_MESSAGE_CHARS)
}

/// A TOML parser's error (`TOML parse error at line L, column C`, a source snippet drawn with
/// `|` and `^`, then the problem) as one line in our words: `TOML syntax error (line L,
/// column C): the problem`.
fn toml_in_words(message: &str) -> String {
    const PHRASE: &str = "TOML parse error at line ";
    if !message.contains(PHRASE) {
        return message.to_owned();
    }
    let (mut head, mut problems) = (String::new(), Vec::new());
    for line in message.lines() {
        let trimmed = line.trim_start();
        let snippet = trimmed
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .trim_start()
            .starts_with('|');
        if snippet {
            continue;
        }
        match line.find(PHRASE) {
            Some(at) => {
                let position = &line[at + PHRASE.len()..];
                head = format!("{}TOML syntax error (line {position})", &line[..at]);
            }
            None if !trimmed.is_empty() => problems.push(trimmed.to_owned()),
            None => {}
        }
    }
    if problems.is_empty() {
        head
    } else {
        format!("{head}: {}", problems.join("; "))
    }
}

/// `text` without control (line breaks become spaces) or bidirectional characters, cut to
/// `max` characters (with `…`).
pub fn tidy(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max * 4));
    for (i, c) in text.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if dwa_domain::text::is_unsafe(c) => {}
            '\u{2028}' | '\u{2029}' | '\u{FEFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// A path's last component, without the leading dot and `.staging` suffix of the host's
/// staging files.
fn file_name(path: &std::path::Path) -> String {
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    match name.strip_suffix(".staging") {
        Some(staged) => staged.trim_start_matches('.').to_owned(),
        None => name,
    }
}

/// Replace every token that is an absolute path of two or more components by its file name.
fn without_paths(message: &str) -> String {
    const ENDS: &[char] = &['"', '\'', '`', ')', ']', '}', ',', ';', '<', '>'];
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    let mut previous: Option<char> = None;
    while let Some(c) = rest.chars().next() {
        let starts_path = c == '/'
            && previous
                .is_none_or(|p| p.is_whitespace() || matches!(p, '"' | '\'' | '`' | '(' | '[' | '=' | ':' | ','));
        if starts_path {
            let end = rest
                .find(|ch: char| ch.is_whitespace() || ENDS.contains(&ch))
                .unwrap_or(rest.len());
            let mut token = &rest[..end];
            // A sentence's own punctuation after the path stays.
            let trimmed = token.trim_end_matches([':', '.']);
            let tail = &token[trimmed.len()..];
            token = trimmed;
            let is_route = ["/api/", "/openapi.json", "/healthz", "/readyz", "/metrics"]
                .iter()
                .any(|r| token.starts_with(r));
            if token[1..].contains('/') && !is_route {
                out.push_str(&file_name(std::path::Path::new(token)));
            } else {
                out.push_str(token);
            }
            out.push_str(tail);
            previous = rest[..end].chars().last();
            rest = &rest[end..];
            continue;
        }
        out.push(c);
        previous = Some(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::NotFound(what) => ApiError::not_found(format!("{what} not found")),
            StoreError::Conflict(what) => ApiError::conflict(what),
            other => ApiError::internal(&other),
        }
    }
}

impl From<RulesError> for ApiError {
    fn from(e: RulesError) -> ApiError {
        match e {
            RulesError::UnknownRegion(region) => ApiError::not_found(format!("no active rules for region {region}")),
            // The host's own shortage, never the plugin's: retry shortly.
            e if e.is_host_fault() => ApiError::unavailable(e.to_string()),
            RulesError::Abandoned { .. } => ApiError {
                status: StatusCode::GATEWAY_TIMEOUT,
                code: "rules_timeout",
                field: None,
                message: e.to_string(),
            },
            // A plugin failing is the region's rules failing, not the host: say whose and why.
            RulesError::Plugin(e) => ApiError {
                status: StatusCode::BAD_GATEWAY,
                code: "rules_failed",
                field: None,
                message: format!("the region's rules could not decide: {e}"),
            },
            other => ApiError::internal(&other),
        }
    }
}

impl From<WorkflowError> for ApiError {
    fn from(e: WorkflowError) -> ApiError {
        match e {
            WorkflowError::Rules(e) => e.into(),
            WorkflowError::Store(e) => e.into(),
            WorkflowError::Invalid { field, problem } => ApiError::invalid(&field, problem.to_string()),
            WorkflowError::Guard(guard) => ApiError::invalid(guard.field(), guard.to_string()),
            WorkflowError::Conflict(message) => ApiError::conflict(message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_lose_server_paths() {
        let m = public_message(
            "/tmp/.tmpAb12/3216-kab-bekasi.toml: plugin kab-bekasi failed validation: `/work/main/rules/.32-jabar.toml.staging` (see /api/policies and /openapi.json).",
        );
        assert_eq!(
            m,
            "3216-kab-bekasi.toml: plugin kab-bekasi failed validation: `32-jabar.toml` (see /api/policies and /openapi.json)."
        );
        assert_eq!(public_message("a\u{202E}b\u{1b}[31m\nc"), "ab[31m c");
        assert_eq!(public_message("KPI 80/90 and 1/2/3"), "KPI 80/90 and 1/2/3");
        assert!(public_message(&"x".repeat(10_000)).chars().count() <= MAX_MESSAGE_CHARS + 1);
        assert_eq!(
            public_message(
                "invalid manifest: TOML parse error at line 1, column 10\n  |\n1 | region = \n  |          ^\ninvalid string\nexpected `\"`, `'`\n"
            ),
            "invalid manifest: TOML syntax error (line 1, column 10): invalid string; expected `\"`, `'`"
        );
    }
}
