//! `dwa init`: create the province on an empty database and print its first provincial-admin
//! token, once.

use crate::Common;
use clap::Args;
use dwa_api::Role;
use dwa_store::Store;
use dwa_workflow::WorkflowError;

// The arguments; the command's help text is the doc comment of its variant in `cli::Command`.
#[derive(Args, Debug)]
pub(crate) struct InitArgs {
    #[command(flatten)]
    common: Common,
}

/// Run `dwa init`.
pub(crate) async fn run(args: InitArgs) -> anyhow::Result<()> {
    let store = Store::connect(args.common.database()).await?;
    let token = dwa_api::new_token();
    let province = match dwa_workflow::onboarding::initialise(&store, &token, Role::ProvincialAdmin.code()).await {
        Ok(province) => province,
        Err(WorkflowError::Conflict(why)) => anyhow::bail!(
            "{why}. `dwa init` runs once, on an empty database; for another provincial-admin token run \
             `dwa token create --role provincial-admin --region 32`"
        ),
        Err(e) => return Err(e.into()),
    };
    eprintln!(
        "initialised: region {} ({}). The provincial admin's token follows on stdout; it is shown only \
         this once (the database keeps only its sha256), so store it safely now.",
        province.code, province.name
    );
    println!("{token}");
    Ok(())
}
