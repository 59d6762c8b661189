//! Throttling of failed authentication per client address: after [`AuthThrottle::limit`]
//! failures (a malformed or unknown token) within [`AuthThrottle::window`], every request from
//! that address that presents a token is answered 429 with `Retry-After` until the window ends —
//! whether the token is right or not, so guessing gains nothing. IPv6 clients are counted per
//! /64 (one host usually owns a whole /64). Memory is bounded: at most
//! [`AuthThrottle::CAPACITY`] addresses are tracked; when full, expired entries go first, then
//! the oldest.
//!
//! The address is the real client's ([`crate::client`]): the TCP peer, or behind a configured
//! trusted proxy the client it forwards for, so one client behind a load balancer cannot lock
//! out the others. Without `ConnectInfo` (a router driven directly, as in tests) all requests
//! share one bucket.
//!
//! A throttled client's *valid* token is refused too (429) on purpose: otherwise a guesser
//! would learn a hit from the status. Other clients are never affected.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures of one address in the current window.
#[derive(Clone, Copy, Debug)]
struct Bucket {
    since: Instant,
    failures: u32,
}

/// Failed-authentication counts per client address.
pub struct AuthThrottle {
    /// Failures allowed within [`AuthThrottle::window`].
    pub limit: u32,
    /// The counting window (from an address's first failure).
    pub window: Duration,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

impl Default for AuthThrottle {
    fn default() -> AuthThrottle {
        AuthThrottle::new(20, Duration::from_secs(60))
    }
}

impl AuthThrottle {
    /// Most addresses tracked at once.
    pub const CAPACITY: usize = 10_000;

    /// At most `limit` failures per `window` and address.
    pub fn new(limit: u32, window: Duration) -> AuthThrottle {
        AuthThrottle {
            limit: limit.max(1),
            window,
            buckets: Mutex::default(),
        }
    }

    /// The key a peer is counted under.
    pub fn key(peer: Option<SocketAddr>) -> IpAddr {
        Self::key_of(peer.map(|p| p.ip()))
    }

    /// The key a client address is counted under.
    pub fn key_of(ip: Option<IpAddr>) -> IpAddr {
        match ip {
            Some(IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
            Some(IpAddr::V6(v6)) => IpAddr::V4(v6.to_ipv4_mapped().unwrap_or(std::net::Ipv4Addr::UNSPECIFIED)),
            Some(v4) => v4,
            None => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        }
    }

    /// Seconds until `key` may try again, when it is blocked now.
    pub fn blocked(&self, key: IpAddr) -> Option<u64> {
        let buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let bucket = buckets.get(&key)?;
        let elapsed = bucket.since.elapsed();
        (bucket.failures >= self.limit && elapsed < self.window)
            .then(|| (self.window - elapsed).as_secs_f64().ceil().max(1.0) as u64)
    }

    /// Count one failure of `key`; returns its failures in the current window.
    pub fn failed(&self, key: IpAddr) -> u32 {
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        if !buckets.contains_key(&key) && buckets.len() >= Self::CAPACITY {
            buckets.retain(|_, b| now.duration_since(b.since) < self.window);
            if buckets.len() >= Self::CAPACITY
                && let Some(oldest) = buckets.iter().min_by_key(|(_, b)| b.since).map(|(k, _)| *k)
            {
                buckets.remove(&oldest);
            }
        }
        let bucket = buckets.entry(key).or_insert(Bucket {
            since: now,
            failures: 0,
        });
        if now.duration_since(bucket.since) >= self.window {
            *bucket = Bucket {
                since: now,
                failures: 0,
            };
        }
        bucket.failures = bucket.failures.saturating_add(1);
        bucket.failures
    }

    /// Addresses tracked now.
    pub fn tracked(&self) -> usize {
        self.buckets.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_the_limit_and_stays_bounded() {
        let throttle = AuthThrottle::new(3, Duration::from_secs(60));
        let a = AuthThrottle::key(Some("10.0.0.1:5000".parse().unwrap()));
        let b = AuthThrottle::key(Some("10.0.0.2:5000".parse().unwrap()));
        for _ in 0..3 {
            assert_eq!(throttle.blocked(a), None);
            throttle.failed(a);
        }
        assert!(throttle.blocked(a).is_some_and(|s| (1..=60).contains(&s)));
        assert_eq!(throttle.blocked(b), None);
        // One IPv6 /64 is one client.
        let v6 = |s: &str| AuthThrottle::key(Some(s.parse().unwrap()));
        assert_eq!(v6("[2001:db8:1:2::1]:1"), v6("[2001:db8:1:2:ffff::9]:2"));
        for i in 0..(AuthThrottle::CAPACITY as u32 + 50) {
            throttle.failed(IpAddr::V4(std::net::Ipv4Addr::from(0x0b00_0000 + i)));
        }
        assert!(throttle.tracked() <= AuthThrottle::CAPACITY);
    }
}
