//! Allocating one unit's quarter: evaluate every live application in one batch call, allocate
//! the eligible and fully approved ones, then store the decisions and replace the unit's roster
//! in one transaction (nothing is stored when a plugin call fails).

use super::WorkflowError;
use dwa_policy::{PolicySet, RulesError};
use dwa_sdk::{AllocationRequest, Candidate, Date, Quarter};
use dwa_store::Store;
use serde::Serialize;
use std::sync::Arc;

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
}

/// Evaluate every live application of `unit` for `quarter` as of `today`, allocate the eligible
/// and approved ones, and store the decisions with the unit's new roster in one transaction.
pub async fn allocate_unit(
    store: &Store,
    policies: &Arc<PolicySet>,
    unit: &str,
    quarter: Quarter,
    today: Date,
) -> Result<UnitOutcome, WorkflowError> {
    let unit_row = store.unit(unit).await?;
    let headcount = store.unit_headcount(unit).await?;
    let mut outcome = UnitOutcome {
        unit: unit.into(),
        region: unit_row.region.clone(),
        headcount,
        ..Default::default()
    };
    let applications = store.unit_applications(unit, quarter).await?;
    let employees = store.unit_employees(unit).await?;
    let reviews = store.unit_reviews(unit, quarter.previous()).await?;
    let items: Vec<_> = applications
        .into_iter()
        .filter_map(|(nip, application)| {
            let record = employees.iter().find(|e| e.nip == nip)?;
            Some((record.as_of(today, reviews.get(&nip).copied()), application))
        })
        .collect();
    outcome.evaluated = items.len();

    let mut decisions = Vec::with_capacity(items.len());
    if !items.is_empty() {
        let region = unit_row.region.clone();
        let results = policies
            .call(&unit_row.region, move |set| set.evaluate_batch(&region, &items, today))
            .await?;
        for result in results {
            decisions.push(result.map_err(RulesError::Plugin)?);
        }
    }
    outcome.fuel_used = decisions.iter().map(|d| d.fuel_used).sum();
    outcome.violations = decisions.iter().map(|d| d.violations.len()).sum();

    let candidates: Vec<Candidate> = decisions
        .iter()
        .filter(|d| d.eligibility.eligible)
        .inspect(|_| outcome.eligible += 1)
        .filter(|d| {
            d.eligibility
                .approvals_required
                .iter()
                .all(|a| d.input.application.approval_by(*a) == Some(true))
        })
        .map(|d| Candidate {
            application_id: d.input.application.id.clone(),
            nip: d.input.employee.nip.clone(),
            requested_remote_days: d.input.application.requested_remote_days,
            max_remote_days: d.eligibility.max_remote_days,
            priority: d.eligibility.priority,
        })
        .collect();
    outcome.candidates = candidates.len();
    let request = AllocationRequest {
        unit: unit.into(),
        quarter,
        headcount,
        candidates,
    };
    let region = unit_row.region.clone();
    let allocation = policies
        .call(&unit_row.region, move |set| set.allocate(&region, &request, today))
        .await?;
    for grant in &allocation.grants {
        if grant.remote_days > 0 {
            outcome.granted += 1;
        }
        outcome.remote_days += grant.remote_days as u32;
        for day in &grant.weekdays {
            outcome.away_by_weekday[day.index()] += 1;
        }
    }
    outcome.fuel_used += allocation.fuel_used;
    outcome.violations += allocation.violations.len();
    // The decisions, the allocation and the roster: one transaction.
    store
        .store_unit_allocation(&decisions, unit, &unit_row.region, quarter, headcount, &allocation)
        .await?;
    Ok(outcome)
}
