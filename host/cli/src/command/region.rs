//! `dwa region`: add a regency or city by its BPS code, list the regions.

use crate::Common;
use clap::Subcommand;
use dwa_store::Store;

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
}

/// Run `dwa region`.
pub(crate) async fn run(command: RegionCommand) -> anyhow::Result<()> {
    match command {
        RegionCommand::Add { common, code, name } => {
            let store = Store::connect(&common.database).await?;
            let region = dwa_workflow::onboarding::add_region(&store, &code, &name).await?;
            println!("added region {} ({})", region.code, region.name);
        }
        RegionCommand::List { common } => {
            let store = Store::connect(&common.database).await?;
            for region in dwa_workflow::onboarding::regions(&store).await? {
                println!("{}  {}", region.code, region.name);
            }
        }
    }
    Ok(())
}
