//! `dwa dry-run`: replay the quarter's stored applications under a candidate manifest and print
//! which would flip, per unit. Nothing is activated.

use crate::{Common, load_policies};
use clap::Args;
use dwa_sdk::baseline::pattern;
use dwa_sdk::{Date, Quarter};
use dwa_store::Store;
use std::path::PathBuf;

// The arguments; the command's help text is the doc comment of its variant in `cli::Command`.
#[derive(Args, Debug)]
pub(crate) struct DryRunArgs {
    #[command(flatten)]
    common: Common,
    /// The candidate manifest.
    manifest: PathBuf,
    /// Quarter whose applications are replayed, e.g. 2027-Q1.
    #[arg(long)]
    quarter: Quarter,
    /// Evaluation date (default: the quarter's first day).
    #[arg(long)]
    date: Option<Date>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

/// Run `dwa dry-run`.
pub(crate) async fn run(args: DryRunArgs) -> anyhow::Result<()> {
    let DryRunArgs {
        common,
        manifest,
        quarter,
        date,
        json,
    } = args;
    let store = Store::connect(common.database()).await?;
    let policies = load_policies(common.rules(), &store).await?;
    let run = dwa_workflow::dry_run(
        &store,
        &policies,
        &manifest,
        quarter,
        date.unwrap_or(quarter.start()),
        "cli",
    )
    .await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&run)?);
    } else {
        println!(
            "region {}: {} {} → candidate {} (manifest {}…), {quarter}: {} applications, {} become ineligible, {} become eligible, {} change pattern",
            run.region,
            run.active.name,
            run.active.version,
            run.candidate.version,
            &run.candidate.manifest_sha256[..12],
            run.evaluated,
            run.became_ineligible,
            run.became_eligible,
            run.pattern_changed
        );
        println!(
            "allocation: {} → {} people granted days, {} → {} days a week",
            run.granted_before, run.granted_after, run.days_before, run.days_after
        );
        let changed = |u: &&dwa_workflow::UnitFlips| {
            !u.examples.is_empty() || u.granted_before != u.granted_after || u.days_before != u.days_after
        };
        for unit in run.units.iter().filter(changed) {
            println!(
                "  {:<32} -{} +{} ~{}  granted {} → {}, days {} → {}",
                unit.unit,
                unit.became_ineligible,
                unit.became_eligible,
                unit.pattern_changed,
                unit.granted_before,
                unit.granted_after,
                unit.days_before,
                unit.days_after
            );
            for f in &unit.examples {
                println!(
                    "    {} {}: {} → {} (fails {})",
                    f.nip,
                    f.application_id,
                    pattern(f.days_before),
                    pattern(f.days_after),
                    f.failed_after.join(", ")
                );
            }
        }
    }
    Ok(())
}
