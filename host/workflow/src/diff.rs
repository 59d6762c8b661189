//! `dwa plugin diff OLD NEW`: where two candidates of a region's rules decide differently.
//! A dry run replays the people who applied; this explores the people who have not applied
//! yet: a passing worked example varied along every gate's boundary (see `inputs.rs`), run
//! through both candidates in the host's sandbox (`decide-batch`, the path allocation uses), and
//! grouped into classes — the gate dimension varied, its value, and how the outcome changed —
//! each with a count and one concrete example. With a database, the quarter's stored
//! applications are compared too.

mod inputs;

pub use inputs::{Probe, probes};

use super::WorkflowError;
use dwa_engine::PolicyEngine;
use dwa_policy::{PluginRef, PolicySet, RegionPolicy, RulesError};
use dwa_sdk::{Application, Approver, Date, Employee, Quarter, Verdict};
use dwa_store::Store;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Items per sandbox call (each item has its own fuel budget).
const BATCH: usize = 500;

/// One candidate's answer, as compared.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// Eligible.
    pub eligible: bool,
    /// Days anywhere allowed.
    pub max_remote_days: u8,
    /// The failed gates' codes, sorted.
    pub failed: Vec<String>,
    /// The approvals required.
    pub approvals_required: Vec<Approver>,
    /// The plugin refused the input (its message), instead of deciding.
    pub refused: Option<String>,
}

impl Outcome {
    fn of(result: Result<Verdict, dwa_engine::PluginError>) -> Outcome {
        match result {
            Ok(v) => {
                let mut failed = v.failed;
                failed.sort();
                Outcome {
                    eligible: v.eligible,
                    max_remote_days: v.max_remote_days,
                    failed,
                    approvals_required: v.approvals_required,
                    refused: None,
                }
            }
            Err(e) => Outcome {
                eligible: false,
                max_remote_days: 0,
                failed: Vec::new(),
                approvals_required: Vec::new(),
                refused: Some(e.to_string()),
            },
        }
    }

    /// `eligible 3-2`, `not eligible (SERVICE_LENGTH)`, `refused: …`.
    pub fn summary(&self) -> String {
        if let Some(refused) = &self.refused {
            return format!("refused: {refused}");
        }
        let pattern = dwa_sdk::baseline::pattern(self.max_remote_days);
        match (self.eligible, self.failed.is_empty()) {
            (true, _) => format!("eligible {pattern}"),
            (false, true) => format!("not eligible {pattern}"),
            (false, false) => format!("not eligible ({})", self.failed.join(", ")),
        }
    }

    /// How `self` (old) changed into `new`, in a few words; `None` when it did not change.
    fn change(&self, new: &Outcome) -> Option<String> {
        if self == new {
            return None;
        }
        Some(match (self.eligible, new.eligible) {
            (true, false) => "becomes ineligible".into(),
            (false, true) => "becomes eligible".into(),
            _ if self.max_remote_days > new.max_remote_days => "fewer days".into(),
            _ if self.max_remote_days < new.max_remote_days => "more days".into(),
            _ if self.failed != new.failed => "other failed gates".into(),
            _ if self.approvals_required != new.approvals_required => "other approvals required".into(),
            _ => "refusal changed".into(),
        })
    }
}

/// One input, with both answers.
#[derive(Clone, Debug, Serialize)]
pub struct Example {
    /// The employee.
    pub employee: Employee,
    /// The application.
    pub application: Application,
    /// The old candidate's answer.
    pub old: Outcome,
    /// The new candidate's answer.
    pub new: Outcome,
}

/// A class of inputs whose outcome changes the same way.
#[derive(Clone, Debug, Serialize)]
pub struct ChangeClass {
    /// The gate dimension varied (`service_months`, …), or `stored application` for a unit's.
    pub dimension: String,
    /// Its value (or the unit's code).
    pub value: String,
    /// How the outcome changes: `becomes ineligible`, `fewer days`, …
    pub change: String,
    /// Inputs of the class that change this way.
    pub count: usize,
    /// Inputs of the class explored.
    pub of: usize,
    /// The first of them.
    pub example: Example,
}

