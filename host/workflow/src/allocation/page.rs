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
}

/// What the rules made of a page.
#[derive(Default)]
pub(super) struct PageResult {
    pub decisions: Vec<DecisionRow>,
    pub allocations: Vec<UnitAllocation>,
    pub violations: Vec<Violation>,
    pub outcomes: Vec<UnitOutcome>,
    /// The gate codes the plugin reported for the page's first application.
    pub reason_codes: Vec<String>,
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
    let units = page.units.parse(region, quarter, today)?;
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
    // The gates the plugin reports, from one full evaluation (see `decision_runs.reason_codes`).
    if let Some((employee, application)) = items.first() {
        let full = policies.evaluate(employee, application, today)?;
        result.reason_codes = full.eligibility.reasons.into_iter().map(|r| r.code).collect();
    }
    for chunk in items.chunks(ITEMS_PER_CALL) {
        let (plugin, decided) = policies.decide_batch(region, chunk, today)?;
        if plugin != *page.plugin {
            return Err(WorkflowError::Conflict(format!(
                "the rules of region {region} changed during the run (now {} {}, sha256 {}); run it again",
                plugin.name, plugin.version, plugin.sha256
            )));
        }
        for decision in decided {
            let (verdict, violations) = decision.map_err(RulesError::Plugin)?;
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
                        service_months: employee.service_months,
                        previous_quarter: page.previous.get(&employee.nip).copied().unwrap_or_default(),
                    });
                }
            }
            result.decisions.push(DecisionRow {
                application_id: application.id.clone(),
                nip: employee.nip.clone(),
                verdict: verdict.clone(),
            });
        }
        outcome.candidates = candidates.len();
        let request = AllocationRequest {
            unit: code.clone(),
            quarter,
            headcount,
            candidates,
        };
        let allocation = policies.allocate(region, &request, today)?;
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
