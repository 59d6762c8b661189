//! Dry run: before a candidate version of a region's rules goes live, evaluate the quarter's
//! stored applications under both the active rules and the candidate, and report the decisions
//! that would flip, per unit, with examples — and allocate each unit under both, so that a
//! change that cuts granted days (say `min_office_share` 0.5 → 0.9) shows even when no decision
//! flips: people granted and days a week per unit, before and after.

use super::WorkflowError;
use dwa_policy::{PluginRef, PolicySet, RegionPolicy, RulesError, validate};
use dwa_sdk::{AllocationRequest, Candidate, Date, Eligibility, Quarter};
use dwa_store::Store;
use serde::Serialize;
use std::path::Path;
use std::sync::Arc;

/// How many example flips are listed per unit.
const EXAMPLES_PER_UNIT: usize = 5;
/// Units read per query, as allocation reads them.
const UNITS_PER_PAGE: usize = 256;

/// One application whose decision would change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Flip {
    /// Applicant.
    pub nip: String,
    /// Application.
    pub application_id: String,
    /// Eligible under the active rules.
    pub eligible_before: bool,
    /// Eligible under the candidate.
    pub eligible_after: bool,
    /// Days anywhere allowed under the active rules.
    pub days_before: u8,
    /// Days anywhere allowed under the candidate.
    pub days_after: u8,
    /// Gates the candidate fails.
    pub failed_after: Vec<String>,
}

/// One unit's changes.
#[derive(Clone, Debug, Default, Serialize)]
pub struct UnitFlips {
    /// Unit code.
    pub unit: String,
    /// Applications evaluated.
    pub evaluated: usize,
    /// Eligible now, not under the candidate.
    pub became_ineligible: usize,
    /// Not eligible now, eligible under the candidate.
    pub became_eligible: usize,
    /// Still eligible, with another largest pattern.
    pub pattern_changed: usize,
    /// Up to a few of the flips.
    pub examples: Vec<Flip>,
    /// People the unit's allocation grants days under the active rules.
    pub granted_before: usize,
    /// … under the candidate.
    pub granted_after: usize,
    /// Days a week the allocation grants in all under the active rules.
    pub days_before: u32,
    /// … under the candidate.
    pub days_after: u32,
}

/// What a candidate would change.
#[derive(Clone, Debug, Serialize)]
pub struct DryRun {
    /// Region.
    pub region: String,
    /// Quarter replayed.
    pub quarter: Quarter,
    /// The active rules.
    pub active: PluginRef,
    /// The candidate.
    pub candidate: PluginRef,
    /// Applications evaluated.
    pub evaluated: usize,
    /// Eligible now, not under the candidate.
    pub became_ineligible: usize,
    /// Not eligible now, eligible under the candidate.
    pub became_eligible: usize,
    /// Still eligible, with another largest pattern.
    pub pattern_changed: usize,
    /// People granted days under the active rules (every unit allocated as the quarter's run
    /// would, with the stored approvals).
    pub granted_before: usize,
    /// … under the candidate.
    pub granted_after: usize,
    /// Days a week granted in all under the active rules.
    pub days_before: u32,
    /// … under the candidate.
    pub days_after: u32,
    /// Per unit with at least one application.
    pub units: Vec<UnitFlips>,
    /// Every application that would change (the full list, for review).
    pub flips: Vec<Flip>,
}

fn flip(nip: &str, application_id: &str, before: &Eligibility, after: &Eligibility) -> Option<Flip> {
    let changed = before.eligible != after.eligible || before.max_remote_days != after.max_remote_days;
    changed.then(|| Flip {
        nip: nip.to_owned(),
        application_id: application_id.to_owned(),
        eligible_before: before.eligible,
        eligible_after: after.eligible,
        days_before: before.max_remote_days,
        days_after: after.max_remote_days,
        failed_after: after.failed_codes().into_iter().map(str::to_owned).collect(),
    })
}

