//! Allocating many regions: a bounded pipeline — a reader streams each region's units page by
//! page from the database (two fetchers keep both cores busy), evaluators on threads of their
//! own run each page through the rules (`page.rs`), and a single writer stores the results in
//! order, one run (one transaction) per region. A region is its own failure domain: a plugin
//! that traps or refuses fails its region, whose previous rosters stay, and the others go on.

use super::page::{PageResult, Work, evaluate_page};
use super::{AllocationOptions, RegionOutcome};
use crate::WorkflowError;
use dwa_policy::{PluginRef, PolicySet};
use dwa_sdk::{Date, Quarter};
use dwa_store::{RunScope, RunSummary, RunWriter, Store};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Pages in flight between the reader and the evaluators, and between them and the writer.
const PAGES_IN_FLIGHT: usize = 4;

/// Messages to the writer, applied strictly in `seq` order.
enum Done {
    /// A region begins (from the reader).
    Start { seq: u64, region: String },
    /// A page evaluated and allocated, or why not.
    Page {
        seq: u64,
        result: Result<Box<PageResult>, String>,
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

/// Evaluate and allocate every unit of `regions` in order, region by region (one run and one
/// transaction each), with the evaluators on threads of their own. `progress` is called with
/// the number of employees each stored page held. A region that fails is reported in its
/// [`RegionOutcome`] and nothing of it is stored; only a database failure stops the run.
pub(super) async fn allocate_regions(
    store: &Store,
    policies: &Arc<PolicySet>,
    options: &AllocationOptions,
    regions: &[String],
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Vec<RegionOutcome>, WorkflowError> {
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

    let reader = read_regions(store, policies, options, regions, work_sender, done_sender, &failed);
    let writer = async {
        // Owned by the writer: if it stops on an error, the evaluators and the reader see the
        // channel closed and stop too.
        let mut done = done;
        let mut outcomes: Vec<RegionOutcome> = Vec::new();
        let mut writing: Option<(RunWriter, Instant, BTreeSet<String>)> = None;
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
    Ok(outcomes)
}

/// Concurrent page readers: a page is mostly index look-ups, and one SQLite connection does
/// them on one thread; two keep both cores busy while the evaluators wait for pages.
const FETCHERS: usize = 2;

/// A page to read: consecutive unit codes of a region.
struct PageRequest {
    seq: u64,
    region: Arc<str>,
    plugin: Arc<PluginRef>,
    codes: Vec<String>,
}

/// The reader: for each region, a start marker, its units page by page (read by the fetchers),
/// an end marker.
async fn read_regions(
    store: &Store,
    policies: &Arc<PolicySet>,
    options: &AllocationOptions,
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
                // Last quarter's outcomes first, for the rotation (by the units' people now).
                let previous = store.allocation_outcomes(&request.codes, quarter.previous()).await?;
                let current = store.roster_places(&request.codes, quarter).await?;
                let units = reader.page(&request.region, request.codes, quarter).await?;
                let page = Work {
                    seq: request.seq,
                    region: request.region,
                    plugin: request.plugin,
                    units,
                    previous,
                    current,
                    pending: None,
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
                after = last;
                let request = PageRequest {
                    seq,
                    region: code.clone(),
                    plugin: plugin.clone(),
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
    options: &AllocationOptions,
    message: Done,
    outcomes: &mut Vec<RegionOutcome>,
    writing: &mut Option<(RunWriter, Instant, BTreeSet<String>)>,
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
                    let scope = RunScope::Region(region.clone());
                    let writer = store
                        .begin_run(&region, &scope, options.quarter, options.today, &plugin)
                        .await?;
                    outcome.plugin = Some(plugin);
                    *writing = Some((writer, Instant::now(), BTreeSet::new()));
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
                    if let Some((writer, _, codes)) = writing.as_mut() {
                        codes.extend(page.reason_codes.iter().cloned());
                        writer.write(&page.decisions, &page.allocations).await?;
                        if !page.violations.is_empty() {
                            writer.write_violations(&page.violations).await?;
                        }
                        for s in &page.set_aside {
                            writer
                                .write_set_aside(&s.unit, &s.application_id, &s.nip, &s.failure)
                                .await?;
                        }
                        super::write_moves(writer, &page.moves, options.quarter).await?;
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
            if let Some((writer, since, codes)) = writing.take()
                && outcome.error.is_none()
            {
                let summary = RunSummary {
                    units: outcome.units,
                    decisions: outcome.evaluated,
                    eligible: outcome.eligible,
                    granted: outcome.granted,
                    fuel_used: outcome.fuel_used,
                    reason_codes: codes.into_iter().collect::<Vec<_>>().join(","),
                };
                outcome.run_id = Some(writer.finish(&summary).await?);
                outcome.seconds = since.elapsed().as_secs_f64();
            }
        }
    }
    Ok(())
}

/// Add a page's counts (and unit outcomes, if kept) to its region's.
pub(super) fn add_page(outcome: &mut RegionOutcome, page: &PageResult, keep: bool) {
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
    outcome.set_aside.extend(page.set_aside.iter().cloned());
    outcome.moved += page.moves.len() as u64;
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
                    .map(Box::new)
                    .map_err(|e| e.to_string())
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
