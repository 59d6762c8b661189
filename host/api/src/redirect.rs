//! Redirects. Every redirect the host answers goes through [`see_other`], which follows a target
//! only when it is a same-origin path: it starts with one `/`, has no scheme and no authority
//! (`//`, `/\`), no backslash and no control character (C0, DEL, C1) — neither as sent nor once
//! percent-decoded, since browsers ignore a tab or line feed in a URL (`/\t/evil.example` is
//! read as `//evil.example`) and some decode before they look. Anything else goes to the
//! fallback (the role's start page, or `/`). The `Location` header is built from the parsed,
//! percent-encoded path, so no value a client sends can make it invalid (an invalid header value
//! was the 500 of `next=/%0A/…`: axum's `Redirect` answers 500 when its target is not a valid
//! header value).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Longest redirect target followed, in bytes.
pub const MAX_TARGET_BYTES: usize = 2000;

/// The origin same-origin targets are resolved against; never shown to anyone.
const BASE: &str = "http://dwa.invalid/";

/// `target` as a same-origin path with its query (percent-encoded ASCII), when it is one.
pub fn local_path(target: &str) -> Option<String> {
    if target.len() > MAX_TARGET_BYTES || !plain_path(target) {
        return None;
    }
    // Once decoded it must still be a plain path: `%0a`, `%09`, `%5c`, `%2f%2f` are refused.
    let decoded = percent_encoding::percent_decode_str(target).decode_utf8().ok()?;
    if !plain_path(&decoded) {
        return None;
    }
    let base = url::Url::parse(BASE).ok()?;
    let url = base.join(target).ok()?;
    if url.origin() != base.origin() || !url.username().is_empty() || url.password().is_some() {
        return None;
    }
    let mut path = url.path().to_owned();
    if let Some(query) = url.query() {
        path.push('?');
        path.push_str(query);
    }
    // The parser normalises (`/a/../b`); the result must still be a plain path.
    plain_path(&path).then_some(path)
}

/// One `/`, then no second `/` or `\` at once, no backslash anywhere, no control character.
fn plain_path(path: &str) -> bool {
    let mut chars = path.chars();
    chars.next() == Some('/')
        && !matches!(chars.next(), Some('/' | '\\'))
        && !path.chars().any(|c| c == '\\' || c.is_control())
}

/// 303 See Other to `target` when it is a same-origin path ([`local_path`]), else to
/// `fallback` (a fixed path of the host).
pub fn see_other(target: &str, fallback: &'static str) -> Response {
    let location = local_path(target)
        .and_then(|path| HeaderValue::try_from(path).ok())
        .unwrap_or(HeaderValue::from_static(fallback));
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_same_origin_paths_are_followed() {
        for ok in [
            "/",
            "/employee",
            "/employee?done=1&x=%20y",
            "/hr/export/a.csv",
            "/a/../b",
        ] {
            assert!(local_path(ok).is_some(), "{ok}");
        }
        assert_eq!(local_path("/a/../b").as_deref(), Some("/b"));
        assert_eq!(local_path("/caf\u{e9}").as_deref(), Some("/caf%C3%A9"));
        for bad in [
            "",
            "employee",
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\nSet-Cookie: a=b",
            "/%09/evil.example",
            "/%0a/evil.example",
            "/%0D%0ASet-Cookie:a=b",
            "/%5c/evil.example",
            "/%2f%2fevil.example",
            "%2f%2fevil.example",
            "http://evil.example/",
            "javascript:alert(1)",
            "/\u{7f}",
            "/\u{85}",
            "/%00",
        ] {
            assert_eq!(local_path(bad), None, "{bad:?}");
        }
        assert_eq!(local_path(&format!("/{}", "a".repeat(MAX_TARGET_BYTES))), None);
    }
}