/// The allocation's candidate an application is under `eligibility` (eligible with every
/// required approval given), as a unit's run makes it.
fn candidate_of(
    employee: &dwa_sdk::Employee,
    application: &dwa_sdk::Application,
    eligibility: &Eligibility,
    previous_quarter: dwa_sdk::PreviousOutcome,
) -> Option<Candidate> {
    let approved = eligibility
        .approvals_required
        .iter()
        .all(|who| application.approval_by(*who) == Some(true));
    (eligibility.eligible && approved).then(|| Candidate {
        application_id: application.id.clone(),
        nip: employee.nip.clone(),
        requested_remote_days: application.requested_remote_days,
        max_remote_days: eligibility.max_remote_days,
        priority: eligibility.priority,
        service_months: employee.service_months,
        previous_quarter,
    })
}

/// People granted at least a day, and the days a week granted in all.
fn totals(grants: &[dwa_sdk::Grant]) -> (usize, u32) {
    (
        grants.iter().filter(|g| g.remote_days > 0).count(),
        grants.iter().map(|g| g.remote_days as u32).sum(),
    )
}

/// Dry-run the candidate manifest at `candidate` (with its plugin beside it) for `quarter`.
/// The candidate must pass validation (worked examples, guardrails) first.
pub async fn dry_run(
    store: &Store,
    policies: &Arc<PolicySet>,
    candidate: &Path,
    quarter: Quarter,
    today: Date,
    by: &str,
) -> Result<DryRun, WorkflowError> {
    let candidate = load_candidate(policies, candidate).await?;
    dry_run_loaded(store, policies, candidate, quarter, today, by).await
}

/// Load the candidate manifest at `path` (its plugin beside it) and validate it (worked
/// examples, guardrails), off the async workers: what a dry run and a diff both start from.
pub async fn load_candidate(policies: &Arc<PolicySet>, path: &Path) -> Result<Arc<RegionPolicy>, WorkflowError> {
    let engine = policies.engine().clone();
    let guardrails = policies.guardrails();
    let path = path.to_owned();
    let candidate = dwa_engine::run_blocking(move || -> Result<RegionPolicy, RulesError> {
        let region = RegionPolicy::load(&engine, &path)?;
        let report = validate(&engine, &region, &guardrails);
        if !report.passed() {
            return Err(RulesError::Validation {
                path,
                plugin: report.named(),
                failures: report.failures(),
            });
        }
        Ok(region)
    })
    .await
    .map_err(dwa_policy::RulesError::Host)??;
    Ok(Arc::new(candidate))
}

