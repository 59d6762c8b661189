//! Our own rows: the compiled Jabar plugin (`rules/jabar.wasm`, built by
//! `scripts/build-plugins.sh`) run by the DWA host's engine, as the host runs it:
//!
//! - `plugin, reused instance (decide)`: one warm instance, one `decide` call per decision —
//!   the outcome without messages, the same output every peer gives;
//! - `plugin, reused instance (evaluate)`: the same with `evaluate`, which also builds every
//!   reason in two languages with its remedy (what a person reads; no peer does this);
//! - `plugin, batch (decide-batch)`: a whole unit (or more) in one call;
//! - `plugin, fresh instance (decide)`: a new store and instance per decision — the host's
//!   isolation default for requests.
//!
//! Each includes converting the SDK structs to the contract's types and back. Rows whose name
//! starts with `"plugin, reused"` are the reference of the table's last column.

use crate::{Case, Decider, Outcome};
use dwa_engine::{Limits, Plugin, PolicyEngine, WarmInstance};
use dwa_sdk::{Date, EvaluationInput, Params, Verdict};
use std::path::Path;
use std::sync::Arc;

/// The engine and the loaded plugin, shared by the rows (leaked: they live for the whole run).
fn engine_and_plugin() -> (&'static PolicyEngine, Arc<Plugin>) {
    let engine: &'static PolicyEngine = Box::leak(Box::new(PolicyEngine::new(Limits::default()).expect("engine")));
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules/jabar.wasm");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{} ({e}): build the plugins first with scripts/build-plugins.sh",
            path.display()
        )
    });
    let plugin = Arc::new(engine.load(&bytes, "jabar.wasm").expect("the Jabar plugin loads"));
    (engine, plugin)
}

fn outcome(verdict: &Verdict) -> Outcome {
    Outcome {
        eligible: verdict.eligible,
        remote_days: verdict.max_remote_days,
    }
}

/// The host's deciders for `params` at `today`.
pub fn deciders(params: &dwa_sdk::Params, today: dwa_sdk::Date) -> Vec<Box<dyn crate::Decider>> {
    let (engine, plugin) = engine_and_plugin();
    vec![
        Box::new(Reused {
            warm: engine.warm_instance(plugin.clone(), today),
            params: params.clone(),
            explain: false,
        }),
        Box::new(Reused {
            warm: engine.warm_instance(plugin.clone(), today),
            params: params.clone(),
            explain: true,
        }),
        Box::new(Batch {
            engine,
            plugin: plugin.clone(),
            params: params.clone(),
            today,
        }),
        Box::new(Fresh {
            engine,
            plugin,
            params: params.clone(),
            today,
        }),
    ]
}

struct Reused {
    warm: WarmInstance<'static>,
    params: Params,
    explain: bool,
}

impl Decider for Reused {
    fn name(&self) -> String {
        if self.explain {
            "plugin, reused instance (evaluate, with reasons)".into()
        } else {
            "plugin, reused instance (decide)".into()
        }
    }

    fn decide(&mut self, case: &Case) -> Outcome {
        if self.explain {
            let call = self
                .warm
                .evaluate(&case.employee, &case.application, &self.params)
                .expect("the plugin decides");
            outcome(&Verdict::from(&call.value))
        } else {
            let call = self
                .warm
                .decide(&case.employee, &case.application, &self.params)
                .expect("the plugin decides");
            outcome(&call.value)
        }
    }
}

/// One `decide-batch` call per batch; `decide` alone is a batch of one.
struct Batch {
    engine: &'static PolicyEngine,
    plugin: Arc<Plugin>,
    params: Params,
    today: Date,
}

impl Decider for Batch {
    fn name(&self) -> String {
        "plugin, batch (decide-batch, fresh instance per batch)".into()
    }

    fn decide(&mut self, case: &Case) -> Outcome {
        let mut out = Vec::with_capacity(1);
        self.decide_batch(std::slice::from_ref(case), &mut out);
        out[0]
    }

    fn decide_batch(&mut self, cases: &[Case], out: &mut Vec<Outcome>) {
        let items: Vec<_> = cases.iter().map(|c| (&c.employee, &c.application)).collect();
        let call = self
            .engine
            .decide_batch(&self.plugin, &items, &self.params, self.today)
            .expect("the plugin decides");
        out.extend(
            call.value
                .iter()
                .map(|r| outcome(r.as_ref().expect("the plugin decides"))),
        );
    }
}

struct Fresh {
    engine: &'static PolicyEngine,
    plugin: Arc<Plugin>,
    params: Params,
    today: Date,
}

impl Decider for Fresh {
    fn name(&self) -> String {
        "plugin, fresh store + instance per decision (decide)".into()
    }

    fn decide(&mut self, case: &Case) -> Outcome {
        let input = EvaluationInput {
            employee: case.employee.clone(),
            application: case.application.clone(),
            params: self.params.clone(),
            today: self.today,
        };
        outcome(
            &self
                .engine
                .decide(&self.plugin, &input)
                .expect("the plugin decides")
                .value,
        )
    }
}
