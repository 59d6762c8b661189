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
        /// First day it applies, e.g. the next quarter's start (today in West Java, or none:
        /// now; a past day is refused).
        #[arg(long)]
        from: Option<Date>,
        /// Roll back: activate the version that was live before the one serving (a second
        /// rollback goes further back, never to the version rolled back from).
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
            let store = Store::connect(common.database()).await?;
            let policies = load_policies(common.rules(), &store).await?;
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
            let store = Store::connect(common.database()).await?;
            let policies = load_policies(common.rules(), &store).await?;
            let version = match (version, rollback) {
                (Some(v), _) => v,
                (None, true) => {
                    let target = dwa_workflow::rollback_target(&store, &policies, &region).await?;
                    println!(
                        "rolling back region {region} to {} ({} {}, last live {})",
                        target.version, target.plugin_name, target.plugin_version, target.activated_at
                    );
                    target.version
                }
                (None, false) => bail!("--version: say which version (or --rollback)"),
            };
            // The host's one clock (West Java's date; `DWA_NOW` in tests and demos), and the
            // same scheduling as the API's and the web page's: a past date is refused, a future
            // one is scheduled and audited.
            let today = dwa_domain::clock::try_today()?;
            match dwa_workflow::schedule_activation(&store, &region, &version, from, today, "cli").await? {
                dwa_workflow::Scheduled::Later { id, from } => {
                    println!("scheduled {version} for region {region} from {from} ({id})");
                }
                dwa_workflow::Scheduled::Now => {
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
            let store = Store::connect(common.database()).await?;
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
