//! Validation of a region's rules before they are used: every worked example of the manifest
//! must give its expected outcome through the compiled plugin, without breaking a guardrail,
//! and the plugin's `decide` must give exactly the outcome of its `evaluate` (allocation and
//! dry runs use `decide`; people read `evaluate`). The eligible examples then form one unit
//! whose allocation must be valid too, so `allocate` has run before a version goes live.
//! Validation is bounded in time: a candidate slower than [`Limits::validation_timeout`] fails.

use super::{RegionPolicy, enforce_eligibility, enforce_grants};
use dwa_engine::{Limits, PluginError, PolicyEngine, TrapCause};
use dwa_sdk::manifest::Guardrails;
use dwa_sdk::{AllocationRequest, Candidate, Eligibility};
use serde::Serialize;
use std::collections::BTreeSet;
use std::time::Instant;

/// The outcome of one worked example.
#[derive(Clone, Debug, Serialize)]
pub struct ExampleOutcome {
    /// The example's name.
    pub name: String,
    /// `None` when it passed, else what differed.
    pub problem: Option<String>,
    /// Fuel the evaluation used.
    pub fuel_used: u64,
    /// What the plugin printed, if anything (bounded, made printable).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub output: String,
    /// The plugin's answer as the host serves it (guardrails applied), when `evaluate` answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<Eligibility>,
    /// Whether `decide` gave the outcome of `evaluate` (`false` also when `decide` failed);
    /// `None` when there was no answer to compare with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decide_agrees: Option<bool>,
}

impl ExampleOutcome {
    /// An outcome with no answer from the plugin.
    fn unanswered(name: &str, problem: Option<String>, fuel_used: u64, output: String) -> ExampleOutcome {
        ExampleOutcome {
            name: name.to_owned(),
            problem,
            fuel_used,
            output,
            answer: None,
            decide_agrees: None,
        }
    }
}

/// Name of the allocation check among the examples' outcomes.
pub const ALLOCATION_EXAMPLE: &str = "allocation of the eligible examples";

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
    /// The plugin as errors and the audit trail name it: its self-reported name and version
    /// beside what the host knows — the sha256 of its bytes (short) and the manifest's region —
    /// as a plugin can call itself anything.
    pub fn named(&self) -> String {
        format!(
            "{} (sha256 {}, manifest region {})",
            self.plugin,
            self.sha256.get(..12).unwrap_or(&self.sha256),
            self.region
        )
    }

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

    /// The reason codes the plugin reported in its answers that no example fails, in order:
    /// an example covers a code by failing it, so a change to that gate shows. `PATTERN` is
    /// informative (it never fails) and is not listed.
    pub fn codes_no_example_fails(&self) -> Vec<String> {
        let reasons = || {
            self.examples
                .iter()
                .filter_map(|e| e.answer.as_ref())
                .flat_map(|a| &a.reasons)
        };
        let failed: BTreeSet<&str> = reasons().filter(|r| !r.passed).map(|r| r.code.as_str()).collect();
        let reported: BTreeSet<&str> = reasons().map(|r| r.code.as_str()).collect();
        reported
            .difference(&failed)
            .filter(|code| **code != dwa_sdk::baseline::codes::PATTERN)
            .map(|code| code.to_string())
            .collect()
    }
}

