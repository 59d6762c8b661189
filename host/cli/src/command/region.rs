//! `dwa region`: add a regency or city by its BPS code, list the regions, record who heads
//! each agency; register the public keys a region's rules are signed with, and require signed
//! rules.

use crate::Common;
use anyhow::Context;
use clap::Subcommand;
use dwa_store::Store;
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub(crate) enum RegionCommand {
    /// Add a regency (3201–3269, `Kabupaten …`) or city (3271–3299, `Kota …`) of West Java.
    Add {
        #[command(flatten)]
        common: Common,
        /// BPS code, e.g. 3216.
        code: String,
        /// Name, e.g. "Kabupaten Bekasi".
        #[arg(long)]
        name: String,
    },
    /// List the regions, by code.
    List {
        #[command(flatten)]
        common: Common,
    },
    /// Record who heads an agency (OPD) of a region: the person who gives the head-of-agency
    /// approval. An employee of that region working in that agency; replaces an earlier head.
    Head {
        #[command(flatten)]
        common: Common,
        /// BPS code, e.g. 3216.
        code: String,
        /// The agency's code, as the unit file's `instansiId` gives it, e.g. SETDA.
        #[arg(long)]
        agency: String,
        /// The head's NIP.
        #[arg(long)]
        nip: String,
    },
    /// The public keys a region's rules may be signed with (several during a key rotation).
    Key {
        #[command(subcommand)]
        command: KeyCommand,
    },
    /// Require every later change of a region's rules to be signed with one of its keys
    /// (upload, file drop, activation, rollback, replicas, start-up); `--off` to stop.
    RequireSignatures {
        #[command(flatten)]
        common: Common,
        /// BPS code, e.g. 3216.
        code: String,
        /// Stop requiring signatures.
        #[arg(long)]
        off: bool,
    },
}

#[derive(Subcommand, Debug)]
pub(crate) enum KeyCommand {
    /// Register a public key (`dwa key generate` writes it to FILE.pub) for a region.
    Add {
        #[command(flatten)]
        common: Common,
        /// BPS code, e.g. 3216.
        code: String,
        /// The public key file.
        keyfile: PathBuf,
    },
    /// A region's keys and whether it requires signatures.
    List {
        #[command(flatten)]
        common: Common,
        /// BPS code.
        code: String,
    },
    /// Remove a key by its id (refused for the only key of a region requiring signatures).
    Remove {
        #[command(flatten)]
        common: Common,
        /// BPS code.
        code: String,
        /// The key's id (see `dwa region key list`).
        key_id: String,
    },
}

/// Run `dwa region`.
pub(crate) async fn run(command: RegionCommand) -> anyhow::Result<()> {
    match command {
        RegionCommand::Add { common, code, name } => {
            let store = Store::connect(common.database()).await?;
            let region = dwa_workflow::onboarding::add_region(&store, &code, &name).await?;
            println!("added region {} ({})", region.code, region.name);
        }
        RegionCommand::List { common } => {
            let store = Store::connect(common.database()).await?;
            for region in dwa_workflow::onboarding::regions(&store).await? {
                println!("{}  {}", region.code, region.name);
            }
        }
        RegionCommand::Head {
            common,
            code,
            agency,
            nip,
        } => {
            let store = Store::connect(common.database()).await?;
            dwa_workflow::onboarding::set_agency_head(&store, &code, &agency, &nip).await?;
            println!("agency {agency} of region {code} is headed by NIP {nip}");
        }
        RegionCommand::Key { command } => key(command).await?,
        RegionCommand::RequireSignatures { common, code, off } => {
            let store = Store::connect(common.database()).await?;
            dwa_workflow::signing::require_signatures(&store, &code, !off, "cli").await?;
            match off {
                false => println!("region {code} now requires signed rules (what serves now keeps serving)"),
                true => println!("region {code} no longer requires signed rules"),
            }
        }
    }
    Ok(())
}

/// Run `dwa region key …`.
async fn key(command: KeyCommand) -> anyhow::Result<()> {
    use dwa_workflow::signing;
    match command {
        KeyCommand::Add { common, code, keyfile } => {
            let text =
                std::fs::read_to_string(&keyfile).with_context(|| format!("cannot read {}", keyfile.display()))?;
            let store = Store::connect(common.database()).await?;
            let key = signing::add_region_key(&store, &code, &text, "cli").await?;
            println!("registered key {} for region {code}", key.key_id);
        }
        KeyCommand::List { common, code } => {
            let store = Store::connect(common.database()).await?;
            let signing = signing::region_signing(&store, &code).await?;
            println!(
                "region {code}: signed rules {}",
                if signing.required { "required" } else { "not required" }
            );
            for key in signing.keys {
                println!(
                    "  {}  {}  added {} by {}",
                    key.key_id, key.public_key, key.added_at, key.added_by
                );
            }
        }
        KeyCommand::Remove { common, code, key_id } => {
            let store = Store::connect(common.database()).await?;
            signing::remove_region_key(&store, &code, &key_id, "cli").await?;
            println!("removed key {key_id} of region {code}");
        }
    }
    Ok(())
}
