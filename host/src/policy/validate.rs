//! Validation of a region's rules before they are used: every worked example of the manifest
//! must give its expected outcome through the compiled plugin, without breaking a guardrail,
//! and the plugin's `decide` must give exactly the outcome of its `evaluate` (allocation and
//! dry runs use `decide`; people read `evaluate`).

use super::{RegionPolicy, enforce_eligibility};
use crate::engine::PolicyEngine;
use dwa_sdk::manifest::Guardrails;
use serde::Serialize;

/// The outcome of one worked example.
#[derive(Clone, Debug, Serialize)]
pub struct ExampleOutcome {
    /// The example's name.
    pub name: String,
    /// `None` when it passed, else what differed.
    pub problem: Option<String>,
    /// Fuel the evaluation used.
    pub fuel_used: u64,
}

/// What validating a region's rules found.
#[derive(Clone, Debug, Serialize)]
pub struct ValidationReport {
    /// Region code.
    pub region: String,
    /// Plugin name and version.
    pub plugin: String,
    /// Contract version the plugin was built against.
    pub contract: String,
    /// sha256 of the component.
    pub sha256: String,
    /// One entry per worked example.
    pub examples: Vec<ExampleOutcome>,
}

impl ValidationReport {
    /// One line per failed example.
    pub fn failures(&self) -> Vec<String> {
        self.examples
            .iter()
            .filter_map(|e| e.problem.as_ref().map(|p| format!("{}: {p}", e.name)))
            .collect()
    }

    /// True when every example passed.
    pub fn passed(&self) -> bool {
        self.examples.iter().all(|e| e.problem.is_none())
    }
}

/// Run the manifest's worked examples through the plugin and check them against the guardrails.
pub fn validate(engine: &PolicyEngine, region: &RegionPolicy, guardrails: &Guardrails) -> ValidationReport {
    let mut examples = Vec::with_capacity(region.manifest.examples.len());
    if region.manifest.examples.is_empty() {
        examples.push(ExampleOutcome {
            name: "worked examples".into(),
            problem: Some("the manifest has no worked examples; at least one is required".into()),
            fuel_used: 0,
        });
    }
    for example in &region.manifest.examples {
        let (problem, fuel_used) = match engine.evaluate(&region.plugin, &example.input) {
            Err(e) => (Some(e.to_string()), 0),
            Ok(call) => {
                let explained = dwa_sdk::Verdict::from(&call.value);
                let mut outcome = call.value;
                let violations = enforce_eligibility(guardrails, &region.reference, &mut outcome);
                let problem = if let Some(v) = violations.first() {
                    Some(format!("breaks the province guardrail {}: {}", v.rule, v.detail))
                } else if let Err(problem) = example.expect.check(&outcome) {
                    Some(problem)
                } else {
                    match engine.decide(&region.plugin, &example.input) {
                        Err(e) => Some(format!("decide failed: {e}")),
                        Ok(decided) if decided.value != explained => Some(format!(
                            "decide disagrees with evaluate: decide gives {:?}, evaluate {explained:?}",
                            decided.value
                        )),
                        Ok(_) => None,
                    }
                };
                (problem, call.fuel_used)
            }
        };
        examples.push(ExampleOutcome {
            name: example.name.clone(),
            problem,
            fuel_used,
        });
    }
    let info = region.plugin.info();
    ValidationReport {
        region: region.manifest.region.clone(),
        plugin: format!("{} {}", info.name, info.version),
        contract: info.contract.clone(),
        sha256: region.reference.sha256.clone(),
        examples,
    }
}
