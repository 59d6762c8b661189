//! Who the client is and whether it came over HTTPS. The TCP peer (`ConnectInfo`) is the client
//! unless it is a configured trusted proxy ([`TrustedProxies`]); then, and only then, the
//! proxy's `Forwarded` (RFC 7239 `for=`/`proto=`) or else `X-Forwarded-For` /
//! `X-Forwarded-Proto` headers are read: the client is the right-most address that is not
//! itself a trusted proxy (addresses further left were written by the client and may be
//! forged). An untrusted peer's forwarding headers are ignored, so spoofing them changes
//! nothing. The [`resolve`] middleware puts the [`Client`] into every request's extensions, for
//! throttling, logs and cookies, and adds HSTS when the request came over HTTPS.

use crate::AppState;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

/// A trusted-proxy entry that cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("`{0}` is not an IP address or CIDR block (e.g. 10.0.0.5, 10.0.0.0/8, fd00::/8)")]
pub struct BadProxy(String);

/// The reverse proxies (load balancers) whose forwarding headers are believed.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parse addresses and CIDR blocks (`10.0.0.5`, `10.0.0.0/8`, `fd00::/8`); empty entries
    /// are skipped.
    pub fn parse<S: AsRef<str>>(entries: impl IntoIterator<Item = S>) -> Result<TrustedProxies, BadProxy> {
        let mut nets = Vec::new();
        for entry in entries {
            let entry = entry.as_ref().trim();
            if entry.is_empty() {
                continue;
            }
            let net = entry
                .parse::<IpNet>()
                .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| BadProxy(entry.chars().take(100).collect()))?;
            nets.push(net);
        }
        Ok(TrustedProxies(nets))
    }

    /// Whether `ip` is a trusted proxy (IPv4-mapped IPv6 addresses count as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// Whether no proxy is trusted.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// When session cookies are `Secure` and responses carry HSTS.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum SecureCookies {
    /// Always (the host is only reached over HTTPS).
    Always,
    /// When the request came over HTTPS, as a trusted proxy says (`X-Forwarded-Proto: https`
    /// or `Forwarded: proto=https`).
    #[default]
    Auto,
    /// Never (plain HTTP on a trusted network, or a development machine).
    Never,
}

/// The client of one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Client {
    /// The client's address (`None` without `ConnectInfo`, as with a router driven directly).
    pub ip: Option<IpAddr>,
    /// Whether the client reached the host over HTTPS.
    pub https: bool,
}

impl std::fmt::Display for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.ip {
            Some(ip) => write!(f, "{ip}"),
            None => f.write_str("unknown"),
        }
    }
}

impl Client {
    /// The client of a request from `peer` with `headers`.
    pub fn of(peer: Option<SocketAddr>, headers: &HeaderMap, trusted: &TrustedProxies) -> Client {
        let Some(peer) = peer.map(|p| canonical(p.ip())) else {
            return Client { ip: None, https: false };
        };
        if !trusted.contains(peer) {
            return Client {
                ip: Some(peer),
                https: false,
            };
        }
        let hops = forwarded(headers);
        // Right to left, skipping our own proxies; an unreadable hop ("unknown", an obfuscated
        // name) ends the walk at the last proxy that is known.
        let mut client = Client {
            ip: Some(peer),
            https: hops.last().map_or_else(|| forwarded_proto(headers), |h| h.https),
        };
        for hop in hops.iter().rev() {
            let Some(ip) = hop.ip else { break };
            client = Client {
                ip: Some(ip),
                https: hop.https,
            };
            if !trusted.contains(ip) {
                break;
            }
        }
        client
    }

    /// Whether answers to this client get `Secure` cookies and HSTS.
    pub fn secure(&self, mode: SecureCookies) -> bool {
        match mode {
            SecureCookies::Always => true,
            SecureCookies::Auto => self.https,
            SecureCookies::Never => false,
        }
    }
}

/// The client set by [`resolve`] (or resolved now, for a router without that layer).
impl FromRequestParts<AppState> for Client {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Client, Infallible> {
        Ok(of_parts(parts, state))
    }
}

/// The client of a request's parts.
pub(crate) fn of_parts(parts: &Parts, state: &AppState) -> Client {
    parts.extensions.get::<Client>().copied().unwrap_or_else(|| {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
        Client::of(peer, &parts.headers, &state.trusted_proxies)
    })
}

/// Middleware: resolve the [`Client`] once per request (into its extensions) and add
/// `Strict-Transport-Security` when the answer is to go over HTTPS.
pub async fn resolve(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    let client = Client::of(peer, request.headers(), &state.trusted_proxies);
    request.extensions_mut().insert(client);
    let mut response = next.run(request).await;
    if client.secure(state.secure_cookies) {
        response.headers_mut().insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    response
}

/// One hop of the forwarding chain, oldest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Hop {
    ip: Option<IpAddr>,
    https: bool,
}

/// The hops of `Forwarded` (when present) or else `X-Forwarded-For`, oldest first.
fn forwarded(headers: &HeaderMap) -> Vec<Hop> {
    let values = |name| {
        headers
            .get_all(name)
            .iter()
            .map(|v| v.to_str().unwrap_or("unknown").to_owned())
            .collect::<Vec<_>>()
            .join(",")
    };
    if headers.contains_key(header::FORWARDED) {
        values(header::FORWARDED)
            .split(',')
            .map(|element| {
                let mut hop = Hop { ip: None, https: false };
                for pair in element.split(';') {
                    let Some((key, value)) = pair.split_once('=') else {
                        continue;
                    };
                    let value = value.trim().trim_matches('"');
                    match key.trim().to_ascii_lowercase().as_str() {
                        "for" => hop.ip = node_ip(value),
                        "proto" => hop.https = value.eq_ignore_ascii_case("https"),
                        _ => {}
                    }
                }
                hop
            })
            .collect()
    } else if headers.contains_key("x-forwarded-for") {
        let https = forwarded_proto(headers);
        values(axum::http::HeaderName::from_static("x-forwarded-for"))
            .split(',')
            .map(|node| Hop {
                ip: node_ip(node.trim()),
                https,
            })
            .collect()
    } else {
        Vec::new()
    }
}

