//! `dwa policy`: upload a candidate version, activate it now or from a date, roll back, list
//! versions and the audit trail.

use crate::{Common, load_policies};
use anyhow::{Context, bail};
use clap::Subcommand;
use dwa_sdk::Date;
use dwa_store::Store;
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub(crate) enum PolicyCommand {
    /// Validate a candidate manifest (and plugin) and store it as a version, without activating it.
    Upload {
        #[command(flatten)]
        common: Common,
        /// Region code.
        #[arg(long)]
        region: String,
        /// The candidate manifest.
        manifest: PathBuf,
        /// The candidate plugin (default: the region's current plugin file).
        #[arg(long)]
        plugin: Option<PathBuf>,
        /// Its signature file (default: `<manifest>.sig` beside the manifest, if there is one).
        #[arg(long)]
        signature: Option<PathBuf>,
    },
    /// Activate a stored version: now (written into the rules folder, where a running `dwa serve`
    /// picks it up and every replica follows), or from a date (scheduled).
    Activate {
        #[command(flatten)]
        common: Common,
        /// Region code.
        #[arg(long)]
        region: String,
        /// Version id (see `dwa policy versions`); default for `--rollback`: the latest other one.
        #[arg(long)]
        version: Option<String>,
        /// First day it applies, e.g. the next quarter's start.
        #[arg(long)]
        from: Option<Date>,
        /// Roll back: activate the latest version other than the one in the rules folder.
        #[arg(long)]
        rollback: bool,
    },
    /// List a region's stored versions and its audit trail.
    Versions {
        #[command(flatten)]
        common: Common,
        /// Region code.
        #[arg(long)]
        region: String,
    },
}

pub(crate) async fn run(command: PolicyCommand) -> anyhow::Result<()> {
    match command {
        PolicyCommand::Upload {
            common,
            region,
            manifest,
            plugin,
            signature,
        } => {
            let store = Store::connect(&common.database).await?;
            let policies = load_policies(&common.rules, &store).await?;
            let text =
                std::fs::read_to_string(&manifest).with_context(|| format!("cannot read {}", manifest.display()))?;
            let plugin = plugin
                .map(|p| std::fs::read(&p).with_context(|| format!("cannot read {}", p.display())))
                .transpose()?;
            let signature = match signature {
                Some(path) => {
                    Some(std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?)
                }
                None => std::fs::read_to_string(dwa_policy::signing::signature_path(&manifest)).ok(),
            };
            let version =
                dwa_workflow::upload_version(&store, &policies, &region, &text, plugin, signature, "cli").await?;
            println!("{version}");
        }
        PolicyCommand::Activate {
            common,
            region,
            version,
            from,
            rollback,
        } => {
            let store = Store::connect(&common.database).await?;
            let policies = load_policies(&common.rules, &store).await?;
            let version = match (version, rollback) {
                (Some(v), _) => v,
                (None, true) => dwa_workflow::rollback_target(&store, &policies, &region).await?,
                (None, false) => bail!("--version: say which version (or --rollback)"),
            };
            let today = Date::from_days_since_epoch(
                (std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)?
                    .as_secs()
                    / 86_400) as i64,
            );
            match from.filter(|f| *f > today) {
                Some(from) => {
                    let id = store.schedule_activation(&region, &version, from, "cli").await?;
                    println!("scheduled {version} for region {region} from {from} ({id})");
                }
                None => {
                    let by = if rollback { "cli (rollback)" } else { "cli" };
                    let history = dwa_workflow::record_policy_changes(store.clone(), &policies);
                    let active = dwa_workflow::activate_version(&store, &policies, &region, &version, by).await?;
                    // Dropping the set closes its event channel: the history task stores the
                    // activation, then ends.
                    drop(policies);
                    history.await?;
                    println!(
                        "region {region} now serves {} {} (sha256 {})",
                        active.name, active.version, active.sha256
                    );
                }
            }
        }
        PolicyCommand::Versions { common, region } => {
            let store = Store::connect(&common.database).await?;
            for v in store.versions(&region).await? {
                println!(
                    "{}  {} {}  plugin {}…  manifest {}…  {}",
                    v.id,
                    v.plugin_name,
                    v.plugin_version,
                    &v.plugin_sha256[..12],
                    &v.manifest_sha256[..12],
                    v.created_at
                );
            }
            println!("audit:");
            for a in store.audit(&region).await? {
                println!(
                    "  {}  {:<8} {}  by {}: {}",
                    a.at,
                    a.action,
                    a.version_id.unwrap_or_default(),
                    a.actor,
                    a.detail
                );
            }
        }
    }
    Ok(())
}
