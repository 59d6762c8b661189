//! Answers under the active rules: evaluations, verdicts and allocations of one region, each
//! passed through the province's guardrails — and none served while those are unknown (fail
//! closed). [`PolicySet::call`] is how async code reaches them: on the blocking pool, under the
//! region's bound on concurrent calls.

use super::set::Active;
use super::{Allocation, Decision, PluginRef, PolicySet, RegionPolicy, RulesError, Violation};
use super::{enforce_eligibility, enforce_grants, enforce_verdict};
use dwa_engine::{GuestOutput, PluginError, run_blocking};
use dwa_sdk::manifest::Guardrails;
use dwa_sdk::{AllocationRequest, Application, Date, Employee, EvaluationInput, Verdict};
use std::sync::Arc;
use std::time::Duration;

/// A region's serving rules and the guardrails that bind them.
fn serving<'a>(active: &'a Active, region: &str) -> Result<(&'a Arc<RegionPolicy>, &'a Guardrails), RulesError> {
    let rules = active
        .regions
        .get(region)
        .ok_or_else(|| RulesError::UnknownRegion(region.to_owned()))?;
    // The province's rules being active means its guardrails are known; without them no
    // answer is served (fail closed).
    match &active.guardrails {
        Some(guardrails) => Ok((rules, guardrails)),
        None => Err(RulesError::NoGuardrails(region.to_owned())),
    }
}

impl PolicySet {
    /// Run `f` — calls into `region`'s rules — on the blocking pool (never on an async worker:
    /// see `engine::offload`), under the region's bound on concurrent calls, waiting at most
    /// one call deadline for a turn.
    pub async fn call<R: Send + 'static>(
        self: &Arc<Self>,
        region: &str,
        f: impl FnOnce(&PolicySet) -> Result<R, RulesError> + Send + 'static,
    ) -> Result<R, RulesError> {
        let limits = self.engine.limits();
        let permit = self
            .gates
            .enter(region, limits.timeout)
            .await
            .map_err(RulesError::Host)?;
        let set = self.clone();
        let task = run_blocking(move || {
            // Held until the calls really end, so the bound counts every instance in use.
            let _permit = permit;
            f(&set)
        });
        // Each call stops itself at its deadline; this is the backstop for work stuck anywhere
        // else: stop waiting, name it, and leave the turn taken until the work ends.
        let backstop = limits.timeout * 8 + Duration::from_secs(5);
        match tokio::time::timeout(backstop, task).await {
            Ok(Ok(answer)) => answer,
            Ok(Err(fault)) => Err(RulesError::Host(fault)),
            Err(_) => {
                tracing::error!(region, after = ?backstop, "plugin calls abandoned: they outlived their deadline");
                Err(RulesError::Abandoned {
                    region: region.to_owned(),
                    after: backstop,
                })
            }
        }
    }

    /// Regions whose bound on concurrent calls is reached (or was, seconds ago), with the calls
    /// running: what `/readyz` reports as degraded.
    pub fn saturated_regions(&self) -> Vec<(String, usize)> {
        self.gates.saturated()
    }

    /// The bound on each region's concurrent calls.
    pub fn calls_per_region(&self) -> usize {
        self.gates.limit()
    }

    /// Evaluate one application under its region's active rules.
    pub fn evaluate(
        &self,
        employee: &Employee,
        application: &Application,
        today: Date,
    ) -> Result<Decision, RulesError> {
        let active = self.active.load();
        let (region, guardrails) = serving(&active, &employee.region)?;
        let input = EvaluationInput {
            employee: employee.clone(),
            application: application.clone(),
            params: region.manifest.parameters.clone(),
            today,
        };
        let call = self.engine.evaluate(&region.plugin, &input)?;
        let mut eligibility = call.value;
        let violations = enforce_eligibility(guardrails, &region.reference, &mut eligibility);
        Ok(Decision {
            input,
            eligibility,
            plugin: region.reference.clone(),
            fuel_used: call.fuel_used,
            duration: call.duration,
            output: call.output,
            violations,
        })
    }

    /// Evaluate many applications of one region in one plugin call. Per-item failures (a
    /// plugin refusing one input) come back per item; a trap fails the whole batch.
    #[allow(clippy::type_complexity)]
    pub fn evaluate_batch(
        &self,
        region_code: &str,
        items: &[(Employee, Application)],
        today: Date,
    ) -> Result<Vec<Result<Decision, PluginError>>, RulesError> {
        let active = self.active.load();
        let (region, guardrails) = serving(&active, region_code)?;
        let params = &region.manifest.parameters;
        let refs: Vec<_> = items.iter().map(|(e, a)| (e, a)).collect();
        let call = self.engine.evaluate_batch(&region.plugin, &refs, params, today)?;
        // Fuel and time are shared by the batch; each decision records its share.
        let share = items.len().max(1) as u64;
        Ok(call
            .value
            .into_iter()
            .zip(items)
            .map(|(result, (employee, application))| {
                let mut eligibility = result?;
                let violations = enforce_eligibility(guardrails, &region.reference, &mut eligibility);
                Ok(Decision {
                    input: EvaluationInput {
                        employee: employee.clone(),
                        application: application.clone(),
                        params: params.clone(),
                        today,
                    },
                    eligibility,
                    plugin: region.reference.clone(),
                    fuel_used: call.fuel_used / share,
                    duration: call.duration / share as u32,
                    output: GuestOutput::default(),
                    violations,
                })
            })
            .collect())
    }

    /// Decide many applications of one region in one plugin call: the outcomes of
    /// [`PolicySet::evaluate_batch`] without their messages, after the guardrails, with the
    /// plugin that decided. Per-item refusals come back per item; a trap fails the whole batch.
    #[allow(clippy::type_complexity)]
    pub fn decide_batch(
        &self,
        region_code: &str,
        items: &[(Employee, Application)],
        today: Date,
    ) -> Result<(PluginRef, Vec<Result<(Verdict, Vec<Violation>), PluginError>>), RulesError> {
        let active = self.active.load();
        let (region, guardrails) = serving(&active, region_code)?;
        let refs: Vec<_> = items.iter().map(|(e, a)| (e, a)).collect();
        let call = self
            .engine
            .decide_batch(&region.plugin, &refs, &region.manifest.parameters, today)?;
        let verdicts = call
            .value
            .into_iter()
            .map(|result| {
                let mut verdict = result?;
                let violations = enforce_verdict(guardrails, &region.reference, &mut verdict);
                Ok((verdict, violations))
            })
            .collect();
        Ok((region.reference.clone(), verdicts))
    }

    /// Allocate one unit's quota under its region's active rules.
    pub fn allocate(
        &self,
        region_code: &str,
        request: &AllocationRequest,
        today: Date,
    ) -> Result<Allocation, RulesError> {
        let active = self.active.load();
        let (region, guardrails) = serving(&active, region_code)?;
        let call = self
            .engine
            .allocate(&region.plugin, request, &region.manifest.parameters, today)?;
        let mut grants = call.value;
        let violations = enforce_grants(guardrails, &region.reference, request.headcount, &mut grants);
        Ok(Allocation {
            grants,
            plugin: region.reference.clone(),
            fuel_used: call.fuel_used,
            violations,
        })
    }
}
