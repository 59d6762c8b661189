//! Prometheus metrics: HTTP requests and latency by route, decisions by region and outcome,
//! decision latency, plugin fuel, plugin failures by kind and host faults, plus the policy
//! reload families (with each region's served plugin and manifest sha256) and the replica's
//! reconcile age, read at scrape time.
//!
//! Recorded through the `metrics` facade into a `metrics-exporter-prometheus` recorder that
//! belongs to this [`Metrics`] value, never to a process-wide one: several servers in one
//! process (the tests) count independently. That exporter was chosen over `prometheus-client`
//! because it writes the Prometheus text format `/metrics` has always served
//! (`text/plain; version=0.0.4`), where a counter's `TYPE` line carries its `_total` name;
//! `prometheus-client` writes only OpenMetrics, whose counter families drop that suffix.

use super::AppState;
use ::metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram};
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle, PrometheusRecorder};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Upper bounds (seconds) of the latency histograms' buckets.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

/// How often observed latencies are folded into their buckets between scrapes. The exporter
/// keeps each observation until then, so without this an unscraped host would grow without bound.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

const HTTP_REQUESTS: &str = "dwa_http_requests_total";
const HTTP_REQUEST_SECONDS: &str = "dwa_http_request_seconds";
const DECISIONS: &str = "dwa_decisions_total";
const DECISION_SECONDS: &str = "dwa_decision_seconds";
const PLUGIN_FUEL: &str = "dwa_plugin_fuel_total";
const HOST_FAULTS: &str = "dwa_host_faults_total";
const PLUGIN_FAILURES: &str = "dwa_plugin_failures_total";
const POLICY_RELOADS: &str = "dwa_policy_reloads_total";
const POLICY_LAST_RELOAD_OK: &str = "dwa_policy_last_reload_ok";
const POLICY_ACTIVE_INFO: &str = "dwa_policy_active_info";
const REPLICA_RECONCILE_AGE: &str = "dwa_replica_reconcile_age_seconds";

/// The host's metrics: one recorder per [`AppState`], rendered by `/metrics`.
pub struct Metrics {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
    /// The origin of `last_upkeep_ms`.
    created: Instant,
    /// When latencies were last folded into buckets, in milliseconds since `created`.
    last_upkeep_ms: AtomicU64,
}

impl Default for Metrics {
    fn default() -> Metrics {
        let recorder = PrometheusBuilder::new()
            .set_buckets(&BUCKETS)
            .expect("the bucket list is not empty")
            .build_recorder();
        ::metrics::with_local_recorder(&recorder, || {
            describe_counter!(HTTP_REQUESTS, "HTTP requests by method, route and status.");
            describe_histogram!(HTTP_REQUEST_SECONDS, "HTTP request latency by route.");
            describe_counter!(DECISIONS, "Decisions by region and outcome.");
            describe_histogram!(DECISION_SECONDS, "Plugin evaluation latency by region.");
            describe_counter!(PLUGIN_FUEL, "Plugin fuel (instructions) used, by region.");
            describe_counter!(
                HOST_FAULTS,
                "Plugin calls the host could not run (busy region, full pool), by region."
            );
            describe_counter!(PLUGIN_FAILURES, "Plugin traps and bad answers by region and kind.");
        });
        let handle = recorder.handle();
        Metrics {
            recorder,
            handle,
            created: Instant::now(),
            last_upkeep_ms: AtomicU64::new(0),
        }
    }
}

impl Metrics {
    /// Run `f`, whose `metrics` macros then record into this value's recorder.
    fn record(&self, f: impl FnOnce()) {
        ::metrics::with_local_recorder(&self.recorder, f);
    }

    /// Count one decision.
    pub fn decision(&self, region: &str, eligible: bool, fuel: u64, took: Duration) {
        let outcome = if eligible { "eligible" } else { "not_eligible" };
        self.record(|| {
            counter!(DECISIONS, "region" => region.to_owned(), "outcome" => outcome).increment(1);
            histogram!(DECISION_SECONDS, "region" => region.to_owned()).record(took);
            counter!(PLUGIN_FUEL, "region" => region.to_owned()).increment(fuel);
        });
        self.upkeep_if_due();
    }

