//! The quarterly allocation, one pipeline for a unit, a region and every region: staff read a
//! page of units at a time (a unit alone is a page of one; `dwa_store::StaffReader`), each page
//! run through the rules (`page.rs`: decisions in batched plugin calls, then each unit's quota),
//! and one writer (`dwa_store::RunWriter`) that stores a run's decisions, allocations and
//! rosters in one transaction. Many regions go through a bounded reader → evaluators → writer
//! pipeline (`pipeline.rs`), one run per region. Every decision is stored in the same shape,
//! whichever scope made it, and explained later by re-running it (`explain.rs`).

mod explain;
mod page;
mod pipeline;
mod stable;

pub use explain::{Explanation, explain_decision};
pub use stable::Move;

use crate::WorkflowError;
use dwa_policy::{PluginRef, PolicySet};
use dwa_sdk::{Date, Quarter};
use dwa_store::{RunScope, RunSummary, RunWriter, Store};
pub(crate) use page::PageResult;
pub(crate) use page::Pending;
use page::Work;
use serde::Serialize;
use std::sync::Arc;
use std::time::Instant;

/// How an allocation of many regions is done.
#[derive(Clone, Debug)]
pub struct AllocationOptions {
    /// The quarter.
    pub quarter: Quarter,
    /// Evaluation date.
    pub today: Date,
    /// Regions to allocate, in this order; empty means every region that has units.
    pub regions: Vec<String>,
    /// Evaluator threads (plugin calls are CPU work: one per core).
    pub evaluators: usize,
    /// Units read per query and evaluated together.
    pub units_per_page: usize,
    /// Keep every unit's outcome in the result (for `--json`; costs memory at national scale).
    pub keep_unit_outcomes: bool,
}

impl AllocationOptions {
    /// Every region, with one evaluator per available core and pages of 256 units.
    pub fn new(quarter: Quarter, today: Date) -> AllocationOptions {
        AllocationOptions {
            quarter,
            today,
            regions: Vec::new(),
            evaluators: std::thread::available_parallelism().map_or(2, |n| n.get()),
            units_per_page: 256,
            keep_unit_outcomes: false,
        }
    }
}

/// What allocating one unit did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct UnitOutcome {
    /// Unit code.
    pub unit: String,
    /// Region code.
    pub region: String,
    /// People in the unit.
    pub headcount: u32,
    /// Applications evaluated.
    pub evaluated: usize,
    /// Of which eligible.
    pub eligible: usize,
    /// Eligible with every required approval: the allocation's candidates.
    pub candidates: usize,
    /// Candidates granted at least one day anywhere.
    pub granted: usize,
    /// Days anywhere granted per week, summed over people.
    pub remote_days: u32,
    /// People away on Monday … Friday.
    pub away_by_weekday: [u32; 5],
    /// Plugin fuel used for evaluation and allocation.
    pub fuel_used: u64,
    /// Guardrail corrections recorded.
    pub violations: usize,
    /// Applications the rules failed for, set aside with the failure (not decided, not
    /// allocated); the unit's others were allocated.
    pub set_aside: Vec<SetAsideApplication>,
    /// People whose place in the unit's roster this run changed (a re-run keeps everyone's
    /// weekdays where it can; each person moved is notified).
    pub moved: Vec<Move>,
}

/// An application the rules failed for (a trap, a deadline, a refusal) during its unit's
/// allocation: set aside with the failure, while the unit's other applications are allocated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SetAsideApplication {
    /// Unit code.
    pub unit: String,
    /// The application.
    pub application_id: String,
    /// The applicant's NIP.
    pub nip: String,
    /// Why, naming the plugin and its version.
    pub failure: String,
}

/// What allocating one region did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RegionOutcome {
    /// Region code.
    pub region: String,
    /// The plugin that decided and allocated.
    pub plugin: Option<PluginRef>,
    /// The stored run (`decision_runs.id`), when the region was committed.
    pub run_id: Option<i64>,
    /// Units allocated.
    pub units: u64,
    /// Employees in them.
    pub employees: u64,
    /// Applications evaluated (decisions stored).
    pub evaluated: u64,
    /// Of which eligible.
    pub eligible: u64,
    /// Eligible with every required approval.
    pub candidates: u64,
    /// Granted at least one day anywhere.
    pub granted: u64,
    /// Days anywhere granted per week, summed over people.
    pub remote_days: u64,
    /// Guardrail corrections recorded.
    pub violations: u64,
    /// Applications the rules failed for, set aside with the failure; the others were allocated.
    pub set_aside: Vec<SetAsideApplication>,
    /// People whose place in their unit's roster this run changed (each is notified).
    pub moved: u64,
    /// Plugin fuel used by the allocations.
    pub fuel_used: u64,
    /// Wall-clock seconds from the region's first read to its commit.
    pub seconds: f64,
    /// Why the region failed (nothing of it was stored), if it did.
    pub error: Option<String>,
    /// Every unit's outcome, when asked for.
    #[serde(skip)]
    pub unit_outcomes: Vec<UnitOutcome>,
}

impl RegionOutcome {
    /// Decisions per second in this region.
    pub fn decisions_per_second(&self) -> f64 {
        self.evaluated as f64 / self.seconds.max(1e-9)
    }
}

/// What allocating many regions did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct AllocationOutcome {
    /// The quarter.
    pub quarter: Option<Quarter>,
    /// Per region, in the order run.
    pub regions: Vec<RegionOutcome>,
    /// Wall-clock seconds of the whole run.
    pub seconds: f64,
}

