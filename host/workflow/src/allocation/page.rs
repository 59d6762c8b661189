//! One page of units through the rules: every live application decided in batched plugin
//! calls, then each unit's eligible and approved candidates allocated with the region's plugin.
//! Pure with respect to the database: the reader gives the page, the writer stores the result.

use super::UnitOutcome;

use crate::WorkflowError;
use dwa_policy::{PluginRef, PolicySet, RulesError, Violation};
use dwa_sdk::{AllocationRequest, Application, Candidate, Date, Employee, PreviousOutcome, Quarter};
use dwa_store::{DecisionRow, StaffPage, UnitAllocation};
use std::collections::HashMap;
use std::sync::Arc;

/// Items per plugin call: well inside the per-call fuel budget and output cap (a decision
/// costs tens of thousands of instructions), large enough that instantiation is noise.
const ITEMS_PER_CALL: usize = 256;

/// A page of one region's units to evaluate.
pub(super) struct Work {
    /// Its place in the run, for the writer's ordering.
    pub seq: u64,
    /// Region code.
    pub region: Arc<str>,
    /// The rules the run started with: a page decided by others fails the run.
    pub plugin: Arc<PluginRef>,
    /// The units with their staff, as read.
    pub units: StaffPage,
    /// How last quarter's allocation ended for the units' people, by NIP (the rotation).
    pub previous: HashMap<String, PreviousOutcome>,
    /// The units' current roster places for the quarter, by application id (a re-run keeps
    /// them where it can).
    pub current: HashMap<String, dwa_store::RosterEntry>,
    /// A change not yet stored to see the page with (a live-quarter change decides with it
    /// before writing it).
    pub pending: Option<Pending>,
}

/// A change to one application, seen by the evaluation before it is stored.
#[derive(Clone, Debug)]
pub(crate) enum Pending {
    /// The application with this approval recorded (replacing the same approver's).
    Approval(String, dwa_sdk::Approval),
    /// The application withdrawn.
    Withdrawal(String),
}

/// What the rules made of a page.
#[derive(Default)]
pub(crate) struct PageResult {
    pub decisions: Vec<DecisionRow>,
    pub allocations: Vec<UnitAllocation>,
    pub violations: Vec<Violation>,
    pub outcomes: Vec<UnitOutcome>,
    /// The gate codes the plugin reported for the page's first application.
    pub reason_codes: Vec<String>,
    /// Applications the rules failed for (a trap, a deadline, a refusal): not decided, not
    /// allocated; the others were.
    pub set_aside: Vec<super::SetAsideApplication>,
    /// The verdicts of the page's applications by application id (for a live change).
    pub verdicts: HashMap<String, dwa_sdk::Verdict>,
    /// The days anywhere each application asked for, by application id (for a live change).
    pub requested: HashMap<String, u8>,
    /// The people whose roster place this allocation changes, by unit in page order.
    pub moves: Vec<super::Move>,
}

/// Decide every live application of a page of units in batched plugin calls, and allocate each
/// unit with the region's plugin.
pub(super) fn evaluate_page(
    policies: &PolicySet,
    page: &Work,
    quarter: Quarter,
    today: Date,
) -> Result<PageResult, WorkflowError> {
    let region = &*page.region;
    // Per unit: (code, headcount, first item, item count).
    let mut units = page.units.parse(region, quarter, today)?;
    if let Some(pending) = &page.pending {
        apply_pending(&mut units, pending);
    }
    let mut spans = Vec::with_capacity(units.len());
    let mut items: Vec<(Employee, Application)> = Vec::new();
    let mut item_units: Vec<usize> = Vec::new();
    for unit in units {
        let first = items.len();
        let headcount = unit.staff.len() as u32;
        items.extend(
            unit.staff
                .into_iter()
                .filter_map(|row| row.application.map(|a| (row.employee, a))),
        );
        item_units.resize(items.len(), spans.len());
        spans.push((unit.code, headcount, first, items.len() - first));
    }
    let mut result = PageResult::default();
    // The gates the plugin reports, from one full evaluation (see `decision_runs.reason_codes`):
    // the first application the rules can decide.
    if let Some(full) = items
        .iter()
        .take(8)
        .find_map(|(employee, application)| policies.evaluate(employee, application, today).ok())
    {
        result.reason_codes = full.eligibility.reasons.into_iter().map(|r| r.code).collect();
    }
    let (verdicts, violations) = decide_setting_aside(policies, page, &items, today, |i, failure| {
        let (employee, application) = &items[i];
        result.set_aside.push(super::SetAsideApplication {
            unit: spans[item_units[i]].0.clone(),
            application_id: application.id.clone(),
            nip: employee.nip.clone(),
            failure,
        });
    })?;
    result.violations = violations;
    if !items.is_empty() && result.set_aside.len() == items.len() {
        // Nothing could be decided: the rules are broken, not one person's case. The run
        // fails and the previous rosters stay.
        return Err(WorkflowError::Conflict(result.set_aside.swap_remove(0).failure));
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
            // Set aside: neither decided nor a candidate.
            let Some(verdict) = verdict else {
                let set_aside = result.set_aside.iter().find(|s| s.application_id == application.id);
                outcome.set_aside.extend(set_aside.cloned());
                continue;
            };
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
                        service_months: employee.service_months,
                        previous_quarter: page.previous.get(&employee.nip).copied().unwrap_or_default(),
                    });
                }
            }
            if page.pending.is_some() {
                result.verdicts.insert(application.id.clone(), verdict.clone());
                result
                    .requested
                    .insert(application.id.clone(), application.requested_remote_days);
            }
            result.decisions.push(DecisionRow {
                application_id: application.id.clone(),
                nip: employee.nip.clone(),
                verdict: verdict.clone(),
            });
        }

        outcome.evaluated -= outcome.set_aside.len();
        outcome.candidates = candidates.len();
        let request = AllocationRequest {
            unit: code.clone(),
            quarter,
            headcount,
            candidates,
        };
        let mut allocation = policies.allocate(region, &request, today)?;
        // A re-run keeps everyone's weekdays where it can; who still moves is told.
        super::stable::stabilise(&mut allocation.grants, &page.current);
        let moved = super::stable::moves(&code, &allocation.grants, &page.current);
        result.moves.extend(moved.iter().cloned());
        outcome.moved = moved;
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

