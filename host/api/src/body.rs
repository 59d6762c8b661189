//! Reading request bodies strictly, with errors a client can act on:
//!
//! - a JSON body is exactly one JSON value: bytes after it, a syntax error, an empty body or a
//!   declared content type that is not JSON are 400 (415 for the content type) — the whole body
//!   is checked before any field is read;
//! - a well-formed body whose fields are wrong (a wrong type, an unknown enum value, a missing,
//!   unknown or repeated field) is 422 `invalid_field` naming the field's path (`a.b[2].c`);
//! - messages are our own words: no parser positions or Rust type names, and anything the
//!   client sent is echoed only shortened and stripped of control characters.
//!
//! A body without a `Content-Type` is read as the endpoint's kind (scripts and tests often send
//! none); a declared type of another kind is refused, so an HTML form (`multipart/form-data`,
//! `application/x-www-form-urlencoded`, `text/plain`) can never be taken for a JSON request.

use super::{ApiError, AppState};
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode, header};
use serde::de::DeserializeOwned;

/// What an endpoint reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `application/json` (or `application/*+json`).
    Json,
    /// An employee CSV file.
    Csv,
    /// A manifest (TOML text).
    Toml,
}

/// Refuse a declared content type of another kind than the endpoint reads (415).
pub(crate) fn check_content_type(headers: &HeaderMap, kind: Kind) -> Result<(), ApiError> {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Ok(());
    };
    let declared = value.to_str().unwrap_or("").split(';').next().unwrap_or("").trim();
    let declared = declared.to_ascii_lowercase();
    let json = declared == "application/json" || (declared.starts_with("application/") && declared.ends_with("+json"));
    let allowed = match kind {
        Kind::Json => json,
        // Anything a spreadsheet, curl or a browser's file upload calls a plain file.
        Kind::Csv => matches!(
            declared.as_str(),
            "text/csv" | "text/plain" | "application/csv" | "application/vnd.ms-excel" | "application/octet-stream"
        ),
        Kind::Toml => matches!(
            declared.as_str(),
            "application/toml" | "text/toml" | "text/x-toml" | "text/plain" | "application/octet-stream"
        ),
    };
    if allowed {
        return Ok(());
    }
    let wanted = match kind {
        Kind::Json => "application/json",
        Kind::Csv => "text/csv",
        Kind::Toml => "application/toml",
    };
    Err(ApiError {
        status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
        code: "unsupported_media_type",
        field: None,
        message: format!(
            "this endpoint reads {wanted}, not `{}`",
            super::error::tidy(&declared, 80)
        ),
    })
}

/// Parse a JSON body (content type already checked); see the module header for the errors.
pub(crate) fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request(None, "the body is empty; send one JSON object"));
    }
    // The whole body first: UTF-8 (RFC 8259), one JSON value and nothing after it. A syntax
    // error is the client's transport, not a field.
    if std::str::from_utf8(bytes).is_err() {
        return Err(ApiError::bad_request(
            None,
            "the body is not valid JSON: it is not UTF-8",
        ));
    }
    if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
        return Err(ApiError::bad_request(None, syntax_message(&e)));
    }
    // Every body is an object (serde would also read a struct from an array of its fields).
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(ApiError {
            field: None,
            ..ApiError::invalid("", "the body must be a JSON object")
        });
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let raw = without_position(&inner.to_string());
        // serde reports a missing or repeated field at its parent: name the field itself.
        let missing = ["missing field `", "duplicate field `"]
            .iter()
            .find_map(|prefix| raw.strip_prefix(prefix))
            .and_then(|m| m.split('`').next())
            .map(str::to_owned);
        let field = match (path.as_str(), missing) {
            (".", Some(name)) => Some(name),
            (".", None) => None,
            (parent, Some(name)) => Some(format!("{parent}.{name}")),
            (parent, None) => Some(parent.to_owned()),
        };
        // A number too large for a double is only found now: still the body's syntax (400),
        // but named by its field (`kpi_target: 1e999`).
        if raw.starts_with("number out of range") {
            let field = field.map(|f| super::error::tidy(&f, 200));
            return ApiError::bad_request(field, syntax_message(&inner));
        }
        // Otherwise the body is valid JSON, so the failure is a field's type or value
        // (serde_json reports some type mismatches, such as a number for an enum, as syntax).
        let message = field_message(&raw, inner.is_data());
        match field {
            Some(f) => ApiError::invalid(&super::error::tidy(&f, 200), message),
            None => ApiError {
                field: None,
                ..ApiError::invalid("", format!("the body {message}"))
            },
        }
    })
}

