//! `dwa allocate`: evaluate and allocate a quarter from the database, for one unit, one region
//! or every region, with a summary (or JSON).

use crate::{Common, load_policies, progress_bar};
use anyhow::{Context, bail};
use clap::Args;
use dwa_policy::PolicySet;
use dwa_sdk::{Date, Quarter};
use dwa_store::Store;
use dwa_workflow::{UnitOutcome, allocate_unit};
use std::sync::Arc;
use std::time::Instant;

// The arguments; the command's help text is the doc comment of its variant in `cli::Command`.
#[derive(Args, Debug)]
pub(crate) struct AllocateArgs {
    #[command(flatten)]
    common: Common,
    /// Quarter, e.g. 2027-Q1.
    #[arg(long)]
    quarter: Quarter,
    /// One unit code.
    #[arg(long, conflicts_with_all = ["region", "all"])]
    unit: Option<String>,
    /// Every unit of one region.
    #[arg(long, conflicts_with = "all")]
    region: Option<String>,
    /// Every unit of every region.
    #[arg(long)]
    all: bool,
    /// Evaluation date (default: the quarter's first day).
    #[arg(long)]
    date: Option<Date>,
    /// Print per-unit outcomes as JSON.
    #[arg(long)]
    json: bool,
    /// With --region or --all: one run (one transaction) per unit, as --unit does, instead of
    /// one per region. The same decisions and rosters; slower at scale.
    #[arg(long)]
    per_unit: bool,
    /// Evaluator threads for a region's or every region's allocation (default: one per core).
    #[arg(long)]
    threads: Option<usize>,
}

/// Run `dwa allocate`.
pub(crate) async fn run(args: AllocateArgs) -> anyhow::Result<()> {
    let AllocateArgs {
        common,
        quarter,
        unit,
        region,
        all,
        date,
        json,
        per_unit,
        threads,
    } = args;
    let today = date.unwrap_or(quarter.start());
    let store = Store::connect(common.database()).await?;
    let policies = load_policies(common.rules(), &store).await?;
    let regions = match (&unit, region, all) {
        (Some(_), _, _) => None,
        (None, Some(r), _) => Some(vec![r]),
        (None, None, true) => Some(Vec::new()),
        (None, None, false) => bail!("say which units: --unit CODE, --region CODE or --all"),
    };
    match regions {
        Some(regions) if !per_unit => {
            let mut options = dwa_workflow::AllocationOptions::new(quarter, today);
            options.regions = regions;
            options.keep_unit_outcomes = json;
            if let Some(threads) = threads {
                options.evaluators = threads;
            }
            allocate_by_region(&store, &policies, &options, json).await?;
        }
        regions => {
            let units: Vec<String> = match (unit, regions) {
                (Some(u), _) => vec![u],
                (None, Some(r)) if r.is_empty() => store.units(None).await?.into_iter().map(|u| u.code).collect(),
                (None, Some(r)) => store.units(Some(&r[0])).await?.into_iter().map(|u| u.code).collect(),
                (None, None) => unreachable!("the match above asks for a unit, region or --all"),
            };
            allocate_per_unit(&store, &policies, &units, quarter, today, json).await?;
        }
    }
    Ok(())
}

/// `allocate --unit`, or `--per-unit`: one run per unit.
async fn allocate_per_unit(
    store: &Store,
    policies: &Arc<PolicySet>,
    units: &[String],
    quarter: Quarter,
    today: Date,
    json: bool,
) -> anyhow::Result<()> {
    if units.is_empty() {
        bail!("no units to allocate: seed the database first (dwa seed)");
    }
    let started = Instant::now();
    let bar = progress_bar(units.len() as u64, "allocating {pos}/{len} units");
    let mut outcomes = Vec::with_capacity(units.len());
    for unit in units {
        bar.set_message(unit.clone());
        let outcome = allocate_unit(store, policies, unit, quarter, today)
            .await
            .with_context(|| format!("unit {unit}"))?;
        outcomes.push(outcome);
        bar.inc(1);
    }
    bar.finish_and_clear();
    if json {
        println!("{}", serde_json::to_string_pretty(&outcomes)?);
    } else {
        print_allocation_summary(quarter, &outcomes, started.elapsed().as_secs_f64());
    }
    print_set_aside(&outcomes.iter().flat_map(|o| &o.set_aside).collect::<Vec<_>>());
    Ok(())
}

