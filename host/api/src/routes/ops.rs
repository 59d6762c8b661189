//! Liveness, readiness and metrics for provincial IT.

use crate::{ApiError, AppState};
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "alive", body = String)))]
pub async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: the database answers and at least one region's rules are active (else 503).
/// `status` is `degraded` while a region's calls use all of their turns (or were turned away
/// seconds ago), while the province's guardrails are unknown so regencies are not served, while
/// the database does not answer, or while this replica's last reconcile with the database is
/// older than three intervals (it may serve rules the database no longer has active).
/// `served` names each region's manifest and plugin sha256 as served here; `replica` the
/// reconcile interval and age (`null` on SQLite: one replica, nothing to follow).
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "operations",
    responses((status = 200, description = "ready", body = Object), (status = 503, description = "not ready"))
)]
pub async fn readyz(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let policies = &state.policies;
    let regions = policies.regions();
    let database = dwa_workflow::reads::database_answers(&state.store).await;
    let busy: Vec<_> = policies
        .saturated_regions()
        .into_iter()
        .map(|(region, running)| serde_json::json!({ "region": region, "calls_running": running }))
        .collect();
    let guardrails = policies.has_guardrails();
    let stale = state.replica.as_ref().is_some_and(|r| r.stale());
    let status = if regions.is_empty() {
        "not_ready"
    } else if !database || stale || !busy.is_empty() || !guardrails {
        "degraded"
    } else {
        "ready"
    };
    let served: Vec<_> = policies
        .status()
        .into_iter()
        .filter_map(|s| {
            let active = s.active?;
            Some(serde_json::json!({
                "region": s.region?,
                "plugin_version": active.plugin_version,
                "plugin_sha256": active.sha256,
                "manifest_sha256": active.manifest_sha256,
            }))
        })
        .collect();
    let replica = state.replica.as_ref().map(|r| {
        serde_json::json!({
            "reconcile_every_seconds": r.every().as_secs_f64(),
            "last_reconcile_seconds_ago": r.age().as_secs_f64(),
            "stale": r.stale(),
        })
    });
    let (in_use, pool) = policies.instance_pool();
    let body = axum::Json(serde_json::json!({
        "status": status,
        "database": database,
        "regions": regions,
        "province_guardrails": guardrails,
        "busy_regions": busy,
        "calls_per_region": policies.calls_per_region(),
        "plugin_instances_in_use": in_use,
        "plugin_instance_pool": pool,
        "served": served,
        "replica": replica,
    }));
    if database && !regions.is_empty() {
        Ok((axum::http::StatusCode::OK, body))
    } else {
        Ok((axum::http::StatusCode::SERVICE_UNAVAILABLE, body))
    }
}

/// Prometheus metrics.
/// When `dwa serve` has a metrics token, it requires `Authorization: Bearer <metrics token>`.
#[utoipa::path(get, path = "/metrics", tag = "operations", responses((status = 200, description = "Prometheus text format", body = String), (status = 401, description = "a metrics token is configured and was not given")))]
pub async fn metrics(State(state): State<AppState>, _access: crate::auth::MetricsAccess) -> impl IntoResponse {
    let mut text = state.metrics.render();
    text.push_str(&crate::metrics::render_policies(&state.policies.status()));
    text.push_str(&crate::metrics::render_replica(state.replica.as_deref()));
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text)
}

/// This API's OpenAPI document.
#[utoipa::path(get, path = "/openapi.json", tag = "operations", responses((status = 200, description = "OpenAPI 3.1", body = Object)))]
pub async fn openapi_json() -> impl IntoResponse {
    axum::Json(crate::openapi())
}