impl AllocationOutcome {
    /// Applications evaluated in every region.
    pub fn evaluated(&self) -> u64 {
        self.regions.iter().map(|r| r.evaluated).sum()
    }

    /// Decisions per second over the whole run.
    pub fn decisions_per_second(&self) -> f64 {
        self.evaluated() as f64 / self.seconds.max(1e-9)
    }
}

/// The peak resident memory of this process so far (`VmHWM` in `/proc/self/status`), in bytes;
/// `None` where there is no such file.
pub fn peak_memory_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Evaluate and allocate every unit of the chosen regions (all that have units when none are
/// chosen) for the quarter, one run per region. A region that fails is reported in its
/// [`RegionOutcome`] with nothing of it stored; only a database failure stops the run.
/// `progress` is called with the number of employees each stored page held.
pub async fn allocate_regions(
    store: &Store,
    policies: &Arc<PolicySet>,
    options: &AllocationOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<AllocationOutcome, WorkflowError> {
    let started = Instant::now();
    let regions = if options.regions.is_empty() {
        store.unit_regions().await?
    } else {
        options.regions.clone()
    };
    let outcomes = pipeline::allocate_regions(store, policies, options, &regions, progress).await?;
    Ok(AllocationOutcome {
        quarter: Some(options.quarter),
        regions: outcomes,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Read `unit`'s staff and decide and allocate it as it will be after `pending` (if any), off
/// the async runtime within the region's bound on concurrent calls; nothing is written.
pub(crate) async fn evaluate_unit(
    store: &Store,
    policies: &Arc<PolicySet>,
    unit: &str,
    quarter: Quarter,
    today: Date,
    pending: Option<Pending>,
) -> Result<PageResult, WorkflowError> {
    let region = store.unit(unit).await?.region;
    let plugin: PluginRef = policies.region(&region)?.reference.clone();
    let previous = store
        .allocation_outcomes(&[unit.to_owned()], quarter.previous())
        .await?;
    let current = store.roster_places(&[unit.to_owned()], quarter).await?;
    let units = store.staff_page(&region, vec![unit.to_owned()], quarter).await?;
    let work = Work {
        seq: 0,
        region: region.as_str().into(),
        plugin: Arc::new(plugin),
        units,
        previous,
        current,
        pending,
    };
    policies
        .call(&region, move |set| Ok(page::evaluate_page(set, &work, quarter, today)))
        .await?
}

/// Evaluate every live application of `unit` for `quarter` as of `today`, allocate the eligible
/// and approved ones, and store the decisions with the unit's new roster in one run (one
/// transaction): the same reading, rules and writer as a region's run, for one unit. The plugin
/// calls run off the async runtime within the region's bound on concurrent calls. Applications
/// the rules fail for are set aside (returned, and stored with their failure) and the others
/// allocated; the outcome lists them.
pub async fn allocate_unit(
    store: &Store,
    policies: &Arc<PolicySet>,
    unit: &str,
    quarter: Quarter,
    today: Date,
) -> Result<UnitOutcome, WorkflowError> {
    let region = store.unit(unit).await?.region;
    let page = evaluate_unit(store, policies, unit, quarter, today, None).await?;
    let plugin = page
        .allocations
        .first()
        .map(|a| a.allocation.plugin.clone())
        .map_or_else(|| policies.region(&region).map(|r| r.reference.clone()), Ok)?;
    let scope = RunScope::Unit(unit.to_owned());
    let mut writer = store.begin_run(&region, &scope, quarter, today, &plugin).await?;
    writer.write(&page.decisions, &page.allocations).await?;
    if !page.violations.is_empty() {
        writer.write_violations(&page.violations).await?;
    }
    for s in &page.set_aside {
        writer
            .write_set_aside(&s.unit, &s.application_id, &s.nip, &s.failure)
            .await?;
    }
    write_moves(&mut writer, &page.moves, quarter).await?;
    let mut totals = RegionOutcome::default();
    pipeline::add_page(&mut totals, &page, false);
    let summary = RunSummary {
        units: totals.units,
        decisions: totals.evaluated,
        eligible: totals.eligible,
        granted: totals.granted,
        fuel_used: totals.fuel_used,
        reason_codes: page.reason_codes.join(","),
    };
    writer.finish(&summary).await?;
    let mut outcome = page.outcomes.into_iter().next().unwrap_or_default();
    // Guardrail corrections of decisions are the page's, not the allocation's.
    outcome.violations += page.violations.len();
    Ok(outcome)
}

/// Tell each person a run moved what their place is now, in the run's transaction.
pub(crate) async fn write_moves(writer: &mut RunWriter, moves: &[Move], quarter: Quarter) -> Result<(), WorkflowError> {
    for m in moves {
        let detail = serde_json::json!({
            "quarter": quarter.to_string(),
            "remote_days": m.to_days,
            "weekdays": m.to_weekdays,
            "from_remote_days": m.from_days,
            "from_weekdays": m.from_weekdays,
        });
        writer.write_notice(&m.application_id, &m.nip, "moved", &detail).await?;
    }
    Ok(())
}

/// What a re-run of `unit`'s allocation would do, without writing anything: its outcome with
/// the people it would move (shown to HR before the run).
pub async fn preview_unit(
    store: &Store,
    policies: &Arc<PolicySet>,
    unit: &str,
    quarter: Quarter,
    today: Date,
) -> Result<UnitOutcome, WorkflowError> {
    let page = evaluate_unit(store, policies, unit, quarter, today, None).await?;
    Ok(page.outcomes.into_iter().next().unwrap_or_default())
}