/// The JSON body of a request, read after its `Caller` (so a request without a valid token is
/// refused before its body is looked at).
pub(crate) struct JsonBody<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<JsonBody<T>, ApiError> {
        let bytes = read(request, state, Kind::Json).await?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// Check the content type and read the whole body (bounded by the router's body limit).
pub(crate) async fn read(request: Request, state: &AppState, kind: Kind) -> Result<Bytes, ApiError> {
    check_content_type(request.headers(), kind)?;
    Bytes::from_request(request, state).await.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::payload_too_large()
        } else {
            ApiError::bad_request(None, "the body could not be read")
        }
    })
}

/// serde_json's message without its " at line L column C" suffix.
fn without_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) if message[at..].contains(" column ") => message[..at].to_owned(),
        _ => message.to_owned(),
    }
}

fn syntax_message(e: &serde_json::Error) -> String {
    let raw = e.to_string();
    let what = if e.is_eof() {
        "it ends before its JSON value is complete"
    } else if raw.starts_with("trailing characters") {
        "there are bytes after its JSON value; send exactly one JSON value"
    } else if raw.starts_with("recursion limit exceeded") {
        "it is nested too deeply"
    } else if raw.contains("control character") {
        "a string in it holds a raw control character"
    } else if raw.contains("unicode") || raw.contains("escape") {
        "it holds an invalid string escape or invalid UTF-8"
    } else if raw.contains("number out of range") {
        "it holds a number too large to read"
    } else {
        "it has a syntax error"
    };
    // The position is in the client's own body; serde's wording and state are not shown.
    format!(
        "the body is not valid JSON: {what} (line {}, column {})",
        e.line(),
        e.column()
    )
}

/// A field's problem in plain words, from serde's message.
fn field_message(raw: &str, is_data: bool) -> String {
    if !is_data {
        return "has the wrong type: this field takes a text value".to_owned();
    }
    if raw.starts_with("missing field") {
        return "is required".to_owned();
    }
    if raw.starts_with("duplicate field") {
        return "appears more than once".to_owned();
    }
    if let Some(rest) = raw.strip_prefix("unknown field ") {
        let allowed = rest.split_once(", expected ").map(|(_, a)| a);
        return match allowed {
            Some(a) if a.starts_with("one of ") || a.starts_with('`') => {
                format!(
                    "is not a field here; the fields are {}",
                    a.trim_start_matches("one of ")
                )
            }
            _ => "is not a field here".to_owned(),
        };
    }
    if let Some(rest) = raw.strip_prefix("unknown variant ") {
        let (given, allowed) = rest.split_once(", expected ").unwrap_or((rest, ""));
        let allowed = allowed.trim_start_matches("one of ");
        return format!(
            "{} is not one of {}",
            super::error::tidy(given, 60),
            if allowed.is_empty() {
                "the allowed values"
            } else {
                allowed
            }
        );
    }
    if let Some(rest) = raw.strip_prefix("invalid type: ") {
        let (given, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        return format!("must be {}, not {}", expected_words(expected), kind_of(given));
    }
    if let Some(rest) = raw.strip_prefix("invalid value: ") {
        let (given, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        // "integer `-1`" → "-1"
        let value = given.rsplit_once(' ').map_or(given, |(_, v)| v).trim_matches('`');
        return format!(
            "must be {}, not {}",
            expected_words(expected),
            super::error::tidy(value, 40)
        );
    }
    if raw.starts_with("invalid length") {
        return "has the wrong number of items".to_owned();
    }
    // A message of our own types (a quarter, a date): already plain words, but it quotes the
    // client's value, so it is kept short.
    super::error::tidy(raw, 160)
}

/// What kind of JSON value serde's "unexpected" describes.
fn kind_of(unexpected: &str) -> &'static str {
    let word = unexpected.split([' ', '`']).next().unwrap_or("");
    match word {
        "string" => "a string",
        "integer" => "a number",
        "floating" => "a fraction",
        "boolean" => "true or false",
        "null" => "null",
        "map" => "an object",
        "sequence" => "an array",
        _ => "that value",
    }
}

/// serde's "expected …" (often a Rust type) in words.
fn expected_words(expected: &str) -> String {
    match expected {
        "f64" | "f32" => "a number".into(),
        "u8" => "a whole number from 0 to 255".into(),
        "u16" => "a whole number from 0 to 65535".into(),
        "u32" | "u64" | "usize" => "a whole number, 0 or more".into(),
        "i8" | "i16" | "i32" | "i64" | "isize" => "a whole number".into(),
        "a boolean" => "true or false".into(),
        "a string" | "a borrowed string" => "a string".into(),
        "a sequence" => "an array".into(),
        e if e.starts_with("struct ") || e == "a map" => "an object".into(),
        e if e.starts_with("enum ") || e == "variant identifier" || e == "string or map" => {
            "one of the names this field allows (a string)".into()
        }
        e if e.starts_with("a string") => "a string".into(),
        "" => "a different value".into(),
        other => super::error::tidy(other, 80),
    }
}
