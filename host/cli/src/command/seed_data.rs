//! `dwa seed`: fill an empty database with synthetic employees, units and a quarter's applications
//! (the data itself comes from [`crate::seed`]).

use crate::{Common, progress_bar};
use clap::Args;
use dwa_sdk::Quarter;
use dwa_store::Store;
use std::time::Instant;

// The arguments; the command's help text is the doc comment of its variant in `cli::Command`.
#[derive(Args, Debug)]
pub(crate) struct SeedArgs {
    #[command(flatten)]
    common: Common,
    /// Number of employees, shared between the regions.
    #[arg(long, default_value_t = 2000)]
    employees: usize,
    /// Which regions: `pilot` (the province 32 and Kabupaten Bekasi 3216) or `all` (the 28
    /// regions of West Java, by BPS code, employees shared roughly by population).
    #[arg(long, default_value = "pilot")]
    regions: crate::seed::Regions,
    /// Quarter the applications are for, e.g. 2027-Q1.
    #[arg(long, default_value = "2027-Q1")]
    quarter: Quarter,
    /// Random seed: the same seed and size give the same data.
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

/// Run `dwa seed`.
pub(crate) async fn run(args: SeedArgs) -> anyhow::Result<()> {
    let SeedArgs {
        common,
        employees,
        regions,
        quarter,
        seed,
    } = args;
    let store = Store::connect(common.database()).await?;
    let started = Instant::now();
    let bar = progress_bar(employees as u64, "seeding {pos}/{len} employees");
    let options = crate::seed::SeedOptions {
        employees,
        quarter,
        seed,
        regions,
    };
    let summary = crate::seed::seed_with(&store, &options, &|n| bar.inc(n as u64)).await?;
    bar.finish_and_clear();
    println!(
        "seeded {}: {} regions, {} units, {} employees, {} applications for {quarter}, {} reviews of {} ({:.1} s)",
        dwa_store::redacted_url(common.database()),
        summary.regions,
        summary.units,
        summary.employees,
        summary.applications,
        summary.reviews,
        quarter.previous(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
