//! The layers around every route: security headers on every response, the one JSON error shape
//! for every error status whichever layer produced it (the router's 404/405, the timeout's 408,
//! the body limit's 413, axum's extractor rejections, a panic's 500), and bounds on the URI and
//! the headers. (hyper's own answers, for requests it cannot parse, are rewritten into the same
//! shape as they leave the connection: see `wire`.)

use super::ApiError;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Longest request URI (path and query) accepted, in bytes; longer ones get 414.
pub const MAX_URI_BYTES: usize = 8 * 1024;

/// Largest total of the request's header names and values, in bytes; more gets 431.
pub const MAX_HEADER_BYTES: usize = 64 * 1024;

/// Most header fields in one request; more gets 431.
pub const MAX_HEADERS: usize = 100;

/// The Content-Security-Policy of every response: strict enough for the HTML pages to come
/// (no inline script or style, nothing from other origins, never framed).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// Middleware: the security headers on every response; `Cache-Control: no-store` on every
/// answer to an authenticated request (one with an `Authorization` header) and under `/api/`,
/// so no proxy or browser keeps a person's data.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let private = request.headers().contains_key(header::AUTHORIZATION) || request.uri().path().starts_with("/api/");
    let mut response = next.run(request).await;
    add_security_headers(response.headers_mut(), private);
    response
}

/// The security headers of every answer (`no-store` too when `private`).
pub fn add_security_headers(headers: &mut HeaderMap, private: bool) {
    let set = |headers: &mut HeaderMap, name: HeaderName, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    set(headers, header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY);
    set(headers, header::REFERRER_POLICY, "no-referrer");
    set(
        headers,
        HeaderName::from_static("cross-origin-resource-policy"),
        "same-origin",
    );
    if private {
        set(headers, header::CACHE_CONTROL, "no-store");
    }
}

/// Middleware: an error status without a JSON body (from a layer or an axum extractor) gets the
/// one error shape `{"error": {"code", "message"}}`; `Allow`, `Retry-After` and
/// `WWW-Authenticate` are kept.
pub async fn json_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error())
        || is_json(response.headers())
        || is_html(response.headers())
    {
        return response;
    }
    let (parts, _) = response.into_parts();
    // (A 405's `Allow` header is added by the route's method router after this layer.)
    let mut shaped = ApiError::for_status(status).into_response();
    for name in [header::ALLOW, header::RETRY_AFTER, header::WWW_AUTHENTICATE] {
        if let Some(value) = parts.headers.get(&name) {
            shaped.headers_mut().insert(name, value.clone());
        }
    }
    shaped
}

/// The web pages answer their errors as HTML pages, which stay as they are.
fn is_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// Middleware: refuse a URI over [`MAX_URI_BYTES`] with 414 before anything reads it.
pub async fn bound_uri(request: Request, next: Next) -> Response {
    let length = request.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    if length > MAX_URI_BYTES {
        return ApiError {
            message: format!("the URI is {length} bytes long; at most {MAX_URI_BYTES} are accepted"),
            ..ApiError::for_status(axum::http::StatusCode::URI_TOO_LONG)
        }
        .into_response();
    }
    next.run(request).await
}

/// Middleware: refuse more than [`MAX_HEADERS`] header fields or [`MAX_HEADER_BYTES`] of them
/// with 431 before anything reads them.
pub async fn bound_headers(request: Request, next: Next) -> Response {
    let headers = request.headers();
    let bytes: usize = headers.iter().map(|(n, v)| n.as_str().len() + v.len()).sum();
    if headers.len() > MAX_HEADERS || bytes > MAX_HEADER_BYTES {
        return ApiError {
            message: format!(
                "the request has {} header fields of {bytes} bytes; at most {MAX_HEADERS} fields of {MAX_HEADER_BYTES} \
                 bytes in all are accepted",
                headers.len()
            ),
            ..ApiError::for_status(axum::http::StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE)
        }
        .into_response();
    }
    next.run(request).await
}

/// A handler's panic as a 500 in the error shape (the panic message is logged, never sent).
pub fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a panic without a message");
    ApiError::internal(&format!("a request handler panicked: {detail}")).into_response()
}
