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
    /// Address to listen on.
    #[arg(long, env = "DWA_BIND", default_value = "127.0.0.1:8080")]
    bind: String,
    /// Fixed evaluation date for demos and tests (default: today in West Java).
    #[arg(long)]
    today: Option<Date>,
    /// Require `Authorization: Bearer <TOKEN>` on /metrics (default: open; set it when
    /// binding beyond loopback).
    #[arg(long, env = "DWA_METRICS_TOKEN", hide_env_values = true)]
    metrics_token: Option<String>,
    /// A reverse proxy (load balancer) whose `Forwarded` / `X-Forwarded-For` /
    /// `X-Forwarded-Proto` headers name the client: an address or CIDR block, repeatable
    /// (default: none, so the TCP peer is the client).
    #[arg(long = "trusted-proxy", env = "DWA_TRUSTED_PROXIES", value_delimiter = ',')]
    trusted_proxies: Vec<String>,
    /// When session cookies are `Secure` and answers carry HSTS: `auto` when the request came
    /// over HTTPS (as a trusted proxy says), `always`, or `never`.
    #[arg(long, env = "DWA_SECURE_COOKIES", value_enum, default_value = "auto")]
    secure_cookies: dwa_api::SecureCookies,
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
    let trusted_proxies = dwa_api::TrustedProxies::parse(&trusted_proxies)?;
    let store = if migrate {
        let store = Store::connect_with(&common.database, OnConnect::AsIs).await?;
        for migration in store.migrate().await? {
            tracing::info!("applied migration {migration}");
        }
        store
    } else {
        Store::connect(&common.database).await?
    };
    let policies = load_policies_for_serving(&common.rules, &store).await?;
    if let Some(kept) = dwa_workflow::keep_last_good_guardrails(&store, &policies).await? {
        tracing::warn!("serving regencies under the guardrails of {kept}, the last good province rules");
    }
    // Through the log (not straight to stderr), so `--log-format json` keeps every line JSON.
    tracing::info!(
        "serving regions {} on http://{bind} (database {})",
        policies.regions().join(", "),
        dwa_store::redacted_url(&common.database)
    );
    // Hot reload: edits in the rules folder go live once they validate.
    let _watcher = dwa_policy::watch::spawn(
        policies.clone(),
        common.rules.clone(),
        std::time::Duration::from_secs(2),
    );
    // Every version that goes live is stored, and every change audited.
    let _history = dwa_workflow::record_policy_changes(store.clone(), &policies);
    // On PostgreSQL, serve the versions the other replicas activate.
    // Its reconciles are reported on /readyz and /metrics (no follower on SQLite).
    let replica = std::sync::Arc::new(dwa_workflow::ReplicaStatus::new(dwa_workflow::RECONCILE_EVERY));
    let follower =
        dwa_workflow::follow_reporting(store.clone(), policies.clone(), &common.database, replica.clone()).await?;
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
        .with_replica_status(replica);
    // Tokens revoked by another replica or the CLI are refused here at once (NOTIFY on
    // PostgreSQL; on SQLite a revocation mark polled twice a second).
    let _tokens =
        dwa_workflow::tokens::follow_token_revocations(&state.store, state.token_cache(), &common.database).await?;
    dwa_api::serve(&bind, state).await?;
    Ok(())
}
