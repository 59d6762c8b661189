//! Why a connection to PostgreSQL failed at TLS, in words an operator can act on: the `sslmode`
//! asked for, what was checked and what to change. sqlx reports a refused certificate as a bare
//! I/O error ("error communicating with database: invalid peer certificate: UnknownIssuer"),
//! which reads like a network fault and names neither the setting nor the file involved.

use rustls::CertificateError;
use sqlx::postgres::{PgConnectOptions, PgSslMode};
use std::str::FromStr;

/// If `error` is a TLS failure while connecting to the PostgreSQL at `url`, the message to show
/// instead of sqlx's; `None` for any other error. The URL's password is never part of it.
pub(crate) fn explain(url: &str, error: &sqlx::Error) -> Option<String> {
    let options = PgConnectOptions::from_str(url).ok()?;
    let mode = options.get_ssl_mode();
    let host = options.get_host().to_owned();
    let server = format!("{host}:{}", options.get_port());
    let root = root_cert(url);
    let trusted = match &root {
        Some(path) => format!("the CA in sslrootcert `{path}` or the system's CAs"),
        None => "the system's CAs (no sslrootcert was given)".to_owned(),
    };
    let why = match error {
        // sqlx's own TLS errors: the server said no to TLS, or the CA file is not PEM.
        sqlx::Error::Tls(inner) => {
            let inner = inner.to_string();
            if inner.contains("does not support TLS") {
                "the server does not accept TLS connections (turn `ssl = on` in its postgresql.conf, \
                 or lower sslmode)"
                    .to_owned()
            } else {
                inner
            }
        }
        sqlx::Error::Io(io) => {
            // A CA file that cannot be read surfaces as the file's I/O error.
            if let Some(path) = &root
                && verifies(mode)
                && let Err(e) = std::fs::metadata(path)
            {
                format!("the sslrootcert file `{path}` cannot be read: {e}")
            } else {
                let tls = io.get_ref()?.downcast_ref::<rustls::Error>()?;
                handshake(tls, mode, &host, &trusted)
            }
        }
        _ => return None,
    };
    Some(format!(
        "TLS to PostgreSQL at {server} failed (sslmode={}): {why}",
        mode_name(mode)
    ))
}

/// A refused handshake, said from the operator's side.
fn handshake(error: &rustls::Error, mode: PgSslMode, host: &str, trusted: &str) -> String {
    match error {
        rustls::Error::InvalidCertificate(cert) => match cert {
            CertificateError::UnknownIssuer | CertificateError::BadSignature => {
                format!("the server's certificate is not signed by {trusted}")
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                // sqlx 0.8.6 lets only rustls's old `NotValidForName` through under verify-ca, and
                // rustls now reports the `…Context` form: verify-ca checks the name as well.
                let also = if matches!(mode, PgSslMode::VerifyCa) {
                    " (this build checks it under verify-ca too)"
                } else {
                    ""
                };
                format!(
                    "the server's certificate does not name `{host}`, the host in the URL{also}; connect by a \
                     name the certificate has ({cert})"
                )
            }
            CertificateError::Expired
            | CertificateError::ExpiredContext { .. }
            | CertificateError::NotValidYet
            | CertificateError::NotValidYetContext { .. } => {
                format!("the server's certificate is outside its validity period ({cert})")
            }
            other => format!("the server's certificate was refused: {other}"),
        },
        other => format!("the TLS handshake failed: {other}"),
    }
}

/// The CA file that sqlx was given: the URL's `sslrootcert` (or its aliases), else
/// `PGSSLROOTCERT`, as sqlx reads them. (The options have no getter for it, and their URL form
/// prefixes the path with `file: `.)
fn root_cert(url: &str) -> Option<String> {
    let query = url.split_once('?').map_or("", |(_, query)| query);
    let query = query.split_once('#').map_or(query, |(query, _)| query);
    query
        .split('&')
        .rev() // the last one given wins, as in sqlx's parser
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| matches!(*key, "sslrootcert" | "ssl-root-cert" | "ssl-ca"))
        .map(|(_, value)| percent_decoded(value))
        .or_else(|| std::env::var("PGSSLROOTCERT").ok())
}

/// A query value as the URL parser reads it: `%XX` escapes and `+` for a space.
fn percent_decoded(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether `mode` checks the server's certificate against trusted CAs.
fn verifies(mode: PgSslMode) -> bool {
    matches!(mode, PgSslMode::VerifyCa | PgSslMode::VerifyFull)
}

/// `mode` as written in a URL.
fn mode_name(mode: PgSslMode) -> &'static str {
    match mode {
        PgSslMode::Disable => "disable",
        PgSslMode::Allow => "allow",
        PgSslMode::Prefer => "prefer",
        PgSslMode::Require => "require",
        PgSslMode::VerifyCa => "verify-ca",
        PgSslMode::VerifyFull => "verify-full",
    }
}

#[cfg(test)]
mod tests {
    use super::root_cert;

    #[test]
    fn the_ca_file_is_read_from_the_url() {
        let url = "postgres://u:p@h/d?sslmode=verify-full&sslrootcert=%2Fetc%2Fdwa%2Fpg%20ca.pem";
        assert_eq!(root_cert(url).as_deref(), Some("/etc/dwa/pg ca.pem"));
        let url = "postgres://h/d?ssl-root-cert=/etc/dwa/ca.pem&sslmode=verify-ca";
        assert_eq!(root_cert(url).as_deref(), Some("/etc/dwa/ca.pem"));
    }
}