/// Decide `items` in batched plugin calls. A call that fails as a whole (a trap or deadline
/// in one person's case kills the instance for the batch) is retried one application at a
/// time, so that only the applications the rules fail for are set aside (`set_aside` is told
/// each one's index and failure, which names the plugin and its version); per-application
/// refusals are set aside the same way. Failures that are not the plugin's (no rules for the
/// region, the rules changed during the run) fail the page.
fn decide_setting_aside(
    policies: &PolicySet,
    page: &Work,
    items: &[(Employee, Application)],
    today: Date,
    mut set_aside: impl FnMut(usize, String),
) -> Result<(Vec<Option<dwa_sdk::Verdict>>, Vec<Violation>), WorkflowError> {
    let region = &*page.region;
    let mut verdicts = Vec::with_capacity(items.len());
    let mut violations = Vec::new();
    let mut record = |verdicts: &mut Vec<Option<dwa_sdk::Verdict>>,
                      index: usize,
                      plugin: PluginRef,
                      decided: Result<(dwa_sdk::Verdict, Vec<Violation>), dwa_engine::PluginError>|
     -> Result<(), WorkflowError> {
        if plugin != *page.plugin {
            return Err(WorkflowError::Conflict(format!(
                "the rules of region {region} changed during the run (now {} {}, sha256 {}); run it again",
                plugin.name, plugin.version, plugin.sha256
            )));
        }
        match decided {
            Ok((verdict, corrections)) => {
                violations.extend(corrections);
                verdicts.push(Some(verdict));
            }
            // The host failing is never one person's case: the page fails, nobody is set aside.
            Err(e) if e.is_host_fault() => return Err(RulesError::Plugin(e).into()),
            Err(e) => {
                set_aside(index, RulesError::Plugin(e).to_string());
                verdicts.push(None);
            }
        }
        Ok(())
    };
    for (c, chunk) in items.chunks(ITEMS_PER_CALL).enumerate() {
        let first = c * ITEMS_PER_CALL;
        match policies.decide_batch(region, chunk, today) {
            Ok((plugin, decided)) => {
                for (i, d) in decided.into_iter().enumerate() {
                    record(&mut verdicts, first + i, plugin.clone(), d)?;
                }
            }
            Err(RulesError::Plugin(e)) if !e.is_host_fault() => {
                if chunk.len() == 1 {
                    record(&mut verdicts, first, (*page.plugin).clone(), Err(e))?;
                    continue;
                }
                for (i, item) in chunk.iter().enumerate() {
                    match policies.decide_batch(region, std::slice::from_ref(item), today) {
                        Ok((plugin, mut decided)) => {
                            let d = decided.pop().expect("one verdict for one application");
                            record(&mut verdicts, first + i, plugin, d)?;
                        }
                        Err(RulesError::Plugin(e)) if !e.is_host_fault() => {
                            record(&mut verdicts, first + i, (*page.plugin).clone(), Err(e))?
                        }
                        Err(other) => return Err(other.into()),
                    }
                }
            }
            Err(other) => return Err(other.into()),
        }
    }
    Ok((verdicts, violations))
}

/// See the page as it will be once `pending` is stored.
fn apply_pending(units: &mut [dwa_store::UnitStaff], pending: &Pending) {
    for row in units.iter_mut().flat_map(|u| u.staff.iter_mut()) {
        let Some(application) = row.application.as_mut() else {
            continue;
        };
        match pending {
            Pending::Approval(id, approval) if application.id == *id => {
                application.approvals.retain(|a| a.approver != approval.approver);
                application.approvals.push(approval.clone());
            }
            Pending::Withdrawal(id) if application.id == *id => row.application = None,
            _ => {}
        }
    }
}