/// `allocate --all` and `--region`: one run per region, with a per-region and total summary.
async fn allocate_by_region(
    store: &Store,
    policies: &Arc<PolicySet>,
    options: &dwa_workflow::AllocationOptions,
    json: bool,
) -> anyhow::Result<()> {
    let one_region = options.regions.first().filter(|_| options.regions.len() == 1);
    let total = store.employee_count(one_region.map(String::as_str)).await?;
    if total == 0 && store.count("units").await? == 0 {
        bail!("no units to allocate: seed the database first (dwa seed)");
    }
    let bar = progress_bar(total, "allocating {pos}/{len} employees");
    let outcome = dwa_workflow::allocate_regions(store, policies, options, &|n| bar.inc(n)).await?;
    bar.finish_and_clear();
    let peak = dwa_workflow::peak_memory_bytes();
    if json {
        let units: Vec<&UnitOutcome> = outcome.regions.iter().flat_map(|r| &r.unit_outcomes).collect();
        println!("{}", serde_json::to_string_pretty(&units)?);
    } else {
        print_regions_summary(&outcome, peak);
    }
    let set_aside: Vec<&dwa_workflow::SetAsideApplication> =
        outcome.regions.iter().flat_map(|r| &r.set_aside).collect();
    print_set_aside(&set_aside);
    let failed: Vec<String> = outcome
        .regions
        .iter()
        .filter_map(|r| r.error.as_ref().map(|e| format!("region {}: {e}", r.region)))
        .collect();
    if !failed.is_empty() {
        bail!(
            "{} of {} regions failed and kept their previous rosters:\n  {}",
            failed.len(),
            outcome.regions.len(),
            failed.join("\n  ")
        );
    }
    Ok(())
}

/// The applications the rules failed for (to standard error: the summary or JSON stays
/// whole on standard output); the others were allocated.
fn print_set_aside(set_aside: &[&dwa_workflow::SetAsideApplication]) {
    if set_aside.is_empty() {
        return;
    }
    eprintln!(
        "{} application(s) set aside because the rules failed for them; the others were allocated:",
        set_aside.len()
    );
    for s in set_aside {
        eprintln!(
            "  unit {} · NIP {} · application {}: {}",
            s.unit, s.nip, s.application_id, s.failure
        );
    }
}

fn print_regions_summary(outcome: &dwa_workflow::AllocationOutcome, peak: Option<u64>) {
    println!(
        "{:<6} {:<28} {:>6} {:>9} {:>9} {:>9} {:>9} {:>9} {:>7} {:>10}",
        "region", "plugin", "units", "staff", "apps", "elig", "cand", "grant", "s", "dec/s"
    );
    for r in &outcome.regions {
        let plugin = r
            .plugin
            .as_ref()
            .map(|p| format!("{} {}", p.name, p.version))
            .unwrap_or_default();
        match &r.error {
            Some(e) => println!("{:<6} {:<28} FAILED: {e}", r.region, plugin),
            None => println!(
                "{:<6} {:<28} {:>6} {:>9} {:>9} {:>9} {:>9} {:>9} {:>7.2} {:>10.0}",
                r.region,
                plugin,
                r.units,
                r.employees,
                r.evaluated,
                r.eligible,
                r.candidates,
                r.granted,
                r.seconds,
                r.decisions_per_second()
            ),
        }
    }
    let sum = |f: fn(&dwa_workflow::RegionOutcome) -> u64| outcome.regions.iter().map(f).sum::<u64>();
    let quarter = outcome.quarter.map(|q| q.to_string()).unwrap_or_default();
    println!(
        "{quarter}: {} regions, {} units, {} staff, {} applications evaluated, {} eligible, {} approved candidates, {} granted, {} days anywhere a week, {} guardrail corrections; {:.2} s ({:.0} decisions/s); peak memory {}",
        outcome.regions.len(),
        sum(|r| r.units),
        sum(|r| r.employees),
        outcome.evaluated(),
        sum(|r| r.eligible),
        sum(|r| r.candidates),
        sum(|r| r.granted),
        sum(|r| r.remote_days),
        sum(|r| r.violations),
        outcome.seconds,
        outcome.decisions_per_second(),
        peak.map(|b| format!("{:.0} MiB (VmHWM)", b as f64 / (1 << 20) as f64))
            .unwrap_or_else(|| "unknown".into())
    );
}

fn print_allocation_summary(quarter: Quarter, outcomes: &[UnitOutcome], seconds: f64) {
    println!(
        "{:<32} {:>5} {:>6} {:>6} {:>6} {:>6} {:>5}  away Mon-Fri (office share)",
        "unit", "staff", "apps", "elig", "cand", "grant", "days"
    );
    for o in outcomes {
        let min_share = o
            .away_by_weekday
            .iter()
            .map(|a| 1.0 - *a as f64 / o.headcount.max(1) as f64)
            .fold(1.0, f64::min);
        println!(
            "{:<32} {:>5} {:>6} {:>6} {:>6} {:>6} {:>5}  {:?} ({:.0}% min in office)",
            o.unit,
            o.headcount,
            o.evaluated,
            o.eligible,
            o.candidates,
            o.granted,
            o.remote_days,
            o.away_by_weekday,
            min_share * 100.0
        );
    }
    let sum = |f: fn(&UnitOutcome) -> usize| outcomes.iter().map(f).sum::<usize>();
    let evaluated = sum(|o| o.evaluated);
    println!(
        "{quarter}: {} units, {} staff, {} applications evaluated, {} eligible, {} approved candidates, {} granted, {} days anywhere a week, {} guardrail corrections; {:.2} s ({:.0} decisions/s)",
        outcomes.len(),
        outcomes.iter().map(|o| o.headcount as usize).sum::<usize>(),
        evaluated,
        sum(|o| o.eligible),
        sum(|o| o.candidates),
        sum(|o| o.granted),
        outcomes.iter().map(|o| o.remote_days as usize).sum::<usize>(),
        sum(|o| o.violations),
        seconds,
        evaluated as f64 / seconds.max(1e-9)
    );
}
