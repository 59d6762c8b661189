//! Request ids and the access log. Every request gets an id — the client's `X-Request-Id` when
//! it sends a sane one (1 to [`MAX_REQUEST_ID`] visible ASCII characters), else a fresh random
//! one — echoed in the answer's `X-Request-Id`, whatever produced the answer (a handler, a 401
//! or 429 of authentication, an error layer). The rest of the request runs inside a span
//! carrying that id, so every log line of the request names it; authentication records the
//! caller's role and token id into the same span ([`note_caller`]).
//!
//! When the request is answered, one access line (target [`TARGET`]) says: method, the
//! matched route template (`/api/employees/{nip}`, never the raw path, which carries NIPs and
//! other personal data), status, latency, the client's address (proxy-aware:
//! [`crate::client`]), and the caller's role and token id when authenticated. Never a token,
//! a password, a query string or a path value.

use crate::client::Client;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tracing::Instrument;

/// The target of access log lines, for log filters (`RUST_LOG=dwa_api::access=info`).
pub const TARGET: &str = "dwa_api::access";

/// The request id header, read and echoed.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest `X-Request-Id` taken from a client; a longer one is replaced.
pub const MAX_REQUEST_ID: usize = 128;

/// The id of one request, in its extensions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestId(pub String);

/// The caller's role and token id (none for a web session).
type Who = (&'static str, Option<String>);

/// Who the caller turned out to be, written by authentication, read by the access line.
#[derive(Clone, Default)]
struct Identity(Arc<Mutex<Option<Who>>>);

/// The client's request id when it is sane: 1 to [`MAX_REQUEST_ID`] bytes, each visible ASCII
/// (so it can break no log line and hide nothing).
fn given_id(value: &HeaderValue) -> Option<String> {
    let bytes = value.as_bytes();
    let sane = !bytes.is_empty() && bytes.len() <= MAX_REQUEST_ID && bytes.iter().all(|b| b.is_ascii_graphic());
    sane.then(|| String::from_utf8_lossy(bytes).into_owned())
}

/// Record the authenticated caller's role and token id (the 16-hex id, never the token) into
/// the request's span and for its access line. Outside [`track`], only the span (if any) hears.
pub(crate) fn note_caller(extensions: &axum::http::Extensions, role: &'static str, token_id: Option<&str>) {
    let span = tracing::Span::current();
    span.record("role", role);
    if let Some(id) = token_id {
        span.record("token_id", id);
    }
    if let Some(identity) = extensions.get::<Identity>() {
        *identity.0.lock().unwrap_or_else(|p| p.into_inner()) = Some((role, token_id.map(str::to_owned)));
    }
}

/// Middleware: give the request its id and span, echo the id, write the access line.
pub async fn track(mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = request
        .headers()
        .get(&REQUEST_ID)
        .and_then(given_id)
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let client = request.extensions().get::<Client>().copied();
    let identity = Identity::default();
    request.extensions_mut().insert(identity.clone());
    request.extensions_mut().insert(RequestId(id.clone()));
    // At ERROR level so that any filter that lets a line through keeps its span (and its id):
    // a span below the filter's level would be dropped with its fields.
    let span = tracing::error_span!(
        "request",
        request_id = %id,
        role = tracing::field::Empty,
        token_id = tracing::field::Empty
    );
    let mut response = next.run(request).instrument(span.clone()).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    let status = response.status().as_u16();
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let client = client.map_or_else(|| "unknown".to_owned(), |c| c.to_string());
    let (role, token_id) = identity.0.lock().unwrap_or_else(|p| p.into_inner()).take().unzip();
    let token_id = token_id.flatten();
    span.in_scope(|| {
        tracing::info!(
            target: TARGET,
            method = %method,
            route = %route,
            status,
            latency_ms,
            client = %client,
            role,
            token_id = token_id.as_deref(),
            "request"
        );
    });
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Visible ASCII within the bound is kept; empty, long, spaced or control text is not.
    #[test]
    fn only_sane_request_ids_are_taken() {
        let id = |s: &str| given_id(&HeaderValue::from_str(s).unwrap());
        assert_eq!(id("test-req-123").as_deref(), Some("test-req-123"));
        assert_eq!(id(&"a".repeat(MAX_REQUEST_ID)).map(|s| s.len()), Some(MAX_REQUEST_ID));
        assert_eq!(id(&"a".repeat(MAX_REQUEST_ID + 1)), None);
        assert_eq!(id(""), None);
        assert_eq!(id("two words"), None);
        assert_eq!(id("tab\there"), None);
        assert_eq!(given_id(&HeaderValue::from_bytes(b"caf\xc3\xa9").unwrap()), None);
    }
}
