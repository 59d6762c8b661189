//! The baseline in Rego (`rules/baseline.rego`), evaluated by `regorus` two ways:
//!
//! - [`Interpreter`]: `Engine::eval_rule` on an engine loaded once with the policy and the
//!   parameters (`data.params`); per decision only `set_input`.
//! - [`Vm`]: the same policy compiled once to an RVM program (regorus' register-based virtual
//!   machine, the `rvm` feature, on by default in the released crate) and run by one reused
//!   `RegoVM`; per decision `set_input` and `execute_entry_point_by_index`.
//!
//! Both build the same `input` document (a regorus `Value`) from the Rust [`Case`] per decision.

use crate::{Case, Decider, Lookups, Outcome, RuleParams, employment_code, expectation_code, penalty_code};
use crate::{potential_code, task_code};
use regorus::Value;
use regorus::languages::rego::compiler::Compiler;
use regorus::rvm::RegoVM;
use std::collections::BTreeMap;

/// The policy, embedded.
pub const POLICY: &str = include_str!("../rules/baseline.rego");

/// The rule whose value is the decision.
pub const ENTRY_POINT: &str = "data.dwa.baseline.decision";

fn object<const N: usize>(fields: [(&str, Value); N]) -> Value {
    Value::from(
        fields
            .into_iter()
            .map(|(k, v)| (Value::from(k), v))
            .collect::<BTreeMap<Value, Value>>(),
    )
}

/// `data` for the policy: `{"params": {...}}`.
pub fn data(params: &RuleParams) -> Value {
    object([(
        "params",
        object([
            ("max_remote_days", Value::from(params.max_remote_days)),
            ("min_service_months", Value::from(params.min_service_months)),
            ("min_rating_rank", Value::from(params.min_rating_rank)),
            (
                "max_unexcused_absence_days",
                Value::from(params.max_unexcused_absence_days),
            ),
            ("kpi_miss_reduction_days", Value::from(params.kpi_miss_reduction_days)),
            ("window_start", Value::from(params.window_start)),
            ("light_window_start", Value::from(params.light_window_start)),
        ]),
    )])
}

/// The `input` document for one case.
pub fn input(case: &Case, today: i64) -> Value {
    let (e, a) = (&case.employee, &case.application);
    let look = Lookups::of(case);
    let mut employee = BTreeMap::new();
    let mut put = |k: &str, v: Value| {
        employee.insert(Value::from(k), v);
    };
    put("public_service", Value::from(e.public_service));
    put("task_category", Value::from(task_code(e.task_category)));
    put("employment_type", Value::from(employment_code(e.employment_type)));
    put("potential", Value::from(potential_code(e.potential)));
    put("service_months", Value::from(e.service_months));
    put("unexcused_absence_days", Value::from(e.unexcused_absence_days));
    if let Some((result, behaviour)) = look.rating {
        put(
            "rating",
            object([
                ("work_result", Value::from(expectation_code(result))),
                ("work_behaviour", Value::from(expectation_code(behaviour))),
            ]),
        );
    }
    let penalties = e
        .penalties
        .iter()
        .map(|p| {
            let mut m = BTreeMap::new();
            m.insert(Value::from("level"), Value::from(penalty_code(p.level)));
            m.insert(Value::from("start"), Value::from(p.start.days_since_epoch()));
            if let Some(end) = p.end {
                m.insert(Value::from("end"), Value::from(end.days_since_epoch()));
            }
            Value::from(m)
        })
        .collect::<Vec<_>>();
    put("penalties", Value::from(penalties));
    if let Some(r) = e.previous_review {
        put(
            "previous_review",
            object([
                ("granted_remote_days", Value::from(u32::from(r.granted_remote_days))),
                ("kpi_achieved", Value::from(r.kpi_achieved)),
            ]),
        );
    }
    object([
        ("today", Value::from(today)),
        ("employee", Value::from(employee)),
        (
            "application",
            object([
                ("kpi_baseline", Value::from(a.kpi_baseline)),
                ("kpi_target", Value::from(a.kpi_target)),
                ("supervisor", Value::from(look.supervisor)),
            ]),
        ),
    ])
}

/// Read `{"eligible": bool, "days": n}`.
pub fn outcome(value: &Value) -> Outcome {
    let eligible = *value["eligible"].as_bool().expect("decision.eligible is a boolean");
    let remote_days = value["days"].as_u8().expect("decision.days is a small number");
    Outcome { eligible, remote_days }
}

fn engine(params: &RuleParams) -> regorus::Engine {
    let mut engine = regorus::Engine::new();
    engine
        .add_policy("baseline.rego".into(), POLICY.into())
        .expect("the Rego policy parses");
    engine.add_data(data(params)).expect("data.params");
    engine
}

/// regorus' tree-walking interpreter.
pub struct Interpreter {
    engine: regorus::Engine,
    today: i64,
}

impl Interpreter {
    /// Load the policy and the parameters once.
    pub fn new(params: &RuleParams) -> Interpreter {
        Interpreter {
            engine: engine(params),
            today: params.today,
        }
    }
}

impl Decider for Interpreter {
    fn name(&self) -> String {
        "Rego (regorus interpreter)".into()
    }

    fn decide(&mut self, case: &Case) -> Outcome {
        self.engine.set_input(input(case, self.today));
        let value = self.engine.eval_rule(ENTRY_POINT.into()).expect("Rego evaluation");
        outcome(&value)
    }
}

/// regorus' RVM: the policy compiled once to a program, one VM reused.
pub struct Vm {
    vm: RegoVM,
    today: i64,
}

impl Vm {
    /// Compile the policy for [`ENTRY_POINT`] and load it with the parameters.
    pub fn new(params: &RuleParams) -> Vm {
        let compiled = engine(params)
            .compile_with_entrypoint(&ENTRY_POINT.into())
            .expect("the policy compiles");
        let program = Compiler::compile_from_policy(&compiled, &[ENTRY_POINT]).expect("an RVM program");
        let mut vm = RegoVM::new_with_policy(compiled);
        vm.load_program(program);
        vm.set_data(data(params)).expect("data.params");
        Vm {
            vm,
            today: params.today,
        }
    }
}

impl Decider for Vm {
    fn name(&self) -> String {
        "Rego (regorus RVM, compiled program)".into()
    }

    fn decide(&mut self, case: &Case) -> Outcome {
        self.vm.set_input(input(case, self.today));
        let value = self.vm.execute_entry_point_by_index(0).expect("RVM execution");
        outcome(&value)
    }
}
