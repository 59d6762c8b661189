//! hyper's own answers in the host's shape. hyper answers some requests before any of the
//! host's code runs: a request line or header it cannot parse (400, e.g. `Content-Length: -5`,
//! two different `Content-Length`s), a URI over its fixed limit of 65,534 bytes (414), more
//! header fields or bytes than it buffers (431). Those answers have an empty body and none of
//! the security headers. [`Guarded`] wraps each connection and replaces such an answer, as it is
//! written, with the same status in the JSON error shape with the security headers.
//!
//! It recognises hyper's answer precisely: a response head starting the write, status 400, 414
//! or 431, `content-length: 0`, nothing after it, and no `x-content-type-options` (which every
//! answer of the host's own carries). hyper closes the connection after such an answer, so
//! nothing else is written on it.

use crate::ApiError;
use axum::http::{HeaderMap, StatusCode};
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A connection whose hyper-made error answers are rewritten (see the module header).
pub(crate) struct Guarded<T> {
    inner: T,
    /// The replacement still to be written.
    pending: Vec<u8>,
    written: usize,
    replaced: bool,
    hsts: bool,
}

impl<T> Guarded<T> {
    /// Guard `inner`; `hsts` adds `Strict-Transport-Security` to the replacements.
    pub(crate) fn new(inner: T, hsts: bool) -> Guarded<T> {
        Guarded {
            inner,
            pending: Vec::new(),
            written: 0,
            replaced: false,
            hsts,
        }
    }
}

impl<T: AsyncWrite + Unpin> Guarded<T> {
    /// Write what is left of the replacement.
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.pending.len() {
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &self.pending[self.written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written += n;
        }
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Guarded<T> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Guarded<T> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        ready!(this.poll_pending(cx))?;
        if this.replaced {
            // hyper closes after its own answer; anything more is dropped with it.
            return Poll::Ready(Ok(buf.len()));
        }
        if let Some(status) = hypers_answer(buf) {
            tracing::debug!(
                status = status.as_u16(),
                "hyper refused a request; answering in the error shape"
            );
            this.pending = answer(status, this.hsts);
            this.written = 0;
            this.replaced = true;
            // What cannot be written now is written by the next write, flush or shutdown.
            if let Poll::Ready(Err(e)) = this.poll_pending(cx) {
                return Poll::Ready(Err(e));
            }
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_pending(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_pending(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    // Not vectored, so hyper writes each response head in one contiguous buffer.
    fn is_write_vectored(&self) -> bool {
        false
    }
}

/// The status of `buf` when it is exactly one of hyper's own bodiless error answers.
fn hypers_answer(buf: &[u8]) -> Option<StatusCode> {
    let rest = buf
        .strip_prefix(b"HTTP/1.1 ")
        .or_else(|| buf.strip_prefix(b"HTTP/1.0 "))?;
    let status = match rest.get(..4)? {
        b"400 " => StatusCode::BAD_REQUEST,
        b"414 " => StatusCode::URI_TOO_LONG,
        b"431 " => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        _ => return None,
    };
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = std::str::from_utf8(&buf[..end]).ok()?.to_ascii_lowercase();
    (end == buf.len() && head.contains("\r\ncontent-length: 0\r\n") && !head.contains("x-content-type-options"))
        .then_some(status)
}

/// The replacement answer: `status` in the error shape, with the security headers; the
/// connection closes after it.
fn answer(status: StatusCode, hsts: bool) -> Vec<u8> {
    let message = match status {
        StatusCode::URI_TOO_LONG => format!(
            "the URI is too long; at most {} bytes are accepted",
            crate::layers::MAX_URI_BYTES
        ),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => format!(
            "the request's headers are too large; at most {} fields of {} bytes in all are accepted",
            crate::layers::MAX_HEADERS,
            crate::layers::MAX_HEADER_BYTES
        ),
        _ => "the request cannot be read: its request line or headers are malformed (e.g. an invalid \
              Content-Length)"
            .to_owned(),
    };
    let error = ApiError {
        message,
        ..ApiError::for_status(status)
    };
    let body = serde_json::json!({"error": {"code": error.code, "message": error.message}}).to_string();
    let mut headers = HeaderMap::new();
    crate::layers::add_security_headers(&mut headers, true);
    let mut out = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or(""),
        body.len()
    );
    for (name, value) in &headers {
        out.push_str(&format!("{name}: {}\r\n", value.to_str().unwrap_or("")));
    }
    if hsts {
        out.push_str("strict-transport-security: max-age=31536000\r\n");
    }
    out.push_str("\r\n");
    out.push_str(&body);
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hypers_bodiless_answers_are_recognised() {
        let hyper = b"HTTP/1.1 414 URI Too Long\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        assert_eq!(hypers_answer(hyper), Some(StatusCode::URI_TOO_LONG));
        let ours = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nx-content-type-options: nosniff\r\n\r\n";
        assert_eq!(hypers_answer(ours), None);
        let with_body = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\nx";
        assert_eq!(hypers_answer(with_body), None);
        assert_eq!(
            hypers_answer(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n"),
            None
        );
        let text = String::from_utf8(answer(StatusCode::BAD_REQUEST, false)).unwrap();
        assert!(text.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{text}");
        assert!(text.contains("x-content-type-options: nosniff\r\n"), "{text}");
        assert!(text.ends_with("\"code\":\"bad_request\",\"message\":\"the request cannot be read: its request line or headers are malformed (e.g. an invalid Content-Length)\"}}"), "{text}");
    }
}
