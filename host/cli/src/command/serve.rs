//! `dwa serve`: the HTTP API with hot reload of the rules folder, the policy history, replicas
//! on PostgreSQL and scheduled activations.

use crate::{Common, load_policies_for_serving};
use clap::Args;
use dwa_sdk::Date;
use dwa_store::{OnConnect, Store};

// The arguments; the command's help text is the doc comment of its variant in `cli::Command`.
#[derive(Args, Debug)]
pub(crate) struct ServeArgs {
    #[command(flatten)]
    common: Common,
    /// Address to listen on. Default: 127.0.0.1:8080, or `bind` under `[serve]` in the
    /// configuration file, or DWA_BIND.
    #[arg(long, value_name = "ADDR")]
    bind: Option<String>,
    /// Fixed evaluation date for demos and tests (default: today in West Java).
    #[arg(long)]
    today: Option<Date>,
    /// Require `Authorization: Bearer <TOKEN>` on /metrics (default: open; set it when
    /// binding beyond loopback). Also `metrics_token` under `[serve]`, or DWA_METRICS_TOKEN.
    #[arg(long, value_name = "TOKEN")]
    metrics_token: Option<String>,
    /// A reverse proxy (load balancer) whose `Forwarded` / `X-Forwarded-For` /
    /// `X-Forwarded-Proto` headers name the client: an address or CIDR block, repeatable
    /// (default: none, so the TCP peer is the client). Also `trusted_proxies` under `[serve]`,
    /// or DWA_TRUSTED_PROXIES (comma-separated).
    #[arg(long = "trusted-proxy", value_delimiter = ',', value_name = "ADDR")]
    trusted_proxies: Vec<String>,
    /// When session cookies are `Secure` and answers carry HSTS: `auto` (the default) when the
    /// request came over HTTPS (as a trusted proxy says), `always`, or `never`. Also
    /// `secure_cookies` under `[serve]`, or DWA_SECURE_COOKIES.
    #[arg(long, value_enum)]
    secure_cookies: Option<dwa_api::SecureCookies>,
    /// Apply the database's pending migrations before serving, as `dwa migrate` would (default:
    /// refuse a schema older than this dwa's). For a single server, e.g. one machine on SQLite;
    /// with replicas, run `dwa migrate` once instead (README, Upgrades and backups).
    #[arg(long)]
    migrate: bool,
}

/// Run `dwa serve`.
pub(crate) async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let ServeArgs {
        common,
        bind,
        today,
        metrics_token,
        trusted_proxies,
        secure_cookies,
        migrate,
    } = args;
    // The flags win over the configuration (which has them already: they are read again here
    // only so that a `ServeArgs` built without `main` still means what it says).
    let config = &crate::config::get().config.serve;
    let bind = bind.unwrap_or_else(|| config.bind.clone());
    let metrics_token = metrics_token.or_else(|| config.metrics_token.clone());
    let trusted_proxies = if trusted_proxies.is_empty() {
        config.trusted_proxies.clone()
    } else {
        trusted_proxies
    };
    let secure_cookies = secure_cookies.unwrap_or_else(|| config.secure_cookies.into());
    let throttle = &config.throttle;
    let trusted_proxies = dwa_api::TrustedProxies::parse(&trusted_proxies)?;
    let store = if migrate {
        let store = Store::connect_with(common.database(), OnConnect::AsIs).await?;
        for migration in store.migrate().await? {
            tracing::info!("applied migration {migration}");
        }
        store
    } else {
        Store::connect(common.database()).await?
    };
    let policies = load_policies_for_serving(common.rules(), &store).await?;
    if let Some(kept) = dwa_workflow::keep_last_good_guardrails(&store, &policies).await? {
        tracing::warn!("serving regencies under the guardrails of {kept}, the last good province rules");
    }
    // Through the log (not straight to stderr), so `--log-format json` keeps every line JSON.
    tracing::info!(
        "serving regions {} on http://{bind} (database {})",
        policies.regions().join(", "),
        dwa_store::redacted_url(common.database())
    );
    // Hot reload: edits in the rules folder go live once they validate.
    let _watcher = dwa_policy::watch::spawn(
        policies.clone(),
        common.rules().to_path_buf(),
        std::time::Duration::from_secs(2),
    );
    // Every version that goes live is stored, and every change audited.
    let _history = dwa_workflow::record_policy_changes(store.clone(), &policies);
    // On PostgreSQL, serve the versions the other replicas activate.
    // Its reconciles are reported on /readyz and /metrics (no follower on SQLite).
    let replica = std::sync::Arc::new(dwa_workflow::ReplicaStatus::new(dwa_workflow::RECONCILE_EVERY));
    let follower =
        dwa_workflow::follow_reporting(store.clone(), policies.clone(), common.database(), replica.clone()).await?;
    let replica = follower.is_some().then_some(replica);
    // Activations scheduled for a date go live when it comes (checked every minute).
    let (due_store, due_policies) = (store.clone(), policies.clone());
    let state_today = dwa_api::AppState::new(store.clone(), policies.clone(), today);
    let _scheduler = tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            tick.tick().await;
            if let Err(e) = dwa_workflow::run_due_activations(&due_store, &due_policies, state_today.today()).await {
                tracing::warn!(error = %e, "scheduled activations failed");
            }
        }
    });
    let state = dwa_api::AppState::new(store, policies, today)
        .with_metrics_token(metrics_token)
        .with_trusted_proxies(trusted_proxies)
        .with_secure_cookies(secure_cookies)
        .with_auth_throttle(throttle.failures, std::time::Duration::from_secs(throttle.window_secs))
        .with_replica_status(replica);
    // Tokens revoked by another replica or the CLI are refused here at once (NOTIFY on
    // PostgreSQL; on SQLite a revocation mark polled twice a second).
    let _tokens =
        dwa_workflow::tokens::follow_token_revocations(&state.store, state.token_cache(), common.database()).await?;
    dwa_api::serve(&bind, state).await?;
    Ok(())
}
