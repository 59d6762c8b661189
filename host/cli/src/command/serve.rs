//! `dwa serve`: the HTTP API with hot reload of the rules folder, the policy history, replicas
//! on PostgreSQL and scheduled activations.

use crate::{Common, load_policies};
use clap::Args;
use dwa_sdk::Date;
use dwa_store::Store;

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
}

/// Run `dwa serve`.
pub(crate) async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let ServeArgs {
        common,
        bind,
        today,
        metrics_token,
    } = args;
    let store = Store::connect(&common.database).await?;
    let policies = load_policies(&common.rules, &store).await?;
    if let Some(kept) = dwa_workflow::keep_last_good_guardrails(&store, &policies).await? {
        eprintln!("WARNING: serving regencies under the guardrails of {kept}, the last good province rules");
    }
    eprintln!(
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
    let _replicas = dwa_workflow::follow_other_replicas(store.clone(), policies.clone(), &common.database).await?;
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
    let state = dwa_api::AppState::new(store, policies, today).with_metrics_token(metrics_token);
    dwa_api::serve(&bind, state).await?;
    Ok(())
}
