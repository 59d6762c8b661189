//! Prometheus metrics in the text exposition format: HTTP requests and latency by route,
//! decisions by region and outcome, decision latency, plugin fuel and plugin failures by kind.

use super::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Upper bounds (seconds) of the latency histograms' buckets.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

#[derive(Clone, Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                self.counts[i] += 1;
            }
        }
        self.sum += seconds;
        self.count += 1;
    }

    fn render(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        for (i, bound) in BUCKETS.iter().enumerate() {
            let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"{bound}\"}} {}", self.counts[i]);
        }
        let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {}", self.count);
        let _ = writeln!(out, "{name}_sum{{{labels}}} {}", self.sum);
        let _ = writeln!(out, "{name}_count{{{labels}}} {}", self.count);
    }
}

#[derive(Default)]
struct Inner {
    requests: BTreeMap<(String, String, u16), u64>,
    request_seconds: BTreeMap<String, Histogram>,
    decisions: BTreeMap<(String, &'static str), u64>,
    decision_seconds: BTreeMap<String, Histogram>,
    fuel: BTreeMap<String, u64>,
    plugin_failures: BTreeMap<(String, &'static str), u64>,
    host_faults: BTreeMap<String, u64>,
}

/// The host's metrics.
#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

impl Metrics {
    fn with<R>(&self, f: impl FnOnce(&mut Inner) -> R) -> R {
        f(&mut self.inner.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Count one decision.
    pub fn decision(&self, region: &str, eligible: bool, fuel: u64, took: Duration) {
        self.with(|m| {
            let outcome = if eligible { "eligible" } else { "not_eligible" };
            *m.decisions.entry((region.to_owned(), outcome)).or_default() += 1;
            m.decision_seconds
                .entry(region.to_owned())
                .or_default()
                .observe(took.as_secs_f64());
            *m.fuel.entry(region.to_owned()).or_default() += fuel;
        });
    }

    /// Count the decisions of an allocation run (no per-decision latency: they ran as a batch).
    pub fn decisions_bulk(&self, region: &str, eligible: u64, not_eligible: u64, fuel: u64) {
        self.with(|m| {
            *m.decisions.entry((region.to_owned(), "eligible")).or_default() += eligible;
            *m.decisions.entry((region.to_owned(), "not_eligible")).or_default() += not_eligible;
            *m.fuel.entry(region.to_owned()).or_default() += fuel;
        });
    }

    /// Count one plugin failure (trap, invalid output, refusal).
    pub fn plugin_failure(&self, region: &str, kind: &'static str) {
        self.with(|m| *m.plugin_failures.entry((region.to_owned(), kind)).or_default() += 1);
    }

    /// Count one call the host could not run (busy region, full pool): the host's fault.
    pub fn host_fault(&self, region: &str) {
        self.with(|m| *m.host_faults.entry(region.to_owned()).or_default() += 1);
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        self.with(|m| {
            let mut out = String::new();
            out.push_str("# HELP dwa_http_requests_total HTTP requests by method, route and status.\n# TYPE dwa_http_requests_total counter\n");
            for ((method, route, status), n) in &m.requests {
                let _ = writeln!(out, "dwa_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}");
            }
            out.push_str("# HELP dwa_http_request_seconds HTTP request latency by route.\n# TYPE dwa_http_request_seconds histogram\n");
            for (route, h) in &m.request_seconds {
                h.render(&mut out, "dwa_http_request_seconds", &format!("route=\"{route}\""));
            }
            out.push_str("# HELP dwa_decisions_total Decisions by region and outcome.\n# TYPE dwa_decisions_total counter\n");
            for ((region, outcome), n) in &m.decisions {
                let _ = writeln!(out, "dwa_decisions_total{{region=\"{region}\",outcome=\"{outcome}\"}} {n}");
            }
            out.push_str("# HELP dwa_decision_seconds Plugin evaluation latency by region.\n# TYPE dwa_decision_seconds histogram\n");
            for (region, h) in &m.decision_seconds {
                h.render(&mut out, "dwa_decision_seconds", &format!("region=\"{region}\""));
            }
            out.push_str("# HELP dwa_plugin_fuel_total Plugin fuel (instructions) used, by region.\n# TYPE dwa_plugin_fuel_total counter\n");
            for (region, n) in &m.fuel {
                let _ = writeln!(out, "dwa_plugin_fuel_total{{region=\"{region}\"}} {n}");
            }
            out.push_str("# HELP dwa_host_faults_total Plugin calls the host could not run (busy region, full pool), by region.\n# TYPE dwa_host_faults_total counter\n");
            for (region, n) in &m.host_faults {
                let _ = writeln!(out, "dwa_host_faults_total{{region=\"{region}\"}} {n}");
            }
            out.push_str("# HELP dwa_plugin_failures_total Plugin traps and bad answers by region and kind.\n# TYPE dwa_plugin_failures_total counter\n");
            for ((region, kind), n) in &m.plugin_failures {
                let _ = writeln!(out, "dwa_plugin_failures_total{{region=\"{region}\",kind=\"{kind}\"}} {n}");
            }
            out
        })
    }
}

/// Middleware: count every request by its route template (not its raw path, to bound labels).
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(request).await;
    let status = response.status().as_u16();
    state.metrics.with(|m| {
        *m.requests.entry((method, route.clone(), status)).or_default() += 1;
        m.request_seconds
            .entry(route)
            .or_default()
            .observe(started.elapsed().as_secs_f64());
    });
    response
}

/// Policy reload metrics from the rules status: attempts by result, and which version serves.
pub fn render_policies(status: &[dwa_policy::PolicyStatus]) -> String {
    let mut out = String::new();
    out.push_str("# HELP dwa_policy_reloads_total Rules load attempts by manifest and result.\n# TYPE dwa_policy_reloads_total counter\n");
    for s in status {
        let _ = writeln!(
            out,
            "dwa_policy_reloads_total{{manifest=\"{}\",result=\"ok\"}} {}",
            s.manifest, s.attempts_ok
        );
        let _ = writeln!(
            out,
            "dwa_policy_reloads_total{{manifest=\"{}\",result=\"rejected\"}} {}",
            s.manifest, s.attempts_failed
        );
    }
    out.push_str("# HELP dwa_policy_last_reload_ok Whether the last change to a manifest went live (1) or was rejected (0).\n# TYPE dwa_policy_last_reload_ok gauge\n");
    for s in status {
        let ok = s.last_attempt.as_ref().is_some_and(|a| a.ok);
        let _ = writeln!(
            out,
            "dwa_policy_last_reload_ok{{manifest=\"{}\"}} {}",
            s.manifest,
            u8::from(ok)
        );
    }
    out.push_str(
        "# HELP dwa_policy_active_info The plugin version serving each region.\n# TYPE dwa_policy_active_info gauge\n",
    );
    for s in status {
        if let (Some(region), Some(active)) = (&s.region, &s.active) {
            let _ = writeln!(
                out,
                "dwa_policy_active_info{{region=\"{region}\",version=\"{}\",sha256=\"{}\"}} 1",
                active.plugin_version, active.sha256
            );
        }
    }
    out
}
