//! A region's manifest (`rules/<code>-<name>.toml`): which plugin file, its parameters, the
//! province's guardrails and the worked examples a plugin must pass before it is used.
//! Shared by the host (validation, `dwa check`) and by plugin crates (native tests).

use crate::date::Date;
use crate::params::Params;
use crate::policy::Policy;
use crate::types::{Application, Approver, Eligibility, Employee, EvaluationInput};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A parsed, checked manifest.
#[derive(Clone, Debug, PartialEq)]
pub struct Manifest {
    /// BPS code of the region.
    pub region: String,
    /// Human name of the region.
    pub name: String,
    /// File name of the built plugin, beside the manifest.
    pub plugin: String,
    /// Parameters passed to every call.
    pub parameters: Params,
    /// Limits no plugin may exceed (set by the province's manifest).
    pub guardrails: Option<Guardrails>,
    /// Worked examples, with their defaults already merged in.
    pub examples: Vec<WorkedExample>,
}

/// Province limits enforced by the host on every plugin output.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Guardrails {
    /// Ceiling on days anywhere per week.
    pub max_remote_days: Option<u8>,
    /// Floor on the share of a unit in the office on every weekday.
    pub min_office_share: Option<f64>,
}

/// One worked example: an input and the outcome it must give.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkedExample {
    /// What the example shows.
    pub name: String,
    /// The full input.
    pub input: EvaluationInput,
    /// The expected outcome.
    pub expect: Expected,
}

/// The outcome a worked example expects; unset fields are not checked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    /// Eligible or not.
    pub eligible: bool,
    /// The largest pattern allowed.
    pub max_remote_days: Option<u8>,
    /// Exactly these gates fail (order ignored).
    pub failed: Option<Vec<String>>,
    /// Exactly these approvals are required (order ignored).
    pub approvals_required: Option<Vec<Approver>>,
}

/// Why a manifest cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManifestError(pub String);

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ManifestError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    region: String,
    name: String,
    plugin: String,
    #[serde(default)]
    parameters: Params,
    guardrails: Option<Guardrails>,
    #[serde(default)]
    examples: RawExamples,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExamples {
    #[serde(default)]
    defaults: Option<toml::Table>,
    #[serde(default)]
    cases: Vec<toml::Table>,
}

/// Merge `over` into `base`, recursing into tables (arrays and scalars are replaced).
fn merge(base: &mut toml::Table, over: toml::Table) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    name: String,
    today: Date,
    employee: Employee,
    application: Application,
    expect: Expected,
}

/// Longest line (in characters) of a [`ManifestError`]'s message, and most lines: TOML's parse
/// errors quote the offending line, which a broken or hostile file can make megabytes long.
const MAX_ERROR_LINE: usize = 200;
const MAX_ERROR_LINES: usize = 8;

/// `message` bounded ([`MAX_ERROR_LINE`], [`MAX_ERROR_LINES`], `…` where cut) and with no
/// control character but the newlines between lines: tabs become spaces, the others their
/// escape (`\u{1b}`), so an error never carries a file's control bytes into logs or answers.
fn tidy_error(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(MAX_ERROR_LINE * MAX_ERROR_LINES));
    for (i, line) in message.lines().enumerate() {
        if i == MAX_ERROR_LINES {
            out.push_str("\n…");
            break;
        }
        if i > 0 {
            out.push('\n');
        }
        for (n, c) in line.chars().enumerate() {
            if n == MAX_ERROR_LINE {
                out.push('…');
                break;
            }
            match c {
                '\t' => out.push(' '),
                c if c.is_control() => out.extend(c.escape_default()),
                c => out.push(c),
            }
        }
    }
    out
}

impl Manifest {
    /// Parse a manifest's TOML text and check it is self-consistent. An error's message is
    /// bounded in length and free of control characters (but newlines).
    pub fn parse(text: &str) -> Result<Manifest, ManifestError> {
        Manifest::parse_unbounded(text).map_err(|e| ManifestError(tidy_error(&e.0)))
    }

    fn parse_unbounded(text: &str) -> Result<Manifest, ManifestError> {
        let raw: RawManifest = toml::from_str(text).map_err(|e| ManifestError(format!("invalid manifest: {e}")))?;
        if raw.region.is_empty() || !raw.region.bytes().all(|b| b.is_ascii_digit()) || raw.region.len() > 4 {
            return Err(ManifestError(format!(
                "`region` = `{}` is not a BPS code like 32 or 3216",
                raw.region
            )));
        }
        if raw.plugin.contains('/') || raw.plugin.contains('\\') || !raw.plugin.ends_with(".wasm") {
            return Err(ManifestError(format!(
                "`plugin` = `{}` must be a .wasm file name beside the manifest",
                raw.plugin
            )));
        }
        let defaults = raw.examples.defaults.unwrap_or_default();
        let mut examples = Vec::with_capacity(raw.examples.cases.len());
        for (index, case) in raw.examples.cases.into_iter().enumerate() {
            let label = case
                .get("name")
                .and_then(|n| n.as_str())
                .map(str::to_owned)
                .unwrap_or(format!("#{}", index + 1));
            let mut merged = defaults.clone();
            merge(&mut merged, case);
            let case: RawCase = toml::Value::Table(merged)
                .try_into()
                .map_err(|e| ManifestError(format!("worked example `{label}`: {e}")))?;
            examples.push(WorkedExample {
                name: case.name,
                input: EvaluationInput {
                    employee: case.employee,
                    application: case.application,
                    params: raw.parameters.clone(),
                    today: case.today,
                },
                expect: case.expect,
            });
        }
        Ok(Manifest {
            region: raw.region,
            name: raw.name,
            plugin: raw.plugin,
            parameters: raw.parameters,
            guardrails: raw.guardrails,
            examples,
        })
    }
}

impl Expected {
    /// `Ok` when `outcome` matches; otherwise what differs.
    pub fn check(&self, outcome: &Eligibility) -> Result<(), String> {
        let mut problems = Vec::new();
        if outcome.eligible != self.eligible {
            problems.push(format!(
                "expected eligible = {}, got {}",
                self.eligible, outcome.eligible
            ));
        }
        if let Some(days) = self.max_remote_days.filter(|d| *d != outcome.max_remote_days) {
            problems.push(format!(
                "expected max_remote_days = {days}, got {}",
                outcome.max_remote_days
            ));
        }
        if let Some(expected) = &self.failed {
            let mut want: Vec<&str> = expected.iter().map(String::as_str).collect();
            let mut got = outcome.failed_codes();
            want.sort_unstable();
            got.sort_unstable();
            if want != got {
                problems.push(format!("expected failed gates {want:?}, got {got:?}"));
            }
        }
        if let Some(expected) = &self.approvals_required {
            let (mut want, mut got) = (expected.clone(), outcome.approvals_required.clone());
            want.sort_unstable();
            got.sort_unstable();
            if want != got {
                problems.push(format!("expected approvals {want:?}, got {got:?}"));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }
}

/// Run every worked example of `manifest` natively against `P`; returns one line per failure.
pub fn run_examples_natively<P: Policy>(manifest: &Manifest) -> Vec<String> {
    manifest
        .examples
        .iter()
        .filter_map(|example| {
            let i = &example.input;
            match P::evaluate(&i.employee, &i.application, &i.params, i.today) {
                Ok(outcome) => example
                    .expect
                    .check(&outcome)
                    .err()
                    .map(|e| format!("{}: {e}", example.name)),
                Err(e) => Some(format!("{}: plugin error {e}", example.name)),
            }
        })
        .collect()
}
