//! The baseline as a GoRules JDM decision graph (`rules/baseline.jdm.json`) evaluated by
//! `zen-engine`: input → decision table "SKP rating" (work result × work behaviour → rank,
//! performance) → decision table "talent box" (performance × potential → box, days) →
//! expression node "gates" (every gate, the previous review's ceiling, eligibility, days) →
//! output.
//!
//! The graph is parsed and pre-compiled once (`Decision::compile`); per decision the input JSON
//! (case, date, parameters) is built from the Rust [`Case`] and the graph evaluated on a
//! current-thread Tokio runtime (`evaluate` is async).

use crate::{Case, Decider, Lookups, Outcome, RuleParams, employment_code, expectation_code, penalty_code};
use crate::{potential_code, task_code};
use serde_json::{Value, json};
use std::sync::Arc;
use zen_engine::Decision;
use zen_engine::model::GraphContent;

/// The decision graph, embedded.
pub const GRAPH: &str = include_str!("../rules/baseline.jdm.json");

/// The JDM decider.
pub struct Zen {
    decision: Decision,
    runtime: tokio::runtime::Runtime,
    params: Value,
    today: i64,
}

impl Zen {
    /// Parse and pre-compile the graph.
    pub fn new(params: &RuleParams) -> Zen {
        let content: GraphContent = serde_json::from_str(GRAPH).expect("the JDM graph parses");
        let mut decision = Decision::from(Arc::new(content));
        decision.compile();
        decision.validate().expect("a valid JDM graph");
        Zen {
            decision,
            runtime: tokio::runtime::Builder::new_current_thread()
                .build()
                .expect("a Tokio runtime"),
            params: json!({
                "max_remote_days": params.max_remote_days,
                "min_service_months": params.min_service_months,
                "min_rating_rank": params.min_rating_rank,
                "max_unexcused_absence_days": params.max_unexcused_absence_days,
                "kpi_miss_reduction_days": params.kpi_miss_reduction_days,
                "window_start": params.window_start,
                "light_window_start": params.light_window_start,
            }),
            today: params.today,
        }
    }

    /// The graph's input for one case.
    fn input(&self, case: &Case) -> Value {
        let (e, a) = (&case.employee, &case.application);
        let look = Lookups::of(case);
        let penalties: Vec<Value> = e
            .penalties
            .iter()
            .map(|p| {
                json!({
                    "level": penalty_code(p.level),
                    "start": p.start.days_since_epoch(),
                    "end": p.end.map(|d| d.days_since_epoch()),
                })
            })
            .collect();
        json!({
            "today": self.today,
            "params": self.params.clone(),
            "employee": {
                "public_service": e.public_service,
                "task_category": task_code(e.task_category),
                "employment_type": employment_code(e.employment_type),
                "potential": potential_code(e.potential),
                "service_months": e.service_months,
                "unexcused_absence_days": e.unexcused_absence_days,
                "rating": look.rating.map(|(r, b)| json!({
                    "work_result": expectation_code(r),
                    "work_behaviour": expectation_code(b),
                })),
                "penalties": penalties,
                "previous_review": e.previous_review.map(|r| json!({
                    "granted_remote_days": r.granted_remote_days,
                    "kpi_achieved": r.kpi_achieved,
                })),
            },
            "application": {
                "kpi_baseline": a.kpi_baseline,
                "kpi_target": a.kpi_target,
                "supervisor": look.supervisor,
            },
        })
    }
}

impl Decider for Zen {
    fn name(&self) -> String {
        "GoRules JDM (zen-engine, pre-compiled graph)".into()
    }

    fn decide(&mut self, case: &Case) -> Outcome {
        let input = self.input(case).into();
        let response = self
            .runtime
            .block_on(self.decision.evaluate(input))
            .expect("JDM evaluation");
        let field = |key: &str| response.result.dot(key).expect("the graph's output has every field");
        Outcome {
            eligible: field("eligible").as_bool().expect("eligible is a boolean"),
            remote_days: field("remoteDays").to_value().as_f64().expect("remoteDays is a number") as u8,
        }
    }
}