/// Run the manifest's worked examples through the plugin and check them against the guardrails.
pub fn validate(engine: &PolicyEngine, region: &RegionPolicy, guardrails: &Guardrails) -> ValidationReport {
    let started = Instant::now();
    let bound = engine.limits().validation_timeout;
    let mut examples = Vec::with_capacity(region.manifest.examples.len() + 1);
    if region.manifest.examples.is_empty() {
        examples.push(ExampleOutcome::unanswered(
            "worked examples",
            Some("the manifest has no worked examples; at least one is required".into()),
            0,
            String::new(),
        ));
    }
    let mut candidates = Vec::new();
    for (index, example) in region.manifest.examples.iter().enumerate() {
        if started.elapsed() > bound {
            examples.push(ExampleOutcome::unanswered(
                &example.name,
                Some(too_slow(engine.limits(), index, region.manifest.examples.len())),
                0,
                String::new(),
            ));
            break;
        }
        let outcome = match engine.evaluate(&region.plugin, &example.input) {
            // Stop here, so a hung candidate costs one deadline, not one per example.
            Err(e) if stops_validation(&e) => {
                examples.push(ExampleOutcome::unanswered(
                    &example.name,
                    Some(stopped(&e, region.manifest.examples.len() - index - 1)),
                    0,
                    String::new(),
                ));
                candidates.clear();
                break;
            }
            Err(e) => ExampleOutcome::unanswered(&example.name, Some(e.to_string()), 0, String::new()),
            Ok(call) => {
                if call.value.eligible {
                    candidates.push(Candidate {
                        application_id: format!("example-{}", index + 1),
                        nip: distinct_nip(&example.input.employee.nip, index),
                        requested_remote_days: example.input.application.requested_remote_days,
                        max_remote_days: call.value.max_remote_days,
                        priority: call.value.priority,
                        service_months: example.input.employee.service_months,
                        previous_quarter: dwa_sdk::PreviousOutcome::None,
                    });
                }
                let explained = dwa_sdk::Verdict::from(&call.value);
                // Compared on every answered example, so an author sees the agreement even
                // where the expectation already failed.
                let decided = engine.decide(&region.plugin, &example.input);
                let hung = matches!(&decided, Err(e) if stops_validation(e));
                let decide_problem = match &decided {
                    Err(e) if hung => Some(format!(
                        "decide failed: {}",
                        stopped(e, region.manifest.examples.len() - index - 1)
                    )),
                    Err(e) => Some(format!("decide failed: {e}")),
                    Ok(decided) if decided.value != explained => Some(format!(
                        "decide disagrees with evaluate: decide gives {:?}, evaluate {explained:?}",
                        decided.value
                    )),
                    Ok(_) => None,
                };
                let mut outcome = call.value;
                let violations = enforce_eligibility(guardrails, &region.reference, &mut outcome);
                let first = match violations.first() {
                    Some(v) => Some(format!("breaks the province guardrail {}: {}", v.rule, v.detail)),
                    None => example.expect.check(&outcome).err(),
                };
                let problem = match (first, decide_problem) {
                    // Where validation stops, say why, whatever else is wrong.
                    (Some(p), Some(d)) if hung => Some(format!("{p}; {d}")),
                    (Some(p), _) => Some(p),
                    (None, d) => d,
                };
                let outcome = ExampleOutcome {
                    name: example.name.clone(),
                    problem,
                    fuel_used: call.fuel_used,
                    output: call.output.text(),
                    answer: Some(outcome),
                    decide_agrees: Some(decided.is_ok_and(|d| d.value == explained)),
                };
                if hung {
                    examples.push(outcome);
                    candidates.clear();
                    break;
                }
                outcome
            }
        };
        examples.push(outcome);
    }
    if !candidates.is_empty() && started.elapsed() <= bound {
        examples.push(check_allocation(engine, region, guardrails, candidates));
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

/// A plugin that runs out of time or fuel on one example would on the next ones too.
fn stops_validation(e: &PluginError) -> bool {
    matches!(
        e,
        PluginError::Trap {
            cause: TrapCause::Timeout { .. } | TrapCause::FuelExhausted { .. },
            ..
        }
    )
}

fn stopped(e: &PluginError, remaining: usize) -> String {
    format!("{e} (validation stopped here; {remaining} more examples not run)")
}

/// Examples often share one person; in the allocation check each is someone else: the NIP
/// with its 3-digit sequence number replaced by the example's.
fn distinct_nip(nip: &str, index: usize) -> String {
    match nip.get(..15) {
        Some(head) if nip.len() == 18 => format!("{head}{:03}", (index % 999) + 1),
        _ => format!("{nip}-{}", index + 1),
    }
}

fn too_slow(limits: &Limits, done: usize, total: usize) -> String {
    format!(
        "validation stopped after {done} of {total} examples: it took longer than {} s",
        limits.validation_timeout.as_secs()
    )
}

/// The eligible examples as one unit of twice their number: `allocate` must answer validly
/// (the engine checks the grants) and within the guardrails.
fn check_allocation(
    engine: &PolicyEngine,
    region: &RegionPolicy,
    guardrails: &Guardrails,
    candidates: Vec<Candidate>,
) -> ExampleOutcome {
    let today = region.manifest.examples[0].input.today;
    let request = AllocationRequest {
        unit: "validation".into(),
        quarter: today.quarter(),
        headcount: (candidates.len() * 2) as u32,
        candidates,
    };
    let (problem, fuel_used, output) =
        match engine.allocate(&region.plugin, &request, &region.manifest.parameters, today) {
            Err(e) => (Some(e.to_string()), 0, String::new()),
            Ok(call) => {
                let mut grants = call.value;
                let violations = enforce_grants(guardrails, &region.reference, request.headcount, &mut grants);
                let problem = violations
                    .first()
                    .map(|v| format!("breaks the province guardrail {}: {}", v.rule, v.detail));
                (problem, call.fuel_used, call.output.text())
            }
        };
    ExampleOutcome::unanswered(ALLOCATION_EXAMPLE, problem, fuel_used, output)
}