/// The quarter's stored applications compared.
#[derive(Clone, Debug, Serialize)]
pub struct StoredComparison {
    /// The quarter.
    pub quarter: Quarter,
    /// Applications compared.
    pub evaluated: usize,
    /// Those whose outcome changes.
    pub changed: usize,
    /// By unit and change.
    pub classes: Vec<ChangeClass>,
}

/// What `dwa plugin diff` reports.
#[derive(Clone, Debug, Serialize)]
pub struct PluginDiff {
    /// Region.
    pub region: String,
    /// The evaluation date (the example's).
    pub date: Date,
    /// The old candidate.
    pub old: PluginRef,
    /// The new candidate.
    pub new: PluginRef,
    /// Inputs explored.
    pub explored: usize,
    /// Those whose outcome changes.
    pub changed: usize,
    /// By gate dimension, value and change, in the order explored.
    pub classes: Vec<ChangeClass>,
    /// The stored applications, with a database.
    pub stored: Option<StoredComparison>,
}

/// The passing worked example the exploration starts from: the first expected eligible in the
/// new manifest (else the old's; else the first example).
fn base(old: &RegionPolicy, new: &RegionPolicy) -> Result<dwa_sdk::EvaluationInput, RulesError> {
    let examples = || new.manifest.examples.iter().chain(&old.manifest.examples);
    examples()
        .find(|e| e.expect.eligible)
        .or_else(|| examples().next())
        .map(|e| e.input.clone())
        .ok_or_else(|| RulesError::Manifest {
            path: new.manifest_path.clone(),
            reason: "no worked example to start exploring from (add one that is eligible)".into(),
        })
}

/// Both candidates' answers to `items`, in order (off the async workers).
fn answers(
    engine: &PolicyEngine,
    old: &RegionPolicy,
    new: &RegionPolicy,
    items: &[(&Employee, &Application)],
    today: Date,
) -> Result<Vec<(Outcome, Outcome)>, RulesError> {
    let mut out = Vec::with_capacity(items.len());
    for chunk in items.chunks(BATCH) {
        let before = engine
            .decide_batch(&old.plugin, chunk, &old.manifest.parameters, today)?
            .value;
        let after = engine
            .decide_batch(&new.plugin, chunk, &new.manifest.parameters, today)?
            .value;
        out.extend(
            before
                .into_iter()
                .map(Outcome::of)
                .zip(after.into_iter().map(Outcome::of)),
        );
    }
    Ok(out)
}

/// Group compared inputs into classes (key: dimension, value, change), in first-seen order.
fn classify<'a>(
    compared: impl Iterator<Item = (String, String, &'a Employee, &'a Application, Outcome, Outcome)>,
) -> (usize, usize, Vec<ChangeClass>) {
    let (mut explored, mut changed) = (0, 0);
    let mut of: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut classes: Vec<ChangeClass> = Vec::new();
    let mut index: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    for (dimension, value, employee, application, old, new) in compared {
        explored += 1;
        *of.entry((dimension.clone(), value.clone())).or_default() += 1;
        let Some(change) = old.change(&new) else { continue };
        changed += 1;
        let key = (dimension.clone(), value.clone(), change.clone());
        match index.get(&key) {
            Some(&i) => classes[i].count += 1,
            None => {
                index.insert(key, classes.len());
                classes.push(ChangeClass {
                    dimension,
                    value,
                    change,
                    count: 1,
                    of: 0,
                    example: Example {
                        employee: employee.clone(),
                        application: application.clone(),
                        old,
                        new,
                    },
                });
            }
        }
    }
    for class in &mut classes {
        class.of = of[&(class.dimension.clone(), class.value.clone())];
    }
    (explored, changed, classes)
}