    /// Count the decisions of an allocation run (no per-decision latency: they ran as a batch).
    pub fn decisions_bulk(&self, region: &str, eligible: u64, not_eligible: u64, fuel: u64) {
        self.record(|| {
            counter!(DECISIONS, "region" => region.to_owned(), "outcome" => "eligible").increment(eligible);
            counter!(DECISIONS, "region" => region.to_owned(), "outcome" => "not_eligible").increment(not_eligible);
            counter!(PLUGIN_FUEL, "region" => region.to_owned()).increment(fuel);
        });
    }

    /// Count one plugin failure (trap, invalid output, refusal).
    pub fn plugin_failure(&self, region: &str, kind: &'static str) {
        self.record(|| counter!(PLUGIN_FAILURES, "region" => region.to_owned(), "kind" => kind).increment(1));
    }

    /// Count one call the host could not run (busy region, full pool): the host's fault.
    pub fn host_fault(&self, region: &str) {
        self.record(|| counter!(HOST_FAULTS, "region" => region.to_owned()).increment(1));
    }

    /// Count one HTTP request by its route template.
    fn request(&self, method: String, route: String, status: u16, took: Duration) {
        self.record(|| {
            counter!(HTTP_REQUESTS, "method" => method, "route" => route.clone(), "status" => status.to_string())
                .increment(1);
            histogram!(HTTP_REQUEST_SECONDS, "route" => route).record(took);
        });
        self.upkeep_if_due();
    }

    /// Fold the latencies observed so far into their buckets, at most once per [`UPKEEP_EVERY`].
    /// Called after each observation, so no background task is needed; only the caller that wins
    /// the exchange pays for it.
    fn upkeep_if_due(&self) {
        let now = u64::try_from(self.created.elapsed().as_millis()).unwrap_or(u64::MAX);
        let last = self.last_upkeep_ms.load(Ordering::Relaxed);
        let due = now.saturating_sub(last) >= UPKEEP_EVERY.as_millis() as u64;
        if due
            && self
                .last_upkeep_ms
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            self.handle.run_upkeep();
        }
    }

    /// The Prometheus text exposition of what this value recorded.
    pub fn render(&self) -> String {
        self.handle.render()
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
    state
        .metrics
        .request(method, route, response.status().as_u16(), started.elapsed());
    response
}

/// Policy reload metrics from the rules status: attempts by result, and which version serves.
/// A fresh recorder per scrape, because these are a snapshot: a manifest that went away or a
/// version that stopped serving must drop out, not linger at its last value.
pub fn render_policies(status: &[dwa_workflow::PolicyStatus]) -> String {
    let recorder = PrometheusBuilder::new().build_recorder();
    ::metrics::with_local_recorder(&recorder, || {
        describe_counter!(POLICY_RELOADS, "Rules load attempts by manifest and result.");
        describe_gauge!(
            POLICY_LAST_RELOAD_OK,
            "Whether the last change to a manifest went live (1) or was rejected (0)."
        );
        describe_gauge!(
            POLICY_ACTIVE_INFO,
            "The plugin version, plugin sha256 and manifest sha256 serving each region."
        );
        for s in status {
            let manifest = s.manifest.clone();
            counter!(POLICY_RELOADS, "manifest" => manifest.clone(), "result" => "ok").absolute(s.attempts_ok);
            counter!(POLICY_RELOADS, "manifest" => manifest.clone(), "result" => "rejected")
                .absolute(s.attempts_failed);
            let ok = s.last_attempt.as_ref().is_some_and(|a| a.ok);
            gauge!(POLICY_LAST_RELOAD_OK, "manifest" => manifest).set(f64::from(u8::from(ok)));
            if let (Some(region), Some(active)) = (&s.region, &s.active) {
                gauge!(
                    POLICY_ACTIVE_INFO,
                    "region" => region.clone(),
                    "version" => active.plugin_version.clone(),
                    "sha256" => active.sha256.clone(),
                    // Two replicas can serve one plugin under different manifests (limits,
                    // worked examples): the manifest's digest tells them apart.
                    "manifest_sha256" => active.manifest_sha256.clone()
                )
                .set(1.0);
            }
        }
    });
    recorder.handle().render()
}

