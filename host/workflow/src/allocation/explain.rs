//! Explaining a stored decision. What is stored is the verdict (see `dwa_store::StoredDecision`);
//! the messages and remedies in both languages are given again by re-running the evaluation on
//! the stored data — the employee, the last quarter's review and the application — as of the
//! decision's evaluation date, under the rules serving now, and saying whether those are the
//! rules that decided and whether the re-run reproduces the stored verdict.

use crate::WorkflowError;
use dwa_policy::{Decision, PolicySet, RulesError};
use dwa_sdk::{Reason, Verdict};
use dwa_store::{Store, StoredDecision};
use serde::Serialize;
use std::sync::Arc;

/// A stored decision with its explanation.
#[derive(Clone, Debug, Serialize)]
pub struct Explanation {
    /// What was stored.
    pub stored: StoredDecision,
    /// The evaluation re-run now on the stored data as of the decision's evaluation date, with
    /// its input and its reasons in both languages.
    #[serde(skip)]
    pub rerun: Decision,
    /// Whether the rules serving now are the ones that decided (same plugin and manifest sha256).
    pub same_rules: bool,
    /// Whether the re-run gives the stored verdict (eligibility, days, priority, approvals,
    /// failed gates). With the same rules it differs only when the stored data changed since
    /// (an approval recorded, a rating added, …).
    pub reproduced: bool,
    /// Why the unit's allocation granted fewer days than this decision allowed (`QUOTA_FULL`
    /// with the unit's figures), as stored with the roster; empty otherwise.
    pub allocation_reasons: Vec<Reason>,
    /// Why the decision could not be explained: the rules serving now failed on it (a trap, a
    /// deadline; named with the plugin and version). `rerun` then carries the stored verdict
    /// without reasons, so the application can still be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unexplained: Option<String>,
}

/// Explain `stored`: re-run its evaluation on the stored data under the rules serving now.
pub async fn explain_decision(
    store: &Store,
    policies: &Arc<PolicySet>,
    stored: StoredDecision,
) -> Result<Explanation, WorkflowError> {
    let application = store.application(&stored.decision.application_id).await?;
    let (record, review) = store
        .employee_with_review(&application.nip, Some(stored.quarter.previous()))
        .await?;
    let employee = record.as_of(stored.evaluated_on, review);
    let allocation_reasons = match store.roster_entry(&application.nip, stored.quarter).await? {
        Some(entry) if entry.application_id == stored.decision.application_id => entry.reasons,
        _ => Vec::new(),
    };
    let (on, app) = (stored.evaluated_on, application.application);
    let region = employee.region.clone();
    let (input_employee, input_application) = (employee.clone(), app.clone());
    let rerun = match policies
        .call(&region, move |set| set.evaluate(&employee, &app, on))
        .await
    {
        Ok(rerun) => rerun,
        // The rules fail on this one case (an application set aside, say): it can still be
        // read, with the stored verdict and the failure, never blamed on the host.
        Err(RulesError::Plugin(e)) if !e.is_host_fault() => {
            let params = policies
                .region(&region)
                .map(|r| r.manifest.parameters.clone())
                .unwrap_or_default();
            let v = &stored.decision.verdict;
            let rerun = Decision {
                input: dwa_sdk::EvaluationInput {
                    employee: input_employee,
                    application: input_application,
                    params,
                    today: on,
                },
                eligibility: dwa_sdk::Eligibility {
                    eligible: v.eligible,
                    max_remote_days: v.max_remote_days,
                    approvals_required: v.approvals_required.clone(),
                    priority: v.priority,
                    reasons: Vec::new(),
                },
                plugin: stored.plugin.clone(),
                fuel_used: 0,
                duration: std::time::Duration::ZERO,
                output: Default::default(),
                violations: Vec::new(),
            };
            return Ok(Explanation {
                stored,
                rerun,
                same_rules: false,
                reproduced: false,
                allocation_reasons,
                unexplained: Some(RulesError::Plugin(e).to_string()),
            });
        }
        Err(e) => return Err(e.into()),
    };
    let reproduced = Verdict::from(&rerun.eligibility) == stored.decision.verdict;
    let same_rules =
        rerun.plugin.sha256 == stored.plugin.sha256 && rerun.plugin.manifest_sha256 == stored.plugin.manifest_sha256;
    Ok(Explanation {
        stored,
        rerun,
        same_rules,
        reproduced,
        allocation_reasons,
        unexplained: None,
    })
}