/// Explore the input space of `old` and `new` (same region; call off the async workers).
pub fn explore(engine: &PolicyEngine, old: &RegionPolicy, new: &RegionPolicy) -> Result<PluginDiff, RulesError> {
    if old.manifest.region != new.manifest.region {
        return Err(RulesError::Manifest {
            path: new.manifest_path.clone(),
            reason: format!(
                "is for region {}, the old candidate for region {}: a diff compares one region's rules",
                new.manifest.region, old.manifest.region
            ),
        });
    }
    let base = base(old, new)?;
    let params = [&old.manifest.parameters, &new.manifest.parameters];
    let probes = probes(&base.employee, &base.application, &params, base.today);
    let items: Vec<_> = probes.iter().map(|p| (&p.employee, &p.application)).collect();
    let compared = answers(engine, old, new, &items, base.today)?;
    let (explored, changed, classes) = classify(probes.iter().zip(compared).map(|(p, (o, n))| {
        (
            p.dimension.to_owned(),
            p.value.clone(),
            &p.employee,
            &p.application,
            o,
            n,
        )
    }));
    Ok(PluginDiff {
        region: new.manifest.region.clone(),
        date: base.today,
        old: old.reference.clone(),
        new: new.reference.clone(),
        explored,
        changed,
        classes,
        stored: None,
    })
}

/// Explore where a loaded candidate (see [`crate::load_candidate`]) decides differently from
/// the rules its region serves now: the diff a policy admin reads before uploading it.
pub async fn explore_candidate(
    policies: &Arc<PolicySet>,
    candidate: Arc<RegionPolicy>,
) -> Result<PluginDiff, WorkflowError> {
    let engine = policies.engine().clone();
    let old = policies.region(&candidate.manifest.region)?;
    let diff = dwa_engine::run_blocking(move || explore(&engine, &old, &candidate))
        .await
        .map_err(RulesError::Host)??;
    Ok(diff)
}

/// Compare both candidates on `quarter`'s stored applications of their region, a page of
/// units at a time (as allocation reads them).
pub async fn compare_stored(
    store: &Store,
    engine: Arc<PolicyEngine>,
    old: Arc<RegionPolicy>,
    new: Arc<RegionPolicy>,
    quarter: Quarter,
    today: Date,
) -> Result<StoredComparison, WorkflowError> {
    let region = new.manifest.region.clone();
    let mut rows: Vec<(String, Employee, Application, Outcome, Outcome)> = Vec::new();
    let mut after = String::new();
    loop {
        let codes = store.region_unit_codes(&region, &after, 256).await?;
        let Some(last) = codes.last().cloned() else { break };
        after = last;
        for unit in store
            .staff_page(&region, codes, quarter)
            .await?
            .parse(&region, quarter, today)?
        {
            let items: Vec<(Employee, Application)> = unit
                .staff
                .into_iter()
                .filter_map(|row| row.application.map(|a| (row.employee, a)))
                .collect();
            if items.is_empty() {
                continue;
            }
            let (engine, old, new) = (engine.clone(), old.clone(), new.clone());
            let (code, compared) = dwa_engine::run_blocking(move || {
                let refs: Vec<_> = items.iter().map(|(e, a)| (e, a)).collect();
                answers(&engine, &old, &new, &refs, today).map(|answers| (items, answers))
            })
            .await
            .map(|r| (unit.code, r))
            .map_err(RulesError::Host)?;
            let (items, answers) = compared?;
            rows.extend(
                items
                    .into_iter()
                    .zip(answers)
                    .map(|((e, a), (o, n))| (code.clone(), e, a, o, n)),
            );
        }
    }
    let (evaluated, changed, classes) = classify(
        rows.iter()
            .map(|(unit, e, a, o, n)| ("stored application".into(), unit.clone(), e, a, o.clone(), n.clone())),
    );
    Ok(StoredComparison {
        quarter,
        evaluated,
        changed,
        classes,
    })
}