/// `X-Forwarded-Proto` as the nearest proxy set it (its right-most value).
fn forwarded_proto(headers: &HeaderMap) -> bool {
    headers
        .get_all("x-forwarded-proto")
        .iter()
        .next_back()
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"))
}

/// The address of a node: `192.0.2.1`, `192.0.2.1:443`, `[2001:db8::1]`, `[2001:db8::1]:443`,
/// `2001:db8::1`; `None` for `unknown` and obfuscated names.
fn node_ip(node: &str) -> Option<IpAddr> {
    let ip = if let Some(rest) = node.strip_prefix('[') {
        rest.split(']').next()?.parse().ok()
    } else {
        node.parse::<IpAddr>()
            .ok()
            .or_else(|| node.parse::<SocketAddr>().ok().map(|s| s.ip()))
    };
    ip.map(canonical)
}

/// IPv4-mapped IPv6 (`::ffff:10.0.0.1`) as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().unwrap());
        }
        map
    }

    fn client(peer: &str, pairs: &[(&'static str, &str)]) -> Client {
        let trusted = TrustedProxies::parse(["10.0.0.0/8", "fd00::1"]).unwrap();
        Client::of(Some(peer.parse().unwrap()), &headers(pairs), &trusted)
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn forwarding_headers_count_only_from_trusted_proxies() {
        let xff = [("x-forwarded-for", "203.0.113.7")];
        assert_eq!(client("198.51.100.1:1", &xff).ip, ip("198.51.100.1"));
        assert_eq!(client("10.1.2.3:1", &xff).ip, ip("203.0.113.7"));
        assert_eq!(client("[::ffff:10.1.2.3]:1", &xff).ip, ip("203.0.113.7"));
        assert_eq!(client("[fd00::1]:1", &xff).ip, ip("203.0.113.7"));
        // The right-most address that is not ours; the forged left part is ignored.
        let chain = [("x-forwarded-for", "1.2.3.4, 203.0.113.7, 10.0.0.9")];
        assert_eq!(client("10.0.0.1:1", &chain).ip, ip("203.0.113.7"));
        let split = [("x-forwarded-for", "1.2.3.4"), ("x-forwarded-for", "203.0.113.8")];
        assert_eq!(client("10.0.0.1:1", &split).ip, ip("203.0.113.8"));
        // No header, garbage or only proxies.
        assert_eq!(client("10.0.0.1:1", &[]).ip, ip("10.0.0.1"));
        assert_eq!(
            client("10.0.0.1:1", &[("x-forwarded-for", "nonsense")]).ip,
            ip("10.0.0.1")
        );
        assert_eq!(
            client("10.0.0.1:1", &[("x-forwarded-for", "10.0.0.7")]).ip,
            ip("10.0.0.7")
        );
    }

    #[test]
    fn rfc_7239_forwarded_wins_and_carries_the_protocol() {
        let fwd = [
            (
                "forwarded",
                "for=1.2.3.4;proto=http, for=\"[2001:db8::7]:4711\";proto=https",
            ),
            ("x-forwarded-for", "198.51.100.9"),
        ];
        let c = client("10.0.0.1:1", &fwd);
        assert_eq!(c.ip, ip("2001:db8::7"));
        assert!(c.https);
        assert_eq!(client("10.0.0.1:1", &[("forwarded", "for=unknown")]).ip, ip("10.0.0.1"));
        assert_eq!(
            client("10.0.0.1:1", &[("forwarded", "For=203.0.113.7:80")]).ip,
            ip("203.0.113.7")
        );
    }

    #[test]
    fn https_is_believed_only_from_a_trusted_proxy() {
        let proto = [("x-forwarded-proto", "https"), ("x-forwarded-for", "203.0.113.7")];
        assert!(client("10.0.0.1:1", &proto).https);
        assert!(!client("198.51.100.1:1", &proto).https);
        assert!(client("10.0.0.1:1", &[("x-forwarded-proto", "https")]).https);
        assert!(!client("10.0.0.1:1", &[("x-forwarded-proto", "https, http")]).https);
        let c = client("198.51.100.1:1", &proto);
        assert!(c.secure(SecureCookies::Always) && !c.secure(SecureCookies::Auto));
        assert!(!client("10.0.0.1:1", &proto).secure(SecureCookies::Never));
    }

    #[test]
    fn proxies_parse_addresses_and_blocks() {
        let trusted = TrustedProxies::parse(["192.0.2.1", " 10.0.0.0/8 ", "", "::1/128"]).unwrap();
        assert!(trusted.contains("192.0.2.1".parse().unwrap()));
        assert!(trusted.contains("10.255.0.1".parse().unwrap()));
        assert!(trusted.contains("::1".parse().unwrap()));
        assert!(!trusted.contains("192.0.2.2".parse().unwrap()));
        assert!(TrustedProxies::parse(["10.0.0.0/33"]).is_err());
        assert!(TrustedProxies::parse(["proxy.internal"]).is_err());
    }
}
