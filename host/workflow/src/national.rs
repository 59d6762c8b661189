//! National-scale allocation: every unit of many regions (5,000,000 employees, 28 regions) in
//! one bounded pipeline — a reader streams each region's units page by page from the database,
//! evaluators on their own threads decide a page's applications with batched plugin calls and
//! allocate each unit with the region's plugin, and a single writer stores the results in bulk.
//!
//! Each region is one transaction and its own failure domain: a plugin that traps or refuses
//! fails its region (whose previous rosters stay), and the other regions go on. Decisions are
//! stored compact (verdict, failed gate codes, and the run with the plugin's name, version and
//! sha256): at millions of decisions the full input and bilingual reasons cost more than the
//! evaluation. [`explain_compact_decision`] gives the full explanation later, by re-running the
//! evaluation on the stored data under the same rules and checking it reproduces the verdict.

use super::{UnitOutcome, WorkflowError};
use dwa_policy::{Decision, PluginRef, PolicySet, Violation};
use dwa_sdk::{AllocationRequest, Application, Candidate, Date, Employee, Quarter};
use dwa_store::{CompactDecision, RegionWriter, RunSummary, StaffPage, Store, StoredCompactDecision, UnitAllocation};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// How a national run is done.
#[derive(Clone, Debug)]
pub struct NationalOptions {
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

impl NationalOptions {
    /// Every region, with one evaluator per available core and pages of 256 units.
    pub fn new(quarter: Quarter, today: Date) -> NationalOptions {
        NationalOptions {
            quarter,
            today,
            regions: Vec::new(),
            evaluators: std::thread::available_parallelism().map_or(2, |n| n.get()),
            units_per_page: 256,
            keep_unit_outcomes: false,
        }
    }
}

/// What a national run did in one region.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RegionOutcome {
    /// Region code.
    pub region: String,
    /// The plugin that decided and allocated.
    pub plugin: Option<PluginRef>,
    /// The stored run (`allocation_runs.id`), when the region was committed.
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

/// What a national run did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct NationalOutcome {
    /// The quarter.
    pub quarter: Option<Quarter>,
    /// Per region, in the order run.
    pub regions: Vec<RegionOutcome>,
    /// Wall-clock seconds of the whole run.
    pub seconds: f64,
}