/// The replica follower's reconcile age, read at scrape time; nothing on SQLite (no follower).
pub fn render_replica(status: Option<&dwa_workflow::ReplicaStatus>) -> String {
    let Some(status) = status else {
        return String::new();
    };
    let recorder = PrometheusBuilder::new().build_recorder();
    ::metrics::with_local_recorder(&recorder, || {
        describe_gauge!(
            REPLICA_RECONCILE_AGE,
            "Seconds since this replica last reconciled its served rules with the database."
        );
        gauge!(REPLICA_RECONCILE_AGE).set(status.age().as_secs_f64());
    });
    recorder.handle().render()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every family `Metrics` records appears with its `TYPE` line, its labels and its counts;
    /// the histograms keep their buckets.
    #[test]
    fn each_family_renders_in_the_prometheus_text_format() {
        let m = Metrics::default();
        m.request("GET".into(), "/healthz".into(), 200, Duration::from_millis(3));
        m.decision("3216", true, 1_000, Duration::from_millis(2));
        m.decision("3216", false, 500, Duration::from_secs(2));
        m.decisions_bulk("3216", 2, 1, 4_000);
        m.plugin_failure("3216", "trap");
        m.host_fault("32");
        let text = m.render();
        for (family, kind) in [
            (HTTP_REQUESTS, "counter"),
            (HTTP_REQUEST_SECONDS, "histogram"),
            (DECISIONS, "counter"),
            (DECISION_SECONDS, "histogram"),
            (PLUGIN_FUEL, "counter"),
            (HOST_FAULTS, "counter"),
            (PLUGIN_FAILURES, "counter"),
        ] {
            let type_line = format!("# TYPE {family} {kind}");
            assert!(text.lines().any(|l| l == type_line), "{type_line} missing from\n{text}");
            assert!(text.contains(&format!("# HELP {family} ")), "{family}: {text}");
        }
        for line in [
            "dwa_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1",
            "dwa_decisions_total{region=\"3216\",outcome=\"eligible\"} 3",
            "dwa_decisions_total{region=\"3216\",outcome=\"not_eligible\"} 2",
            "dwa_plugin_fuel_total{region=\"3216\"} 5500",
            "dwa_plugin_failures_total{region=\"3216\",kind=\"trap\"} 1",
            "dwa_host_faults_total{region=\"32\"} 1",
            "dwa_decision_seconds_bucket{region=\"3216\",le=\"0.0025\"} 1",
            "dwa_decision_seconds_bucket{region=\"3216\",le=\"1\"} 1",
            "dwa_decision_seconds_bucket{region=\"3216\",le=\"5\"} 2",
            "dwa_decision_seconds_bucket{region=\"3216\",le=\"+Inf\"} 2",
            "dwa_decision_seconds_count{region=\"3216\"} 2",
            "dwa_http_request_seconds_bucket{route=\"/healthz\",le=\"0.005\"} 1",
            "dwa_http_request_seconds_count{route=\"/healthz\"} 1",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} missing from\n{text}");
        }
        let bounds: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("dwa_decision_seconds_bucket{"))
            .filter_map(|l| l.split("le=\"").nth(1)?.split('"').next())
            .collect();
        let expected: Vec<String> = BUCKETS.iter().map(|b| b.to_string()).chain(["+Inf".into()]).collect();
        assert_eq!(bounds, expected);
    }

    /// Two values record apart: the recorder is the value's, not the process's.
    #[test]
    fn two_metrics_values_count_independently() {
        let (a, b) = (Metrics::default(), Metrics::default());
        a.host_fault("32");
        assert!(a.render().contains("dwa_host_faults_total{region=\"32\"} 1"));
        assert!(!b.render().contains("dwa_host_faults_total"));
    }
}
