//! The decision shapes that cross layers: who decided ([`PluginRef`]), what a guardrail
//! corrected ([`Violation`]), and a plugin's answers with their provenance ([`Decision`],
//! [`Allocation`]). Plain data: the policy layer builds them, the store keeps them.

use crate::GuestOutput;
use dwa_sdk::{Eligibility, EvaluationInput, Grant};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Which plugin made a decision: recorded with every decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginRef {
    /// Region code.
    pub region: String,
    /// Plugin name.
    pub name: String,
    /// Plugin version.
    pub version: String,
    /// sha256 of the component.
    pub sha256: String,
    /// sha256 of the manifest (parameters and examples).
    pub manifest_sha256: String,
}

/// A plugin output that broke a guardrail, and what the host did about it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Violation {
    /// The plugin that produced the output.
    pub plugin: PluginRef,
    /// The guardrail: `max_remote_days` or `min_office_share`.
    pub rule: String,
    /// What the plugin returned and how it was corrected.
    pub detail: String,
}

/// A decision with everything needed to store, explain and replay it.
#[derive(Clone, Debug)]
pub struct Decision {
    /// What the plugin saw.
    pub input: EvaluationInput,
    /// The outcome, after guardrails.
    pub eligibility: Eligibility,
    /// The plugin that decided.
    pub plugin: PluginRef,
    /// Fuel used.
    pub fuel_used: u64,
    /// Time taken.
    pub duration: Duration,
    /// What the plugin printed.
    pub output: GuestOutput,
    /// Guardrail corrections.
    pub violations: Vec<Violation>,
}

/// A unit's grants with their provenance.
#[derive(Clone, Debug)]
pub struct Allocation {
    /// The grants, after guardrails.
    pub grants: Vec<Grant>,
    /// The plugin that allocated.
    pub plugin: PluginRef,
    /// Fuel used.
    pub fuel_used: u64,
    /// Guardrail corrections.
    pub violations: Vec<Violation>,
}