impl NationalOutcome {
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

/// Items per plugin call: well inside the per-call fuel budget and output cap (a decision
/// costs tens of thousands of instructions), large enough that instantiation is noise.
const ITEMS_PER_CALL: usize = 256;
/// Pages in flight between the reader and the evaluators, and between them and the writer.
const PAGES_IN_FLIGHT: usize = 4;

/// A page of one region's units for the evaluators.
struct Work {
    seq: u64,
    region: Arc<str>,
    plugin: Arc<PluginRef>,
    units: StaffPage,
}

/// What the evaluators made of a page.
#[derive(Default)]
struct PageResult {
    decisions: Vec<CompactDecision>,
    allocations: Vec<UnitAllocation>,
    violations: Vec<Violation>,
    outcomes: Vec<UnitOutcome>,
}

/// Messages to the writer, applied strictly in `seq` order.
enum Done {
    /// A region begins (from the reader).
    Start { seq: u64, region: String },
    /// A page evaluated and allocated, or why not.
    Page {
        seq: u64,
        result: Result<PageResult, String>,
    },
    /// A region's pages are all read (from the reader).
    End { seq: u64 },
}

impl Done {
    fn seq(&self) -> u64 {
        match self {
            Done::Start { seq, .. } | Done::Page { seq, .. } | Done::End { seq } => *seq,
        }
    }
}

/// Regions whose run failed: their remaining pages are skipped.
type Failed = Arc<Mutex<HashSet<String>>>;

fn has_failed(failed: &Failed, region: &str) -> bool {
    failed.lock().unwrap_or_else(|p| p.into_inner()).contains(region)
}

fn mark_failed(failed: &Failed, region: &str) {
    failed
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(region.to_owned());
}

/// Evaluate and allocate every unit of the chosen regions for the quarter, storing compact
/// decisions, allocations and rosters region by region (one transaction each). `progress` is
/// called with the number of employees each stored page held. A region that fails is reported
/// in its [`RegionOutcome`]; only a database failure stops the run.
pub async fn allocate_national(
    store: &Store,
    policies: &Arc<PolicySet>,
    options: &NationalOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<NationalOutcome, WorkflowError> {
    let started = Instant::now();
    let regions = if options.regions.is_empty() {
        store.unit_regions().await?
    } else {
        options.regions.clone()
    };
    let (work_sender, work) = tokio::sync::mpsc::channel::<Work>(PAGES_IN_FLIGHT);
    let work = Arc::new(Mutex::new(work));
    let (done_sender, done) = tokio::sync::mpsc::channel::<Done>(PAGES_IN_FLIGHT * 4);
    let failed: Failed = Arc::default();

    let mut evaluators = Vec::new();
    for i in 0..options.evaluators.max(1) {
        let (work, done, policies, failed) = (work.clone(), done_sender.clone(), policies.clone(), failed.clone());
        let (quarter, today) = (options.quarter, options.today);
        let handle = std::thread::Builder::new()
            .name(format!("dwa-evaluate-{i}"))
            .spawn(move || evaluator(&work, &done, &policies, &failed, quarter, today))
            .map_err(|e| WorkflowError::Conflict(format!("cannot start an evaluator thread: {e}")))?;
        evaluators.push(handle);
    }

    let reader = read_regions(store, policies, options, &regions, work_sender, done_sender, &failed);
    let writer = async {
        // Owned by the writer: if it stops on an error, the evaluators and the reader see the
        // channel closed and stop too.
        let mut done = done;
        let mut outcomes: Vec<RegionOutcome> = Vec::new();
        let mut writing: Option<(RegionWriter, Instant)> = None;
        let mut pending = BTreeMap::new();
        let mut next = 0u64;
        while let Some(message) = done.recv().await {
            pending.insert(message.seq(), message);
            while let Some(message) = pending.remove(&next) {
                next += 1;
                apply(
                    store,
                    policies,
                    options,
                    message,
                    &mut outcomes,
                    &mut writing,
                    &failed,
                    progress,
                )
                .await?;
            }
        }
        // Pages lost to a dead evaluator leave their region unfinished: it is not committed.
        if let Some(current) = outcomes.last_mut()
            && writing.take().is_some()
        {
            current
                .error
                .get_or_insert_with(|| "the evaluation was interrupted".into());
        }
        Ok::<_, WorkflowError>(outcomes)
    };
    let (read, written) = tokio::join!(reader, writer);
    for handle in evaluators {
        // The channels are closed: the threads are finishing their last page, if any.
        let _ = tokio::task::spawn_blocking(move || handle.join()).await;
    }
    let outcomes = written?;
    read?;
    Ok(NationalOutcome {
        quarter: Some(options.quarter),
        regions: outcomes,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Concurrent page readers: a page is mostly index look-ups, and one SQLite connection does
/// them on one thread; two keep both cores busy while the evaluators wait for pages.
const FETCHERS: usize = 2;

/// A page to read: the units after `after` up to the last of `codes`.
struct PageRequest {
    seq: u64,
    region: Arc<str>,
    plugin: Arc<PluginRef>,
    after: String,
    codes: Vec<String>,
}

/// The reader: for each region, a start marker, its units page by page (read by the fetchers),
/// an end marker.
async fn read_regions(
    store: &Store,
    policies: &Arc<PolicySet>,
    options: &NationalOptions,
    regions: &[String],
    work: tokio::sync::mpsc::Sender<Work>,
    done: tokio::sync::mpsc::Sender<Done>,
    failed: &Failed,
) -> Result<(), WorkflowError> {
    let gone = || WorkflowError::Conflict("the allocation's writer stopped".into());
    let (requests, pages) = tokio::sync::mpsc::channel::<PageRequest>(FETCHERS);
    let pages = Arc::new(tokio::sync::Mutex::new(pages));
    let mut fetchers = Vec::with_capacity(FETCHERS);
    for _ in 0..FETCHERS {
        let (store, pages, work, done, failed) =
            (store.clone(), pages.clone(), work.clone(), done.clone(), failed.clone());
        let quarter = options.quarter;
        fetchers.push(tokio::spawn(async move {
            let mut reader = store.staff_reader().await?;
            loop {
                let Some(request) = pages.lock().await.recv().await else {
                    return Ok::<_, WorkflowError>(());
                };
                if has_failed(&failed, &request.region) {
                    let skipped = Done::Page {
                        seq: request.seq,
                        result: Err("skipped after an earlier failure".into()),
                    };
                    done.send(skipped).await.map_err(|_| gone())?;
                    continue;
                }
                let units = reader
                    .page(&request.region, &request.after, request.codes, quarter)
                    .await?;
                let page = Work {
                    seq: request.seq,
                    region: request.region,
                    plugin: request.plugin,
                    units,
                };
                work.send(page).await.map_err(|_| gone())?;
            }
        }));
    }
    drop(work);
    let mut seq = 0u64;
    let mut result = Ok(());
    'regions: for region in regions {
        if done
            .send(Done::Start {
                seq,
                region: region.clone(),
            })
            .await
            .is_err()
        {
            result = Err(gone());
            break;
        }
        seq += 1;
        // A region without rules is reported by the writer; nothing of it is read.
        if let Ok(active) = policies.region(region) {
            let (code, plugin): (Arc<str>, _) = (region.as_str().into(), Arc::new(active.reference.clone()));
            let mut after = String::new();
            while !has_failed(failed, region) {
                let codes = match store.region_unit_codes(region, &after, options.units_per_page).await {
                    Ok(codes) => codes,
                    Err(e) => {
                        result = Err(e.into());
                        break 'regions;
                    }
                };
                let Some(last) = codes.last().cloned() else { break };
                let request = PageRequest {
                    seq,
                    region: code.clone(),
                    plugin: plugin.clone(),
                    after: std::mem::replace(&mut after, last),
                    codes,
                };
                if requests.send(request).await.is_err() {
                    result = Err(gone());
                    break 'regions;
                }
                seq += 1;
            }
        }
        if done.send(Done::End { seq }).await.is_err() {
            result = Err(gone());
            break;
        }
        seq += 1;
    }
    drop(requests);
    for fetcher in fetchers {
        let fetched = fetcher
            .await
            .map_err(|e| WorkflowError::Conflict(format!("a page reader stopped: {e}")))
            .and_then(|r| r);
        if result.is_ok() {
            result = fetched;
        }
    }
    result
}

/// The writer's step for one message, in order.
#[allow(clippy::too_many_arguments)]
async fn apply(
    store: &Store,
    policies: &Arc<PolicySet>,
    options: &NationalOptions,
    message: Done,
    outcomes: &mut Vec<RegionOutcome>,
    writing: &mut Option<(RegionWriter, Instant)>,
    failed: &Failed,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(), WorkflowError> {
    match message {
        Done::Start { region, .. } => {
            let mut outcome = RegionOutcome {
                region: region.clone(),
                ..Default::default()
            };
            match policies.region(&region) {
                Ok(active) => {
                    let plugin = active.reference.clone();
                    let writer = store
                        .begin_region_run(&region, options.quarter, options.today, &plugin)
                        .await?;
                    outcome.plugin = Some(plugin);
                    *writing = Some((writer, Instant::now()));
                }
                Err(e) => {
                    mark_failed(failed, &region);
                    outcome.error = Some(e.to_string());
                }
            }
            outcomes.push(outcome);
        }
        Done::Page { result, .. } => {
            let Some(outcome) = outcomes.last_mut() else {
                return Ok(());
            };
            match result {
                _ if outcome.error.is_some() => {}
                Err(e) => {
                    // Dropping the writer rolls the region back: its old rosters stay.
                    *writing = None;
                    outcome.error = Some(e);
                }
                Ok(page) => {
                    if let Some((writer, _)) = writing.as_mut() {
                        writer.write(&page.decisions, &page.allocations).await?;
                        if !page.violations.is_empty() {
                            writer.write_violations(&page.violations).await?;
                        }
                    }
                    let employees: u64 = page.outcomes.iter().map(|o| o.headcount as u64).sum();
                    add_page(outcome, &page, options.keep_unit_outcomes);
                    progress(employees);
                }
            }
        }
        Done::End { .. } => {
            let Some(outcome) = outcomes.last_mut() else {
                return Ok(());
            };
            if let Some((writer, since)) = writing.take()
                && outcome.error.is_none()
            {
                let summary = RunSummary {
                    units: outcome.units,
                    decisions: outcome.evaluated,
                    eligible: outcome.eligible,
                    granted: outcome.granted,
                    fuel_used: outcome.fuel_used,
                };
                outcome.run_id = Some(writer.finish(&summary).await?);
                outcome.seconds = since.elapsed().as_secs_f64();
            }
        }
    }
    Ok(())
}

/// Add a page's counts (and unit outcomes, if kept) to its region's.
fn add_page(outcome: &mut RegionOutcome, page: &PageResult, keep: bool) {
    for unit in &page.outcomes {
        outcome.units += 1;
        outcome.employees += unit.headcount as u64;
        outcome.evaluated += unit.evaluated as u64;
        outcome.eligible += unit.eligible as u64;
        outcome.candidates += unit.candidates as u64;
        outcome.granted += unit.granted as u64;
        outcome.remote_days += unit.remote_days as u64;
        outcome.violations += unit.violations as u64;
        outcome.fuel_used += unit.fuel_used;
    }
    if keep {
        outcome.unit_outcomes.extend(page.outcomes.iter().cloned());
    }
}

/// An evaluator thread: takes pages until the reader is done, and hands each result to the writer.
fn evaluator(
    work: &Mutex<tokio::sync::mpsc::Receiver<Work>>,
    done: &tokio::sync::mpsc::Sender<Done>,
    policies: &PolicySet,
    failed: &Failed,
    quarter: Quarter,
    today: Date,
) {
    loop {
        // Whoever holds the lock takes the next page; the other evaluator waits its turn.
        let next = work.lock().unwrap_or_else(|p| p.into_inner()).blocking_recv();
        let Some(page) = next else { return };
        let result = if has_failed(failed, &page.region) {
            Err("skipped after an earlier failure".into())
        } else {
            // A host bug must not take the other regions down with it.
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                evaluate_page(policies, &page, quarter, today)
            }))
            .unwrap_or_else(|panic| {
                let what = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_default();
                Err(format!("evaluation panicked: {what}"))
            })
        };
        if result.is_err() {
            mark_failed(failed, &page.region);
        }
        if done.blocking_send(Done::Page { seq: page.seq, result }).is_err() {
            return;
        }
    }
}

/// Decide every live application of a page of units in batched plugin calls, and allocate each
/// unit with the region's plugin.
fn evaluate_page(policies: &PolicySet, page: &Work, quarter: Quarter, today: Date) -> Result<PageResult, String> {
    let region = &*page.region;
    // Per unit: (code, headcount, first item, item count).
    let units = page.units.parse(region, quarter, today).map_err(|e| e.to_string())?;
    let mut spans = Vec::with_capacity(units.len());
    let mut items: Vec<(Employee, Application)> = Vec::new();
    for unit in units {
        let first = items.len();
        let headcount = unit.staff.len() as u32;
        items.extend(
            unit.staff
                .into_iter()
                .filter_map(|row| row.application.map(|a| (row.employee, a))),
        );
        spans.push((unit.code, headcount, first, items.len() - first));
    }
    let mut verdicts = Vec::with_capacity(items.len());
    let mut result = PageResult::default();
    for chunk in items.chunks(ITEMS_PER_CALL) {
        let (plugin, decided) = policies.decide_batch(region, chunk, today).map_err(|e| e.to_string())?;
        if plugin != *page.plugin {
            return Err(format!(
                "the rules of region {region} changed during the run (now {} {}, sha256 {}); run it again",
                plugin.name, plugin.version, plugin.sha256
            ));
        }
        for decision in decided {
            let (verdict, violations) = decision.map_err(|e| e.to_string())?;
            result.violations.extend(violations);
            verdicts.push(verdict);
        }
    }
    result.decisions.reserve(items.len());
    for (code, headcount, first, count) in spans {
        let mut outcome = UnitOutcome {
            unit: code.clone(),
            region: region.to_owned(),
            headcount,
            evaluated: count,
            ..Default::default()
        };
        let mut candidates = Vec::new();
        for ((employee, application), verdict) in
            items[first..first + count].iter().zip(&verdicts[first..first + count])
        {
            if verdict.eligible {
                outcome.eligible += 1;
                if verdict
                    .approvals_required
                    .iter()
                    .all(|a| application.approval_by(*a) == Some(true))
                {
                    candidates.push(Candidate {
                        application_id: application.id.clone(),
                        nip: employee.nip.clone(),
                        requested_remote_days: application.requested_remote_days,
                        max_remote_days: verdict.max_remote_days,
                        priority: verdict.priority,
                    });
                }
            }
            result.decisions.push(CompactDecision {
                application_id: application.id.clone(),
                nip: employee.nip.clone(),
                eligible: verdict.eligible,
                max_remote_days: verdict.max_remote_days,
                priority: verdict.priority,
                approvals_required: verdict.approvals_required.clone(),
                failed: verdict.failed.clone(),
            });
        }
        outcome.candidates = candidates.len();
        let request = AllocationRequest {
            unit: code.clone(),
            quarter,
            headcount,
            candidates,
        };
        let allocation = policies
            .allocate(region, &request, today)
            .map_err(|e| format!("unit {code}: {e}"))?;
        for grant in &allocation.grants {
            if grant.remote_days > 0 {
                outcome.granted += 1;
            }
            outcome.remote_days += grant.remote_days as u32;
            for day in &grant.weekdays {
                outcome.away_by_weekday[day.index()] += 1;
            }
        }
        outcome.fuel_used = allocation.fuel_used;
        outcome.violations = allocation.violations.len();
        result.outcomes.push(outcome);
        result.allocations.push(UnitAllocation {
            unit: code.clone(),
            headcount,
            allocation,
        });
    }
    Ok(result)
}

/// A compact decision with its full explanation, re-run on the stored data.
#[derive(Clone, Debug, Serialize)]
pub struct CompactExplanation {
    /// What was stored.
    pub stored: StoredCompactDecision,
    /// The full decision (input, outcome with reasons in both languages) re-run now on the
    /// stored employee, review and application as of the run's evaluation date.
    #[serde(skip)]
    pub decision: Decision,
    /// Whether the rules serving now are the ones that decided (same plugin and manifest sha256).
    pub same_rules: bool,
    /// Whether the re-run gives the stored verdict (eligibility, days, priority, approvals,
    /// failed gates).
    /// With the same rules it differs only when the stored data changed since the run.
    pub reproduced: bool,
}

/// Explain the latest compact decision on an application: re-run the full evaluation (with its
/// bilingual reasons) on the stored data as of the run's evaluation date, and say whether the
/// rules are the same and the verdict is reproduced.
pub async fn explain_compact_decision(
    store: &Store,
    policies: &Arc<PolicySet>,
    application_id: &str,
) -> Result<CompactExplanation, WorkflowError> {
    let stored = store.latest_compact_decision(application_id).await?;
    let application = store.application(application_id).await?;
    let record = store.employee(&application.nip).await?;
    let review = store.review(&record.nip, stored.quarter.previous()).await?;
    let employee = record.as_of(stored.evaluated_on, review);
    let (on, app) = (stored.evaluated_on, application.application);
    let decision = policies
        .call(&employee.region.clone(), move |set| set.evaluate(&employee, &app, on))
        .await?;
    let e = &decision.eligibility;
    let reproduced = e.eligible == stored.decision.eligible
        && e.max_remote_days == stored.decision.max_remote_days
        && e.priority == stored.decision.priority
        && e.approvals_required == stored.decision.approvals_required
        && e.failed_codes() == stored.decision.failed.iter().map(String::as_str).collect::<Vec<_>>();
    let same_rules = decision.plugin.sha256 == stored.plugin.sha256
        && decision.plugin.manifest_sha256 == stored.plugin.manifest_sha256;
    Ok(CompactExplanation {
        stored,
        decision,
        same_rules,
        reproduced,
    })
}
