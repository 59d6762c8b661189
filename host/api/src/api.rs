//! The HTTP API (axum): the quarterly workflow as resources under `/api/`, bearer-token
//! authentication with region-scoped roles, JSON errors that name the field, OpenAPI generated
//! from the handlers, health and Prometheus metrics. It knows nothing of wasmtime: it calls the
//! workflow, which calls the rules and the store.

pub mod access_log;
mod auth;
pub(crate) mod body;
mod candidate;
pub mod client;
pub(crate) mod error;
pub mod layers;
pub(crate) mod metrics;
pub mod redirect;
mod routes;
mod serve;
pub mod throttle;
pub mod web;
mod wire;

pub use self::metrics::Metrics;
pub use auth::{Caller, Role, new_token};
pub use client::{Client, SecureCookies, TrustedProxies};
pub use error::ApiError;
pub use serve::{serve, serve_on, shutdown_signal};
pub use throttle::AuthThrottle;

use axum::Router;
use dwa_sdk::Date;
use dwa_workflow::{PolicySet, Store};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

/// Largest request body accepted (a CSV import of a regency's whole staff fits).
pub const MAX_BODY_BYTES: usize = 16 << 20;

/// Everything a handler needs.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// The active rules.
    pub policies: Arc<PolicySet>,
    /// Prometheus metrics.
    pub metrics: Arc<Metrics>,
    /// A fixed evaluation date (tests, demos); `None` means today in West Java (UTC+7).
    pub today: Option<Date>,
    /// One lock per unit, so concurrent allocation requests for a unit run one after another.
    unit_locks: Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
    /// Tokens seen recently and their grants, so a request costs no token query.
    pub(crate) token_cache: Arc<dwa_workflow::tokens::TokenCache>,
    /// Failed authentications per client address.
    pub(crate) auth_throttle: Arc<AuthThrottle>,
    /// The token `/metrics` requires, if any.
    pub(crate) metrics_token: Option<Arc<str>>,
    /// The reverse proxies whose forwarding headers name the client ([`client`]).
    pub(crate) trusted_proxies: Arc<TrustedProxies>,
    /// When cookies are `Secure` and answers carry HSTS.
    pub(crate) secure_cookies: SecureCookies,
    /// This replica's follower of the database's active rules (PostgreSQL); `None` on SQLite,
    /// which has no other replicas to follow.
    pub(crate) replica: Option<Arc<dwa_workflow::ReplicaStatus>>,
}

impl AppState {
    /// State over a store and rules.
    pub fn new(store: Store, policies: Arc<PolicySet>, today: Option<Date>) -> AppState {
        AppState {
            store,
            policies,
            metrics: Arc::new(Metrics::default()),
            today,
            unit_locks: Arc::default(),
            token_cache: Arc::default(),
            auth_throttle: Arc::default(),
            metrics_token: None,
            trusted_proxies: Arc::default(),
            secure_cookies: SecureCookies::Auto,
            replica: None,
        }
    }

    /// Report this replica follower's reconciles on `/readyz` and `/metrics` (`None`: no
    /// follower, as on SQLite).
    pub fn with_replica_status(mut self, status: Option<Arc<dwa_workflow::ReplicaStatus>>) -> AppState {
        self.replica = status;
        self
    }

    /// Require `Authorization: Bearer <token>` on `/metrics` (`None` or an empty token: open,
    /// the default).
    pub fn with_metrics_token(mut self, token: Option<String>) -> AppState {
        self.metrics_token = token.filter(|t| !t.trim().is_empty()).map(|t| Arc::from(t.trim()));
        self
    }

    /// Throttle an address after `limit` failed authentications within `window` (default: 20
    /// a minute).
    pub fn with_auth_throttle(mut self, limit: u32, window: Duration) -> AppState {
        self.auth_throttle = Arc::new(AuthThrottle::new(limit, window));
        self
    }

    /// Believe `Forwarded` / `X-Forwarded-For` / `X-Forwarded-Proto` from these peers (default:
    /// none, so the TCP peer is the client).
    pub fn with_trusted_proxies(mut self, proxies: TrustedProxies) -> AppState {
        self.trusted_proxies = Arc::new(proxies);
        self
    }

    /// When session cookies are `Secure` and answers carry HSTS (default: [`SecureCookies::Auto`],
    /// when the request came over HTTPS through a trusted proxy).
    pub fn with_secure_cookies(mut self, mode: SecureCookies) -> AppState {
        self.secure_cookies = mode;
        self
    }

    /// The cache of presented tokens, for the listener that drops revoked ones
    /// ([`dwa_workflow::tokens::follow_token_revocations`]).
    pub fn token_cache(&self) -> Arc<dwa_workflow::tokens::TokenCache> {
        self.token_cache.clone()
    }

    /// The evaluation date: the fixed one (`dwa serve --today`), or today's date in West Java
    /// from the host's one clock ([`dwa_domain::clock`], which honours `DWA_NOW`).
    pub fn today(&self) -> Date {
        self.today.unwrap_or_else(dwa_domain::today)
    }

    fn unit_lock(&self, unit: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.unit_locks.lock().unwrap_or_else(|p| p.into_inner());
        locks.entry(unit.to_owned()).or_default().clone()
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "DWA host API",
        description = "West Java's Dynamic Working Arrangement (Mekanisme Kerja Dinamis): applications, approvals, quarterly allocation, rosters, reviews, decisions and reports. Authenticate with `Authorization: Bearer <token>` (tokens from `dwa token create`)."
    ),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The OpenAPI document, generated from the same registrations as the router.
pub fn openapi() -> &'static utoipa::openapi::OpenApi {
    static DOC: std::sync::OnceLock<utoipa::openapi::OpenApi> = std::sync::OnceLock::new();
    DOC.get_or_init(|| {
        routes::all(OpenApiRouter::with_openapi(ApiDoc::openapi()))
            .split_for_parts()
            .1
    })
}

/// The router and the OpenAPI document describing exactly its routes.
pub fn router(state: AppState) -> (Router, utoipa::openapi::OpenApi) {
    let (router, api) = routes::all(OpenApiRouter::with_openapi(ApiDoc::openapi())).split_for_parts();
    let router = router
        .merge(web::router())
        .fallback(|| async {
            ApiError {
                code: "no_route",
                ..ApiError::not_found("no such route; see /openapi.json")
            }
        })
        .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::track))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(axum::middleware::from_fn(layers::bound_uri))
        .layer(axum::middleware::from_fn(layers::bound_headers))
        .layer(CatchPanicLayer::custom(layers::panic_response))
        .layer(axum::middleware::from_fn(layers::json_errors))
        .layer(axum::middleware::from_fn(layers::security_headers))
        // Inside `resolve` (it reads the client), outside everything that answers: every answer
        // carries the request id and every line of the request its span (access_log).
        .layer(axum::middleware::from_fn(access_log::track))
        .layer(axum::middleware::from_fn_with_state(state.clone(), client::resolve))
        .with_state(state);
    (router, api)
}