/// [`dry_run`] of a candidate already loaded by [`load_candidate`].
pub async fn dry_run_loaded(
    store: &Store,
    policies: &Arc<PolicySet>,
    candidate: Arc<RegionPolicy>,
    quarter: Quarter,
    today: Date,
    by: &str,
) -> Result<DryRun, WorkflowError> {
    let region = candidate.manifest.region.clone();
    let active = policies.region(&region)?.reference.clone();
    let mut run = DryRun {
        region: region.clone(),
        quarter,
        active,
        candidate: candidate.reference.clone(),
        evaluated: 0,
        became_ineligible: 0,
        became_eligible: 0,
        pattern_changed: 0,
        granted_before: 0,
        granted_after: 0,
        days_before: 0,
        days_after: 0,
        units: Vec::new(),
        flips: Vec::new(),
    };
    // The staff are read as allocation reads them: a page of units at a time.
    let mut after = String::new();
    loop {
        let codes = store.region_unit_codes(&region, &after, UNITS_PER_PAGE).await?;
        let Some(last) = codes.last().cloned() else { break };
        after = last;
        let previous = Arc::new(store.allocation_outcomes(&codes, quarter.previous()).await?);
        for unit in store
            .staff_page(&region, codes, quarter)
            .await?
            .parse(&region, quarter, today)?
        {
            let headcount = unit.staff.len() as u32;
            let items: Vec<_> = unit
                .staff
                .into_iter()
                .filter_map(|row| row.application.map(|a| (row.employee, a)))
                .collect();
            if items.is_empty() {
                continue;
            }
            let (policies, candidate, region) = (policies.clone(), candidate.clone(), region.clone());
            let (code, previous) = (unit.code.clone(), previous.clone());
            let guardrails = policies.guardrails();
            let (compared, allocated) = dwa_engine::run_blocking(move || -> Result<_, RulesError> {
                let before = policies.evaluate_batch(&region, &items, today)?;
                let refs: Vec<_> = items.iter().map(|(e, a)| (e, a)).collect();
                let after = policies
                    .engine()
                    .evaluate_batch(&candidate.plugin, &refs, &candidate.manifest.parameters, today)?
                    .value;
                let mut flips = Vec::with_capacity(items.len());
                let (mut wanted_before, mut wanted_after) = (Vec::new(), Vec::new());
                for ((employee, application), (before, after)) in items.iter().zip(before.into_iter().zip(after)) {
                    let (before, after) = (before?, after?);
                    flips.push(flip(&employee.nip, &application.id, &before.eligibility, &after));
                    let last = previous.get(&employee.nip).copied().unwrap_or_default();
                    wanted_before.extend(candidate_of(employee, application, &before.eligibility, last));
                    wanted_after.extend(candidate_of(employee, application, &after, last));
                }
                let request = |candidates| AllocationRequest {
                    unit: code.clone(),
                    quarter,
                    headcount,
                    candidates,
                };
                let granted_before = policies.allocate(&region, &request(wanted_before), today)?.grants;
                let mut granted_after = policies
                    .engine()
                    .allocate(
                        &candidate.plugin,
                        &request(wanted_after),
                        &candidate.manifest.parameters,
                        today,
                    )?
                    .value;
                dwa_policy::enforce_grants(&guardrails, &candidate.reference, headcount, &mut granted_after);
                Ok((flips, [totals(&granted_before), totals(&granted_after)]))
            })
            .await
            .map_err(dwa_policy::RulesError::Host)??;
            let [(granted_before, days_before), (granted_after, days_after)] = allocated;
            let mut unit_flips = UnitFlips {
                unit: unit.code,
                evaluated: compared.len(),
                granted_before,
                granted_after,
                days_before,
                days_after,
                ..Default::default()
            };
            run.granted_before += granted_before;
            run.granted_after += granted_after;
            run.days_before += days_before;
            run.days_after += days_after;
            for change in compared.into_iter().flatten() {
                match (change.eligible_before, change.eligible_after) {
                    (true, false) => unit_flips.became_ineligible += 1,
                    (false, true) => unit_flips.became_eligible += 1,
                    _ => unit_flips.pattern_changed += 1,
                }
                if unit_flips.examples.len() < EXAMPLES_PER_UNIT {
                    unit_flips.examples.push(change.clone());
                }
                run.flips.push(change);
            }
            run.evaluated += unit_flips.evaluated;
            run.became_ineligible += unit_flips.became_ineligible;
            run.became_eligible += unit_flips.became_eligible;
            run.pattern_changed += unit_flips.pattern_changed;
            run.units.push(unit_flips);
        }
    }
    store
        .record_audit(&dwa_store::AuditEntry {
            region: Some(run.region.clone()),
            manifest_file: dwa_policy::file_name(&candidate.manifest_path),
            action: "dry-run".into(),
            version_id: None,
            actor: by.to_owned(),
            detail: format!(
                "{quarter}: {} applications, {} would become ineligible, {} eligible, {} change pattern; \
                 allocation: {} → {} people granted, {} → {} days a week",
                run.evaluated,
                run.became_ineligible,
                run.became_eligible,
                run.pattern_changed,
                run.granted_before,
                run.granted_after,
                run.days_before,
                run.days_after
            ),
            at: dwa_store::now_rfc3339(),
        })
        .await?;
    Ok(run)
}
