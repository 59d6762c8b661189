//! Dry run: before a candidate version of a region's rules goes live, evaluate the quarter's
//! stored applications under both the active rules and the candidate, and report the decisions
//! that would flip, per unit, with examples.

use super::WorkflowError;
use dwa_policy::{PluginRef, PolicySet, RegionPolicy, RulesError, validate};
use dwa_sdk::{Date, Eligibility, Quarter};
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
        units: Vec::new(),
        flips: Vec::new(),
    };
    // The staff are read as allocation reads them: a page of units at a time.
    let mut after = String::new();
    loop {
        let codes = store.region_unit_codes(&region, &after, UNITS_PER_PAGE).await?;
        let Some(last) = codes.last().cloned() else { break };
        after = last;
        for unit in store
            .staff_page(&region, codes, quarter)
            .await?
            .parse(&region, quarter, today)?
        {
            let items: Vec<_> = unit
                .staff
                .into_iter()
                .filter_map(|row| row.application.map(|a| (row.employee, a)))
                .collect();
            if items.is_empty() {
                continue;
            }
            let (policies, candidate, region) = (policies.clone(), candidate.clone(), region.clone());
            let compared = dwa_engine::run_blocking(move || -> Result<Vec<Option<Flip>>, RulesError> {
                let before = policies.evaluate_batch(&region, &items, today)?;
                let refs: Vec<_> = items.iter().map(|(e, a)| (e, a)).collect();
                let after = policies
                    .engine()
                    .evaluate_batch(&candidate.plugin, &refs, &candidate.manifest.parameters, today)?
                    .value;
                items
                    .iter()
                    .zip(before.into_iter().zip(after))
                    .map(|((employee, application), (before, after))| {
                        let (before, after) = (before?, after?);
                        Ok(flip(&employee.nip, &application.id, &before.eligibility, &after))
                    })
                    .collect()
            })
            .await
            .map_err(dwa_policy::RulesError::Host)??;
            let mut unit_flips = UnitFlips {
                unit: unit.code,
                evaluated: compared.len(),
                ..Default::default()
            };
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
                "{quarter}: {} applications, {} would become ineligible, {} eligible, {} change pattern",
                run.evaluated, run.became_ineligible, run.became_eligible, run.pattern_changed
            ),
            at: dwa_store::now_rfc3339(),
        })
        .await?;
    Ok(run)
}
