//! The baseline as a Rhai script (`rules/baseline.rhai`): compiled once to an AST that is
//! reused; per decision one `Scope` is filled from the Rust [`Case`] (the scope's storage is
//! reused, its contents rebuilt) and the result map decoded.

use crate::{Case, Decider, Lookups, Outcome, RuleParams, employment_code, expectation_code, penalty_code};
use crate::{potential_code, task_code};
use rhai::{AST, Array, Dynamic, Engine, INT, ImmutableString, Map, Scope};

/// The script, embedded.
pub const SCRIPT: &str = include_str!("../rules/baseline.rhai");

/// The Rhai decider.
pub struct Rhai {
    engine: Engine,
    ast: AST,
    scope: Scope<'static>,
    params: RuleParams,
}

impl Rhai {
    /// Compile the script once.
    pub fn new(params: &RuleParams) -> Rhai {
        let engine = Engine::new();
        let ast = engine.compile(SCRIPT).expect("the Rhai script compiles");
        Rhai {
            engine,
            ast,
            scope: Scope::new(),
            params: *params,
        }
    }
}

fn text(s: &str) -> ImmutableString {
    ImmutableString::from(s)
}

fn map<const N: usize>(fields: [(&str, Dynamic); N]) -> Dynamic {
    Dynamic::from_map(fields.into_iter().map(|(k, v)| (k.into(), v)).collect::<Map>())
}

impl Decider for Rhai {
    fn name(&self) -> String {
        "Rhai (AST compiled once, Scope per decision)".into()
    }

    fn decide(&mut self, case: &Case) -> Outcome {
        let (e, a, p) = (&case.employee, &case.application, &self.params);
        let look = Lookups::of(case);
        let scope = &mut self.scope;
        scope.clear();
        scope.push_constant("today", p.today as INT);
        scope.push_constant("window_start", p.window_start as INT);
        scope.push_constant("light_window_start", p.light_window_start as INT);
        scope.push_constant("max_remote_days", p.max_remote_days as INT);
        scope.push_constant("min_service_months", p.min_service_months as INT);
        scope.push_constant("min_rating_rank", p.min_rating_rank as INT);
        scope.push_constant("max_unexcused_absence_days", p.max_unexcused_absence_days as INT);
        scope.push_constant("kpi_miss_reduction_days", p.kpi_miss_reduction_days as INT);

        scope.push_constant("public_service", e.public_service);
        scope.push_constant("task_category", text(task_code(e.task_category)));
        scope.push_constant("employment_type", text(employment_code(e.employment_type)));
        scope.push_constant("potential", text(potential_code(e.potential)));
        scope.push_constant("service_months", INT::from(e.service_months));
        scope.push_constant("unexcused_absence_days", INT::from(e.unexcused_absence_days));
        scope.push_constant_dynamic(
            "rating",
            match look.rating {
                Some((result, behaviour)) => map([
                    ("work_result", text(expectation_code(result)).into()),
                    ("work_behaviour", text(expectation_code(behaviour)).into()),
                ]),
                None => Dynamic::UNIT,
            },
        );
        let penalties: Array = e
            .penalties
            .iter()
            .map(|pen| {
                map([
                    ("level", text(penalty_code(pen.level)).into()),
                    ("start", Dynamic::from_int(pen.start.days_since_epoch() as INT)),
                    (
                        "end",
                        pen.end
                            .map_or(Dynamic::UNIT, |d| Dynamic::from_int(d.days_since_epoch() as INT)),
                    ),
                ])
            })
            .collect();
        scope.push_constant("penalties", penalties);
        scope.push_constant_dynamic(
            "previous_review",
            match e.previous_review {
                Some(r) => map([
                    (
                        "granted_remote_days",
                        Dynamic::from_int(INT::from(r.granted_remote_days)),
                    ),
                    ("kpi_achieved", Dynamic::from_bool(r.kpi_achieved)),
                ]),
                None => Dynamic::UNIT,
            },
        );
        scope.push_constant("kpi_baseline", a.kpi_baseline);
        scope.push_constant("kpi_target", a.kpi_target);
        scope.push_constant("supervisor", text(look.supervisor));

        let result: Map = self
            .engine
            .eval_ast_with_scope(scope, &self.ast)
            .expect("the Rhai script runs");
        Outcome {
            eligible: result["eligible"].as_bool().expect("eligible is a boolean"),
            remote_days: result["days"].as_int().expect("days is an integer") as u8,
        }
    }
}
